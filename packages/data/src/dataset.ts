/**
 * The `Dataset` type shared by every generator and loader, plus small helpers (gather rows,
 * column statistics, splits, minibatches, `describe` for `sdgm data <source>`, `validate`).
 *
 * Browser-safe: no tfjs, no Node-only modules.
 */
import { Key } from "@sparse-dgm/core";

/** What the entries of `x` are: any real number, only 0/1, or non-negative integers. */
export type DataKind = "real" | "binary" | "counts";

/** The known generating structure of a synthetic dataset (absent for real data). */
export interface Truth {
  /** Number of true latent factors (columns of `z`). */
  k?: number;
  /** True latent values, n×k row-major. For sparse codes, already masked by the row support. */
  z?: Float32Array;
  /**
   * True feature-by-factor weights, g×`wCols` row-major (`wCols` defaults to `k`). For the Moran
   * data this is the 7×5 scoring matrix of the reference (`wCols` = 5 = the fitted K).
   */
  W?: Float32Array;
  /** Column count of `W` and `support` when it differs from `k`. */
  wCols?: number;
  /** Feature-by-factor support (1 where feature j depends on factor k), same shape as `W`. */
  support?: Uint8Array;
  /** Per-row support of sparse codes (n×k, 1 where z_ik is active), e.g. SDLGM's b_i. */
  rowSupport?: Uint8Array;
  /** Per-row sparsity level (SDLGM's L_i). */
  levels?: Int32Array;
  /** Anchor features: `anchors[k]` lists the (0-based) features that depend on factor k alone. */
  anchors?: number[][];
  /** Generator-specific extras (documented by each generator). */
  extra?: Record<string, unknown>;
}

/** The tag sets of multi-label data. */
export interface Tags {
  /** n×T row-major, 1 where row i has tag t. */
  y: Uint8Array;
  /** The T tag names (their order is the column order of `y`). */
  names: string[];
}

/**
 * Per-row tag counts |y_i| of multi-label data over rows `idx` (default all), and their empirical
 * distribution over 0..max (the SDLGM prior on the level L, specs/sdlgm.md §5).
 *
 * @example
 * ```ts
 * tagCounts(ds, ds.split.train).distribution; // [0, 0.35, 0.25, ...]: P(|y| = 0), P(|y| = 1), ...
 * ```
 */
export function tagCounts(ds: Pick<Dataset, "tags" | "n">, idx?: ArrayLike<number>): { counts: Int32Array; distribution: number[] } {
  const t = ds.tags;
  if (!t) throw new DataError("tagCounts: the data have no tags");
  const T = t.names.length;
  const m = idx ? idx.length : ds.n;
  const counts = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const i = idx ? idx[r] : r;
    let c = 0;
    for (let k = 0; k < T; k++) c += t.y[i * T + k];
    counts[r] = c;
  }
  const max = counts.reduce((a, b) => Math.max(a, b), 0);
  const distribution = new Array<number>(max + 1).fill(0);
  for (const c of counts) distribution[c] += 1 / Math.max(m, 1);
  return { counts, distribution };
}

/** Train/test row indices (0-based, sorted, disjoint). */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * A dataset: an n×g row-major float matrix plus its split, optional labels and optional truth.
 *
 * @example
 * ```ts
 * const ds = await loadData("synthetic:moran?rho=0.2&seed=3");
 * ds.x[i * ds.g + j];      // feature j of row i
 * rows(ds, ds.split.train); // the training rows as a Float32Array
 * ```
 */
