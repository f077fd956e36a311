/**
 * @sparse-dgm/infer: compile(model) to variational inference: auto-guides, estimators, the
 * objective builder, schedules, EM hooks, the trainer and checkpoints.
 */
export { encoderInputWidth, encoderTrunk, GuideRun, type GuideRunArgs, type HeadSpec, recognitionTrunk, replicaNormal, replicaUniform, siteHeads } from "./guide.js";
export { buildTerms, globalTerm, type Normalisation, rateTerm, type StepRun, sumPerReplica, type Term, totalLoss, weighted } from "./objective.js";
export { compile, type CompileOptions, type Encoded, type Evaluation, type FitOptions, type FitResult, Program, type SideData, type StepInfo, type TrainData } from "./program.js";
export { Adam, type AdamState, type NamedGrad } from "./optim.js";
export { type Checkpoint, CHECKPOINT_VERSION, type CheckpointManifest, declarationHash, deserialize, serialize, type TensorEntry } from "./checkpoint.js";
export { checkSideData, observedTensor, sideData, sideInputNames, viewAvailability } from "./data.js";
export { RunningBaseline, scoreFunctionSurrogate } from "./estimators.js";
export { independencePenalty, type IndependencePenaltyOptions, mmdIndependence, type MmdOptions } from "./independence.js";
export { type CappedRefiner } from "./families/capped-code.js";
export { type DrawContext } from "./families/family.js";
export { nmfLoadings, NMF_ITERATIONS } from "./nmf.js";
