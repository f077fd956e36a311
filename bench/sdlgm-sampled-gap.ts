/**
 * Why the amortised `sdlgm` code's sampled held-out MSE (`heldoutMse`) is above its mean code's
 * (`heldoutMseMean`): one fit with `refine: false` (the amortised guide), then the guide's q on the
 * held-out rows (read by an auxiliary factor during one pass over them at learning rate 1e-30, at the
 * end of the schedules: hard draws, τ = 0.5), and on the host the held-out MSE of x̂ = c + W z for
 * z = b ⊙ v with the support b drawn from q (Gumbel top-k, as the hard draw) or fixed at the
 * prediction b̂, and the slab v drawn from N(μ, σ²) or fixed at μ.
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-sampled-gap.ts [steps] [source] [seed]
 */
import { initBackend, tf } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import type { CappedSparseCode } from "@sparse-dgm/distributions";
import { sdlgm } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";

const steps = Number(process.argv[2] ?? 3950);
const source = process.argv[3] ?? "synthetic:sparse-linear";
const seed = Number(process.argv[4] ?? 0);
await initBackend("wasm");
const ds = await loadData(source);
const seen: Array<{ x: Float32Array; level: Float32Array; index: Float32Array; loc: Float32Array; scale: Float32Array }> = [];
let peek = false;
const model = sdlgm.build({ features: ds.g, kind: ds.kind, refine: false }).factor(
  "peek",
  (_s, ctx) => {
    const q = ctx.posterior("z") as unknown as CappedSparseCode | undefined;
    const x = ctx.observed("x");
    if (peek && !(q && x)) console.log("peek: q", !!q, "x", !!x);
    if (peek && q && x) {
      const scale = tf.add(q.scale!, tf.zerosLike(q.loc!));
      seen.push({
        x: x.dataSync() as Float32Array,
        level: q.levelLogits.dataSync() as Float32Array,
        index: q.indexLogits.dataSync() as Float32Array,
        loc: q.loc!.dataSync() as Float32Array,
        scale: scale.dataSync() as Float32Array,
      });
      scale.dispose();
    }
    return tf.scalar(0);
  },
  { term: "auxiliary", doc: "reads the guide's code (bench)" },
);
// step plans replay recorded kernels without calling the factor: off, so that the peek runs
const program = compile(model, { seed, stepPlans: false });
const x = observedTensor(model, ds, ds.split.train);
await program.fit(x, { epochs: 1000, maxSteps: steps, batchSize: 128, learningRate: 3e-3 });
peek = true;
const xt = observedTensor(model, ds, ds.split.test);
await program.fit(xt, { epochs: program.position.epoch + 1, batchSize: 128, learningRate: 1e-30 });
const [K, D, L0] = [50, ds.g, 5];
const W = program.params.get("mlp/decoder/0/kernel").dataSync(); // [K, D]
const c = program.params.get("mlp/decoder/0/bias").dataSync();
let s = 12345 + seed;
const unif = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 + 1e-12;
const gumbel = () => -Math.log(-Math.log(unif()));
const normal = () => Math.sqrt(-2 * Math.log(unif())) * Math.cos(2 * Math.PI * unif());
const sums = { mean: 0, supportDrawn: 0, slabDrawn: 0, bothDrawn: 0 };
let n = 0;
for (const b of seen) {
  const rows = b.x.length / D;
  for (let i = 0; i < rows; i++) {
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    const lvl = Array.from(b.level.subarray(i * L0, (i + 1) * L0));
    const idx = Array.from(b.index.subarray(i * K, (i + 1) * K));
    const top = (v: number[], l: number) =>
      v
        .map((u, k) => [u, k])
        .sort((p, q) => q[0] - p[0])
        .slice(0, l)
        .map(([, k]) => k);
    const predicted = top(idx, argmax(lvl) + 1);
    const drawnLevel = argmax(lvl.map((u) => u + gumbel())) + 1;
    const drawn = top(
      idx.map((u) => u + gumbel()),
      drawnLevel,
    );
    const mse = (units: number[], slab: (k: number) => number) => {
      let e = 0;
      for (let d = 0; d < D; d++) {
        let r = b.x[i * D + d] - c[d];
        for (const k of units) r -= W[k * D + d] * slab(k);
        e += r * r;
      }
      return e / D;
    };
    const mu = (k: number) => b.loc[i * K + k];
    const eps = Array.from({ length: K }, normal);
    const v = (k: number) => b.loc[i * K + k] + b.scale[i * K + k] * eps[k];
    sums.mean += mse(predicted, mu);
    sums.supportDrawn += mse(drawn, mu);
    sums.slabDrawn += mse(predicted, v);
    sums.bothDrawn += mse(drawn, v);
    n++;
  }
}
console.log(`${n} held-out rows; held-out MSE of x̂ = c + W (b ⊙ v):`, JSON.stringify(Object.fromEntries(Object.entries(sums).map(([k, t]) => [k, +(t / n).toFixed(4)]))));
const ev = program.evaluate(xt);
console.log(`program.evaluate: heldoutMse ${ev.heldoutMse[0].toFixed(4)}, heldoutMseMean ${ev.heldoutMseMean[0].toFixed(4)}`);
