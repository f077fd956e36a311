// Scaling plots for docs/performance.md from a benchmark JSON (bench/run.ts): ms per training step
// against G and against B (sparseVae sweeps), one line per backend, with the least-squares fit.
// usage: node packages/cli/bin/run-ts.js bench/plot.ts [bench/results/latest.json] [docs/img]
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { renderSpecToSvg } from "@sparse-dgm/viz";

const [inFile = "bench/results/latest.json", outDir = "docs/img"] = process.argv.slice(2);
interface Row {
  backend: string;
  label?: string;
  size: { B: number; G: number; K: number; H: number };
  msPerStep: number;
  error?: string;
}
const data = JSON.parse(readFileSync(inFile, "utf8")) as { results: Row[]; scaling: Record<string, { slope: number; intercept: number; r2: number }> };
mkdirSync(outDir, { recursive: true });
for (const axis of ["G", "B"] as const) {
  const pts = data.results.filter((r) => r.label === `sweep-${axis}` && !r.error).map((r) => ({ backend: r.backend, [axis]: r.size[axis], ms: r.msPerStep }));
  if (!pts.length) continue;
  const fits = Object.entries(data.scaling)
    .filter(([k]) => k.endsWith(`/${axis}`))
    .flatMap(([k, f]) => {
      const backend = k.split("/")[0];
      const xs = pts.filter((p) => p.backend === backend).map((p) => p[axis] as number);
      return [Math.min(...xs), Math.max(...xs)].map((x) => ({ backend: `${backend} fit (R² ${f.r2.toFixed(3)})`, [axis]: x, ms: f.intercept + f.slope * x }));
    });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `sparseVae: ms per training step vs ${axis} (${axis === "G" ? "B 100, K 5, H 50" : "G 100, K 5, H 50"})`,
    width: 420,
    height: 260,
    layer: [
      { data: { values: pts }, mark: { type: "point", filled: true, size: 60 }, encoding: { x: { field: axis, type: "quantitative" }, y: { field: "ms", type: "quantitative", title: "ms / step" }, color: { field: "backend", type: "nominal" } } },
      { data: { values: fits }, mark: { type: "line", strokeDash: [4, 3] }, encoding: { x: { field: axis, type: "quantitative" }, y: { field: "ms", type: "quantitative" }, color: { field: "backend", type: "nominal" } } },
    ],
  };
  const file = `${outDir}/perf-scaling-${axis}.svg`;
  writeFileSync(file, await renderSpecToSvg(spec as never));
  console.log(`wrote ${file}`);
}
