/**
 * @sparse-dgm/testing: fast-check arbitraries for sparse truths (with and without anchor
 * features), data drawn from a known truth or from any DSL model with a mask, the anchor check,
 * and the identifiability property `recovers` (docs/identifiability.md).
 *
 * @example
 * ```ts
 * import { recovers, sparseTruth } from "@sparse-dgm/testing";
 * await recovers(factory, sparseTruth({ features: 8, factors: 2, n: 600 }), { mcc: 0.8, supportF1: 0.7 }).assert();
 * ```
 */
export {
  formatTruth,
  type IntRange,
  type LinkName,
  LINKS,
  type RealRange,
  removeAnchors,
  sparseMask,
  type SparseMaskOptions,
  sparseTruth,
  type SparseTruth,
  type SparseTruthOptions,
} from "./arbitraries.js";
export {
  type AnchorReport,
  checkAnchors,
  type CheckAnchorsOptions,
  type MatrixLike,
} from "./anchors.js";
export {
  datasetFromTruth,
  type DatasetFromTruthOptions,
  type ModelSample,
  sampleFromModel,
  type SampleFromModelOptions,
  sampleFromTruth,
  type TruthSample,
} from "./generate.js";
export {
  type CaseResult,
  checkTruthProperty,
  type FitSettings,
  formatCases,
  generatedCases,
  type ModelFactory,
  type PropertyReport,
  recovers,
  RecoveryFailure,
  type RecoveryOptions,
  type RecoveryProperty,
  type RecoveryReport,
  recoveryStats,
  summarise,
} from "./recovers.js";
