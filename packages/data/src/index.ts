/**
 * @sparse-dgm/data: synthetic generators with known truth (from the specs), one-string data
 * sources, file loaders, splits and minibatching.
 *
 * This entry point is browser-safe (no tfjs, no Node modules). The Node file loaders
 * (`loadCsv`, `loadMtx`, `loadLdac`, `loadIdx`, `loadRatings`) live in
 * `@sparse-dgm/data/loaders`; `loadData` imports them on demand.
 *
 * @example
 * ```ts
 * import { loadData, describe, sigmaPriorScale } from "@sparse-dgm/data";
 * const ds = await loadData("synthetic:moran?rho=0.2");
 * describe(ds).split;       // { train: 510, test: 490 }
 * sigmaPriorScale(ds);      // ≈ 0.36
 * ```
 */
export {
  cellRef,
  columnMeans,
  columnSds,
  type ColumnSummary,
  DataError,
  type DataKind,
  type Dataset,
  describe,
  type Description,
  formatDescription,
  gatherRows,
  headTailSplit,
  kFoldSplit,
  minibatches,
  randomSplit,
  rows,
  type Split,
  splitFromFolds,
  subset,
  tagCounts,
  type Tags,
  type Truth,
  validate,
} from "./dataset.js";
export {
  chi2Quantile,
  gammaP,
  medianLibrarySize,
  quantile,
  sigmaPriorScale,
} from "./stats.js";
export {
  checkParam,
  formatQuery,
  type ParamSpec,
  type ParamValue,
  parseParam,
  resolveParams,
} from "./params.js";
export {
  type FileScheme,
  loadData,
  loaderParams,
  type ParsedSource,
  parseSource,
  type Scheme,
  SCHEMES,
} from "./source.js";
export {
  applyPreprocess,
  parsePreprocess,
  PREPROCESS_DOC,
  type PreprocessStep,
  selectColumns,
  stepText,
} from "./preprocess.js";
export {
  type RatingsFilter,
  ratingsMatrix,
  type RatingsMatrix,
  type RatingTriples,
} from "./ratings-matrix.js";
export {
  cellsParams,
  drawRatings,
  type GeneratorEntry,
  generators,
  moran,
  moranFeatureNames,
  type MoranOptions,
  moranParams,
  moranSplit,
  type RatingsDraw,
  ratingsParams,
  renderSmiley,
  smiley,
  smileyAttributes,
  smileyClassName,
  type SmileyOptions,
  smileyParams,
  sparseLinear,
  type SparseLinearOptions,
  sparseLinearParams,
  syntheticCells,
  type SyntheticCellsOptions,
  syntheticRatings,
  type SyntheticRatingsOptions,
  syntheticTags,
  syntheticTopics,
  type SyntheticTopicsOptions,
  type TagsOptions,
  tagsParams,
  topicsParams,
  TWO_VIEW_A_OUT,
  fair,
  type FairOptions,
  fairParams,
  applyMlp,
  randomMlp,
  type RandomMlp,
  twoView,
  type TwoViewOptions,
  twoViewParams,
} from "./synthetic/index.js";
