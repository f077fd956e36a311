/**
 * The learned structure masks of a fitted run beside the true ones, as an SVG (the report's
 * 'Structure masks vs truth' panel), from an `sdgm fit` output folder's artifacts.json:
 *
 *   node packages/cli/bin/run-ts.js scripts/structure-masks-svg.ts <fit-out-dir> <out.svg> [seed]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { structureMaskHeatmapSpec, renderSpecToSvg, type RunArtifacts } from "@sparse-dgm/viz";

const [dir, outFile, seedArg] = process.argv.slice(2);
if (!dir || !outFile) throw new Error("usage: structure-masks-svg.ts <fit-out-dir> <out.svg> [seed]");
const artifacts = JSON.parse(readFileSync(join(dir, "artifacts.json"), "utf8")) as RunArtifacts[];
const seed = seedArg === undefined ? undefined : Number(seedArg);
const run = artifacts.find((a) => a.structureMasks?.length && (seed === undefined || a.seed === seed));
if (!run) throw new Error(`${dir}: no run with structure masks${seed === undefined ? "" : ` for seed ${seed}`}`);
writeFileSync(outFile, await renderSpecToSvg(structureMaskHeatmapSpec(run, { title: `${run.model} on ${run.data}, seed ${run.seed}` })));
console.log(`wrote ${outFile}`);
