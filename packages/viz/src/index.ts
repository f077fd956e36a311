/**
 * @sparse-dgm/viz: model rendering (DOT/JSON/SVG), Vega-Lite plots and the HTML report.
 */
export * from "./render.js";
export * from "./report/index.js";
