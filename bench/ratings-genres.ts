// Does the Sparse VAE recover the generated genres (docs/data/ratings.md)? One fold of the must-show
// data (`synthetic:ratings?min=4&minUserPositives=20&topItems=300` = the exported files loaded with
// ratings:), trained as `sdgm compare` trains it (zoo defaults + the given settings); every `every`
// epochs prints the mask's state: support F1 (P, R) against the genres with p* ≥ 0.5, max |W|, η,
// the share of p* ≥ 0.5; at the end the held-out metrics.
// usage: node packages/cli/bin/run-ts.js bench/ratings-genres.ts <epochs> <fold> [every] [key=value ...]
//   keys: any sparseVae/vae config, plus dump= (write the final W, p* and the truth as JSON there), data= (a synthetic:ratings source, "," for "&"), model=, batchSize=, learningRate=, globalsLr= (the globals group's rate: the mask), seeds= (replicas), normalisation=, backend=
import { tf, initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { loadData, kFoldSplit } from "@sparse-dgm/data";
import { evaluateProgram, loadingAlignment, supportRecovery } from "@sparse-dgm/metrics";
import { buildFor, groupRatesFor, trainingFor } from "../packages/cli/src/jobs.js";

const [epochsArg = "200", foldArg = "0", everyArg = "20", ...sets] = process.argv.slice(2);
const config: Record<string, unknown> = {};
for (const s of sets) {
  const k = s.slice(0, s.indexOf("="));
  const v = s.slice(s.indexOf("=") + 1);
  config[k] = v === "true" ? true : v === "false" ? false : Number.isNaN(Number(v)) ? v : Number(v);
}
const { dump, model: name = "sparseVae", batchSize: bs, learningRate: lr, globalsLr, seeds: seedsArg, backend = "wasm", normalisation: norm, data = "synthetic:ratings?min=4&minUserPositives=20&topItems=300&seed=0", ...modelConfig } = config as Record<string, never>;
await initBackend(backend);
const base = await loadData(String(data).replaceAll(",", "&"));
const ds = { ...base, split: kFoldSplit(base.n, 5, Number(foldArg), 0) };
const training = trainingFor(name, { epochs: Number(epochsArg), batchSize: bs, learningRate: lr });
const model = buildFor(name, ds, { likelihood: "categorical", ...modelConfig }, training);
const R = Number(seedsArg ?? 1);
const p = compile(model, { ...(R > 1 ? { seed: Array.from({ length: R }, (_, i) => i), replicas: R } : { seed: 0 }), normalisation: norm ?? training.normalisation, encoderHidden: [Number((model.ir.meta.config as { hidden: number }).hidden), Number((model.ir.meta.config as { hidden: number }).hidden)] });
const truth = Array.from({ length: ds.g }, (_, j) => Array.from(ds.truth!.W!.slice(j * ds.truth!.k!, (j + 1) * ds.truth!.k!)));
const rows = (t: tf.Tensor, r: number) => ((R > 1 ? (t.arraySync() as number[][][])[r] : t.arraySync()) as number[][]).map((row) => row.flat());
const report = (epoch: number) => {
  const g = p.globals();
  if (!g.W) return;
  for (let r = 0; r < R; r++) {
    const W = rows(tf.reshape(g.W, R > 1 ? [R, ds.g, -1] : [ds.g, -1]), r);
    const ps = rows(tf.reshape(g["W.pstar"], R > 1 ? [R, ds.g, -1] : [ds.g, -1]), r);
    const s = supportRecovery(W, truth, { alignment: loadingAlignment(W, truth, ps), pStar: ps });
    const maxW = Math.max(...W.flat().map(Math.abs));
    const kept = ps.flat().filter((v) => v >= 0.5).length / ps.flat().length;
    const eta = g.eta ? Array.from((R > 1 ? (g.eta.arraySync() as number[][])[r] : g.eta.dataSync()) as number[]).flat().map((v) => +Number(v).toFixed(3)) : [];
    // the genre entries' |W| against the others' (the pattern, whatever p* says)
    let on = 0, nOn = 0, off = 0, nOff = 0;
    W.forEach((row, j) => row.forEach((v, k) => { const a = s.alignment.indexOf(k); if (a >= 0 && truth[j][a]) { on += Math.abs(v); nOn++; } else { off += Math.abs(v); nOff++; } }));
    const enc = p.encode(xTrain).z;
    const sd = (R > 1 ? (enc.mean.arraySync() as number[][][])[r] : (enc.mean.arraySync() as number[][][]).map((x) => x.flat())) as number[][];
    const zsd = sd[0].map((_, k) => Math.sqrt(sd.reduce((a, row) => a + row[k] ** 2, 0) / sd.length));
    console.log(`epoch ${epoch} r${r}: z sd ${zsd.map((v) => v.toFixed(2)).join(",")}; F1 ${s.supportF1.toFixed(3)} (P ${s.supportPrecision.toFixed(2)}, R ${s.supportRecall.toFixed(2)}) kept ${kept.toFixed(3)} max|W| ${maxW.toFixed(3)} mean|W| genre ${(on / nOn).toFixed(3)} other ${(off / nOff).toFixed(3)} eta ${eta.join(",")}`);
  }
  tf.dispose(Object.values(g));
};
const t0 = Date.now();
const xTrain = observedTensor(model, ds, ds.split.train);
await p.fit(xTrain, {
  epochs: training.epochs,
  batchSize: training.batchSize,
  learningRate: training.learningRate,
  ...(globalsLr ? { groupLearningRates: { globals: Number(globalsLr) } } : groupRatesFor(training, model) ? { groupLearningRates: groupRatesFor(training, model) } : {}),
  onEpoch: (e) => {
    if ((e.epoch + 1) % Number(everyArg) === 0) report(e.epoch + 1);
  },
});
const secs = (Date.now() - t0) / 1000;
if (dump) {
  const g = p.globals();
  const { writeFileSync } = await import("node:fs");
  writeFileSync(String(dump), JSON.stringify({ config: modelConfig, fold: Number(foldArg), epochs: training.epochs, W: g.W ? Array.from(g.W.dataSync()) : null, pstar: g["W.pstar"] ? Array.from(g["W.pstar"].dataSync()) : null, g: ds.g, k: ds.truth!.k, truth: Array.from(ds.truth!.W!), itemGenres: ds.meta.itemGenres }));
  tf.dispose(Object.values(g));
}
const ms = evaluateProgram(p, ds);
for (const m of ms) {
  const pick = ["recallAt5", "ndcgAt10", "heldoutNll", "supportF1", "supportPrecision", "supportRecall", "activeUnits"].map((k) => `${k} ${m[k] === undefined ? "-" : +m[k].toFixed(4)}`);
  console.log(`${name} ${JSON.stringify(modelConfig)} fold ${foldArg}, ${training.epochs} epochs, ${secs.toFixed(0)} s: ${pick.join(", ")}`);
}
