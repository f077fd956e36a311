/**
 * Small statistics needed by the data layer: quantiles, the χ² quantile function and the Sparse
 * VAE's BART-style σ-prior calibration.
 *
 * The χ² quantile is hand-written (Lanczos log-gamma, series/continued-fraction regularised
 * incomplete gamma, then bisection + Newton): it is a few lines and no well-kept, dependency-free
 * JS package offers it; `@sparse-dgm/core`'s numerics have no incomplete gamma.
 */
import { columnSds, type Dataset } from "./dataset.js";

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  for (let i = 0; i < 8; i++) a += LANCZOS[i] / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lead = a * Math.log(x) - x - lgamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(lead);
  }
  // Lentz continued fraction for Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(lead) * h;
}

/**
 * The χ² quantile function χ²_df⁻¹(p).
 *
 * @example
 * ```ts
 * chi2Quantile(0.1, 3); // 0.58437
 * ```
 */
export function chi2Quantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`chi2Quantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`chi2Quantile: df must be > 0, got ${df}`);
  const a = df / 2;
  const cdf = (x: number) => gammaP(a, x / 2);
  let lo = 0;
  let hi = Math.max(1, df);
  while (cdf(hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * Math.max(1, hi); i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The q-quantile of `values` with linear interpolation (numpy's default `np.quantile`).
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * The Sparse VAE's σ-prior scale s (specs/sparse-vae.md §1, reference `data/dataset.py:
 * get_sigma_prior`): σ̂ = the 5 % quantile of the column SDs (1e-3 if it is 0), and
 * s = σ̂² · χ²_ν⁻¹(0.1) / ν, so that σ_j² ~ scaled-inv-χ²(ν, s) has P(σ² < σ̂²) = 0.9.
 * Column SDs use the full data (as the reference does) with ddof 0.
 *
 * @example
 * ```ts
 * sigmaPriorScale(await loadData("synthetic:moran")); // ≈ 0.36
 * ```
 */
export function sigmaPriorScale(ds: Pick<Dataset, "x" | "n" | "g">, df = 3): number {
  let sigmaHat = quantile(columnSds(ds), 0.05);
  if (sigmaHat === 0) sigmaHat = 1e-3;
  return (sigmaHat * sigmaHat * chi2Quantile(0.1, df)) / df;
}

/**
 * The median row sum (library size) over rows `idx` (default all): l̄ of the negative binomial's
 * library-size offset (the zoo's `libraryOffset`). Rows summing to 0 count as 0.
 *
 * @example
 * ```ts
 * medianLibrarySize(await loadData("synthetic:cells")); // ≈ 2500
 * ```
 */
export function medianLibrarySize(ds: Pick<Dataset, "x" | "n" | "g">, idx?: ArrayLike<number>): number {
  const m = idx ? idx.length : ds.n;
  const sums = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = idx ? idx[r] : r;
    let s = 0;
    for (let j = 0; j < ds.g; j++) s += ds.x[i * ds.g + j];
    sums[r] = s;
  }
  return quantile(sums, 0.5);
}
