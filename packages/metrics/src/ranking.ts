/**
 * Ranking metrics of the Sparse VAE's MovieLens evaluation (specs/sparse-vae.md §3.2, reference
 * `Evaluator.recall_at_R` and `movielens_tables.py`): each held-out row's items are ranked by the
 * model's reconstruction of that row (x̂ from a sampled z, as the reference; the encoder sees the
 * row itself: reconstruction, not fold-in), and compared with the row's own positives (x > 0).
 *
 * - recall@R = |top-R ∩ positives| / min(R, #positives), averaged over rows;
 * - NDCG@k = DCG / IDCG, binary relevance, discount 1/log₂(rank + 1), IDCG over min(#positives, k).
 *
 * Rows without a positive are left out of the mean (the reference's data have none). Ties in the
 * scores are broken by the lower feature index.
 * @module
 */
import type { Matrix } from "./types.js";

/** The indices of the k largest entries of `row`, largest first (ties: lower index first). */
export function topK(row: ArrayLike<number>, k: number): number[] {
  const n = row.length;
  k = Math.min(k, n);
  // a small sorted buffer: O(n·k) worst case, fine for k ≤ 100
  const idx: number[] = [];
  for (let j = 0; j < n; j++) {
    const v = row[j];
    if (idx.length === k && !(v > row[idx[k - 1]])) continue;
    let p = idx.length === k ? k - 1 : idx.length;
    if (idx.length < k) idx.push(j);
    while (p > 0 && v > row[idx[p - 1]]) {
      idx[p] = idx[p - 1];
      p--;
    }
    idx[p] = j;
  }
  return idx;
}

/** Sums of per-row recall@R and NDCG@k over rows with a positive, and the number of those rows. */
export interface RankingSums {
  recall: Record<number, number>;
  ndcg: Record<number, number>;
  rows: number;
}

/**
 * Accumulates recall@R (for each R in `recallAt`) and NDCG@k (each k in `ndcgAt`) of `scores`
 * against the positives `x > 0`, row by row, into `into` (for streaming over chunks of rows).
 *
 * @example
 * ```ts
 * const s = rankingSums([[0.9, 0.1, 0.5]], [[1, 0, 1]], [1], [2]); // recall@1 = 1, NDCG@2 = 1
 * ```
 */
export function rankingSums(scores: Matrix, x: Matrix, recallAt: readonly number[], ndcgAt: readonly number[], into?: RankingSums): RankingSums {
  const out = into ?? { recall: {}, ndcg: {}, rows: 0 };
  const kMax = Math.max(0, ...recallAt, ...ndcgAt);
  for (let i = 0; i < scores.length; i++) {
    const xi = x[i];
    let pos = 0;
    for (let j = 0; j < xi.length; j++) if (xi[j] > 0) pos++;
    if (pos === 0) continue;
    out.rows++;
    const top = topK(scores[i], kMax);
    for (const R of recallAt) {
      let hit = 0;
      for (let r = 0; r < Math.min(R, top.length); r++) if (xi[top[r]] > 0) hit++;
      out.recall[R] = (out.recall[R] ?? 0) + hit / Math.min(R, pos);
    }
    for (const k of ndcgAt) {
      let dcg = 0;
      let idcg = 0;
      for (let r = 0; r < Math.min(k, top.length); r++) if (xi[top[r]] > 0) dcg += 1 / Math.log2(r + 2);
      for (let r = 0; r < Math.min(k, pos); r++) idcg += 1 / Math.log2(r + 2);
      out.ndcg[k] = (out.ndcg[k] ?? 0) + dcg / idcg;
    }
  }
  return out;
}

/**
 * Mean recall@R of the rows' top-R scores against their positives (reference `recall_at_R`).
 *
 * @example
 * ```ts
 * recallAt([[0.9, 0.1, 0.5]], [[0, 1, 1]], 1); // 0: the top item is not a positive
 * ```
 */
export function recallAt(scores: Matrix, x: Matrix, R: number): number {
  const s = rankingSums(scores, x, [R], []);
  return s.rows ? s.recall[R] / s.rows : NaN;
}

/**
 * Mean NDCG@k with binary relevance (reference `NDCG_binary_at_k_batch`).
 *
 * @example
 * ```ts
 * ndcgAt([[0.9, 0.1, 0.5]], [[0, 1, 1]], 2); // (1/log2 3) / (1 + 1/log2 3) ≈ 0.387
 * ```
 */
export function ndcgAt(scores: Matrix, x: Matrix, k: number): number {
  const s = rankingSums(scores, x, [], [k]);
  return s.rows ? s.ndcg[k] / s.rows : NaN;
}
