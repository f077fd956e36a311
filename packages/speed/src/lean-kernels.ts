/**
 * Zero-copy kernels for the wasm backend (issue 10, "a lean step"). While a gradient tape records,
 * TF.js clones every tensor a gradient will need (`Identity`), and its gradients cast float32 to
 * float32 (`Cast`); the wasm backend implements both as a full copy of the data. Tensors are
 * immutable (a variable's `assign` swaps its data id, it never writes in place), so both can share
 * the input's data, as the cpu backend's `Identity` already does: no copy, no allocation. For
 * setting b of the benchmarks (activations of [153600, 300]) this removes about a gigabyte of
 * copies per step.
 *
 * Registered through TF.js's public kernel registry (`unregisterKernel` / `registerKernel`), never
 * by editing files in `node_modules`.
 */
import { tf } from "@sparse-dgm/core";
import { simdKernels, heapOffset, type WasmHeapBackend } from "./simd.js";

interface SharedBackend {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The original registrations of the kernels replaced on each backend (to restore them). */
const replaced = new Map<string, tf.KernelConfig[]>();

type Args<A> = { inputs: { x: tf.TensorInfo }; attrs: A; backend: unknown };
type Original = (args: never) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Replaces one kernel of a backend, keeping the original's setup (wasm binds module functions other
 * kernels call there) and handing the original to the replacement for the cases it leaves alone.
 */
function replaceKernel<A>(name: string, backendName: string, make: (original: Original) => (args: Args<A>) => tf.TensorInfo | tf.TensorInfo[]): void {
  const original = tf.getKernel(name, backendName);
  if (!original) return;
  replaced.get(backendName)!.push(original);
  tf.unregisterKernel(name, backendName);
  tf.registerKernel({ kernelName: name, backendName, setupFunc: original.setupFunc, kernelFunc: make(original.kernelFunc as Original) as never });
}

/** A tensor info sharing x's data (reference counted): no copy, no allocation. */
function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as SharedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Replaces the wasm backend's copying `Identity` and same-dtype `Cast` with data-sharing kernels,
 * its `Slice` (contiguous case) and `Transpose` (matrices, batches of matrices) with heap-local
 * ones. Idempotent; every other case still runs the backend's own kernel.
 */
