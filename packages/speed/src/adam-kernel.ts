/**
 * Adam's whole update as one kernel (issue 10, "a lean step"): for every element of every
 * parameter, m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr_t·m/(√v + ε_t), in one pass
 * over the data, in float64 arithmetic rounded once to float32. As separate TF.js ops the update is
 * twelve elementwise kernels over the concatenated parameters plus a concat and a slice per
 * parameter: for VSC's 950k parameters about 8 ms per step on wasm; this kernel reads every
 * gradient and parameter in place and writes fresh outputs (inputs are never modified).
 *
 * Registered for the `cpu` and `wasm` backends (whose tensor memory JavaScript can read); on any
 * other backend {@link hasFusedAdam} is false and the optimiser runs the op-by-op update. On wasm
 * the loop is a hand-written f32x4 SIMD kernel (`packages/speed/wasm/kernels.wat`) running on the
 * backend's own memory: VSC's 949k parameters in about a third of the JavaScript loop's time. With
 * the speed layer off, wasm runs {@link adamSegmentF32}, the same float32 operations in JavaScript
 * (bit for bit the kernel's result); cpu always runs {@link adamSegment}.
 */
import { tf } from "@sparse-dgm/core";
import { simdKernels, simdPool, heapOffset, isWasmHeap, type WasmHeapBackend } from "./simd.js";
import type { AdamSegment } from "./simd-pool.js";

/** The kernel's name in TF.js's registry. */
export const FUSED_ADAM = "SparseDgmAdamUpdate";

/** Hyperparameters of one update (bias corrections folded into lrT and epsT). */
export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  lrT: number;
  epsT: number;
  /** Number of parameters n: inputs are m, v, g0..g(n-1), p0..p(n-1). */
  n: number;
}

interface HeapBackend {
  typedArrayFromHeap?(t: tf.TensorInfo): Float32Array;
  makeOutput?(shape: number[], dtype: string): tf.TensorInfo;
  data?: { get(id: object): { values: Float32Array } };
  makeTensorInfo?(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

/** Allocates an output (wasm: on the heap; cpu: a fresh array). */
function allocate(b: HeapBackend, shape: number[]): tf.TensorInfo {
  if (b.typedArrayFromHeap && b.makeOutput) return b.makeOutput(shape, "float32");
  return b.makeTensorInfo!(shape, "float32", new Float32Array(shape.reduce((a, c) => a * c, 1)));
}

/** A view of a tensor's values (wasm: into the heap, no copy; cpu: its array). */
function view(b: HeapBackend, t: tf.TensorInfo): Float32Array {
  return b.typedArrayFromHeap ? b.typedArrayFromHeap(t) : b.data!.get(t.dataId).values;
}

function kernelFunc(args: { inputs: Record<string, tf.TensorInfo>; attrs: FusedAdamAttrs; backend: unknown }): tf.TensorInfo[] {
  const { beta1, beta2, lrT, epsT, n } = args.attrs;
  const wb = args.backend as WasmHeapBackend;
  const simd = simdKernels(args.backend);
  if (simd) {
    const total = args.inputs.m.shape.reduce((a, c) => a * c, 1);
    const outs: tf.TensorInfo[] = [wb.makeOutput([total], "float32"), wb.makeOutput([total], "float32")];
    for (let i = 0; i < n; i++) outs.push(wb.makeOutput(args.inputs[`p${i}`].shape, "float32"));
    const at = (t: tf.TensorInfo) => heapOffset(wb, t);
    const [m, v, mo, vo] = [at(args.inputs.m), at(args.inputs.v), at(outs[0]), at(outs[1])];
    const segments: AdamSegment[] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const p = args.inputs[`p${i}`];
      const len = p.shape.reduce((a, c) => a * c, 1);
      segments.push({ g: at(args.inputs[`g${i}`]), p: at(p), m: m + 4 * offset, v: v + 4 * offset, mo: mo + 4 * offset, vo: vo + 4 * offset, po: at(outs[2 + i]), n: len });
      offset += len;
    }
    // threaded build: the update shared with helper threads (worth a wake-up from ~64k elements)
    const pool = total >= 1 << 16 ? simdPool(args.backend) : undefined;
    if (pool) pool.adam(segments, beta1, beta2, lrT, epsT);
    else for (const s of segments) simd.adam(s.g, s.p, s.m, s.v, s.mo, s.vo, s.po, s.n, beta1, beta2, lrT, epsT);
    return outs;
  }
  const b = args.backend as HeapBackend;
  const segment = isWasmHeap(args.backend) ? adamSegmentF32 : adamSegment;
  const total = args.inputs.m.shape.reduce((a, c) => a * c, 1);
  // Allocate every output first: wasm memory may grow while allocating, which detaches old views.
  const outs: tf.TensorInfo[] = [allocate(b, [total]), allocate(b, [total])];
  for (let i = 0; i < n; i++) outs.push(allocate(b, args.inputs[`p${i}`].shape));
  const m = view(b, args.inputs.m);
  const v = view(b, args.inputs.v);
  const mOut = view(b, outs[0]);
  const vOut = view(b, outs[1]);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const p = view(b, args.inputs[`p${i}`]);
    const len = p.length;
    segment(
      view(b, args.inputs[`g${i}`]),
      p,
      m.subarray(offset, offset + len),
      v.subarray(offset, offset + len),
      mOut.subarray(offset, offset + len),
      vOut.subarray(offset, offset + len),
      view(b, outs[2 + i]),
      beta1,
      beta2,
      lrT,
      epsT,
    );
    offset += len;
  }
  return outs;
}

