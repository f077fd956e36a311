/**
 * MatrixMarket loader (`mtx:<path>`): `coordinate` or `array` format, `real`, `double`,
 * `integer` or `pattern` field, `general`, `symmetric` or `skew-symmetric` symmetry. Rows are
 * observations unless `transpose` (files stored features × observations, e.g. genes × cells).
 * Node-only.
 */
import { DataError, randomSplit, type DataKind, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { baseName, checkFloat32, denseMatrix, FLOAT32_EXACT_INT, parseNumber, readText } from "./common.js";

/** Options of {@link parseMtxText}. */
export interface MtxOptions {
  transpose?: boolean;
  /** Default: binary for `pattern`, counts for non-negative `integer`, real otherwise. */
  kind?: DataKind;
  test?: number;
  seed?: number;
  limit?: number;
}

/**
 * Parses MatrixMarket text into a dense Dataset. Syntax errors name the file line.
 *
 * @example
 * ```ts
 * parseMtxText("%%MatrixMarket matrix coordinate integer general\n2 3 2\n1 1 5\n2 3 1\n"); // 2 × 3 counts
 * ```
 */
export function parseMtxText(text: string, opts: MtxOptions = {}, where = "mtx:<text>"): Dataset {
  const lines = text.split(/\r?\n/);
  const head = lines[0]?.trim().split(/\s+/).map((s) => s.toLowerCase()) ?? [];
  if (head[0] !== "%%matrixmarket" || head[1] !== "matrix" || head.length < 5) {
    throw new DataError(`${where}: line 1: expected "%%MatrixMarket matrix <coordinate|array> <field> <symmetry>", got ${JSON.stringify(lines[0] ?? "")}`);
  }
  const [, , format, field, symmetry] = head;
  if (format !== "coordinate" && format !== "array") throw new DataError(`${where}: line 1: format must be coordinate or array, got ${format}`);
  if (!["real", "double", "integer", "pattern"].includes(field)) {
    throw new DataError(`${where}: line 1: field must be real, double, integer or pattern, got ${field}`);
  }
  if (!["general", "symmetric", "skew-symmetric"].includes(symmetry)) {
    throw new DataError(`${where}: line 1: symmetry must be general, symmetric or skew-symmetric, got ${symmetry}`);
  }
  if (format === "array" && field === "pattern") throw new DataError(`${where}: line 1: array format cannot have a pattern field`);
  if (format === "array" && symmetry !== "general") throw new DataError(`${where}: line 1: a ${symmetry} array (only one triangle listed) is not supported; write it as coordinate or general`);
  let li = 1;
  while (li < lines.length && (lines[li].trim() === "" || lines[li].trimStart().startsWith("%"))) li++;
  const size = (lines[li] ?? "").trim().split(/\s+/).map(Number);
  const need = format === "coordinate" ? 3 : 2;
  if (size.length !== need || size.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new DataError(`${where}: line ${li + 1}: expected ${format === "coordinate" ? "M N NNZ" : "M N"}, got ${JSON.stringify(lines[li] ?? "")}`);
  }
  const [M, N] = size;
  const sizeLine = li + 1;
  if (symmetry !== "general" && M !== N) {
    throw new DataError(`${where}: line ${sizeLine}: a ${symmetry} matrix must be square, but the size line says ${M} × ${N}`);
  }
  const nnz = format === "coordinate" ? size[2] : M * N;
  const tr = opts.transpose ?? false;
  const nAll = tr ? N : M;
  const g = tr ? M : N;
  const n = opts.limit !== undefined ? Math.min(opts.limit, nAll) : nAll;
  const x = denseMatrix(where, n, g);
  // entries given twice are refused (summing or keeping one would both be a guess)
  const seen = format === "coordinate" ? new Uint8Array(n * g) : undefined;
  const put = (i: number, j: number, v: number, line: number) => {
    // i, j 0-based file row/column.
    const r = tr ? j : i;
    const c = tr ? i : j;
    if (r >= n) return;
    if (seen) {
      if (seen[r * g + c]) throw new DataError(`${where}: line ${line}: entry (${i + 1}, ${j + 1}) is given twice`);
      seen[r * g + c] = 1;
    }
    x[r * g + c] = v;
  };
  let count = 0;
  let allNonNegInt = true;
  for (li++; li < lines.length && count < nnz; li++) {
    const t = lines[li].trim();
    if (t === "" || t.startsWith("%")) continue;
    const parts = t.split(/\s+/);
    let i: number;
    let j: number;
    let v: number;
    if (format === "coordinate") {
      i = Number(parts[0]) - 1;
      j = Number(parts[1]) - 1;
      v = field === "pattern" ? 1 : Number(parts[2]);
      if (parts.length < (field === "pattern" ? 2 : 3) || !Number.isInteger(i) || !Number.isInteger(j)) {
        throw new DataError(`${where}: line ${li + 1}: expected "i j${field === "pattern" ? "" : " value"}", got ${JSON.stringify(t)}`);
      }
      if (i < 0 || i >= M || j < 0 || j >= N) {
        throw new DataError(`${where}: line ${li + 1}: entry (${i + 1}, ${j + 1}) is outside the ${M} × ${N} matrix`);
      }
      if (symmetry !== "general" && (i < j || (symmetry === "skew-symmetric" && i === j))) {
        throw new DataError(
          `${where}: line ${li + 1}: entry (${i + 1}, ${j + 1}) is ${i === j ? "on" : "above"} the diagonal; a ${symmetry} matrix lists only the ${symmetry === "symmetric" ? "lower triangle and the diagonal" : "strict lower triangle"}`,
        );
      }
    } else {
      // Column-major listing.
      i = count % M;
      j = Math.floor(count / M);
      v = Number(parts[0]);
    }
    if (field !== "pattern") {
      const cell = format === "array" ? parts[0] : parts[2];
      const parsed = parseNumber(cell ?? "");
      if (parsed === undefined) throw new DataError(`${where}: line ${li + 1}: ${JSON.stringify(cell ?? "")} is not a number`);
      if (field === "integer" && Number.isFinite(parsed) && !Number.isInteger(parsed)) {
        throw new DataError(`${where}: line ${li + 1}: ${cell} is not an integer (the header says integer)`);
      }
      if (field === "integer" && Math.abs(parsed) > FLOAT32_EXACT_INT) {
        throw new DataError(`${where}: line ${li + 1}: ${cell} is larger than float32 holds exactly (2^24 = ${FLOAT32_EXACT_INT}); values are stored as float32`);
      }
      v = checkFloat32(where, `line ${li + 1}`, parsed);
    }
    if (!(v >= 0 && Number.isInteger(v))) allNonNegInt = false;
    put(i, j, v, li + 1);
    if (symmetry !== "general" && i !== j) put(j, i, symmetry === "skew-symmetric" ? -v : v, li + 1);
    count++;
  }
  if (count < nnz) throw new DataError(`${where}: expected ${nnz} entries, found ${count}`);
  for (; li < lines.length; li++) {
    const t = lines[li].trim();
    if (t !== "" && !t.startsWith("%")) {
      throw new DataError(`${where}: line ${li + 1}: more entries than the ${nnz} declared on line ${sizeLine}`);
    }
  }
  const kind: DataKind = opts.kind ?? (field === "pattern" ? "binary" : field === "integer" && allNonNegInt ? "counts" : "real");
  return {
    name: where.replace(/^mtx:/, ""),
    source: where,
    x,
    n,
    g,
    kind,
    split: randomSplit(n, opts.test ?? 0.2, opts.seed ?? 0),
    meta: { format, field, symmetry, transpose: tr, fileShape: [M, N] },
  };
}

/**
 * Loads `mtx:<path>` (gzip is accepted).
 *
 * @example
 * ```ts
 * const ds = loadMtx("matrix.mtx.gz", { transpose: true }); // cells × genes
 * ```
 */
export function loadMtx(path: string, opts: MtxOptions = {}, where = `mtx:${path}`): Dataset {
  const ds = parseMtxText(readText(where, path), opts, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function mtxFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadMtx(path, p as MtxOptions, where);
}
