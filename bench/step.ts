// One benchmark measurement in a fresh process (so peak RSS is this measurement's own):
// median ms per training step after warm-up, peak RSS, tensor counts, the step's FLOPs from a
// kernel profile, and the backend's plain matMul GFLOP/s measured in the same process.
// usage: node packages/cli/bin/run-ts.js bench/step.ts '<json {model, size, backend, replicas, steps, warmup, threads, likelihood, rows}>'
//   threads: wasm threads (default 1; "default": the available cores, what a user gets);
//   likelihood: the model's likelihood (e.g. "categorical"); rows: a dataset of this many rows,
//   timed per epoch (full and partial minibatches, as a user's epochs run) instead of per step.
import { tf, initBackend, backendThreads } from "@sparse-dgm/core";
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
  threads?: number | "default";
  likelihood?: string;
  rows?: number;
}

const job = JSON.parse(process.argv[2]) as Job;
const backend = await initBackend(job.backend, job.backend === "wasm" ? { threads: job.threads === "default" ? undefined : (job.threads ?? 1) } : {});
const { B, G, K, H } = job.size;
const entry = zoo[job.model];
const model = entry.build({ ...configFor(job.model, job.size), ...(job.likelihood ? { likelihood: job.likelihood } : {}) } as never);
const R = job.replicas;
const program = compile(model, {
  seed: R ? Array.from({ length: R }, (_, i) => i) : 0,
  ...(R ? { replicas: R } : {}),
  normalisation: entry.training.normalisation,
  encoderHidden: [H, H],
  // (SDGM_SPEED=0 in the environment switches the whole speed layer off, for A/B measurements)
});
// Data: enough rows for warm-up + timed steps without an epoch boundary inside the timing (or,
// per epoch, the given rows).
const rows = job.rows ?? B * (job.warmup + job.steps + 1);
const likelihood = (model.ir.meta as { likelihood?: string }).likelihood;
// The observed site's layout: [rows, ...its non-data plates, ...event] (e.g. [rows, views, viewDim]).
const obs = model.ir.sites.find((s) => s.kind === "observe")!;
const dims = [...obs.plates.filter((p) => p !== "data").map((p) => model.ir.plates.find((q) => q.name === p)!.size as number), ...obs.event];
const x = tf.tidy(() => {
  const n = tf.randomNormal([rows, ...dims], 0, 1, "float32", 7);
  if (likelihood === "bernoulli") return tf.cast(tf.greater(n, 0.5), "float32");
  // counts: binarised ratings, about 10% of each row (MovieLens-like), at least one per row
  if (likelihood === "categorical") return tf.tidy(() => tf.maximum(tf.cast(tf.greater(n, 1.28), "float32"), tf.oneHot(tf.fill([rows], 0, "int32"), dims[dims.length - 1])));
  return n;
});
const labels = job.model === "vscClass" ? tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 4), "int32") : undefined;
const data = labels ? { x, label: labels } : x;
const times: number[] = [];
const epochTimes: number[] = [];
let tensorsAfterFirst = 0;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let cpuAtWarm = 0;
let epochStart = performance.now();
const fitted = await program.fit(data as never, {
  // per epoch: warm-up epochs, then timed epochs (job.warmup and job.steps count epochs)
  epochs: job.rows ? job.warmup + job.steps : 1,
  batchSize: B,
  learningRate: 1e-3,
  ...(job.rows ? {} : { maxSteps: job.warmup + job.steps }),
  onStep: (info) => {
    if (info.step === 0) tensorsAfterFirst = tf.memory().numTensors;
    if (!job.rows && info.step === job.warmup - 1) cpuAtWarm = cpuMs();
    if (!job.rows && info.step >= job.warmup) times.push(info.msPerStep);
  },
  onEpoch: (e) => {
    const now = performance.now();
    if (job.rows && e.epoch === job.warmup - 1) cpuAtWarm = cpuMs();
    if (job.rows && e.epoch >= job.warmup) epochTimes.push(now - epochStart);
    epochStart = performance.now();
  },
});
const cpuPerUnit = (cpuMs() - cpuAtWarm) / job.steps;
const tensorsAfterLast = tf.memory().numTensors;
// (before the profiling pass below, which runs through the engine and records afresh)
const stepPlans = program.stepPlanStatus();
// Peak RSS of the training steps (before the profiling pass below), and the wasm heap's size.
const peakRssTrainMb = process.resourceUsage().maxRSS / 1024;
const wasmHeapMb = backend === "wasm" ? ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20) : undefined;
const med = (v: number[]) => {
  const x = [...v].sort((a, b) => a - b);
  return x.length % 2 ? x[(x.length - 1) / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
};
// per epoch: the epoch's steps (one full minibatch and the rest) stand for "a step" in the ratios
const median = job.rows ? med(epochTimes) : med(times);
// One more step under the kernel profiler, for the FLOP count (not timed).
// (fit's epochs count from the start: per epoch, one more epoch, cut after its first step)
const flops = await stepFlops(() =>
  program.fit(data as never, job.rows ? { epochs: job.warmup + job.steps + 1, batchSize: B, learningRate: 1e-3, maxSteps: Math.ceil(rows / B) * (job.warmup + job.steps) + 1 } : { epochs: 1, batchSize: B, learningRate: 1e-3, maxSteps: job.warmup + job.steps + 1 }),
);
const mm = matMulThroughput(job.size, R);
const out = {
  model: job.model,
  label: job.label,
  size: job.size,
  replicas: R ?? 1,
  backend,
  threads: backendThreads() ?? 1,
  ...(job.likelihood ? { likelihood: job.likelihood } : {}),
  ...(job.rows ? { rows: job.rows, msPerEpoch: +median.toFixed(3) } : {}),
  msPerStep: +median.toFixed(3),
  // process CPU time per step (or epoch) over the timed part, all threads: what a loaded machine inflates least
  cpuMsPerStep: +cpuPerUnit.toFixed(3),
  msPerReplicaStep: +(median / (R ?? 1)).toFixed(3),
  steps: job.rows ? epochTimes.length : times.length,
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
