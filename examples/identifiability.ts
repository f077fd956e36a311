/**
 * "Is my model identifiable?" (docs/identifiability.md): fits the Sparse VAE and the dense VAE on
 * generated sparse truths with anchor features, and on the same truths with the anchors deleted,
 * and prints MCC and support F1 side by side.
 *
 *   node packages/cli/bin/run-ts.js examples/identifiability.ts [--smoke] [--cases 8] [--epochs 150]
 *
 * `--smoke` uses tiny sizes (2 cases, n = 200, 5 epochs, H = 8) and finishes in seconds: the
 * numbers are then meaningless, it only checks that the pipeline runs.
 */
import { parseArgs } from "node:util";
import { initBackend } from "@sparse-dgm/core";
import { sigmaPriorScale, type Dataset } from "@sparse-dgm/data";
import { sparseVae, vae } from "@sparse-dgm/zoo";
import { generatedCases, recoveryStats, removeAnchors, sparseTruth, summarise, type CaseResult } from "@sparse-dgm/testing";

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    cases: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});
const smoke = values.smoke!;
const cases = Number(values.cases ?? (smoke ? 2 : 8));
const epochs = Number(values.epochs ?? (smoke ? 5 : 150));
const seed = Number(values.seed);
const n = smoke ? 200 : 600;
const hidden = smoke ? 8 : 50;

const backend = await initBackend(process.env.SDGM_BACKEND ? undefined : "wasm").catch(() => initBackend("cpu"));

// The truths of the docs' table: G = 10, K = 2 with 3 anchors per factor and 4 mixed features.
const anchored = sparseTruth({ features: 10, factors: 2, anchorsPerFactor: 3, n, rho: { min: 0.2, max: 0.5 }, noise: { min: 0.1, max: 0.3 } });
const truths = generatedCases(anchored, { seed, numRuns: cases });
const deleted = truths.map(removeAnchors);

const models = {
  "Sparse VAE": (ds: Dataset) => sparseVae.build({ features: ds.g, hidden, stats: { sigmaPriorScale: sigmaPriorScale(ds) } }),
  VAE: (ds: Dataset) => vae.build({ features: ds.g, hidden, stats: { sigmaPriorScale: sigmaPriorScale(ds) } }),
};
const settings = { epochs, mcc: 0.8, supportF1: 0.7 };

console.log(`identifiability: ${cases} truths (fast-check seed ${seed}), n = ${n}, ${epochs} epochs, backend ${backend}${smoke ? " (smoke)" : ""}`);
const rows: Array<[string, string, CaseResult[]]> = [];
for (const [name, factory] of Object.entries(models)) {
  for (const [label, ts] of [["anchored (G=10)", truths], ["anchors deleted (G=4)", deleted]] as const) {
    const t0 = performance.now();
    const res = await recoveryStats(factory, ts, settings);
    rows.push([name, label, res]);
    console.log(`  ${name}, ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "  -  ");
console.log("\n| model | truths | pass (MCC >= 0.8 and F1 >= 0.7) | median MCC | median support F1 | min MCC | min F1 |");
console.log("|---|---|---|---|---|---|---|");
for (const [name, label, res] of rows) {
  const s = summarise(res);
  console.log(`| ${name} | ${label} | ${s.passes}/${s.cases} | ${f(s.medianMcc)} | ${f(s.medianSupportF1)} | ${f(s.minMcc)} | ${f(s.minSupportF1)} |`);
}
console.log("\nper case (MCC / F1):");
for (const [name, label, res] of rows) {
  console.log(`  ${(name + ", " + label).padEnd(36)} ${res.map((c) => `${f(c.mcc)}/${f(c.supportF1)}`).join("  ")}`);
}
