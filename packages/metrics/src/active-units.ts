/**
 * Active units (Burda, Grosse, Salakhutdinov 2016): the standard posterior-collapse diagnostic.
 * @module
 */
import type { Matrix } from "./types.js";
import { columns } from "./types.js";

/** Result of {@link activeUnits}. */
export interface ActiveUnitsResult {
  /** Number of units whose encoder-mean variance over the data exceeds the threshold. */
  activeUnits: number;
  /** Per-unit variance of the encoder mean over data points (population variance, ddof = 0). */
  variances: number[];
  /** Per-unit activity flag. */
  active: boolean[];
  threshold: number;
}

/**
 * Count active latent units: unit u is active when Var_x(E_q[z_u | x]) > 0.01, the
 * variance taken over data points of the encoder mean. The reference measures it on
 * 500 training points; pass those rows.
 *
 * Reference: Burda, Grosse, Salakhutdinov (ICLR 2016), "Importance weighted
 * autoencoders"; `yburda/iwae` `iwae.py: get_units_variances` +
 * `chop_units_with_variance_under_threshold(threshold=0.01)`.
 *
 * @example
 * ```ts
 * activeUnits([[0, 1], [0, -1], [0, 1]]).activeUnits; // 1
 * ```
 */
export function activeUnits(zMean: Matrix, options: { threshold?: number } = {}): ActiveUnitsResult {
  const threshold = options.threshold ?? 0.01;
  if (zMean.length === 0) throw new Error("activeUnits: no rows");
  const variances = columns(zMean).map((c) => {
    let m = 0;
    for (const v of c) m += v;
    m /= c.length;
    let s = 0;
    for (const v of c) s += (v - m) ** 2;
    return s / c.length;
  });
  const active = variances.map((v) => v > threshold);
  return { activeUnits: active.filter(Boolean).length, variances, active, threshold };
}
