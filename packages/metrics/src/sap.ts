/**
 * SAP: Separated Attribute Predictability (Kumar et al., ICLR 2018), continuous-factor variant.
 * @module
 */
import type { Matrix } from "./types.js";
import { checkSameRows, columns } from "./types.js";

/** Result of {@link sap}. */
export interface SapResult {
  /** Mean over factors of (largest − second-largest score over codes). */
  sap: number;
  /** Score matrix S, codes × factors: the R² of a 1-D linear fit. */
  scoreMatrix: number[][];
}

/**
 * SAP with `continuous_factors=True` as disentanglement_lib `sap_score.py`:
 * S_ij = Cov(z_i, v_j)² / (Var z_i · Var v_j) with `np.cov(ddof=1)`, 0 if Var z_i ≤ 1e-12
 * (also 0 if the factor is constant, where DL would give NaN); SAP = mean over factors of
 * the gap between the two largest S_ij. The study default (`continuous_factors=False`,
 * a LinearSVC(C=0.01) accuracy per pair) is not implemented; do not compare the two.
 * Needs at least two codes.
 *
 * Reference: Kumar, Sattigeri, Balakrishnan (2018), "Variational inference of
 * disentangled latent concepts from unlabeled observations"; disentanglement_lib
 * `evaluation/metrics/sap_score.py` (checked against numpy in `sap.test.ts`).
 *
 * @example
 * ```ts
 * sap(codeMeans, factors).sap;
 * ```
 */
export function sap(codes: Matrix, factors: Matrix): SapResult {
  checkSameRows(codes, factors, "sap: codes vs factors");
  const n = codes.length;
  if (n < 2) throw new Error("sap: need at least 2 samples");
  const zc = columns(codes);
  const vc = columns(factors);
  if (zc.length < 2) throw new Error(`sap: need at least 2 codes, got ${zc.length}`);
  const stats = (c: Float64Array) => {
    let m = 0;
    for (const v of c) m += v;
    m /= n;
    const d = c.map((v) => v - m);
    let s = 0;
    for (const v of d) s += v * v;
    return { d, variance: s / (n - 1) };
  };
  const zs = zc.map(stats);
  const vs = vc.map(stats);
  const scoreMatrix = zs.map((z) =>
    vs.map((v) => {
      if (!(z.variance > 1e-12) || !(v.variance > 0)) return 0;
      let c = 0;
      for (let i = 0; i < n; i++) c += z.d[i] * v.d[i];
      c /= n - 1;
      return (c * c) / (z.variance * v.variance);
    }),
  );
  let total = 0;
  for (let k = 0; k < vc.length; k++) {
    const col = scoreMatrix.map((r) => r[k]).sort((a, b) => b - a);
    total += col[0] - col[1];
  }
  return { sap: total / vc.length, scoreMatrix };
}
