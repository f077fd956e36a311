/**
 * The comparison report: `renderReport` (self-contained HTML), `resultsCsv`, and the Vega-Lite
 * spec builders of its plots.
 */
export {
  type FactorFeaturesRecord,
  type ReportInput,
  type ResultRow,
  type RunArtifacts,
  type FailedRun,
  type StructureMask,
  type TopFeaturesRecord,
  type TrainRecord,
} from "./types.js";
export {
  formatNumber,
  directionArrow,
  METRIC_ORDER,
  type MetricDirection,
  reportDirection,
  RUN_COST_DIRECTIONS,
  quantileSorted,
  sortMetrics,
  summarize,
  type Summary,
} from "./metrics.js";
export {
  escapeHtml,
  inlineSvg,
} from "./html.js";
export {
  csvField,
  resultsCsv,
} from "./csv.js";
export {
  activityHeatmapSpec,
  type BoxplotOptions,
  type CurvesOptions,
  factorCorrHeatmapSpec,
  levelConfusionHeatmapSpec,
  maskHeatmapSpec,
  structureMaskHeatmapSpec,
  matrixHeatmapSpec,
  type MatrixPanel,
  type MatrixScale,
  metricBoxplotSpec,
  MODEL_SCHEME,
  PLOT_CONFIG,
  TERM_COLORS,
  trainingCurvesSpec,
} from "./specs.js";
export {
  renderSpecToSvg,
} from "./svg.js";
export {
  recipeOf,
  renderReport,
  type RenderReportOptions,
  type RepresentativeRun,
  representativeSeed,
} from "./report.js";
export {
  type FoldStat,
  foldSummaries,
  type FoldSummary,
  foldSummaryHtml,
  formatFoldSummaries,
  meanSd,
  type PairedDifference,
} from "./folds.js";
export {
  topFeaturesHtml,
  topFeaturesRun,
} from "./top-features.js";
export { exampleReportInput, EXAMPLE_MODELS, EXAMPLE_DATA } from "./example.js";