/** The update of one parameter's elements (one monomorphic loop the JIT compiles once). */
function adamSegment(
  g: Float32Array,
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  pOut: Float32Array,
  beta1: number,
  beta2: number,
  lrT: number,
  epsT: number,
): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const len = p.length;
  for (let j = 0; j < len; j++) {
    const gj = g[j];
    const mj = beta1 * m[j] + c1 * gj;
    const vj = beta2 * v[j] + c2 * gj * gj;
    mOut[j] = mj;
    vOut[j] = vj;
    pOut[j] = p[j] - (lrT * mj) / (Math.sqrt(vj) + epsT);
  }
}

const f = Math.fround;

/**
 * The SIMD kernel's update in JavaScript: every operation rounded to float32 as the lanes round it
 * (a float32 sum, product, quotient or square root computed in float64 and rounded once is the
 * float32 result), so the two agree bit for bit.
 */
function adamSegmentF32(
  g: Float32Array,
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  pOut: Float32Array,
  beta1: number,
  beta2: number,
  lrT: number,
  epsT: number,
): void {
  const [b1, b2, lr, eps] = [f(beta1), f(beta2), f(lrT), f(epsT)];
  const c1 = f(1 - b1);
  const c2 = f(1 - b2);
  const len = p.length;
  for (let j = 0; j < len; j++) {
    const gj = g[j];
    const mj = f(f(b1 * m[j]) + f(c1 * gj));
    const vj = f(f(b2 * v[j]) + f(c2 * f(gj * gj)));
    mOut[j] = mj;
    vOut[j] = vj;
    pOut[j] = f(p[j] - f(f(lr * mj) / f(f(Math.sqrt(vj)) + eps)));
  }
}

const registered = new Set<string>();

/** Whether the fused update is available on the current backend (registering it on first use). */
export function hasFusedAdam(): boolean {
  const backend = tf.getBackend();
  if (backend !== "cpu" && backend !== "wasm") return false;
  if (!registered.has(backend)) {
    if (!tf.getKernel(FUSED_ADAM, backend)) tf.registerKernel({ kernelName: FUSED_ADAM, backendName: backend, kernelFunc: kernelFunc as never });
    registered.add(backend);
  }
  return true;
}

/** Which loop the fused update runs on the current backend: the wasm SIMD kernel or JavaScript. */
export function fusedAdamLoop(): "wasm-simd" | "javascript" {
  return simdKernels(tf.backend()) ? "wasm-simd" : "javascript";
}

/**
 * Runs the fused update: returns [m', v', θ'_0, ..., θ'_(n−1)] (new tensors).
 */
export function fusedAdam(m: tf.Tensor, v: tf.Tensor, grads: tf.Tensor[], params: tf.Tensor[], attrs: Omit<FusedAdamAttrs, "n">): tf.Tensor[] {
  const inputs: Record<string, tf.Tensor> = { m, v };
  grads.forEach((g, i) => (inputs[`g${i}`] = g));
  params.forEach((p, i) => (inputs[`p${i}`] = p));
  return tf.engine().runKernel(FUSED_ADAM, inputs as never, { ...attrs, n: params.length } as never) as unknown as tf.Tensor[];
}
