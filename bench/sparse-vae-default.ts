// Experiments behind the Sparse VAE's default (docs/zoo/sparse-vae.md): R seeds as replicas on one
// Moran dataset; prints median held-out MSE, support F1, DCI and the number of runs with MSE > 2.
// usage: node packages/cli/bin/run-ts.js bench/sparse-vae-default.ts <rho> <seeds> <epochs> [key=value ...]
import { tf, initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData, sigmaPriorScale } from "@sparse-dgm/data";
import { evaluateProgram } from "@sparse-dgm/metrics";

const [rho = "0.6", seedsArg = "10", epochsArg = "200", ...sets] = process.argv.slice(2);
const config: Record<string, unknown> = {};
for (const s of sets) {
  const [k, v] = s.split("=");
  config[k] = v === "true" ? true : v === "false" ? false : Number.isNaN(Number(v)) ? v : Number(v);
}
await initBackend("wasm");
const ds = await loadData(`synthetic:moran?rho=${rho}`);
const R = Number(seedsArg);
const model = zoo[(config.model as string) ?? "sparseVae"].build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) }, ...config });
const p = compile(model, { seed: Array.from({ length: R }, (_, i) => i), replicas: R, normalisation: (config.normalisation as "elbo" | "reference") ?? "reference", encoderHidden: [50, 50] });
const t0 = Date.now();
await p.fit(observedTensor(model, ds, ds.split.train), { epochs: Number(epochsArg), batchSize: 100, learningRate: 1e-2 });
const ms = evaluateProgram(p, ds);
const med = (k: string) => {
  const v = ms.map((m) => m[k]).filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
};
const mean = (k: string) => ms.reduce((a, m) => a + (m[k] ?? 0), 0) / ms.length;
console.log(JSON.stringify({ rho, R, config, seconds: (Date.now() - t0) / 1000, heldoutMse: med("heldoutMse"), supportF1mean: mean("supportF1"), dci: med("dciDisentanglement"), over2: ms.filter((m) => m.heldoutMse > 2).length, mse: ms.map((m) => +m.heldoutMse.toFixed(3)), f1: ms.map((m) => +(m.supportF1 ?? 0).toFixed(2)) }));
void tf;
