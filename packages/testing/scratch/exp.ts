import { sigmaPriorScale, type Dataset } from "@sparse-dgm/data";
import { sparseVae, vae } from "@sparse-dgm/zoo";
import { sparseTruth, removeAnchors, generatedCases, recoveryStats, summarise, formatCases } from "../src/index.js";

const G = Number(process.argv[2] ?? 10), n = Number(process.argv[3] ?? 600), epochs = Number(process.argv[4] ?? 150), runs = Number(process.argv[5] ?? 4);
const a = Number(process.argv[6] ?? 2);
const which = (process.argv[7] ?? "svae,vae,del").split(",");
const arb0 = sparseTruth({ features: G, factors: 2, anchorsPerFactor: a, n, rho: { min: 0.2, max: 0.5 }, noise: { min: 0.1, max: 0.3 } });
import fc from "fast-check";
const arb = process.env.NOBIAS ? fc.noBias(arb0) : arb0;
const truths = generatedCases(arb, { seed: 1, numRuns: runs });
const svae = (ds: Dataset) => sparseVae.build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
const dvae = (ds: Dataset) => vae.build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
const opts = { epochs, backend: "wasm" as const };
for (const [name, f, ts] of [["svae", svae, truths], ["vae", dvae, truths], ["del", svae, truths.map(removeAnchors)]] as const) {
  if (!which.includes(name)) continue;
  const t0 = performance.now();
  const r = await recoveryStats(f, ts, opts);
  console.log(name, ((performance.now() - t0) / 1000).toFixed(1), "s", JSON.stringify(summarise(r)));
  console.log(formatCases(r));
}
