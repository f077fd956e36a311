/**
 * Trains one `sdlgm` fit and writes what an offline study of inference on its learned linear decoder
 * needs (JSON): the decoder W [D][K] and bias c [D], the held-out rows x, the encoder's prediction
 * (mean, activity, scores) and the truth (levels, supports). Exploration only.
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-dump.ts <out.json> [config JSON] [steps] [lr] [source] [seed]
 */
import { writeFileSync } from "node:fs";
import { initBackend, tf } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zooEntry } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";

const [out, extra, steps, lr] = [process.argv[2], process.argv[3] ?? "{}", Number(process.argv[4] ?? 3950), Number(process.argv[5] ?? 3e-3)];
const source = process.argv[6] ?? "synthetic:sparse-linear";
const seed = Number(process.argv[7] ?? 0);
await initBackend("wasm");
const ds = await loadData(source);
const model = zooEntry("sdlgm").build({ features: ds.g, kind: ds.kind, ...JSON.parse(extra) });
const program = compile(model, { seed });
const x = observedTensor(model, ds, ds.split.train);
const t0 = Date.now();
await program.fit(x, {
  epochs: 1000,
  maxSteps: steps,
  batchSize: 128,
  learningRate: lr,
  onStep: (i) => {
    if (i.step % 500 === 0) console.log(i.step, ((Date.now() - t0) / 1000).toFixed(0), "s");
  },
});
const cfg = model.ir.meta.config as { latents: number };
const [K, D] = [cfg.latents, ds.g];
const { manifest, weights } = program.save();
const dec = manifest.params.filter((e) => e.name.includes("decoder"));
const wE = dec.find((e) => e.shape.join() === `${K},${D}`)!;
const bE = dec.find((e) => e.shape.join() === `${D}`)!;
const W = Array.from({ length: D }, (_, d) => Array.from({ length: K }, (_, k) => weights[wE.offset + k * D + d]));
const c = Array.from(weights.subarray(bE.offset, bE.offset + D));
const dump = (rows: number[]) => {
  const xt = observedTensor(model, ds, rows);
  const enc = program.encode(xt).z;
  const r = {
    x: rows.map((i) => Array.from(ds.x.subarray(i * D, (i + 1) * D))),
    mean: Array.from(enc.mean.dataSync()),
    activity: Array.from(enc.activity!.dataSync()),
    scores: Array.from(enc.scores!.dataSync()),
    levels: rows.map((i) => ds.truth!.levels![i]),
    support: rows.map((i) => Array.from(ds.truth!.rowSupport!.subarray(i * K, (i + 1) * K))),
  };
  tf.dispose([xt, enc.mean, enc.activity!, enc.scores!]);
  return r;
};
const test = dump(Array.from(ds.split.test));
const train = dump(Array.from(ds.split.train).slice(0, 2000));
const ev = program.evaluate(observedTensor(model, ds, ds.split.test));
writeFileSync(out, JSON.stringify({ K, D, W, c, test, train, heldoutMse: ev.heldoutMse[0], heldoutMseMean: ev.heldoutMseMean[0], trueW: Array.from(ds.truth!.W!) }));
console.log("wrote", out, "heldoutMse", ev.heldoutMse[0], "heldoutMseMean", ev.heldoutMseMean[0], ((Date.now() - t0) / 1000).toFixed(0), "s");
