/**
 * FLOP accounting of one training step from TF.js's kernel profile: a matMul of [.., M, K] by
 * [.., K, N] counts 2·batch·M·K·N; every other kernel counts one FLOP per output element (an
 * underestimate for transcendental ops, exact enough to say where the time goes). And the plain
 * matMul throughput of the backend, measured on the step's dominant shape.
 */
import { tf } from "@sparse-dgm/core";
import type { Size } from "./sizes.js";

export interface StepFlops {
  flops: number;
  matMulFlops: number;
  kernels: number;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

export async function stepFlops(run: () => Promise<unknown>): Promise<StepFlops> {
  const prof = await tf.profile(async () => {
    await run();
  });
  let flops = 0;
  let matMulFlops = 0;
  let kernels = 0;
  for (const k of prof.kernels) {
    kernels++;
    if (k.name === "BatchMatMul" || k.name === "_FusedMatMul") {
      const [a, b] = k.inputShapes as number[][];
      const M = a[a.length - 2];
      const Kd = a[a.length - 1];
      const N = b[b.length - 1];
      const batch = Math.max(size(a.slice(0, -2)), size(b.slice(0, -2)));
      const f = 2 * batch * M * Kd * N;
      matMulFlops += f;
      flops += f;
    } else {
      for (const s of k.outputShapes as number[][]) flops += size(s ?? []);
    }
  }
  return { flops, matMulFlops, kernels };
}

/**
 * GFLOP/s of a plain 2-D matMul with the decoder body's shape ([B·G, H] by [H, H], capped at
 * 64k rows), median of five after a warm-up.
 */
export function matMulThroughput(s: Size, replicas = 1): number {
  const M = Math.min(s.B * s.G * replicas, 65536);
  const sync = tf.getBackend() === "wasm" || tf.getBackend() === "cpu";
  const a = tf.randomNormal([M, s.H]);
  const b = tf.randomNormal([s.H, s.H]);
  tf.matMul(a, b).dispose();
  const reps = Math.max(1, Math.round(2e8 / (2 * M * s.H * s.H)));
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const y = tf.matMul(a, b);
      // cpu and wasm run synchronously; elsewhere wait for the result (one element read back)
      if (sync) y.dispose();
      else {
        tf.slice(y, [0, 0], [1, 1]).dataSync();
        y.dispose();
      }
    }
    times.push((performance.now() - t0) / reps);
  }
  times.sort((x, y) => x - y);
  tf.dispose([a, b]);
  return (2 * M * s.H * s.H) / 1e9 / (times[2] / 1000);
}
