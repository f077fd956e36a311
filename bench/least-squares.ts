/**
 * Per-row least squares on a few dictionary columns, and orthogonal matching pursuit, for the
 * SDLGM bench scripts (bench/sdlgm-oracle.ts, bench/sdlgm-recipe.ts): a Cholesky solve of at most
 * K × K normal equations. Hand-written: no npm package is a dependency of the repository for this.
 *
 * A dictionary W is D × K, row-major (W[d * K + k]), as `Dataset.truth.W`.
 */

/** Solves the symmetric positive-definite system M a = b (M m × m, row-major) by Cholesky, with a tiny ridge. */
export function solveSpd(M: Float64Array, b: Float64Array, m: number): Float64Array {
  const Lc = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * m + j] + (i === j ? 1e-10 : 0);
      for (let k = 0; k < j; k++) s -= Lc[i * m + k] * Lc[j * m + k];
      Lc[i * m + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / Lc[j * m + j];
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= Lc[i * m + k] * y[k];
    y[i] = s / Lc[i * m + i];
  }
  const out = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= Lc[k * m + i] * out[k];
    out[i] = s / Lc[i * m + i];
  }
  return out;
}

/** Least-squares values of x (length D) on the columns `cols` of W (D × K): the values and the residual sum of squares. */
export function fitColumns(W: Float64Array | Float32Array, D: number, K: number, x: ArrayLike<number>, cols: number[]): { v: Float64Array; rss: number } {
  const m = cols.length;
  let rss = 0;
  if (m === 0) {
    for (let d = 0; d < D; d++) rss += x[d] * x[d];
    return { v: new Float64Array(0), rss };
  }
  const G = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let d = 0; d < D; d++) {
    for (let a = 0; a < m; a++) {
      const wa = W[d * K + cols[a]];
      b[a] += wa * x[d];
      for (let c = 0; c <= a; c++) G[a * m + c] += wa * W[d * K + cols[c]];
    }
  }
  for (let a = 0; a < m; a++) for (let c = a + 1; c < m; c++) G[a * m + c] = G[c * m + a];
  const v = solveSpd(G, b, m);
  for (let d = 0; d < D; d++) {
    let s = x[d];
    for (let a = 0; a < m; a++) s -= W[d * K + cols[a]] * v[a];
    rss += s * s;
  }
  return { v, rss };
}

/**
 * Orthogonal matching pursuit of x on W (D × K), at most `maxUnits` units: the next unit is the one
 * most correlated with the residual (columns normalised), the values the least-squares fit on the
 * units chosen so far; `stop(l, rssBefore, rssAfter)` refuses the l-th unit.
 */
export function omp(
  W: Float64Array | Float32Array,
  D: number,
  K: number,
  x: ArrayLike<number>,
  maxUnits: number,
  stop: (l: number, rssBefore: number, rssAfter: number) => boolean,
): number[] {
  const norms = Array.from({ length: K }, (_, k) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += W[d * K + k] ** 2;
    return Math.sqrt(s) || 1;
  });
  const cols: number[] = [];
  let fit = fitColumns(W, D, K, x, cols);
  const resid = Float64Array.from(x);
  while (cols.length < maxUnits) {
    let best = -1;
    let bestScore = -1;
    for (let k = 0; k < K; k++) {
      if (cols.includes(k)) continue;
      let c = 0;
      for (let d = 0; d < D; d++) c += W[d * K + k] * resid[d];
      if (Math.abs(c) / norms[k] > bestScore) [best, bestScore] = [k, Math.abs(c) / norms[k]];
    }
    const next = fitColumns(W, D, K, x, [...cols, best]);
    if (stop(cols.length + 1, fit.rss, next.rss)) break;
    cols.push(best);
    fit = next;
    for (let d = 0; d < D; d++) {
      let s = x[d];
      for (let a = 0; a < cols.length; a++) s -= W[d * K + cols[a]] * fit.v[a];
      resid[d] = s;
    }
  }
  return cols;
}
