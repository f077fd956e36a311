/**
 * The project's hand-written f32x4 SIMD kernels (`packages/speed/wasm/kernels.wat`, assembled into
 * `simd-wasm.ts` by `scripts/build-wasm.mjs`), instantiated on the memory of TF.js's wasm backend
 * so they read and write tensors where they live: no copies in or out. With the speed layer off
 * ({@link setSpeed}) {@link simdKernels} is null and each op runs its scalar JavaScript twin,
 * which rounds exactly as the lanes do (the same float32 operations in the same order).
 *
 * - `adam`: Adam's update over one parameter (adam-kernel.ts).
 * - `sumrows`: Σ over the rows of [outer, rows, cols] (bias and head gradients: a ones-vector
 *   product makes XNNPACK pack the whole operand, TF.js's Sum over a leading axis transposes it;
 *   this streams it once).
 * - `transpose`: [batch, rows, cols] → [batch, cols, rows] in 4 × 4 register blocks (lean-kernels.ts).
 * - `biasact`: a dense layer's bias and ReLU after its product in one pass (TF.js's Add and Relu
 *   are two, and with threads each is a hand-off to XNNPACK's pool for a memory-bound loop).
 * - `relugrad`: ReLU's backward dy · step(y) in one pass (TF.js's Step and Multiply).
 *
 * @example
 * ```ts
 * const db = sumRows(dy);            // [N, H] -> [H], or [R, N, H] -> [R, H]
 * ```
 */
import { tf, backendThreads } from "@sparse-dgm/core";
import { SIMD_WASM, SIMD_WASM_SHARED } from "./simd-wasm.js";
import { speedEnabled } from "./switch.js";
import { SimdPool } from "./simd-pool.js";

/** The kernels' signatures (pointers are byte offsets into the backend's memory). */
export interface SimdKernels {
  adam(g: number, p: number, m: number, v: number, mo: number, vo: number, po: number, n: number, b1: number, b2: number, lr: number, eps: number): void;
  sumrows(x: number, out: number, outer: number, rows: number, cols: number): void;
  transpose(x: number, out: number, batch: number, rows: number, cols: number): void;
  biasact(x: number, bias: number, out: number, outer: number, rows: number, cols: number, relu: number): void;
  relugrad(dy: number, y: number, out: number, n: number): void;
}

/** What the kernels need from a wasm backend. */
export interface WasmHeapBackend {
  /** The module: its memory is `asm.memory` (exported: the single-threaded build) or `wasmMemory` (imported and shared: the threaded build). */
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The memory of a wasm backend's module, if `backend` is one. */
function heapMemory(backend: unknown): WebAssembly.Memory | undefined {
  const w = (backend as Partial<WasmHeapBackend>)?.wasm;
  const m = w?.wasmMemory ?? w?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : undefined;
}

/** Whether `backend` keeps its tensors on a wasm heap (TF.js's wasm backend). */
export function isWasmHeap(backend: unknown): backend is WasmHeapBackend {
  return heapMemory(backend) !== undefined && typeof (backend as Partial<WasmHeapBackend>).typedArrayFromHeap === "function";
}

const instances = new WeakMap<object, SimdKernels | null>();
const pools = new WeakMap<object, SimdPool | null>();

/**
 * Helper threads for the SIMD kernels when `backend` runs the threaded build with more than one
 * thread (simd-pool.ts), else undefined. Null when the speed layer is off.
 */
export function simdPool(backend: unknown): SimdPool | undefined {
  const memory = heapMemory(backend);
  const main = simdKernels(backend);
  if (!main || !memory || !(typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer)) return undefined;
  let pool = pools.get(backend as object);
  if (pool === undefined) {
    pool = SimdPool.create((backendThreads() ?? 1) - 1, memory, Buffer.from(SIMD_WASM_SHARED, "base64"), main) ?? null;
    pools.set(backend as object, pool);
  }
  return pool ?? undefined;
}

/**
 * The SIMD kernels bound to `backend`'s memory, or null when the backend is not wasm (or the
 * module cannot be instantiated there), or the speed layer is off.
 */
export function simdKernels(backend: unknown): SimdKernels | null {
  const memory = heapMemory(backend);
  if (!speedEnabled() || !memory) return null;
  let k = instances.get(backend as object);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
      const module = new WebAssembly.Module(Buffer.from(shared ? SIMD_WASM_SHARED : SIMD_WASM, "base64"));
      k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      k = null;
    }
    instances.set(backend as object, k);
  }
  return k;
}

