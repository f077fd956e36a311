/**
 * @sparse-dgm/metrics: held-out error, DCI, MIG, SAP, MCC, support recovery, active
 * units, class-consistency Jaccard and linear probes, as the reference code computes
 * them (see `specs/metrics.md`). Pure numerics over plain arrays; no tfjs.
 * @module
 */
export {
  checkSameRows,
  column,
  columns,
  type Matrix,
  nCols,
  selectRows,
  toRows,
  type Vector,
} from "./types.js";
export {
  mulberry32,
  NumpyRandomState,
  shuffleInPlace,
} from "./random.js";
export {
  type GbtOptions,
  GradientBoostingRegressor,
  numpyPairwiseSum,
  type RegressionTree,
} from "./gbt.js";
export {
  lasso,
  type LassoModel,
  type LassoOptions,
} from "./lasso.js";
export {
  scipyEntropy,
} from "./entropy.js";
export {
  completenessFromImportance,
  completenessPerFactor,
  dci,
  dci16,
  type Dci16Options,
  type Dci16Result,
  type DciOptions,
  type DciRegressor,
  type DciResult,
  disentanglementFromImportance,
  disentanglementPerCode,
} from "./dci.js";
export {
  correlationMatrix,
  type CorrelationMethod,
  rankAverage,
} from "./correlation.js";
export {
  type Assignment,
  maxAssignment,
} from "./assignment.js";
export {
  mcc,
  type MccResult,
} from "./mcc.js";
export {
  binarySupport,
  greedyAlignment,
  type GreedyAlignment,
  hungarianAlignment,
  loadingAlignment,
  type SupportOptions,
  supportRecovery,
  type SupportResult,
} from "./support.js";
export {
  histogramDiscretize,
  mutualInfoScore,
} from "./mutual-info.js";
export {
  mig,
  type MigOptions,
  type MigResult,
} from "./mig.js";
export {
  sap,
  type SapResult,
} from "./sap.js";
export {
  activeUnits,
  type ActiveUnitsResult,
} from "./active-units.js";
export {
  activeSetStats,
  type ActiveSetStats,
  classJaccard,
  type JaccardOptions,
  type JaccardResult,
} from "./jaccard.js";
export {
  capViolations,
  codeSupport,
  type CodeSupport,
  levelAccuracy,
  type LevelAccuracy,
  rowSizes,
} from "./code-support.js";
export {
  precisionAtK,
  tagSetMetrics,
  type TagSetMetrics,
  topKSets,
} from "./multi-label.js";
export {
  fitLogisticRegression,
  linearProbe,
  type LogisticModel,
  type ProbeOptions,
  type ProbeResult,
} from "./probe.js";
export {
  reconstructionMse,
  type ReconstructionResult,
} from "./reconstruction.js";
export {
  ndcgAt,
  rankingSums,
  type RankingSums,
  recallAt,
  topK,
} from "./ranking.js";
export {
  Cooccurrence,
  topicCoherence,
} from "./coherence.js";
export {
  type FactorFeatures,
  topFeatures,
  type TopFeatures,
  type TopFeaturesOptions,
} from "./top-features.js";
export {
  classJaccardLabelled,
  computeMetrics,
  type ComputeMetricsOptions,
  cutoffs,
  DCI_WORK_LIMIT,
  degenerateCode,
  type DegenerateRow,
  degenerateRows,
  getMetric,
  isMissingLabel,
  labelled,
  type MetricInfo,
  type MetricInput,
  type MetricInputs,
  metricDirection,
  type MetricDirection,
  metricNames,
  METRICS,
  MOSTLY_EMPTY,
  NEARLY_FIXED,
} from "./registry.js";
export {
  type CodePanels,
  encodeRows,
  EVALUATE_CHUNK_FLOATS,
  evaluateProgram,
  type EvaluateProgramOptions,
  evaluateProgramWithPanels,
  evaluateRows,
  factorPanel,
  type FactorPanel,
  type StreamedEvaluation,
  type StructurePanel,
} from "./evaluate-program.js";
export {
  type EdgeOptions,
  edgeRecovery,
  type EdgeRecovery,
} from "./edge-f1.js";
export {
  crossViewError,
  type CrossViewInput,
  type CrossViewResult,
} from "./cross-view.js";
export {
  demographicParityGap,
  majorityRate,
  probeParityGap,
  sensitivePredictability,
  type SensitivePredictability,
} from "./fairness.js";
export {
  environmentProbe,
  type EnvironmentProbe,
} from "./environment-probe.js";
