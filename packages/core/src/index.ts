/**
 * @sparse-dgm/core: the model builder, plates, sites (incl. mask sites), the model IR, handlers,
 * the splittable RNG key, owned numerics, and the step hook a speed layer plugs into.
 */
export { tf, type Tensor } from "./tf.js";
export { Key, sizeOf, threefry2x32 } from "./key.js";
export { MISSING_KERNELS, backendThreads, currentBackend, initBackend, type BackendName, type BackendOptions } from "./backend.js";
export { noteHeapOverflow, heapOverflow } from "./heap-guard.js";
export { MAX_WASM_THREADS, availableCores, parseThreads, resolveThreads } from "./wasm-threads.js";
export { broadcast, digamma, lgamma, log1mexp, log1p, logSigmoid, logsumexp, softplus, softplusInverse, stopGradient, trigamma } from "./math/index.js";
export {
  asSchedule,
  checkPositiveSchedule,
  constant,
  constantFrom,
  cyclical,
  evaluateSchedule,
  exponentialDecay,
  linear,
  parseSchedule,
  unitIntervalSchedule,
  scheduleInput,
  scheduleScalar,
  scheduleValue,
  warmup,
  type Schedule,
  type ScheduleLike,
} from "./schedule.js";
export {
  DATA_PLATE,
  type EstimatorSpec,
  type MaskInfo,
  type MaskValueType,
  type ModelIR,
  type PlateDecl,
  type SiteDecl,
  type SiteDistribution,
  type SideDecl,
  type SiteKind,
  type SiteOptionsBase,
} from "./ir.js";
export { NonFiniteError, ShapeError, SiteError, formatPlatePath, formatShape, type PlateFrame } from "./errors.js";
export { canonicalPlates, canonicalShape, fromCanonical, plateAxis, platePath, plateSizes, siteShape, toCanonical } from "./layout.js";
export { ParamStore, type ParamInit, type ParamMeta } from "./params.js";
export { registerBlock, registeredBlocks, type BlockImpl, type BlockRuntime, type SiteContext } from "./context.js";
export {
  Model,
  callbackDependencies,
  model,
  type CheckedData,
  type FreshName,
  type LatentNames,
  type GlobalNames,
  type MaskNames,
  type MapEmSpec,
  type MaskEstimator,
  type AmortisedGuideOptions,
  type PoeGuideOptions,
  type FullRankGuideOptions,
  type PointInit,
  type LatentOptions,
  type GlobalOptions,
  SITE_OPTIONS,
  type MaskOptions,
  type ObserveNames,
  type ObserveOptions,
  type ObservedData,
  type ObservedValue,
  type PlatesOf,
  type RandomSiteOptions,
  type RankChecked,
  type SiteFn,
  type TypedContext,
  type DataNames,
  type PosteriorNames,
  type UndeclaredAhead,
  type AheadDeclared,
  type SiteTable,
  type SiteType,
  type SiteValues,
  type SitesOf,
} from "./model.js";
export {
  asRunnable,
  checkDistribution,
  dataAxis,
  dataNames,
  siteNeeds,
  eventLayout,
  fixedMaskValue,
  messageLogProb,
  run,
  runShape,
  sampleSite,
  withMessenger,
  type Message,
  type Messenger,
  type RunOptions,
  type RunResult,
  type RunState,
  type Runnable,
} from "./runtime.js";
export { Trace, type TraceSite } from "./trace.js";
export {
  block,
  checkFinite,
  condition,
  do_,
  intervene,
  mask,
  replay,
  scale,
  seed,
  substitute,
  toTensor,
  trace,
  type Handled,
  type SiteValuesInput,
  type Traced,
  type UserValue,
} from "./handlers/index.js";
export { type EstimatorOf, emUpdate, fixed, gumbelSoftmax, hardConcrete, map, mapEm, relaxedBernoulli, reparameterised, scoreFunction, thresholdSigmoid } from "./estimators.js";
import * as estimators from "./estimators.js";
export { estimators };
export {
  capturingStep,
  noteStepUse,
  recurringStep,
  setSpeedHook,
  setStepListener,
  speedHookName,
  stepSource,
  type OutsideTensor,
  type OutsideTensors,
  type RecurringStatus,
  type RecurringStep,
  type SourceProducer,
  type SpeedHook,
  type StepContext,
  type StepListener,
} from "./step-hook.js";
