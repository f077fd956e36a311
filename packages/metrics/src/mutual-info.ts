/**
 * Histogram discretisation and plug-in mutual information, as disentanglement_lib's
 * `utils.py` (`histogram_discretizer`, `discrete_mutual_info`, `discrete_entropy`).
 * @module
 */
import { numpyPairwiseSum } from "./gbt.js";

/**
 * `np.digitize(x, np.histogram(x, bins)[1][:-1])`: equal-width bins over the observed
 * range (numpy's `linspace` edges; a constant vector uses [x − 0.5, x + 0.5]); returns
 * bin ids 1..bins (the maximum lands in bin `bins`).
 *
 * @example
 * ```ts
 * histogramDiscretize([0, 0.5, 1], 2); // Int32Array [1, 2, 2]
 * ```
 */
export function histogramDiscretize(x: ArrayLike<number>, bins = 20): Int32Array {
  const n = x.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`histogramDiscretize: value ${x[i]} at ${i} is not finite`);
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  if (n === 0) return new Int32Array(0);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins); // np.linspace(lo, hi, bins + 1)[:-1]
  for (let i = 0; i < bins; i++) edges[i] = i * step + lo;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // number of edges ≤ x (np.digitize, right=False, increasing bins)
    let a = 0;
    let b = bins;
    while (a < b) {
      const m = (a + b) >> 1;
      if (edges[m] <= x[i]) a = m + 1;
      else b = m;
    }
    out[i] = a;
  }
  return out;
}

/**
 * `sklearn.metrics.mutual_info_score(a, b)`: plug-in mutual information of two label
 * vectors, in nats (same formula, eps-clipping and clip at 0 as sklearn 1.2.1).
 *
 * @example
 * ```ts
 * mutualInfoScore([0, 0, 1, 1], [0, 0, 1, 1]); // log 2
 * ```
 */
export function mutualInfoScore(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`mutualInfoScore: lengths ${n} and ${b.length} differ`);
  const ua = new Map<number, number>();
  const ub = new Map<number, number>();
  const ia = new Int32Array(n);
  const ib = new Int32Array(n);
  const sortedKeys = (x: ArrayLike<number>, m: Map<number, number>, idx: Int32Array) => {
    const keys = Array.from(new Set(Array.from(x))).sort((p, q) => p - q);
    keys.forEach((k, i) => m.set(k, i));
    for (let i = 0; i < n; i++) idx[i] = m.get(x[i]) as number;
    return keys.length;
  };
  const ka = sortedKeys(a, ua, ia);
  const kb = sortedKeys(b, ub, ib);
  if (ka <= 1 || kb <= 1) return 0;
  const cont = new Float64Array(ka * kb);
  for (let i = 0; i < n; i++) cont[ia[i] * kb + ib[i]]++;
  const pi = new Float64Array(ka);
  const pj = new Float64Array(kb);
  for (let i = 0; i < ka; i++) for (let j = 0; j < kb; j++) {
    pi[i] += cont[i * kb + j];
    pj[j] += cont[i * kb + j];
  }
  const logN = Math.log(n);
  const terms: number[] = [];
  for (let i = 0; i < ka; i++) {
    for (let j = 0; j < kb; j++) {
      const v = cont[i * kb + j];
      if (v === 0) continue;
      const cnm = v / n;
      const logOuter = -Math.log(pi[i] * pj[j]) + logN + logN;
      let mi = cnm * (Math.log(v) - logN) + cnm * logOuter;
      if (Math.abs(mi) < 2.220446049250313e-16) mi = 0;
      terms.push(mi);
    }
  }
  return Math.max(0, numpyPairwiseSum(terms));
}
