/**
 * Pearson / Spearman correlation matrices between the columns of two data matrices.
 * @module
 */
import type { Matrix } from "./types.js";
import { columns } from "./types.js";

/** Correlation method. */
export type CorrelationMethod = "pearson" | "spearman";

/**
 * Average ranks (1-based, ties get the mean rank), as `scipy.stats.rankdata(method="average")`.
 * @example
 * ```ts
 * rankAverage([10, 20, 10]); // Float64Array [1.5, 3, 1.5]
 * ```
 */
export function rankAverage(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

function centered(c: Float64Array): { d: Float64Array; ss: number } {
  let m = 0;
  for (let i = 0; i < c.length; i++) m += c[i];
  m /= c.length;
  const d = new Float64Array(c.length);
  let ss = 0;
  for (let i = 0; i < c.length; i++) {
    d[i] = c[i] - m;
    ss += d[i] * d[i];
  }
  return { d, ss };
}

/**
 * Correlation matrix C[a][b] = corr(A[:, a], B[:, b]) (rows are samples). Pearson as
 * `np.corrcoef(A, B, rowvar=False)[:p, p:]`; Spearman is Pearson on average ranks, as
 * `scipy.stats.spearmanr`. A zero-variance column has correlation **0** with everything
 * (numpy/scipy would give NaN).
 *
 * @example
 * ```ts
 * correlationMatrix([[1, 2], [2, 4], [3, 7]], [[3], [2], [1]]); // [[-1], [≈-0.99]]
 * ```
 */
export function correlationMatrix(A: Matrix, B: Matrix, method: CorrelationMethod = "pearson"): number[][] {
  if (A.length !== B.length) throw new Error(`correlationMatrix: ${A.length} rows vs ${B.length} rows`);
  const prep = (X: Matrix) =>
    columns(X).map((c) => centered(method === "spearman" ? rankAverage(c) : c));
  const ca = prep(A);
  const cb = prep(B);
  return ca.map((a) =>
    cb.map((b) => {
      if (!(a.ss > 0) || !(b.ss > 0)) return 0;
      let s = 0;
      for (let i = 0; i < a.d.length; i++) s += a.d[i] * b.d[i];
      const r = s / Math.sqrt(a.ss * b.ss);
      return Math.max(-1, Math.min(1, r));
    }),
  );
}
