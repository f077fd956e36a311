/**
 * One SDLGM-style fit on synthetic:sparse-linear?n=3000 for a fixed number of steps, printing the
 * objective's terms every 50 steps and the code metrics at the end, with the held-out level
 * confusion (the recipe tables of docs/zoo/sdlgm.md), and, for a linear decoder on data with a
 * known level, where the held-out MSE of the deterministic code is lost ("amortisation gap"): the
 * learned dictionary x̂ = c + W z is read off the saved parameters, and each held-out row is refitted by least
 * squares on (a) the predicted support, (b) the top-(true L) and (c) the top-L0 units of the index
 * scores, and (d) by OMP on the learned dictionary with the true level given.
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-recipe.ts [model] [config JSON] [steps] [learning rate] [data source] [seed]
 *   node packages/cli/bin/run-ts.js bench/sdlgm-recipe.ts sdlgm '{"straightThrough":true}' 600 3e-3
 */
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zooEntry } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { evaluateProgram, evaluateProgramWithPanels } from "@sparse-dgm/metrics";
import { tf } from "@sparse-dgm/core";
import { fitColumns, omp } from "./least-squares.js";

const [name, extra, steps, lr] = [process.argv[2] ?? "sdlgm", process.argv[3] ?? "{}", Number(process.argv[4] ?? 600), Number(process.argv[5] ?? 3e-3)];
const source = process.argv[6] ?? "synthetic:sparse-linear?n=3000";
const seed = Number(process.argv[7] ?? 0);
await initBackend("wasm");
const ds = await loadData(source);
const model = zooEntry(name).build({ features: ds.g, kind: ds.kind, ...JSON.parse(extra) });
const program = compile(model, { seed });
const x = observedTensor(model, ds, ds.split.train);
await program.fit(x, {
  epochs: 1000,
  maxSteps: steps,
  batchSize: 128,
  learningRate: lr,
  onStep: (i) => {
    if (i.step % 50 === 0) console.log(i.step, JSON.stringify(Object.fromEntries(Object.entries(i.terms).map(([k, v]) => [k, +v.toFixed(2)]))));
  },
});
const {
  metrics: [r],
  panels: [panel],
} = evaluateProgramWithPanels(program, ds, { metrics: ["heldoutMse", "heldoutMseMean", "mcc", "levelAccuracy", "codeSupportPrecision", "codeSupportRecall", "codeSupportF1", "meanActiveSize"] });
console.log(name, extra, steps, lr, source, seed, JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(3)]))));
// the held-out level confusion, rows the true level L = 1..L0, columns the predicted |b̂| = 0.., each row's shares
if (panel?.levelConfusion) panel.levelConfusion.forEach((row, l) => console.log(`  true L = ${l + 1}: |b̂| shares ${row.map((v) => v.toFixed(2)).join(" ")}`));
// the same metrics on the training rows (a gap to the held-out ones is overfitting, not the relaxation)
const [tr] = evaluateProgram(program, { ...ds, split: { train: ds.split.train, test: ds.split.train } }, { metrics: ["heldoutMse", "heldoutMseMean", "codeSupportF1"] });
console.log("train rows", JSON.stringify(Object.fromEntries(Object.entries(tr).map(([k, v]) => [k, +v.toFixed(3)]))));
const levels = ds.truth?.levels;
const cfg = model.ir.meta.config as { decoder?: string; latents: number; maxActive: number };
if (levels && cfg.decoder === "linear") {
  const [K, L0, D] = [cfg.latents, cfg.maxActive, ds.g];
  // the decoder's weight [K, D] and bias [D], read from the saved parameters
  const { manifest, weights } = program.save();
  const dec = manifest.params.filter((e) => e.name.includes("decoder"));
  const wEntry = dec.find((e) => e.shape.join() === `${K},${D}`);
  const bEntry = dec.find((e) => e.shape.join() === `${D}`);
  if (!wEntry || !bEntry) throw new Error(`no linear decoder [${K}, ${D}] + [${D}] among ${dec.map((e) => `${e.name} [${e.shape.join(", ")}]`).join("; ")}`);
  const c = weights.subarray(bEntry.offset, bEntry.offset + D);
  const W = new Float64Array(D * K);
  for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) W[d * K + k] = weights[wEntry.offset + k * D + d];
  const test = Array.from(ds.split.test);
  const xt = observedTensor(model, ds, test);
  const enc = program.encode(xt).z;
  const [mean, act, scores] = [enc.mean.dataSync(), enc.activity!.dataSync(), enc.scores!.dataSync()];
  const sums = { encoder: 0, refitPredicted: 0, refitTopTrueL: 0, refitTopL0: 0, ompTrueL: 0 };
  test.forEach((row, i) => {
    const x = Array.from({ length: D }, (_, d) => ds.x[row * D + d] - c[d]);
    let e = 0;
    for (let d = 0; d < D; d++) {
      let s = x[d];
      for (let k = 0; k < K; k++) s -= W[d * K + k] * mean[i * K + k];
      e += s * s;
    }
    sums.encoder += e / D;
    const ranked = Array.from({ length: K }, (_, k) => k).sort((a, b) => scores[i * K + b] - scores[i * K + a]);
    const predicted = Array.from({ length: K }, (_, k) => k).filter((k) => act[i * K + k] > 0.5);
    sums.refitPredicted += fitColumns(W, D, K, x, predicted).rss / D;
    sums.refitTopTrueL += fitColumns(W, D, K, x, ranked.slice(0, levels[row])).rss / D;
    sums.refitTopL0 += fitColumns(W, D, K, x, ranked.slice(0, L0)).rss / D;
    sums.ompTrueL += fitColumns(W, D, K, x, omp(W, D, K, x, L0, (l) => l > levels[row])).rss / D;
  });
  console.log("held-out MSE, learned linear decoder", JSON.stringify(Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, +(v / test.length).toFixed(4)]))));
  tf.dispose([xt, enc.mean, enc.activity!, enc.scores!]);
}
x.dispose();
program.dispose();
