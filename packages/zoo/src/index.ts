/**
 * @sparse-dgm/zoo: published sparse and structured deep generative models, each declared in the
 * DSL with its spec defaults and reference.
 */
export {
  type DataShape,
  DEFAULT_RUN_STEPS,
  entryOptions,
  likelihoodFor,
  MAX_SIZE,
  oneOf,
  openUnit,
  positiveInt,
  positiveIntList,
  positiveNumber,
  positiveSchedule,
  type TrainingDefaults,
  warmupSteps,
  runMeta,
  warmupFromRun,
  type ZooEntry,
} from "./entry.js";
export {
  buildSparseVae,
  sparseVae,
  type SparseVaeConfig,
  type SparseVaeLikelihood,
} from "./sparse-vae.js";
export {
  betaVae,
  vae,
  type VaeConfig,
} from "./vae.js";
export {
  ENCODER_INPUTS,
  type EncoderInput,
  type Likelihood,
  likelihoodConfig,
  type LikelihoodConfig,
  LIKELIHOODS,
  type LikelihoodSiteOptions,
  observeLikelihood,
} from "./likelihoods.js";
export {
  buildVsc,
  buildVscClass,
  buildVscVampPrior,
  classJsd,
  vsc,
  vscClass,
  type VscClassConfig,
  vscClassDefaults,
  type VscConfig,
  type VscVampConfig,
  vscVampPrior,
} from "./vsc.js";
export {
  buildSdlgm,
  buildSdlgmTags,
  kSparse,
  sdlgm,
  type SdlgmConfig,
  sdlgmTags,
  type SdlgmTagsConfig,
  tagLogLikelihood,
  topKTags,
} from "./sdlgm.js";
export {
  binaryRelevance,
  type BinaryRelevanceConfig,
  buildBinaryRelevance,
  tagCrossEntropy,
} from "./binary-relevance.js";
export {
  buildMibStructured,
  type MibConfig,
  type MibIndependence,
  mibStructured,
  sharedPrivate,
} from "./mib-structured.js";
export {
  mibConditional,
  mibFair,
  mibInvariant,
  mibMultimodal,
} from "./mib-instances.js";
export {
  zoo,
  zooEntry,
} from "./registry.js";
