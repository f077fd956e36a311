/**
 * Class consistency of sparse active sets (VSC class-consistency extension, specs/vsc.md b1 §3).
 * @module
 */
import type { Matrix } from "./types.js";
import { toRows } from "./types.js";

/** Options of {@link classJaccard}. */
export interface JaccardOptions {
  /** A dimension is active when γ > threshold. Default 0.5. */
  threshold?: number;
  /** Jaccard(∅, ∅). Default 1 (two empty sets are identical); see `collapsed`. */
  emptyPairValue?: number;
  /** Use at most this many points per class (the first ones, in input order) to bound the O(N²) pair count. Default: all. */
  maxPerClass?: number;
}

/** Result of {@link classJaccard}. */
export interface JaccardResult {
  /** Mean Jaccard(A_i, A_j) over unordered same-class pairs (NaN if there are none). */
  withinClassJaccard: number;
  /** Mean Jaccard over different-class pairs (NaN if there is one class). */
  betweenClassJaccard: number;
  /** Class labels in sorted order, indexing `classMatrix`. */
  classes: Array<number | string>;
  /** classMatrix[a][b] = mean Jaccard over pairs (i in class a, j in class b, i ≠ j); symmetric. */
  classMatrix: number[][];
  /** Mean |A_i| (number of active dimensions per point). */
  meanActiveSize: number;
  /** Fraction of points whose active set is empty. */
  emptyFraction: number;
  /** True when every active set is empty: the Jaccard scores are then meaningless (trivial minimiser of L_JSD), report collapse instead. */
  collapsed: boolean;
  /**
   * True when every point has the same non-empty active set: the code is not sample-specific (the
   * other degenerate VSC solution: a fixed set of always-on units), and Jaccard = 1 says nothing.
   */
  uniform: boolean;
  /** Number of distinct active sets among the points. */
  distinctActiveSets: number;
  threshold: number;
}

/**
 * Active-set consistency: A_i = {d : γ_id > 0.5}; within-class Jaccard = mean of
 * |A_i ∩ A_j| / |A_i ∪ A_j| over same-class pairs; between-class over different-class
 * pairs; the class × class matrix of mean Jaccard (super-category blocks on
 * Fashion-MNIST); and the mean active-set size.
 *
 * Jaccard(∅, ∅) is defined as `emptyPairValue` (default 1: identical sets). Because
 * an all-inactive model (γ → 0, the trivial minimiser of the class-consistency loss)
 * would then score a perfect 1, `collapsed` is `true` when every active set is empty;
 * callers should report the collapse instead of the score. `emptyFraction` shows partial
 * collapse. Jaccard(∅, A) = 0 for non-empty A.
 *
 * Reference: definitions proposed in `specs/vsc.md` part b1 §3 for Sangari Abiz,
 * Hosseini, Araabi (2025), the class-consistency extension of VSC (Tonolini et al., 2020).
 *
 * @example
 * ```ts
 * const r = classJaccard(gamma, labels);
 * if (r.collapsed) console.warn("all active sets empty"); else r.withinClassJaccard;
 * ```
 */
