/**
 * Renders zoo models to DOT, JSON and SVG files in a temporary directory, from the IR alone
 * (no data, no training): plates as boxes, sites as nodes, masks as edges from the factor plate
 * to the output plate.
 *
 *   node packages/cli/bin/run-ts.js examples/render.ts [--smoke]
 *
 * The same from the command line: `sdgm render sparseVae --format svg --out sparseVae.svg`.
 */
import { mkdtempSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zoo } from "@sparse-dgm/zoo";
import { renderModel, modelGraph } from "@sparse-dgm/viz";

const smoke = process.argv.includes("--smoke");
const names = smoke ? ["sparseVae"] : Object.keys(zoo);
const dir = mkdtempSync(join(tmpdir(), "sdgm-render-"));

for (const name of names) {
  const entry = zoo[name];
  const m = entry.build({ ...entry.renderShape }); // the shape each entry renders at (e.g. 7 features)
  for (const format of ["dot", "json", "svg"] as const) {
    const file = join(dir, `${name}.${format}`);
    writeFileSync(file, await renderModel(m, format));
    console.log(`wrote ${file} (${statSync(file).size} bytes)`);
  }
  const g = modelGraph(m);
  for (const mask of g.masks) {
    console.log(`  ${name}: mask ${mask.name} ${mask.rows} x ${mask.cols}, ${mask.scope} ${mask.valueType}, prior ${mask.prior}, estimator ${mask.estimator}`);
  }
}
console.log(`open ${join(dir, `${names[0]}.svg`)} in a browser, or: dot -Tpng ${join(dir, `${names[0]}.dot`)} > graph.png`);
