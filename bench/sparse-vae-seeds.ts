// One fit per seed s on synthetic:moran?rho=<rho>&seed=s (data seed = model seed, as the PyTorch
// reference port in tools/reference does); prints per-run held-out MSE and support F1.
// usage: node packages/cli/bin/run-ts.js bench/sparse-vae-seeds.ts <rho> <firstSeed> <lastSeed> [key=value ...]
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData, sigmaPriorScale } from "@sparse-dgm/data";
import { evaluateProgram } from "@sparse-dgm/metrics";

const [rho = "0.6", a = "1", b = "8", ...sets] = process.argv.slice(2);
const config: Record<string, unknown> = {};
for (const s of sets) {
  const [k, v] = s.split("=");
  config[k] = v === "true" ? true : v === "false" ? false : Number.isNaN(Number(v)) ? v : Number(v);
}
await initBackend("wasm");
const out: Array<{ seed: number; mse: number; f1: number }> = [];
for (let seed = Number(a); seed <= Number(b); seed++) {
  const ds = await loadData(`synthetic:moran?rho=${rho}&seed=${seed}`);
  const model = zoo[(config.model as string) ?? "sparseVae"].build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) }, ...config });
  const p = compile(model, { seed, normalisation: "reference", encoderHidden: [50, 50] });
  await p.fit(observedTensor(model, ds, ds.split.train), { epochs: Number(config.epochs ?? 200), batchSize: 100, learningRate: 1e-2 });
  const [m] = evaluateProgram(p, ds, { metrics: ["heldoutMse", "supportF1"] });
  out.push({ seed, mse: +m.heldoutMse.toFixed(3), f1: +(m.supportF1 ?? 0).toFixed(3) });
  p.dispose();
}
const mses = out.map((o) => o.mse).sort((x, y) => x - y);
console.log(JSON.stringify({ rho, config, median: mses[Math.floor(mses.length / 2)], over2: mses.filter((x) => x > 2).length, runs: out }));