export interface Dataset {
  /** Short name (the generator or the file's base name). */
  name: string;
  /** The canonical source string this dataset came from (used in error messages). */
  source: string;
  /** Row-major n×g values. */
  x: Float32Array;
  /** Number of rows (observations). */
  n: number;
  /** Number of columns (features). */
  g: number;
  kind: DataKind;
  /** Column names, length g, when known. */
  featureNames?: string[];
  /** Row names (user ids, cell barcodes, document ids), length n, when known. */
  rowNames?: string[];
  /** Class id per row, -1 = missing. */
  labels?: Int32Array;
  /** Class names by id, when known. */
  labelNames?: string[];
  /**
   * Per-row integer attributes besides the class label, by name (-1 = missing), e.g. a sensitive
   * attribute `sensitive` (fairness) or the `environment` a row was drawn from (invariance); the
   * models that read one as side data and the metrics that score against one name it.
   */
  attributes?: Record<string, Int32Array>;
  /**
   * Multi-view data with views missing for some rows: n × views (the views of `meta.groups`),
   * 1 where the row has the view, 0 where it does not (its features then hold 0). Absent: every row
   * has every view.
   */
  viewMask?: Uint8Array;
  /**
   * Multi-label data: each row's tag set y_i as an n×T row-major 0/1 matrix, with the T tag names
   * (`synthetic:tags`, `csv:<path>?labels=<column>`).
   */
  tags?: Tags;
  split: Split;
  truth?: Truth;
  /** Free-form metadata: generator parameters, file paths, `groups` for multi-view data, ... */
  meta: Record<string, unknown>;
}

/** A data error: thrown by `validate`, loaders and source parsing. */
export class DataError extends Error {
  override name = "DataError";
}

/**
 * Gathers rows `idx` of `ds.x` into a new row-major Float32Array (|idx|×g).
 *
 * @example
 * ```ts
 * const xTrain = rows(ds, ds.split.train);
 * ```
 */
export function rows(ds: Pick<Dataset, "x" | "g">, idx: ArrayLike<number>): Float32Array {
  const g = ds.g;
  const out = new Float32Array(idx.length * g);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    out.set(ds.x.subarray(i * g, (i + 1) * g), r * g);
  }
  return out;
}

/**
 * Gathers the rows `idx` of an n×k row-major array (labels, truth.z, ...) of any typed kind.
 *
 * @example
 * ```ts
 * const zTest = gatherRows(ds.truth!.z!, ds.truth!.k!, ds.split.test);
 * ```
 */
export function gatherRows<T extends Float32Array | Int32Array | Uint8Array>(
  a: T,
  width: number,
  idx: ArrayLike<number>,
): T {
  const ctor = a.constructor as new (n: number) => T;
  const out = new ctor(idx.length * width);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    out.set(a.subarray(i * width, (i + 1) * width) as ArrayLike<number>, r * width);
  }
  return out;
}

/**
 * A new Dataset holding only rows `idx` (all of them in `train`, none in `test`), with labels and
 * row-indexed truth (z, rowSupport, levels) gathered too.
 *
 * @example
 * ```ts
 * const test = subset(ds, ds.split.test);
 * ```
 */
export function subset(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const m = idx.length;
  const t = ds.truth;
  let truth: Truth | undefined;
  if (t) {
    truth = { ...t };
    if (t.z && t.k) truth.z = gatherRows(t.z, t.k, idx);
    if (t.rowSupport && t.k) truth.rowSupport = gatherRows(t.rowSupport, t.k, idx);
    if (t.levels) truth.levels = gatherRows(t.levels, 1, idx);
  }
  const all = new Int32Array(m);
  for (let i = 0; i < m; i++) all[i] = i;
  return {
    ...ds,
    x: rows(ds, idx),
    n: m,
    labels: ds.labels ? gatherRows(ds.labels, 1, idx) : undefined,
    ...(ds.attributes ? { attributes: Object.fromEntries(Object.entries(ds.attributes).map(([k, a]) => [k, gatherRows(a, 1, idx)])) } : {}),
    ...(ds.viewMask ? { viewMask: gatherRows(ds.viewMask, ds.viewMask.length / Math.max(ds.n, 1), idx) } : {}),
    tags: ds.tags ? { ...ds.tags, y: gatherRows(ds.tags.y, ds.tags.names.length, idx) } : undefined,
    ...(ds.rowNames ? { rowNames: Array.from(idx, (i) => ds.rowNames![i]) } : {}),
    split: { train: all, test: new Int32Array(0) },
    truth,
  };
}

