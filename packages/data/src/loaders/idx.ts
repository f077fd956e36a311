/**
 * IDX loader (`idx:<images>?labels=<path>`), the MNIST / Fashion-MNIST format, gzip or plain.
 * Images are flattened row-major; unsigned-byte images are scaled to [0, 1] (other element types
 * are taken as stored). `binarize=t` maps pixels > t to 1 and the rest to 0 (kind "binary").
 * `testImages`/`testLabels` append a second file pair and use it as the test split (the
 * Fashion-MNIST train/t10k pair); otherwise the split is the seeded `test` fraction. `limit`
 * keeps the first rows of each file. Node-only.
 *
 * Debian's `dataset-fashion-mnist` installs the files under `/usr/share/datasets/fashion-mnist/`.
 */
import { DataError, headTailSplit, randomSplit, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { baseName, readBytes } from "./common.js";

/** A decoded IDX array. */
export interface IdxArray {
  /** Dimensions of what was kept (the first is at most `limit`). */
  dims: number[];
  /** Items in the file along the first axis, before `limit`. */
  total: number;
  /** Element type code: 0x08 ubyte, 0x09 byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. */
  type: number;
  data: Float32Array;
}

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/**
 * Decodes IDX bytes (already gunzipped), keeping at most `limit` items along the first axis.
 *
 * @example
 * ```ts
 * const a = parseIdx(bytes); // { dims: [60000, 28, 28], type: 8, data }
 * ```
 */
export function parseIdx(bytes: Uint8Array, where = "idx:<bytes>", limit?: number, into?: Float32Array): IdxArray {
  const { type, size, dims, per, items, off } = idxHeader(bytes, where, limit);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = items * per;
  if (into && into.length < m) throw new RangeError(`${where}: parseIdx target holds ${into.length} values, ${m} needed`);
  const data = into ? into.subarray(0, m) : new Float32Array(m);
  if (type === 0x08) for (let t = 0; t < m; t++) data[t] = bytes[off + t];
  else {
    for (let t = 0; t < m; t++) {
      const o = off + t * size;
      data[t] =
        type === 0x09 ? dv.getInt8(o)
        : type === 0x0b ? dv.getInt16(o, false)
        : type === 0x0c ? dv.getInt32(o, false)
        : type === 0x0d ? dv.getFloat32(o, false)
        : dv.getFloat64(o, false);
    }
  }
  return { dims: [items, ...dims.slice(1)], total: dims[0], type, data };
}

/** An IDX file's header, checked: element type and size, dims, values per item, items kept under `limit`, data offset. */
function idxHeader(bytes: Uint8Array, where: string, limit?: number) {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${where}: not an IDX file (the magic number must start with two zero bytes)`);
  }
  const type = bytes[2];
  const nd = bytes[3];
  const size = SIZES[type];
  if (!size) throw new DataError(`${where}: unknown IDX element type 0x${type.toString(16)}`);
  if (nd < 1) throw new DataError(`${where}: IDX file has no dimensions`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * nd) throw new DataError(`${where}: truncated IDX header`);
  const dims: number[] = [];
  for (let d = 0; d < nd; d++) dims.push(dv.getUint32(4 + 4 * d, false));
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const items = limit !== undefined ? Math.min(limit, dims[0]) : dims[0];
  const off = 4 + 4 * nd;
  const expected = off + dims[0] * per * size;
  if (bytes.length < expected) {
    throw new DataError(`${where}: IDX file is truncated: dims ${dims.join("×")} need ${expected} bytes, found ${bytes.length}`);
  }
  return { type, size, dims, per, items, off };
}

/** Options of {@link loadIdx}. */
export interface IdxOptions {
  labels?: string;
  binarize?: number;
  testImages?: string;
  testLabels?: string;
  test?: number;
  seed?: number;
  limit?: number;
}

/** Images of `bytes` (the file at `path`), scaled to [0, 1] when unsigned bytes, written into `into` when given. */
function readImages(where: string, path: string, bytes: Uint8Array, limit: number | undefined, binarize: number | undefined, into?: Float32Array) {
  const a = parseIdx(bytes, `${where} (${path})`, limit, into);
  if (a.dims.length < 2) throw new DataError(`${where}: ${path} is a 1-d IDX array (labels?), expected images`);
  if (a.type === 0x08) for (let t = 0; t < a.data.length; t++) a.data[t] /= 255;
  if (binarize !== undefined) for (let t = 0; t < a.data.length; t++) a.data[t] = a.data[t] > binarize ? 1 : 0;
  return a;
}

/** Labels for `images` (read with the same `limit`): the files must hold as many items before the limit too. */
function readLabels(where: string, path: string, images: IdxArray, imagesPath: string, limit: number | undefined): Int32Array {
  const a = parseIdx(readBytes(where, path), `${where} (${path})`, limit);
  if (a.dims.length !== 1) throw new DataError(`${where}: label file ${path} has dims ${a.dims.join("×")}, expected 1-d`);
  if (a.total !== images.total) throw new DataError(`${where}: label file ${path} has ${a.total} labels for the ${images.total} images of ${imagesPath}`);
  return Int32Array.from(a.data);
}

/**
 * Loads IDX images (and labels).
 *
 * @example
 * ```ts
 * const dir = "/usr/share/datasets/fashion-mnist";
 * const ds = loadIdx(`${dir}/train-images-idx3-ubyte.gz`, {
 *   labels: `${dir}/train-labels-idx1-ubyte.gz`,
 *   testImages: `${dir}/t10k-images-idx3-ubyte.gz`, testLabels: `${dir}/t10k-labels-idx1-ubyte.gz`,
 *   binarize: 0.5, limit: 5000,
 * }); // 10000 × 784 binary, 5000 / 5000
 * ```
 */
export function loadIdx(path: string, opts: IdxOptions = {}, where = `idx:${path}`): Dataset {
  if (opts.testLabels !== undefined && opts.testImages === undefined) {
    throw new DataError(`${where}: testLabels given without testImages`);
  }
  if (opts.testImages !== undefined && (opts.labels === undefined) !== (opts.testLabels === undefined)) {
    throw new DataError(`${where}: give labels for both the train and the test images, or for neither`);
  }
  // the train and test images are written straight into one buffer, the data set's x (no second copy)
  const trBytes = readBytes(where, path);
  const teBytes = opts.testImages !== undefined ? readBytes(where, opts.testImages) : undefined;
  const values = (b: Uint8Array, p: string) => {
    const h = idxHeader(b, `${where} (${p})`, opts.limit);
    return h.items * h.per;
  };
  const all = new Float32Array(values(trBytes, path) + (teBytes ? values(teBytes, opts.testImages!) : 0));
  const tr = readImages(where, path, trBytes, opts.limit, opts.binarize, all);
  const imageShape = tr.dims.slice(1);
  const g = imageShape.reduce((a, b) => a * b, 1);
  const n1 = tr.dims[0];
  let labels = opts.labels !== undefined ? readLabels(where, opts.labels, tr, path, opts.limit) : undefined;
  let n = n1;
  let split = randomSplit(n1, opts.test ?? 0.2, opts.seed ?? 0);
  if (opts.testImages !== undefined) {
    const te = readImages(where, opts.testImages, teBytes!, opts.limit, opts.binarize, all.subarray(n1 * g));
    const g2 = te.dims.slice(1).reduce((a, b) => a * b, 1);
    if (g2 !== g) throw new DataError(`${where}: test images ${te.dims.slice(1).join("×")} differ from train images ${imageShape.join("×")}`);
    n = n1 + te.dims[0];
    if (labels && opts.testLabels !== undefined) {
      const l2 = readLabels(where, opts.testLabels, te, opts.testImages, opts.limit);
      const l = new Int32Array(n);
      l.set(labels, 0);
      l.set(l2, n1);
      labels = l;
    }
    split = headTailSplit(n, n1);
  }
  return {
    name: baseName(path),
    source: where,
    x: all, // without test images it holds exactly the training images
    n,
    g,
    kind: opts.binarize !== undefined ? "binary" : "real",
    ...(labels ? { labels } : {}),
    split,
    meta: { path, imageShape, elementType: tr.type, ...opts },
  };
}

/** Adapter from resolved source parameters. */
export function idxFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadIdx(path, p as IdxOptions, where);
}
