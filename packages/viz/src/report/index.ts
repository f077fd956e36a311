/**
 * The comparison report: `renderReport` (self-contained HTML), `resultsCsv`, and the Vega-Lite
 * spec builders of its plots.
 */
export * from "./types.js";
export * from "./metrics.js";
export * from "./html.js";
export * from "./csv.js";
export * from "./specs.js";
export * from "./svg.js";
export * from "./report.js";
export * from "./folds.js";
export * from "./top-features.js";
export { exampleReportInput, EXAMPLE_MODELS, EXAMPLE_DATA } from "./example.js";
