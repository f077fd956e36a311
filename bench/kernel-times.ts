// A kernel profile of a planned training step (the kernels the speed layer runs, as it runs them):
// per kernel and input shapes, the process CPU time summed over `steps` steps (CPU time, not wall
// time: on a shared machine wall time counts the minutes others hold the cores). Run it with one
// thread (SDGM_THREADS=1, the default here) so that CPU time is the step's own time.
// CLOCK=wall (for more than one thread, where CPU time counts the pool's helpers, which spin a while
// after each job): each kernel's wall time is the minimum over the timed steps of that kernel at
// that place in the plan (a step the machine's other processes interrupt inflates some kernels, the
// minimum keeps the uninterrupted run), summed per kernel; the step's wall time is the sum of the
// minima, printed beside the median step.
// usage: node packages/cli/bin/run-ts.js bench/kernel-times.ts <model> <B> <G> <K> <H> [steps=5] ['{"likelihood":"categorical"}']
//        (env R=25: replicas; WARM=20: warm-up steps)
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { setPlanTimer } from "@sparse-dgm/speed";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "./lib/sizes.js";

process.env.SDGM_THREADS ??= "1";
await initBackend("wasm");
const [m, B, G, K, H] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const steps = +(process.argv[7] ?? 5);
const extra = process.argv[8] ? (JSON.parse(process.argv[8]) as Record<string, unknown>) : {};
const model = zoo[m].build({ ...configFor(m, { B, G, K, H }), ...extra } as never);
const R = +(process.env.R ?? 0);
const warm = +(process.env.WARM ?? 20);
const p = compile(model, { seed: R ? Array.from({ length: R }, (_, i) => i) : 0, ...(R ? { replicas: R } : {}), normalisation: zoo[m].training.normalisation, encoderHidden: [H, H] });
const likelihood = (model.ir.meta as { likelihood?: string }).likelihood;
const x = tf.tidy(() => {
  const n = tf.randomNormal([B * (warm + steps + 2), G], 0, 1, "float32", 7);
  if (likelihood === "bernoulli") return tf.cast(tf.greater(n, 0.5), "float32");
  if (likelihood === "categorical") return tf.cast(tf.greater(n, 1), "float32"); // counts 0/1, as binarised ratings
  return n;
});
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall = process.env.CLOCK === "wall";
const agg: Record<string, { n: number; ms: number }> = {};
let total = 0;
let runs = 0;
let c0 = 0;
let c1 = 0;
// wall: per place in the plan (kernel index within its plan run, and the kernel), its minimum
const places = new Map<string, { key: string; min: number }>();
const stepWall: number[] = [];
let kernelIndex = 0;
let stepStart = 0;
const timer = {
  clock: wall ? () => performance.now() : cpuMs,
  begin: () => {
    runs++;
    kernelIndex = 0;
  },
  kernel: (name: string, shapes: number[][], ms: number) => {
    const key = `${name}${JSON.stringify(shapes)}`;
    if (wall) {
      const place = `${kernelIndex++}:${key}`;
      const p = places.get(place);
      if (!p) places.set(place, { key, min: ms });
      else p.min = Math.min(p.min, ms);
      return;
    }
    agg[key] ??= { n: 0, ms: 0 };
    agg[key].n++;
    agg[key].ms += ms;
    total += ms;
  },
};

// one fit: `warm` steps (plans proven), then `steps` timed ones, all planned
await p.fit(x, {
  epochs: 1,
  batchSize: B,
  maxSteps: warm + steps,
  onStep: (s) => {
    if (s.step === warm - 1) {
      setPlanTimer(timer);
      c0 = cpuMs();
    }
    if (s.step >= warm) {
      stepWall.push(performance.now() - stepStart);
    }
    stepStart = performance.now();
    if (s.step === warm + steps - 1) {
      c1 = cpuMs();
      setPlanTimer(undefined);
    }
  },
});
const status = p.stepPlanStatus();
if (!status.active) console.log(`note: the step runs through the engine (${status.reason}); no plan to profile`);
// plan runs per step: the training step's plan, plus the EM update's when there is one
const perStep = runs / steps;
if (wall) {
  // the minima, per kernel (summed over its places in the plan); counts per step
  for (const p of places.values()) {
    agg[p.key] ??= { n: 0, ms: 0 };
    agg[p.key].n += steps;
    agg[p.key].ms += p.min * steps;
    total += p.min * steps;
  }
  const sorted = [...stepWall].sort((a, b) => a - b);
  console.log(`wall clock, minimum per kernel over ${steps} steps; step wall time median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, fastest ${sorted[0].toFixed(2)} ms`);
}
console.log(
  `${m} B${B} G${G} K${K} H${H}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ""}: ${((c1 - c0) / steps).toFixed(2)} ms CPU per step, of which ${(total / steps).toFixed(2)} ms${wall ? " (wall, minima)" : ""} in ${Object.values(agg).reduce((a, v) => a + v.n, 0) / steps} planned kernels (${perStep} plan runs per step)`,
);
for (const [k, v] of Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(`${(v.ms / steps).toFixed(3).padStart(9)} ms ${String(v.n / steps).padStart(3)}x ${k}`);
