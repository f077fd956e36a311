// Where the time of the Sparse VAE goes when its masked decoder runs in feature blocks (issue 21:
// the AP corpus's 2246 × 10,473 counts at batch 512, K = 50, H = 300). One training step through
// the engine under TF.js's kernel profile (time per kernel name, and the products' FLOPs: a matMul
// of [M, K]·[K, N] counts 2MKN), then `program.evaluate` on the held-out rows, then the backend's
// plain matMul GFLOP/s on the decoder body's shape in the same process: the step's products at
// that speed are the step's floor. Wall and process CPU time are both printed (on a shared machine
// wall time counts the minutes others hold the cores; run with SDGM_THREADS=1 to compare CPU time
// with the one-thread matMul).
// usage: node packages/cli/bin/run-ts.js bench/blocked-step.ts <G> [B=512] [K=50] [H=300] [evalRows=449]
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { matMulThroughput } from "./lib/flops.js";

const [G, B, K, H, E] = [+process.argv[2], +(process.argv[3] ?? 512), +(process.argv[4] ?? 50), +(process.argv[5] ?? 300), +(process.argv[6] ?? 449)];
if (!(G > 0)) throw new Error("usage: bench/blocked-step.ts <G> [B=512] [K=50] [H=300] [evalRows=449]");
await initBackend("wasm", { threads: process.env.SDGM_THREADS ? +process.env.SDGM_THREADS : undefined });
const model = zoo.sparseVae.build({ features: G, factors: K, hidden: H, likelihood: "categorical" });
const program = compile(model, { seed: 0, normalisation: zoo.sparseVae.training.normalisation, encoderHidden: [H, H] });
// counts: binarised, about 10% of each row, at least one per row (as bench/step.ts)
const counts = (rows: number, seed: number) =>
  tf.tidy(() => tf.maximum(tf.cast(tf.greater(tf.randomNormal([rows, G], 0, 1, "float32", seed), 1.28), "float32"), tf.oneHot(tf.fill([rows], 0, "int32"), G)));
const x = counts(2 * B, 7);
const xTest = counts(E, 8);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const timed = async <T>(f: () => Promise<T> | T) => {
  const w0 = performance.now();
  const c0 = cpu();
  const value = await f();
  return { value, wall: performance.now() - w0, cpu: cpu() - c0 };
};
// first step (parameters, optimiser state, the support check's probe), then one profiled step
const first = await timed(() => program.fit(x, { epochs: 1, batchSize: B, maxSteps: 1 }));
const byKernel = new Map<string, { ms: number; n: number }>();
let matMulFlops = 0;
const step = await timed(() =>
  tf.profile(async () => {
    await program.fit(x, { epochs: 1, batchSize: B, maxSteps: 2 });
  }),
);
for (const k of step.value.kernels) {
  const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0; // tf.profile has awaited them
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n++;
  byKernel.set(k.name, e);
  if (k.name === "BatchMatMul" || k.name === "_FusedMatMul") {
    const [a, b] = k.inputShapes as number[][];
    const batch = Math.max(a.slice(0, -2).reduce((p, v) => p * v, 1), b.slice(0, -2).reduce((p, v) => p * v, 1));
    matMulFlops += 2 * batch * a[a.length - 2] * a[a.length - 1] * b[b.length - 1];
  }
}
const evaluation = await timed(() => program.evaluate(xTest));
const plain = matMulThroughput({ B, G, K, H });
const kernelMs = [...byKernel.values()].reduce((s, v) => s + v.ms, 0);
const gf = (ms: number) => (matMulFlops / 1e9 / (ms / 1000)).toFixed(1);
console.log(`sparseVae categorical B${B} G${G} K${K} H${H}, wasm, ${process.env.SDGM_THREADS ?? "default"} threads`);
console.log(`first step: ${(first.wall / 1000).toFixed(1)} s wall, ${(first.cpu / 1000).toFixed(1)} s CPU`);
console.log(
  `profiled step: ${(step.wall / 1000).toFixed(1)} s wall, ${(step.cpu / 1000).toFixed(1)} s CPU, ${(kernelMs / 1000).toFixed(1)} s in ${step.value.kernels.length} kernels; products ${(matMulFlops / 1e9).toFixed(0)} GFLOP: ${gf(step.wall)} GFLOP/s over the wall time, ${gf(step.cpu)} over the CPU time`,
);
console.log(`plain matMul [${Math.min(B * G, 65536)}, ${H}]·[${H}, ${H}]: ${plain.toFixed(1)} GFLOP/s (the step's products at that speed: ${(matMulFlops / 1e9 / plain).toFixed(1)} s)`);
for (const [name, v] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
  console.log(`${(v.ms / 1000).toFixed(2).padStart(8)} s ${String(v.n).padStart(6)}x ${name}`);
}
console.log(`evaluate on ${E} rows: ${(evaluation.wall / 1000).toFixed(1)} s wall, ${(evaluation.cpu / 1000).toFixed(1)} s CPU; heldoutNll ${evaluation.value.heldoutNll[0].toFixed(1)}`);
tf.dispose([x, xTest]);
