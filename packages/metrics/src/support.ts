/**
 * Support recovery of a sparse loading matrix (sparse VAE / sparse factor models).
 * @module
 */
import { maxAssignment } from "./assignment.js";
import { correlationMatrix } from "./correlation.js";
import type { Matrix } from "./types.js";
import { nCols, toRows } from "./types.js";

/** Options of {@link supportRecovery}. */
export interface SupportOptions {
  /** Magnitude threshold τ: an entry is in the estimated support iff |Ŵ| ≥ τ and Ŵ ≠ 0 (sim1_eval.R zeroes |W| < 0.01). Default 0.01. */
  threshold?: number;
  /** Posterior inclusion probabilities p* (same shape as Ŵ): entries with p* < 0.5 are dropped, as sim1_eval.R. */
  pStar?: Matrix;
  /**
   * Given alignment: `alignment[k]` = learned column matched to true factor k (-1 = none).
   * Takes precedence over `zMean`/`zTrue`.
   */
  alignment?: ArrayLike<number>;
  /** Learned codes (encoder means, N × L) for the Hungarian alignment on |corr(zMean, zTrue)|; use held-out data. */
  zMean?: Matrix;
  /** True factors (N × K), same rows as `zMean`. */
  zTrue?: Matrix;
}

/** Result of {@link supportRecovery}. */
export interface SupportResult {
  supportPrecision: number;
  supportRecall: number;
  supportF1: number;
  /** Number of mismatching entries, over the true columns plus the unmatched learned columns (= FP + FN), as sim1_eval.R's `sum(W_supp != W_true_supp)`. */
  supportHamming: number;
  threshold: number;
  /** `alignment[k]` = learned column matched to true factor k (-1 = none). */
  alignment: number[];
  /** Learned columns matched to no true factor; all their support entries are false positives. */
  unmatchedColumns: number[];
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/**
 * Binary support of a loading matrix: |W| ≥ τ, W ≠ 0, and (if given) p* ≥ 0.5.
 * @example
 * ```ts
 * binarySupport([[0.5, 0.001]]); // [[true, false]]
 * ```
 */
export function binarySupport(W: Matrix, threshold = 0.01, pStar?: Matrix): boolean[][] {
  toRows(W, "binarySupport W");
  if (pStar && (pStar.length !== W.length || nCols(pStar) !== nCols(W))) {
    throw new Error(`binarySupport: pStar is ${pStar.length}×${nCols(pStar)}, W is ${W.length}×${nCols(W)}`);
  }
  return W.map((row, g) =>
    Array.from(row, (v, j) => v !== 0 && Math.abs(v) >= threshold && (pStar ? pStar[g][j] >= 0.5 : true)),
  );
}

/**
 * Hungarian alignment of learned columns to true factors on |corr(zMean, zTrue)|:
 * `alignment[k]` = learned column for true factor k (-1 if there are fewer learned columns).
 * @example
 * ```ts
 * hungarianAlignment(zMean, zTrue); // e.g. [3, 0]
 * ```
 */
export function hungarianAlignment(zMean: Matrix, zTrue: Matrix): number[] {
  const C = correlationMatrix(zTrue, zMean).map((r) => r.map(Math.abs));
  return maxAssignment(C).rowToCol;
}

/**
 * Hungarian alignment of learned columns to true factors by the loadings themselves, when the true
 * factors' values are unknown (the genres of a ratings file): maximises the summed
 * |corr(|Ŵ|·1[p* ≥ 0.5] column, W_true column)| over features. `alignment[k]` = learned column for
 * true factor k (-1 when there are fewer learned columns); a constant column correlates 0.
 *
 * @example
 * ```ts
 * loadingAlignment([[0, 2], [1, 0]], [[1, 0], [0, 1]]); // [1, 0]
 * ```
 */
export function loadingAlignment(What: Matrix, Wtrue: Matrix, pStar?: Matrix): number[] {
  const abs = What.map((row, g) => Array.from(row, (v, j) => (pStar && pStar[g][j] < 0.5 ? 0 : Math.abs(v))));
  const C = correlationMatrix(Wtrue, abs).map((r) => r.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return maxAssignment(C).rowToCol;
}

/** Result of {@link greedyAlignment}. */
export interface GreedyAlignment {
  /** `inds[k]`: the learned column with max |corr| with true factor k (first maximum, as R's `which.max`). May repeat. */
  inds: number[];
  /** R's `union(inds, 1:L)` (0-based): the column order applied to Ŵ. */
  order: number[];
  /** `alignment[k] = order[k]`: the column compared with true column k after reordering. */
  alignment: number[];
  /** Sign of corr(zTrue[, k], zMean[, inds[k]]) (sim1_eval.R flips columns by it). */
  signs: number[];
}

/**
 * The Sparse VAE authors' greedy alignment (`results/sim1_eval.R`): for each true factor,
 * the learned code with max |corr|; reorder with `union(inds, 1:L)`. Two factors can pick
 * the same code (then the second factor is compared with whatever column lands at its
 * position), which is why {@link supportRecovery} defaults to Hungarian alignment.
 * Pass `greedyAlignment(...).alignment` as `alignment` to reproduce the R script.
 *
 * Reference: Moran, Sridhar, Wang, Blei (TMLR 2022); `gemoran/sparse-vae-code` `results/sim1_eval.R`.
 *
 * @example
 * ```ts
 * const g = greedyAlignment(zMean, zTrue);
 * supportRecovery(W, Wtrue, { alignment: g.alignment });
 * ```
 */
export function greedyAlignment(zMean: Matrix, zTrue: Matrix): GreedyAlignment {
  const C = correlationMatrix(zTrue, zMean);
  const L = nCols(zMean);
  const inds = C.map((row) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (Math.abs(row[j]) > Math.abs(row[best])) best = j;
    return best;
  });
  const order: number[] = [];
  for (const j of [...inds, ...Array.from({ length: L }, (_, j) => j)]) if (!order.includes(j)) order.push(j);
  return {
    inds,
    order,
    alignment: inds.map((_, k) => (k < order.length ? order[k] : -1)),
    signs: C.map((row, k) => (row[inds[k]] < 0 ? -1 : 1)),
  };
}

/**
 * Support recovery of an estimated loading matrix Ŵ (features × learned codes) against
 * the truth W (features × true factors), following `specs/metrics.md` §8:
 * 1. align learned columns to true factors (given `alignment`, else Hungarian on
 *    |corr(zMean, zTrue)|, else identity);
 * 2. binarise Ŵ with |Ŵ| ≥ τ (Ŵ ≠ 0) and p* ≥ 0.5 when p* is given (sim1_eval.R's
 *    `W[abs(W) < 1e-2] = 0; W[p_star < 0.5] = 0`); the truth support is W ≠ 0;
 * 3. precision/recall/F1 over entries, where the support of learned columns matched to
 *    no true factor counts as false positives; Hamming = FP + FN (R's
 *    `sum(W_supp != W_true_supp)` when W_true is zero-padded to L columns).
 *
 * Conventions: precision is 0 when the estimated support is empty, recall is 0 when
 * the truth has no support, F1 is 0 when P + R = 0. A feature row that is entirely zero
 * in Ŵ has empty support (the R script's row-normalisation would make it NaN).
 * A dense decoder (all-ones support) on the 7×5 Moran truth (8 non-zeros) gets F1 =
 * 16/43 ≈ 0.372 and Hamming 27.
 *
 * Reference: Moran et al. (TMLR 2022) `results/sim1_eval.R` for the thresholds and
 * Hamming; the Hungarian alignment and F1 are this project's definition (metrics.md §8).
 *
 * @example
 * ```ts
 * const r = supportRecovery(What, Wtrue, { zMean, zTrue, pStar });
 * r.supportF1; r.supportHamming; r.alignment;
 * ```
 */
export function supportRecovery(What: Matrix, Wtrue: Matrix, options: SupportOptions = {}): SupportResult {
  const threshold = options.threshold ?? 0.01;
  toRows(What, "supportRecovery What");
  toRows(Wtrue, "supportRecovery Wtrue");
  if (What.length !== Wtrue.length) {
    throw new Error(`supportRecovery: What has ${What.length} feature rows, Wtrue has ${Wtrue.length}`);
  }
  const L = nCols(What);
  const K = nCols(Wtrue);
  let alignment: number[];
  if (options.alignment) {
    alignment = Array.from(options.alignment);
    if (alignment.length !== K) throw new Error(`supportRecovery: alignment has ${alignment.length} entries, Wtrue has ${K} columns`);
  } else if (options.zMean && options.zTrue) {
    if (nCols(options.zMean) !== L) throw new Error(`supportRecovery: zMean has ${nCols(options.zMean)} columns, What has ${L}`);
    if (nCols(options.zTrue) !== K) throw new Error(`supportRecovery: zTrue has ${nCols(options.zTrue)} columns, Wtrue has ${K}`);
    alignment = hungarianAlignment(options.zMean, options.zTrue);
  } else {
    alignment = Array.from({ length: K }, (_, k) => (k < L ? k : -1));
  }
  const used = new Set<number>();
  for (const j of alignment) {
    if (j < -1 || j >= L || !Number.isInteger(j)) throw new Error(`supportRecovery: alignment entry ${j} out of range [-1, ${L})`);
    if (j >= 0) {
      if (used.has(j)) throw new Error(`supportRecovery: learned column ${j} is aligned to two true factors`);
      used.add(j);
    }
  }
  const unmatchedColumns = Array.from({ length: L }, (_, j) => j).filter((j) => !used.has(j));
  const S = binarySupport(What, threshold, options.pStar);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let g = 0; g < Wtrue.length; g++) {
    for (let k = 0; k < K; k++) {
      const truth = Wtrue[g][k] !== 0;
      const est = alignment[k] >= 0 ? S[g][alignment[k]] : false;
      if (truth && est) tp++;
      else if (est) fp++;
      else if (truth) fn++;
    }
    for (const j of unmatchedColumns) if (S[g][j]) fp++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    supportPrecision: precision,
    supportRecall: recall,
    supportF1: f1,
    supportHamming: fp + fn,
    threshold,
    alignment,
    unmatchedColumns,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
  };
}
