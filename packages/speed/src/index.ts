/**
 * @sparse-dgm/speed: the speed layer. Step plans (a proven training step run again from its
 * recorded kernel list, without TF.js's engine), zero-copy and heap-local replacements of wasm
 * kernels, and hand-written f32x4 SIMD kernels (Adam's update, sums over rows).
 *
 * Importing this package installs it into core's step hook (`@sparse-dgm/core`, step-hook.ts);
 * `@sparse-dgm/nn` and `@sparse-dgm/infer` import it, so it is on by default. It is off with
 * `SDGM_SPEED=0` or {@link setSpeed}`(false)`, and training is bit-for-bit the same either way.
 */
import { setSpeedHook } from "@sparse-dgm/core";
import { StepPlanner } from "./step-plan.js";
import { installLeanKernels, removeLeanKernels } from "./lean-kernels.js";
import { speedEnabled, onSpeedChange } from "./switch.js";

export { speedEnabled, setSpeed } from "./switch.js";
export { StepPlan, StepPlanner, captureStep, sameOutputs, setPlanTimer, type CapturedStep, type PlanTimer } from "./step-plan.js";
export { installLeanKernels, removeLeanKernels, leanKernelsInstalled, contiguousSlice, transposeTiled } from "./lean-kernels.js";
export { simdKernels, simdPool, heapOffset, isWasmHeap, sumRows, SUM_ROWS, biasAct, reluGrad, BIAS_ACT, RELU_GRAD, type SimdKernels, type WasmHeapBackend } from "./simd.js";
export { SimdPool, type AdamSegment } from "./simd-pool.js";
export { fusedAdam, hasFusedAdam, fusedAdamLoop, FUSED_ADAM, type FusedAdamAttrs } from "./adam-kernel.js";

let wasmReady = false;

setSpeedHook({
  name: "@sparse-dgm/speed",
  recurring: (outside) => new StepPlanner(outside),
  backendReady(backend) {
    if (backend !== "wasm") return;
    wasmReady = true;
    if (speedEnabled()) installLeanKernels("wasm");
  },
});

onSpeedChange((on) => {
  if (!wasmReady) return;
  if (on) installLeanKernels("wasm");
  else removeLeanKernels("wasm");
});
