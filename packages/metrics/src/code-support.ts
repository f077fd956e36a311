/**
 * Per-row support of sparse codes against a known per-row truth (specs/sdlgm.md §3): which units
 * each observation uses, how many, and whether a cap holds. Codes whose units are learned (not
 * named) are aligned to the true dimensions first, by a maximum-weight (Hungarian) assignment on
 * |corr(code means, true codes)| of the held-out rows (specs/metrics.md §7-8), as MCC does.
 *
 * - `levelAccuracy`: mean 1[|b̂_i| = L_i], with the confusion matrix of |b̂_i| against L_i;
 * - `capViolations`: mean 1[|b̂_i| > L0];
 * - `codeSupportPrecision/Recall/F1`: per-row precision, recall and F1 of b̂_i against b_i after
 *   the alignment, macro-averaged over rows (a unit matched to no true dimension is a false
 *   positive wherever it is on; a row with nothing on has precision 0).
 * @module
 */
import { maxAssignment } from "./assignment.js";
import { correlationMatrix } from "./correlation.js";
import type { Matrix } from "./types.js";

/** Row sizes |b_i| of a 0/1 (or γ) matrix thresholded at `threshold`. */
export function rowSizes(active: Matrix, threshold = 0.5): number[] {
  return active.map((r) => {
    let n = 0;
    for (let k = 0; k < r.length; k++) if (r[k] > threshold) n++;
    return n;
  });
}

/** Result of {@link levelAccuracy}. */
export interface LevelAccuracy {
  /** Mean 1[|b̂_i| = L_i] (the chance level of a uniform guess over 1..L0 is 1/L0). */
  accuracy: number;
  /**
   * Rows: the true level L = 1..maxLevel; columns: the predicted size |b̂| = 0..maxSize (counts of
   * rows). `maxSize` is the larger of the true L0 and the largest predicted size.
   */
  confusion: number[][];
}

/**
 * Sparsity-level accuracy: mean 1[|b̂_i| = L_i] and the confusion matrix of |b̂_i| against L_i.
 *
 * @example
 * ```ts
 * levelAccuracy([[1, 0, 1], [0, 1, 0]], [2, 2]); // { accuracy: 0.5, confusion: [[0,0,0,0],[0,1,1,0]] }
 * ```
 */
export function levelAccuracy(active: Matrix, levels: ArrayLike<number>, threshold = 0.5): LevelAccuracy {
  if (active.length !== levels.length) throw new Error(`levelAccuracy: ${active.length} code rows, ${levels.length} levels`);
  const sizes = rowSizes(active, threshold);
  const maxLevel = Math.max(1, ...Array.from(levels));
  const maxSize = Math.max(maxLevel, ...sizes);
  const confusion = Array.from({ length: maxLevel }, () => new Array<number>(maxSize + 1).fill(0));
  let hits = 0;
  sizes.forEach((s, i) => {
    const L = levels[i];
    if (s === L) hits++;
    if (L >= 1) confusion[L - 1][s]++;
  });
  return { accuracy: sizes.length ? hits / sizes.length : NaN, confusion };
}

/**
 * Cap violation rate: mean 1[|b̂_i| > cap]. SDLGM's codes have 0 by construction.
 *
 * @example
 * ```ts
 * capViolations([[1, 1, 1], [1, 0, 0]], 2); // 0.5
 * ```
 */
export function capViolations(active: Matrix, cap: number, threshold = 0.5): number {
  const sizes = rowSizes(active, threshold);
  return sizes.length ? sizes.filter((s) => s > cap).length / sizes.length : NaN;
}

/** Result of {@link codeSupport}. */
export interface CodeSupport {
  precision: number;
  recall: number;
  f1: number;
  /** For each learned unit, the true dimension it was matched to (-1: none). */
  unitToTrue: number[];
}

/**
 * Per-row support recovery after alignment: the learned units are matched to the true dimensions
 * by a Hungarian assignment on |corr(codes, truthZ)| (held-out rows), the predicted support is
 * mapped through it, and precision, recall and F1 of each row's support are averaged over rows.
 * Rows with an empty true support are skipped.
 *
 * @param active - predicted activity per row and unit (γ or 0/1), thresholded at `threshold`.
 * @param codes - code values (posterior means) per row and unit, for the alignment.
 * @param truthSupport - true support per row (0/1), rows × true dimensions.
 * @param truthZ - true codes per row, for the alignment.
 *
 * @example
 * ```ts
 * const r = codeSupport(gamma, zMean, rowSupport, zTrue); r.f1;
 * ```
 */
export function codeSupport(active: Matrix, codes: Matrix, truthSupport: Matrix, truthZ: Matrix, threshold = 0.5): CodeSupport {
  const n = active.length;
  if (codes.length !== n || truthSupport.length !== n || truthZ.length !== n) {
    throw new Error(`codeSupport: row counts differ (active ${n}, codes ${codes.length}, truth support ${truthSupport.length}, truth z ${truthZ.length})`);
  }
  const corr = correlationMatrix(truthZ, codes).map((r) => r.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  const a = maxAssignment(corr); // rows: true dims; cols: learned units
  const unitToTrue = a.colToRow.slice();
  let p = 0;
  let r = 0;
  let f = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const truth = truthSupport[i];
    let nTrue = 0;
    for (let k = 0; k < truth.length; k++) if (truth[k] > 0.5) nTrue++;
    if (nTrue === 0) continue;
    let nPred = 0;
    let hit = 0;
    const row = active[i];
    for (let u = 0; u < row.length; u++) {
      if (!(row[u] > threshold)) continue;
      nPred++;
      const t = unitToTrue[u];
      if (t >= 0 && truth[t] > 0.5) hit++;
    }
    p += nPred ? hit / nPred : 0;
    r += hit / nTrue;
    f += (2 * hit) / (nPred + nTrue);
    rows++;
  }
  return rows ? { precision: p / rows, recall: r / rows, f1: f / rows, unitToTrue } : { precision: NaN, recall: NaN, f1: NaN, unitToTrue };
}