export function classJaccard(
  gamma: Matrix,
  labels: ArrayLike<number | string>,
  options: JaccardOptions = {},
): JaccardResult {
  const threshold = options.threshold ?? 0.5;
  const emptyPair = options.emptyPairValue ?? 1;
  toRows(gamma, "classJaccard gamma");
  if (gamma.length !== labels.length) throw new Error(`classJaccard: ${gamma.length} rows but ${labels.length} labels`);
  const D = gamma.length ? gamma[0].length : 0;
  const words = Math.max(1, Math.ceil(D / 32));
  const classes = Array.from(new Set(Array.from(labels))).sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const perClassCount = new Array<number>(classes.length).fill(0);
  const keep: number[] = [];
  for (let i = 0; i < gamma.length; i++) {
    const c = classIndex.get(labels[i]) as number;
    if (options.maxPerClass !== undefined && perClassCount[c] >= options.maxPerClass) continue;
    perClassCount[c]++;
    keep.push(i);
  }
  const n = keep.length;
  const bits = new Uint32Array(n * words);
  const size = new Int32Array(n);
  const cls = new Int32Array(n);
  let totalSize = 0;
  let empty = 0;
  keep.forEach((i, k) => {
    cls[k] = classIndex.get(labels[i]) as number;
    const row = gamma[i];
    for (let d = 0; d < D; d++) {
      if (row[d] > threshold) {
        bits[k * words + (d >>> 5)] |= 1 << (d & 31);
        size[k]++;
      }
    }
    totalSize += size[k];
    if (size[k] === 0) empty++;
  });
  const C = classes.length;
  const sum = new Float64Array(C * C);
  const cnt = new Float64Array(C * C);
  let wSum = 0;
  let wCnt = 0;
  let bSum = 0;
  let bCnt = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let inter = 0;
      for (let w = 0; w < words; w++) inter += popcount(bits[a * words + w] & bits[b * words + w]);
      const uni = size[a] + size[b] - inter;
      const j = uni === 0 ? emptyPair : inter / uni;
      const ca = cls[a];
      const cb = cls[b];
      sum[ca * C + cb] += j;
      cnt[ca * C + cb]++;
      if (ca !== cb) {
        sum[cb * C + ca] += j;
        cnt[cb * C + ca]++;
        bSum += j;
        bCnt++;
      } else {
        wSum += j;
        wCnt++;
      }
    }
  }
  const distinct = new Set<string>();
  for (let k = 0; k < n; k++) distinct.add(Array.from(bits.subarray(k * words, (k + 1) * words)).join(","));
  const classMatrix = Array.from({ length: C }, (_, a) =>
    Array.from({ length: C }, (_, b) => (cnt[a * C + b] > 0 ? sum[a * C + b] / cnt[a * C + b] : NaN)),
  );
  return {
    withinClassJaccard: wCnt > 0 ? wSum / wCnt : NaN,
    betweenClassJaccard: bCnt > 0 ? bSum / bCnt : NaN,
    classes,
    classMatrix,
    meanActiveSize: n > 0 ? totalSize / n : NaN,
    emptyFraction: n > 0 ? empty / n : NaN,
    collapsed: n > 0 && empty === n,
    uniform: n > 1 && empty < n && distinct.size === 1,
    distinctActiveSets: distinct.size,
    threshold,
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Label-free statistics of active sets A_i = {d : γ_id > threshold}. */
export interface ActiveSetStats {
  /** Mean |A_i|. */
  meanActiveSize: number;
  /** Fraction of points with an empty active set (1 = collapse). */
  emptyFraction: number;
  /** Number of distinct active sets (1 = one fixed set for every point). */
  distinctActiveSets: number;
  /** Fraction of points whose active set is the most common one (1 = one fixed set for every point). */
  modalSetFraction: number;
  /** Units active for at least `usedShare` of the points (the VSC paper's count of "active latents"). */
  usedLatents: number;
}

/**
 * Mean active-set size, empty fraction, number of distinct active sets and the share of the most
 * common one of a code, without
 * labels (O(N·D); {@link classJaccard} adds the class pair scores when labels exist).
 *
 * @example
 * ```ts
 * activeSetStats([[0.9, 0.1], [0.2, 0.7]]); // { meanActiveSize: 1, emptyFraction: 0, distinctActiveSets: 2, modalSetFraction: 0.5, usedLatents: 2 }
 * ```
 */
export function activeSetStats(gamma: Matrix, threshold = 0.5, usedShare = 0.01): ActiveSetStats {
  toRows(gamma, "activeSetStats gamma");
  const n = gamma.length;
  const count = new Map<string, number>();
  const perUnit = new Array<number>(gamma[0]?.length ?? 0).fill(0);
  let total = 0;
  let empty = 0;
  for (const row of gamma) {
    const on: number[] = [];
    for (let d = 0; d < row.length; d++) if (row[d] > threshold) on.push(d);
    for (const d of on) perUnit[d]++;
    total += on.length;
    if (on.length === 0) empty++;
    const key = on.join(",");
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  let modal = 0;
  for (const c of count.values()) if (c > modal) modal = c;
  const usedLatents = perUnit.filter((c) => n > 0 && c / n >= usedShare).length;
  return { meanActiveSize: n ? total / n : NaN, emptyFraction: n ? empty / n : NaN, distinctActiveSets: count.size, modalSetFraction: n ? modal / n : NaN, usedLatents };
}