/** Per-column mean over rows `idx` (default: all rows). */
export function columnMeans(ds: Pick<Dataset, "x" | "n" | "g">, idx?: ArrayLike<number>): Float64Array {
  const { g } = ds;
  const m = idx ? idx.length : ds.n;
  const mean = new Float64Array(g);
  for (let r = 0; r < m; r++) {
    const i = idx ? idx[r] : r;
    for (let j = 0; j < g; j++) mean[j] += ds.x[i * g + j];
  }
  for (let j = 0; j < g; j++) mean[j] /= Math.max(m, 1);
  return mean;
}

/**
 * Per-column standard deviation over rows `idx` (default all), with `ddof` (default 0, numpy's
 * `np.std`), computed in float64 with a two-pass formula.
 *
 * @example
 * ```ts
 * columnSds(await loadData("synthetic:moran")); // ≈ [1.1, 2.1, 4.2, 4.0, 5.0, 4.0, 7.0]
 * ```
 */
export function columnSds(
  ds: Pick<Dataset, "x" | "n" | "g">,
  opts: { rows?: ArrayLike<number>; ddof?: number } = {},
): Float64Array {
  const { g } = ds;
  const idx = opts.rows;
  const m = idx ? idx.length : ds.n;
  const mean = columnMeans(ds, idx);
  const ss = new Float64Array(g);
  for (let r = 0; r < m; r++) {
    const i = idx ? idx[r] : r;
    for (let j = 0; j < g; j++) {
      const d = ds.x[i * g + j] - mean[j];
      ss[j] += d * d;
    }
  }
  const denom = Math.max(m - (opts.ddof ?? 0), 1);
  for (let j = 0; j < g; j++) ss[j] = Math.sqrt(ss[j] / denom);
  return ss;
}

function sortedInt32(a: number[]): Int32Array {
  const out = Int32Array.from(a);
  out.sort();
  return out;
}

/**
 * A seeded random split: `round(n·testFraction)` rows go to test (chosen by a Key permutation),
 * the rest to train. Both index arrays are sorted.
 *
 * @example
 * ```ts
 * const split = randomSplit(1000, 0.2, 0); // 800 train / 200 test, the same for seed 0 everywhere
 * ```
 */
export function randomSplit(n: number, testFraction: number, seed: number | Key = 0): Split {
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new DataError(`randomSplit: test fraction must be in [0, 1), got ${testFraction}`);
  }
  const key = typeof seed === "number" ? Key.of(seed) : seed;
  const perm = key.foldIn("split").permutation(n);
  const nTest = Math.round(n * testFraction);
  return {
    test: sortedInt32(Array.from(perm.subarray(0, nTest))),
    train: sortedInt32(Array.from(perm.subarray(nTest))),
  };
}

/**
 * A split from a fold vector: rows whose fold is in `testFolds` are test, the rest train.
 *
 * @example
 * ```ts
 * splitFromFolds([0, 1, 1, 0], [0]); // { train: [1, 2], test: [0, 3] }
 * ```
 */
