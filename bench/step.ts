// One benchmark measurement in a fresh process (so peak RSS is this measurement's own):
// median ms per training step after warm-up, peak RSS, tensor counts, the step's FLOPs from a
// kernel profile, and the backend's plain matMul GFLOP/s measured in the same process.
// usage: node packages/cli/bin/run-ts.js bench/step.ts '<json {model, size, backend, replicas, steps, warmup}>'
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor, type Size } from "./lib/sizes.js";
import { stepFlops, matMulThroughput } from "./lib/flops.js";

interface Job {
  model: string;
  size: Size;
  backend: "cpu" | "wasm" | "tensorflow";
  replicas?: number;
  steps: number;
  warmup: number;
  label?: string;
}

const job = JSON.parse(process.argv[2]) as Job;
const backend = await initBackend(job.backend);
const { B, G, K, H } = job.size;
const entry = zoo[job.model];
const model = entry.build(configFor(job.model, job.size) as never);
const R = job.replicas;
const program = compile(model, {
  seed: R ? Array.from({ length: R }, (_, i) => i) : 0,
  ...(R ? { replicas: R } : {}),
  normalisation: entry.training.normalisation,
  encoderHidden: [H, H],
  // (SDGM_SPEED=0 in the environment switches the whole speed layer off, for A/B measurements)
});
// Data: enough rows for warm-up + timed steps without an epoch boundary inside the timing.
const rows = B * (job.warmup + job.steps + 1);
const likelihood = (model.ir.meta as { likelihood?: string }).likelihood;
// The observed site's layout: [rows, ...its non-data plates, ...event] (e.g. [rows, views, viewDim]).
const obs = model.ir.sites.find((s) => s.kind === "observe")!;
const dims = [...obs.plates.filter((p) => p !== "data").map((p) => model.ir.plates.find((q) => q.name === p)!.size as number), ...obs.event];
const x = tf.tidy(() => {
  const n = tf.randomNormal([rows, ...dims], 0, 1, "float32", 7);
  return likelihood === "bernoulli" ? tf.cast(tf.greater(n, 0.5), "float32") : n;
});
const labels = job.model === "vscClass" ? tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 4), "int32") : undefined;
const data = labels ? { x, label: labels } : x;
const times: number[] = [];
let tensorsAfterFirst = 0;
const fitted = await program.fit(data as never, {
  epochs: 1,
  batchSize: B,
  learningRate: 1e-3,
  maxSteps: job.warmup + job.steps,
  onStep: (info) => {
    if (info.step === 0) tensorsAfterFirst = tf.memory().numTensors;
    if (info.step >= job.warmup) times.push(info.msPerStep);
  },
});
const tensorsAfterLast = tf.memory().numTensors;
// (before the profiling pass below, which runs through the engine and records afresh)
const stepPlans = program.stepPlanStatus();
// Peak RSS of the training steps (before the profiling pass below), and the wasm heap's size.
const peakRssTrainMb = process.resourceUsage().maxRSS / 1024;
const wasmHeapMb = backend === "wasm" ? ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20) : undefined;
times.sort((a, b) => a - b);
const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
// One more step under the kernel profiler, for the FLOP count (not timed).
const flops = await stepFlops(() => program.fit(data as never, { epochs: 1, batchSize: B, learningRate: 1e-3, maxSteps: job.warmup + job.steps + 1 }));
const mm = matMulThroughput(job.size, R);
const out = {
  model: job.model,
  label: job.label,
  size: job.size,
  replicas: R ?? 1,
  backend,
  threads: 1,
  msPerStep: +median.toFixed(3),
  msPerReplicaStep: +(median / (R ?? 1)).toFixed(3),
  steps: times.length,
  peakRssMb: Math.round(peakRssTrainMb),
  ...(wasmHeapMb !== undefined ? { wasmHeapMb: Math.round(wasmHeapMb) } : {}),
  tensorsAfterFirstStep: tensorsAfterFirst,
  tensorsAfterLastStep: tensorsAfterLast,
  kernelsPerStep: flops.kernels,
  // mean ms per step of each phase over all steps of the fit (warm-up included), and whether planned
  phases: Object.fromEntries(Object.entries(fitted.phases).map(([k, v]) => [k, +v.toFixed(3)])),
  stepPlans,
  gflopPerStep: +(flops.flops / 1e9).toFixed(4),
  matMulShareOfFlops: +(flops.matMulFlops / Math.max(flops.flops, 1)).toFixed(3),
  achievedGflops: +(flops.flops / 1e9 / (median / 1000)).toFixed(2),
  matMulGflops: +mm.toFixed(2),
};
console.log(JSON.stringify(out));