/** The byte offset of a tensor's data in a wasm backend's memory. */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** The kernel's name in TF.js's registry. */
export const SUM_ROWS = "SparseDgmSumRows";

function sumRowsKernel(args: { inputs: { x: tf.TensorInfo }; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs;
  const [outer, rows, cols] = x.shape.length === 3 ? x.shape : [1, ...x.shape];
  const outShape = x.shape.length === 3 ? [outer, cols] : [cols];
  const simd = simdKernels(args.backend);
  if (simd) {
    const b = args.backend as WasmHeapBackend;
    const out = b.makeOutput(outShape, "float32");
    simd.sumrows(heapOffset(b, x), heapOffset(b, out), outer, rows, cols);
    return out;
  }
  // The same order of additions in JavaScript (float32 accumulation, as the SIMD lanes): on the
  // wasm heap (speed layer off) or in the cpu backend's arrays.
  if (isWasmHeap(args.backend)) {
    const b = args.backend;
    const out = b.makeOutput(outShape, "float32");
    const acc = b.typedArrayFromHeap(out);
    acc.fill(0);
    sumRowsInto(b.typedArrayFromHeap(x), acc, outer, rows, cols);
    return out;
  }
  const cpu = args.backend as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo };
  const acc = new Float32Array(outer * cols);
  sumRowsInto(cpu.data.get(x.dataId).values, acc, outer, rows, cols);
  return cpu.makeTensorInfo(outShape, "float32", acc);
}

/** acc[o, j] += Σ_i src[o, i, j], row by row (acc is float32: every addition rounds as a lane's). */
function sumRowsInto(src: Float32Array, acc: Float32Array, outer: number, rows: number, cols: number): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < rows; i++) {
      const base = (o * rows + i) * cols;
      for (let j = 0; j < cols; j++) acc[o * cols + j] += src[base + j];
    }
}

const registered = new Set<string>();

/**
 * Σ over the rows: [N, C] → [C], [R, N, C] → [R, C] (float32). One streaming pass (wasm: the SIMD
 * kernel; cpu: a JavaScript loop); other backends use `tf.sum`. No gradient: it is used inside
 * hand-written backward passes.
 */
export function sumRows(x: tf.Tensor): tf.Tensor {
  if (x.rank !== 2 && x.rank !== 3) throw new Error(`sumRows: expected a [rows, cols] or [outer, rows, cols] tensor, got shape [${x.shape.join(", ")}]`);
  const backend = tf.getBackend();
  if (x.dtype !== "float32" || (backend !== "wasm" && backend !== "cpu")) return tf.sum(x, x.rank - 2);
  if (!registered.has(backend)) {
    if (!tf.getKernel(SUM_ROWS, backend)) tf.registerKernel({ kernelName: SUM_ROWS, backendName: backend, kernelFunc: sumRowsKernel as never });
    registered.add(backend);
  }
  return tf.engine().runKernel(SUM_ROWS, { x } as never, {}) as tf.Tensor;
}

/** The kernels' names in TF.js's registry. */
export const BIAS_ACT = "SparseDgmBiasAct";
export const RELU_GRAD = "SparseDgmReluGrad";

