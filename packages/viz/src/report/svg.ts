/**
 * Renders Vega-Lite specs to SVG strings in Node (no browser, no canvas needed).
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Compiles a Vega-Lite spec with `vega-lite` and renders it headlessly with `vega` to an SVG
 * string.
 *
 * @example
 * ```ts
 * const svg = await renderSpecToSvg(metricBoxplotSpec(rows));
 * ```
 */
export async function renderSpecToSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