export function splitFromFolds(folds: ArrayLike<number>, testFolds: number[] = [0]): Split {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < folds.length; i++) (testFolds.includes(folds[i]) ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/**
 * Fold `fold` of a seeded K-fold partition of n rows: a permutation (from `seed`) cut into K
 * contiguous parts of ⌊n/K⌋ or ⌈n/K⌉ rows; part `fold` is the test split, the rest train. Every row
 * is in exactly one fold's test split, and the partition is the same for every model and seed
 * fitted with the same `seed`.
 *
 * @example
 * ```ts
 * kFoldSplit(10, 5, 0).test.length; // 2
 * ```
 */
export function kFoldSplit(n: number, k: number, fold: number, seed: number | Key = 0): Split {
  if (!(Number.isInteger(k) && k >= 2)) throw new DataError(`kFoldSplit: folds must be an integer >= 2, got ${k}`);
  if (k > n) throw new DataError(`kFoldSplit: ${k} folds need at least ${k} rows, the data have ${n}`);
  if (!(Number.isInteger(fold) && fold >= 0 && fold < k)) throw new DataError(`kFoldSplit: fold must be in 0..${k - 1}, got ${fold}`);
  const key = typeof seed === "number" ? Key.of(seed) : seed;
  const perm = key.foldIn("folds").permutation(n);
  const lo = Math.floor((fold * n) / k);
  const hi = Math.floor(((fold + 1) * n) / k);
  const test = Array.from(perm.subarray(lo, hi));
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (!inTest[i]) train.push(i);
  return { train: Int32Array.from(train), test: sortedInt32(test) };
}

/** A split whose first `nTrain` rows are train and the remaining rows test. */
export function headTailSplit(n: number, nTrain: number): Split {
  const train = new Int32Array(nTrain);
  const test = new Int32Array(n - nTrain);
  for (let i = 0; i < nTrain; i++) train[i] = i;
  for (let i = nTrain; i < n; i++) test[i - nTrain] = i;
  return { train, test };
}

/**
 * Shuffles `idx` with `key` and cuts it into minibatches of `batchSize` (the last may be
 * smaller unless `dropLast`).
 *
 * @example
 * ```ts
 * for (const b of minibatches(ds.split.train, 100, key.foldIn(epoch))) train(rows(ds, b));
 * ```
 */
export function minibatches(
  idx: Int32Array,
  batchSize: number,
  key: Key,
  opts: { dropLast?: boolean } = {},
): Int32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new DataError(`minibatches: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const perm = key.permutation(idx.length);
  const out: Int32Array[] = [];
  for (let s = 0; s < idx.length; s += batchSize) {
    const e = Math.min(s + batchSize, idx.length);
    if (opts.dropLast && e - s < batchSize) break;
    const b = new Int32Array(e - s);
    for (let i = s; i < e; i++) b[i - s] = idx[perm[i]];
    out.push(b);
  }
  return out;
}

/** 1-based "row r, column c ("name")" text used by every data error. */
export function cellRef(row0: number, col0: number, featureNames?: string[]): string {
  const name = featureNames?.[col0];
  return `row ${row0 + 1}, column ${col0 + 1}${name !== undefined ? ` (${JSON.stringify(name)})` : ""}`;
}

/**
 * Checks a dataset: array sizes match n×g, every value is finite and fits `kind` (binary: only
 * 0/1; counts: non-negative integers), split indices are in range and disjoint, labels are
 * integers ≥ -1. Throws a {@link DataError} naming the source and the 1-based row and column of
 * the first bad value; returns the dataset otherwise.
 *
 * @example
 * ```ts
 * validate(ds);
 * // DataError: csv:foo.csv: row 17, column 3 ("age"): value NaN is not finite
 * ```
 */
export function validate(ds: Dataset): Dataset {
  const p = ds.source;
  if (!(Number.isInteger(ds.n) && ds.n >= 0 && Number.isInteger(ds.g) && ds.g >= 0)) {
    throw new DataError(`${p}: bad shape n=${ds.n}, g=${ds.g}`);
  }
  if (ds.n === 0) throw new DataError(`${p}: no data rows (a header alone, or an empty file)`);
  if (ds.g === 0) throw new DataError(`${p}: no columns (features)`);
  if (ds.x.length !== ds.n * ds.g) {
    throw new DataError(`${p}: x has ${ds.x.length} values, expected n×g = ${ds.n}×${ds.g} = ${ds.n * ds.g}`);
  }
  if (ds.featureNames && ds.featureNames.length !== ds.g) {
    throw new DataError(`${p}: ${ds.featureNames.length} feature names for ${ds.g} columns`);
  }
  if (ds.rowNames && ds.rowNames.length !== ds.n) {
    throw new DataError(`${p}: ${ds.rowNames.length} row names for ${ds.n} rows`);
  }
  const { x, g, kind } = ds;
  for (let t = 0; t < x.length; t++) {
    const v = x[t];
    let why: string | undefined;
    if (!Number.isFinite(v)) why = "is not finite";
    else if (kind === "binary" && v !== 0 && v !== 1) why = "is not 0 or 1 (kind binary)";
    else if (kind === "counts" && (v < 0 || !Number.isInteger(v))) why = "is not a non-negative integer (kind counts)";
    if (why) {
      const i = Math.floor(t / g);
      throw new DataError(`${p}: ${cellRef(i, t - i * g, ds.featureNames)}: value ${v} ${why}`);
    }
  }
  if (ds.labels) {
    if (ds.labels.length !== ds.n) throw new DataError(`${p}: ${ds.labels.length} labels for ${ds.n} rows`);
    for (let i = 0; i < ds.n; i++) {
      if (ds.labels[i] < -1) throw new DataError(`${p}: row ${i + 1}: label ${ds.labels[i]} is < -1`);
    }
  }
  for (const [name, a] of Object.entries(ds.attributes ?? {})) {
    if (a.length !== ds.n) throw new DataError(`${p}: attribute "${name}" has ${a.length} values for ${ds.n} rows`);
    for (let i = 0; i < ds.n; i++) {
      if (!(Number.isInteger(a[i]) && a[i] >= -1)) throw new DataError(`${p}: row ${i + 1}: attribute "${name}" is ${a[i]}, expected an integer >= -1 (-1 = missing)`);
    }
  }
  if (ds.viewMask) {
    const views = (ds.meta.groups as number[][] | undefined)?.length;
    if (!views) throw new DataError(`${p}: a view mask needs the views (meta.groups)`);
    if (ds.viewMask.length !== ds.n * views) throw new DataError(`${p}: the view mask has ${ds.viewMask.length} values for ${ds.n} rows × ${views} views`);
    for (let t = 0; t < ds.viewMask.length; t++) {
      if (ds.viewMask[t] !== 0 && ds.viewMask[t] !== 1) throw new DataError(`${p}: row ${Math.floor(t / views) + 1}, view ${(t % views) + 1}: view mask ${ds.viewMask[t]} is not 0 or 1`);
    }
  }
  if (ds.tags) {
    const T = ds.tags.names.length;
    if (ds.tags.y.length !== ds.n * T) throw new DataError(`${p}: tags hold ${ds.tags.y.length} entries for ${ds.n} rows × ${T} tags`);
  }
  const seen = new Uint8Array(ds.n);
  for (const part of ["train", "test"] as const) {
    for (const i of ds.split[part]) {
      if (!(i >= 0 && i < ds.n)) throw new DataError(`${p}: split.${part} index ${i} out of range [0, ${ds.n})`);
      if (seen[i]) throw new DataError(`${p}: row ${i + 1} appears twice in the split`);
      seen[i] = 1;
    }
  }
  const t = ds.truth;
  if (t) {
    const wCols = t.wCols ?? t.k;
    if (t.z && t.k !== undefined && t.z.length !== ds.n * t.k) {
      throw new DataError(`${p}: truth.z has ${t.z.length} values, expected n×k = ${ds.n}×${t.k}`);
    }
    if (t.W && wCols !== undefined && t.W.length !== ds.g * wCols) {
      throw new DataError(`${p}: truth.W has ${t.W.length} values, expected g×${wCols}`);
    }
    if (t.support && wCols !== undefined && t.support.length !== ds.g * wCols) {
      throw new DataError(`${p}: truth.support has ${t.support.length} values, expected g×${wCols}`);
    }
  }
  return ds;
}

/** Per-column summary used by {@link describe}. */
export interface ColumnSummary {
  index: number;
  name?: string;
  min: number;
  mean: number;
  max: number;
}

/** The summary printed by `sdgm data <source>`. */
export interface Description {
  name: string;
  source: string;
  shape: [number, number];
  kind: DataKind;
  split: { train: number; test: number };
  columns: ColumnSummary[];
  /** How `columns` were chosen: every column, or (wide data) the ones with the largest variance, in column order. */
  columnsBy: "all" | "variance";
  /** The first rows (the chosen columns only), rounded to 4 significant digits. */
  preview: number[][];
  labels?: { classes: number; missing: number; counts: Record<string, number> };
  /** Each per-row attribute: its value counts (missing = -1 counted apart). */
  attributes?: Record<string, { missing: number; counts: Record<string, number> }>;
  /** Multi-label data: the number of tags and the distribution of tags per row (index = count). */
  tags?: { tags: number; perRow: number[] };
  truth?: Record<string, unknown>;
  meta: Record<string, unknown>;
}

function round4(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(4));
}

/**
 * Shape, kind, split sizes, per-column min/mean/max (every column when there are at most
 * `maxCols`, else the `maxCols` with the largest variance: the first columns of an image are its
 * blank border), a preview of the first `previewRows` rows on those columns, a label histogram
 * and a truth summary.
 *
 * @example
 * ```ts
 * console.log(formatDescription(describe(await loadData("synthetic:smiley?n=100"))));
 * ```
 */
export function describe(ds: Dataset, opts: { maxCols?: number; previewRows?: number } = {}): Description {
  const maxCols = Math.min(opts.maxCols ?? 8, ds.g);
  const previewRows = Math.min(opts.previewRows ?? 5, ds.n);
  let chosen = Array.from({ length: maxCols }, (_, j) => j);
  if (maxCols < ds.g) {
    // two passes (mean, then squared deviations): equal spreads compare equal, so ties keep column order
    const mean = new Float64Array(ds.g);
    const dev = new Float64Array(ds.g); // n × the variance, which orders the columns the same
    for (let i = 0; i < ds.n; i++) for (let j = 0; j < ds.g; j++) mean[j] += ds.x[i * ds.g + j] / ds.n;
    for (let i = 0; i < ds.n; i++) for (let j = 0; j < ds.g; j++) dev[j] += (ds.x[i * ds.g + j] - mean[j]) ** 2;
    chosen = Array.from({ length: ds.g }, (_, j) => j)
      .sort((a, b) => dev[b] - dev[a] || a - b)
      .slice(0, maxCols)
      .sort((a, b) => a - b);
  }
  const columns: ColumnSummary[] = [];
  for (const j of chosen) {
    let mn = Infinity;
    let mx = -Infinity;
    let s = 0;
    for (let i = 0; i < ds.n; i++) {
      const v = ds.x[i * ds.g + j];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      s += v;
    }
    columns.push({
      index: j,
      ...(ds.featureNames ? { name: ds.featureNames[j] } : {}),
      min: round4(mn),
      mean: round4(s / Math.max(ds.n, 1)),
      max: round4(mx),
    });
  }
  const preview: number[][] = [];
  for (let i = 0; i < previewRows; i++) {
    const r: number[] = [];
    for (const j of chosen) r.push(round4(ds.x[i * ds.g + j]));
    preview.push(r);
  }
  const d: Description = {
    name: ds.name,
    source: ds.source,
    shape: [ds.n, ds.g],
    kind: ds.kind,
    split: { train: ds.split.train.length, test: ds.split.test.length },
    columns,
    columnsBy: maxCols < ds.g ? "variance" : "all",
    preview,
    meta: ds.meta,
  };
  if (ds.tags) d.tags = { tags: ds.tags.names.length, perRow: tagCounts(ds).distribution.map(round4) };
  if (ds.labels) {
    const counts: Record<string, number> = {};
    let missing = 0;
    for (const l of ds.labels) {
      if (l < 0) missing++;
      else {
        const name = ds.labelNames?.[l] ?? String(l);
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    d.labels = { classes: Object.keys(counts).length, missing, counts };
  }
  if (ds.attributes && Object.keys(ds.attributes).length) {
    d.attributes = Object.fromEntries(
      Object.entries(ds.attributes).map(([name, a]) => {
        const counts: Record<string, number> = {};
        let missing = 0;
        for (const v of a) if (v < 0) missing++;
        else counts[String(v)] = (counts[String(v)] ?? 0) + 1;
        return [name, { missing, counts }];
      }),
    );
  }
  if (ds.truth) {
    const t = ds.truth;
    const s: Record<string, unknown> = {};
    if (t.k !== undefined) s.k = t.k;
    if (t.z) s.z = [ds.n, t.k];
    const wCols = t.wCols ?? t.k;
    if (t.W) s.W = [ds.g, wCols];
    if (t.support) {
      let nnz = 0;
      for (const v of t.support) nnz += v;
      s.support = { shape: [ds.g, wCols], nonzeros: nnz };
    }
    if (t.rowSupport) {
      let nnz = 0;
      for (const v of t.rowSupport) nnz += v;
      s.rowSupport = { shape: [ds.n, t.k], meanActive: round4(nnz / Math.max(ds.n, 1)) };
    }
    if (t.levels) s.levels = { n: t.levels.length };
    if (t.anchors) s.anchors = t.anchors;
    if (t.extra) s.extra = Object.keys(t.extra);
    d.truth = s;
  }
  return d;
}

/**
 * Plain-text rendering of a {@link Description} for the terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(formatDescription(describe(ds)));
 * ```
 */
export function formatDescription(d: Description): string {
  const lines: string[] = [];
  lines.push(`${d.name}  (${d.source})`);
  lines.push(`shape ${d.shape[0]} × ${d.shape[1]}, kind ${d.kind}, split ${d.split.train} train / ${d.split.test} test`);
  lines.push(d.columnsBy === "all" ? `columns (all ${d.columns.length}):` : `columns (the ${d.columns.length} of ${d.shape[1]} with the largest variance):`);
  for (const c of d.columns) {
    lines.push(`  ${String(c.index + 1).padStart(4)} ${(c.name ?? "").padEnd(12)} min ${c.min}  mean ${c.mean}  max ${c.max}`);
  }
  lines.push(`preview (first ${d.preview.length} rows${d.columnsBy === "all" ? "" : ", those columns"}):`);
  if (d.columnsBy === "variance") lines.push(`  ${d.columns.map((c) => c.name ?? String(c.index + 1)).join("\t")}`);
  for (const r of d.preview) lines.push(`  ${r.join("\t")}`);
  if (d.labels) {
    // the largest class's share: the majority rate a linear probe must beat
    const counts = Object.entries(d.labels.counts).sort((a, b) => b[1] - a[1]);
    const labelled = counts.reduce((s, [, c]) => s + c, 0);
    const top = counts[0] ? `; largest ${JSON.stringify(counts[0][0])} ${counts[0][1]} (majority rate ${(counts[0][1] / Math.max(labelled, 1)).toFixed(3)})` : "";
    lines.push(`labels: ${d.labels.classes} classes, ${d.labels.missing} missing${top}`);
  }
  if (d.tags) lines.push(`tags: ${d.tags.tags}; share of rows with 0, 1, 2, ... tags: ${d.tags.perRow.join(", ")}`);
  for (const [name, a] of Object.entries(d.attributes ?? {})) {
    lines.push(`attribute ${name}: ${Object.entries(a.counts).map(([v, c]) => `${v}: ${c}`).join(", ")}${a.missing ? `, ${a.missing} missing` : ""}`);
  }
  if (d.truth) lines.push(`truth: ${JSON.stringify(d.truth)}`);
  return lines.join("\n") + "\n";
}
