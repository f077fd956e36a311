/**
 * Example: the Sparse VAE on the Moran synthetic data (specs/sparse-vae.md §3.1).
 * Fits the model, then prints the learned mask W and its inclusion probabilities p* beside the
 * true support, and the metrics of DESIGN §7.
 *
 *   node packages/cli/bin/run-ts.js examples/sparse-vae.ts [--smoke] [--rho 0.6] [--variant default|reference]
 */
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { sparseVae } from "@sparse-dgm/zoo";
import { loadData, sigmaPriorScale } from "@sparse-dgm/data";
import { evaluateProgram } from "@sparse-dgm/metrics";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const rho = opt("--rho", "0.6");
const variant = opt("--variant", "default") as "default" | "reference";

const backend = await initBackend();
const ds = await loadData(`synthetic:moran?rho=${rho}${smoke ? "&n=300" : ""}`);
const model = sparseVae.build({ features: ds.g, variant, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
const program = compile(model, { seed: 0, normalisation: "reference", encoderHidden: [50, 50] });
const epochs = smoke ? 3 : sparseVae.training.epochs;
const fit = await program.fit(observedTensor(model, ds, ds.split.train), { epochs, batchSize: 100, learningRate: 1e-2 });
console.log(`fitted ${epochs} epochs (${fit.steps} steps, ${fit.msPerStep.toFixed(1)} ms/step on ${backend})`);

const g = program.globals();
const W = g.W.arraySync() as number[][];
const pstar = g["W.pstar"].arraySync() as number[][];
const truth = Array.from({ length: ds.g }, (_, j) => Array.from({ length: 5 }, (_, k) => ds.truth!.W![j * 5 + k]));
const fmt = (row: number[]) => row.map((v) => v.toFixed(2).padStart(6)).join("");
console.log("feature  learned W                         p*                                true W");
for (let j = 0; j < ds.g; j++) console.log(`${(ds.featureNames?.[j] ?? String(j)).padEnd(8)} ${fmt(W[j])}   ${fmt(pstar[j])}   ${fmt(truth[j])}`);
const [metrics] = evaluateProgram(program, ds);
for (const [k, v] of Object.entries(metrics)) console.log(`${k.padEnd(22)} ${v.toPrecision(4)}`);