export function installLeanKernels(backendName = "wasm"): void {
  if (replaced.has(backendName)) return;
  replaced.set(backendName, []);
  replaceKernel<unknown>("Identity", backendName, (identity) => (args) => (args.inputs.x.dtype === "string" ? identity(args as never) : share(args.inputs.x, args.backend)));
  replaceKernel<{ dtype?: string }>("Cast", backendName, (cast) => (args) => (args.attrs.dtype === args.inputs.x.dtype ? share(args.inputs.x, args.backend) : cast(args as never)));
  // Slice: wasm's kernel first copies the whole input out of the heap (`readSync`), so slicing a
  // 950k-float buffer twelve times cost 118 ms; a contiguous slice is one copy inside the heap.
  replaceKernel<{ begin: number[] | number; size: number[] | number }>("Slice", backendName, (slice) => (args) => {
    const { x } = args.inputs;
    const contiguous = contiguousSlice(x.shape, args.attrs.begin, args.attrs.size);
    if (!contiguous || x.dtype === "string") return slice(args as never);
    const b = args.backend as SharedBackend;
    const out = b.makeOutput(contiguous.shape, x.dtype);
    const src = b.typedArrayFromHeap(x);
    b.typedArrayFromHeap(out).set(src.subarray(contiguous.offset, contiguous.offset + contiguous.length) as never);
    return out;
  });
  // Transpose of a matrix (or a batch of matrices, perm [0, 2, 1]), 32-bit elements: the SIMD
  // kernel (4 x 4 register blocks; [512, 300]: about 7x faster than wasm's own kernel), else a
  // cache-tiled copy in JavaScript for large ones (46M floats: 113 ms vs wasm's 440 ms).
  replaceKernel<{ perm: number[] }>("Transpose", backendName, (transpose) => (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs;
    const matrix = x.shape.length === 2 && perm[0] === 1 && perm[1] === 0;
    const batched = x.shape.length === 3 && perm[0] === 0 && perm[1] === 2 && perm[2] === 1;
    if (!(matrix || batched) || (x.dtype !== "float32" && x.dtype !== "int32")) return transpose(args as never);
    const b = args.backend as SharedBackend;
    const [batch, rows, cols] = matrix ? [1, x.shape[0], x.shape[1]] : (x.shape as [number, number, number]);
    const simd = simdKernels(args.backend);
    if (simd) {
      const out = b.makeOutput(matrix ? [cols, rows] : [batch, cols, rows], x.dtype);
      const heap = args.backend as WasmHeapBackend;
      simd.transpose(heapOffset(heap, x), heapOffset(heap, out), batch, rows, cols);
      return out;
    }
    if (x.dtype !== "float32" || x.shape.reduce((a, c) => a * c, 1) < 1 << 20) return transpose(args as never);
    const out = b.makeOutput(matrix ? [cols, rows] : [batch, cols, rows], "float32");
    transposeTiled(b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(out) as Float32Array, batch, rows, cols);
    return out;
  });
  // Sum over the leading axes of a float32 tensor ([N, C] over axis 0, [N, G, 1] over axis 0): the
  // SIMD row sum (sumrows). wasm's kernel first transposes the input so the summed axes come last
  // (its own transpose, 0.7 ms CPU for the VAE's [512, 300, 1] noise-variance gradient at setting b)
  // and then adds each column in row order; the row sum adds in the same order, in float32: the
  // same bits (test/backends/lean-step.test.ts).
  replaceKernel<{ axis: number | number[]; keepDims: boolean }>("Sum", backendName, (sum) => (args) => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const axes = (Array.isArray(args.attrs.axis) ? args.attrs.axis : [args.attrs.axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const simd = simdKernels(args.backend);
    if (!leading || !simd || x.dtype !== "float32") return sum(args as never);
    const rows = x.shape.slice(0, axes.length).reduce((a, c) => a * c, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((a, c) => a * c, 1);
    const b = args.backend as SharedBackend;
    const out = b.makeOutput(args.attrs.keepDims ? [...axes.map(() => 1), ...rest] : rest, "float32");
    if (rows * cols === 0) {
      (b.typedArrayFromHeap(out) as Float32Array).fill(0);
      return out;
    }
    const heap = args.backend as WasmHeapBackend;
    simd.sumrows(heapOffset(heap, x), heapOffset(heap, out), 1, rows, cols);
    return out;
  });
  // SplitV: every piece is a strided copy inside the heap (wasm's kernel runs its Slice per piece,
  // 36-47 us for splitting a [100, 10] guide head into two columns blocks).
  replaceKernel<{ numOrSizeSplits: number | number[]; axis: number }>("SplitV", backendName, (splitV) => (args) => {
    const { x } = args.inputs;
    if (x.dtype === "string") return splitV(args as never);
    const rank = x.shape.length;
    const axis = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
    const dim = x.shape[axis];
    const spec = args.attrs.numOrSizeSplits;
    let sizes = typeof spec === "number" ? Array(spec).fill(dim / spec) : spec.slice();
    const unknown = sizes.indexOf(-1);
    if (unknown >= 0) sizes[unknown] = dim - sizes.reduce((a: number, c: number) => a + (c === -1 ? 0 : c), 0);
    if (sizes.some((v: number) => !Number.isInteger(v) || v < 0) || sizes.reduce((a: number, c: number) => a + c, 0) !== dim) return splitV(args as never);
    sizes = sizes as number[];
    const b = args.backend as SharedBackend;
    const outer = x.shape.slice(0, axis).reduce((a, c) => a * c, 1);
    const inner = x.shape.slice(axis + 1).reduce((a, c) => a * c, 1);
    const outs = sizes.map((sz: number) =>
      b.makeOutput(
        x.shape.map((d, i) => (i === axis ? sz : d)),
        x.dtype,
      ),
    );
    const src = b.typedArrayFromHeap(x);
    let begin = 0;
    outs.forEach((out: tf.TensorInfo, j: number) => {
      const len = sizes[j] * inner;
      const dst = b.typedArrayFromHeap(out);
      for (let o = 0; o < outer; o++) {
        const s0 = (o * dim + begin) * inner;
        const d0 = o * len;
        copyRun(src, s0, dst, d0, len);
      }
      begin += sizes[j];
    });
    return outs;
  });
  // Gather of whole rows (axis 0, no batch dims): one heap copy per row, indices checked here.
  // wasm's kernel took 75 us for 100 rows of a 200k-row dataset (the minibatch of every step).
  replaceKernel<{ axis: number; batchDims: number }>("GatherV2", backendName, (gather) => (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    if ((args.attrs.axis !== 0 && args.attrs.axis !== -x.shape.length) || args.attrs.batchDims || x.dtype === "string" || indices.dtype !== "int32" || x.shape.length < 1) return gather(args as never);
    const b = args.backend as SharedBackend;
    const rows = x.shape[0];
    const width = x.shape.slice(1).reduce((a, c) => a * c, 1);
    const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const idx = b.typedArrayFromHeap(indices) as Int32Array;
    const src = b.typedArrayFromHeap(x);
    const dst = b.typedArrayFromHeap(out);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i];
      if (!(r >= 0 && r < rows)) {
        (b as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
      }
      copyRun(src, r * width, dst, i * width, width);
    }
    return out;
  });
}

/** Restores the backend's own kernels that {@link installLeanKernels} replaced. Idempotent. */
export function removeLeanKernels(backendName = "wasm"): void {
  const originals = replaced.get(backendName);
  if (!originals) return;
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel(k);
  }
  replaced.delete(backendName);
}

