/**
 * @sparse-dgm/core: the model builder, plates, sites (incl. mask sites), the model IR, handlers,
 * the splittable RNG key and owned numerics.
 */
export * from "./tf.js";
export * from "./key.js";
export * from "./backend.js";
export * from "./math/index.js";
export * from "./schedule.js";
export * from "./ir.js";
export * from "./errors.js";
export * from "./layout.js";
export * from "./params.js";
export * from "./context.js";
export * from "./model.js";
export * from "./runtime.js";
export * from "./trace.js";
export * from "./handlers/index.js";
export * from "./estimators.js";
export * as estimators from "./estimators.js";
export { installLeanKernels, contiguousSlice } from "./lean-kernels.js";
export * from "./replay.js";
export { simdKernels, heapOffset, sumRows, SUM_ROWS, type SimdKernels, type WasmHeapBackend } from "./simd.js";
