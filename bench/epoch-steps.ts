// Process CPU time of the full and the partial minibatch steps of an epoch, separately: the
// MovieLens-sized setting `ml` of bench/run.ts (703 rows of 300 binarised counts, batch 512: one
// step of 512 rows and one of 191 per epoch), 20 epochs, medians over epochs 4-20 (the first ones
// record and prove the step plans). CPU time (all threads), which a loaded machine inflates far less
// than wall time.
// usage: [SDGM_THREADS=2] node packages/cli/bin/run-ts.js bench/epoch-steps.ts [model=vae] [likelihood=categorical]
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "./lib/sizes.js";

const name = process.argv[2] ?? "vae";
const likelihood = process.argv[3] ?? "categorical";
await initBackend("wasm", { threads: +(process.env.SDGM_THREADS ?? 1) });
const size = { B: 512, G: 300, K: 50, H: 300 };
const model = zoo[name].build({ ...configFor(name, size), likelihood } as never);
const p = compile(model, { seed: 0, normalisation: zoo[name].training.normalisation, encoderHidden: [size.H, size.H] });
// as bench/step.ts's categorical data: about 10% of each row set, at least one per row
const x = tf.tidy(() => tf.maximum(tf.cast(tf.greater(tf.randomNormal([703, size.G], 0, 1, "float32", 7), 1.28), "float32"), tf.oneHot(tf.fill([703], 0, "int32"), size.G)));
const partial: number[] = [];
const full: number[] = [];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let c = cpu();
await p.fit(x, {
  epochs: 20,
  batchSize: size.B,
  learningRate: 1e-3,
  onStep: (s) => {
    const now = cpu();
    (s.step % 2 ? partial : full).push(now - c);
    c = now;
  },
});
const med = (v: number[]) => {
  const s = v.slice(3).sort((a, b) => a - b);
  return s[s.length >> 1].toFixed(1);
};
console.log(`${name} ${likelihood} ml: full step ${med(full)} ms CPU, partial step ${med(partial)} ms CPU (medians; ${process.env.SDGM_THREADS ?? 1} thread(s)); plans ${JSON.stringify(p.stepPlanStatus())}`);