/** Whether the lean kernels replace the backend's own now. */
export function leanKernelsInstalled(backendName = "wasm"): boolean {
  return replaced.has(backendName);
}

type Heap = Float32Array | Int32Array | Uint8Array;

/** dst[d0 .. d0+len) = src[s0 .. s0+len): an element loop for short runs (a subarray costs more). */
function copyRun(src: Heap, s0: number, dst: Heap, d0: number, len: number): void {
  if (len < 64) for (let k = 0; k < len; k++) dst[d0 + k] = src[s0 + k];
  else dst.set(src.subarray(s0, s0 + len) as never, d0);
}

/** out[b, j, i] = x[b, i, j] for a batch of rows x cols matrices, in 8 x 8 tiles. */
export function transposeTiled(x: Float32Array, out: Float32Array, batch: number, rows: number, cols: number): void {
  const T = 8;
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let i0 = 0; i0 < rows; i0 += T) {
      const i1 = Math.min(rows, i0 + T);
      for (let j0 = 0; j0 < cols; j0 += T) {
        const j1 = Math.min(cols, j0 + T);
        for (let i = i0; i < i1; i++) {
          const src = base + i * cols;
          for (let j = j0; j < j1; j++) out[base + j * rows + i] = x[src + j];
        }
      }
    }
  }
}

/**
 * The flat offset and length of a slice when it is one contiguous run of the row-major input
 * (every axis after the first sliced one is taken whole), else undefined.
 */
export function contiguousSlice(shape: number[], beginArg: number[] | number, sizeArg: number[] | number): { offset: number; length: number; shape: number[] } | undefined {
  const rank = shape.length;
  const begin = typeof beginArg === "number" ? [beginArg, ...Array(Math.max(rank - 1, 0)).fill(0)] : [...beginArg, ...Array(rank - beginArg.length).fill(0)];
  const sizeIn = typeof sizeArg === "number" ? [sizeArg, ...Array(Math.max(rank - 1, 0)).fill(-1)] : [...sizeArg, ...Array(rank - sizeArg.length).fill(-1)];
  const size = sizeIn.map((s, i) => (s === -1 ? shape[i] - begin[i] : s));
  // contiguous: after the first axis whose size is > 1, every axis is whole
  let i = 0;
  while (i < rank && size[i] === 1) i++;
  for (let j = i + 1; j < rank; j++) if (begin[j] !== 0 || size[j] !== shape[j]) return undefined;
  let offset = 0;
  let stride = 1;
  for (let j = rank - 1; j >= 0; j--) {
    offset += begin[j] * stride;
    stride *= shape[j];
  }
  return { offset, length: size.reduce((a, c) => a * c, 1), shape: size };
}