function biasActKernel(args: { inputs: { x: tf.TensorInfo; bias: tf.TensorInfo }; attrs: { relu: boolean }; backend: unknown }): tf.TensorInfo {
  const { x, bias } = args.inputs;
  const b = args.backend as WasmHeapBackend;
  const cols = x.shape[x.shape.length - 1];
  const outer = bias.shape.length === 2 ? bias.shape[0] : 1;
  const rows = x.shape.reduce((a, c) => a * c, 1) / (outer * cols);
  const out = b.makeOutput(x.shape, "float32");
  const simd = simdKernels(args.backend);
  if (simd) simd.biasact(heapOffset(b, x), heapOffset(b, bias), heapOffset(b, out), outer, rows, cols, args.attrs.relu ? 1 : 0);
  else {
    // the same float32 add and max in JavaScript (the speed layer switched off under a plan)
    const [xs, bs, os] = [b.typedArrayFromHeap(x), b.typedArrayFromHeap(bias), b.typedArrayFromHeap(out)];
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          const k = (o * rows + i) * cols + j;
          os[k] = xs[k] + bs[o * cols + j];
          if (args.attrs.relu) os[k] = Math.max(os[k], 0);
        }
  }
  return out;
}

function reluGradKernel(args: { inputs: { dy: tf.TensorInfo; y: tf.TensorInfo }; backend: unknown }): tf.TensorInfo {
  const { dy, y } = args.inputs;
  const b = args.backend as WasmHeapBackend;
  const n = y.shape.reduce((a, c) => a * c, 1);
  const out = b.makeOutput(y.shape, "float32");
  const simd = simdKernels(args.backend);
  if (simd) simd.relugrad(heapOffset(b, dy), heapOffset(b, y), heapOffset(b, out), n);
  else {
    const [ds, ys, os] = [b.typedArrayFromHeap(dy), b.typedArrayFromHeap(y), b.typedArrayFromHeap(out)];
    for (let k = 0; k < n; k++) os[k] = ds[k] * (ys[k] > 0 ? 1 : 0);
  }
  return out;
}

/** Registers a kernel of this module on the wasm backend once. */
function ensureWasmKernel(name: string, kernelFunc: unknown): void {
  if (registered.has(name)) return;
  if (!tf.getKernel(name, "wasm")) tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as never });
  registered.add(name);
}

/** Whether the one-pass kernels below run here: float32 on wasm with the SIMD kernels (the speed layer on). */
function onePass(...ts: tf.Tensor[]): boolean {
  return tf.getBackend() === "wasm" && ts.every((t) => t.dtype === "float32") && simdKernels(tf.backend()) !== null;
}

/**
 * x + bias (bias [C] for x [..., C], or [R, C] for x [R, N, C]), then ReLU when `relu`: one pass on
 * wasm (the SIMD kernel), else TF.js's Add (and Relu). The same float32 operations either way: the
 * same bits (test/backends/lean-step.test.ts). No gradient: it is used inside hand-written ops.
 *
 * @example
 * ```ts
 * const h = biasAct(tf.matMul(x, w), b, true);   // relu(x·w + b)
 * ```
 */
export function biasAct(x: tf.Tensor, bias: tf.Tensor, relu: boolean): tf.Tensor {
  const replicated = bias.rank === 2 && x.rank === 3 && bias.shape[0] === x.shape[0];
  if (!onePass(x, bias) || x.rank < 1 || !(bias.rank === 1 || replicated) || bias.shape[bias.rank - 1] !== x.shape[x.rank - 1]) {
    const pre = tf.add(x, replicated ? tf.expandDims(bias, 1) : bias);
    return relu ? tf.relu(pre) : pre;
  }
  ensureWasmKernel(BIAS_ACT, biasActKernel);
  return tf.engine().runKernel(BIAS_ACT, { x, bias } as never, { relu } as never) as tf.Tensor;
}

/**
 * dy · step(y), ReLU's backward from its output y: one pass on wasm (the SIMD kernel), else TF.js's
 * Step and Multiply; the same bits (y ≥ 0 or NaN as a ReLU's output; a NaN y gives 0 here, where
 * Step gives its own value: a NaN output has already failed the step's finite-loss guard).
 *
 * @example
 * ```ts
 * const g = reluGrad(dy, y);
 * ```
 */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (!onePass(dy, y) || dy.size !== y.size) return tf.mul(dy, tf.step(y));
  ensureWasmKernel(RELU_GRAD, reluGradKernel);
  return tf.engine().runKernel(RELU_GRAD, { dy, y } as never, {}) as tf.Tensor;
}
