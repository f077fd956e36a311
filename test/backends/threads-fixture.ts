// Trains a zoo model on wasm with the thread count of SDGM_THREADS and prints what it computed:
// run by test/backends/threads.test.ts in child processes (threads are fixed per process).
// Usage: run-ts.js threads-fixture.ts <model> <B> <G> <K> <H> <steps>
import { createHash } from "node:crypto";
import { tf, initBackend, backendThreads } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { simdPool } from "@sparse-dgm/speed";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "../../bench/lib/sizes.js";

const [name, ...nums] = process.argv.slice(2);
const [B, G, K, H, steps] = nums.map(Number);
await initBackend("wasm");
const entry = zoo[name];
const model = entry.build(configFor(name, { B, G, K, H }) as never);
const program = compile(model, { seed: 5, normalisation: entry.training.normalisation, encoderHidden: [H, H] });
const x = tf.tidy(() => {
  const n = tf.randomNormal([B * (steps + 1), G], 0, 1, "float32", 3);
  return (model.ir.meta as { likelihood?: string }).likelihood === "bernoulli" ? tf.cast(tf.greater(n, 0.3), "float32") : n;
});
const losses: number[] = [];
const t0 = performance.now();
await program.fit(x, { epochs: 1, batchSize: B, maxSteps: steps, onStep: (s) => losses.push(s.loss) });
const seconds = (performance.now() - t0) / 1000;
const params = program.params.all().flatMap(({ variable }) => Array.from(variable.dataSync()));
// a hash of the bits of every loss and parameter (equal hashes: equal to the last bit)
const bits = (v: number[]) => createHash("sha256").update(Buffer.from(new Float64Array(v).buffer)).digest("hex");
// threads that ran the speed layer's SIMD kernels (Adam): 1 + the pool's helpers
const simdThreads = 1 + (simdPool(tf.backend())?.helpers ?? 0);
process.stdout.write(JSON.stringify({ threads: backendThreads(), simdThreads, losses: bits(losses), params: bits(params), lastLoss: losses[losses.length - 1], seconds, plans: program.stepPlanStatus().active }) + "\n");
