/**
 * MCC: mean correlation coefficient after optimal matching (iVAE).
 * @module
 */
import { maxAssignment } from "./assignment.js";
import { correlationMatrix, type CorrelationMethod } from "./correlation.js";
import type { Matrix } from "./types.js";
import { nCols } from "./types.js";

/** Result of {@link mcc}. */
export interface MccResult {
  /** Mean |corr| over the matched (source, latent) pairs. In [0, 1]; 1 = identified up to permutation (and affine/monotone maps). */
  mcc: number;
  /** |corr| matrix, sources × latents. */
  absCorrelation: number[][];
  /** For each true source, its matched latent (or -1 if there are fewer latents than sources). */
  sourceToLatent: number[];
  /** Latents not matched to any source (extra learned dimensions). */
  unmatchedLatents: number[];
  /** Matched |corr| per source (NaN for an unmatched source). */
  matchedCorrelations: number[];
  method: CorrelationMethod;
}

/**
 * Mean correlation coefficient: |corr| between every true source and every learned
 * latent (Pearson, or Spearman for monotone recovery), a maximum-weight (Hungarian)
 * assignment, then the mean over matched pairs. Rectangular: with more latents than
 * sources (typical for sparse VAEs) the extra latents are reported in `unmatchedLatents`
 * and the mean is over the K sources. Zero-variance (collapsed) latents have correlation
 * 0, not NaN. Report whether latents are posterior means or samples, and in- vs
 * out-of-sample: they change MCC.
 *
 * Reference: Khemakhem et al. (AISTATS 2020), "Variational autoencoders and nonlinear
 * ICA"; matches `ilkhem/iVAE metrics/mcc.py::mean_corr_coef` (np.corrcoef /
 * scipy spearmanr + `linear_sum_assignment(-cc)`) on square inputs, extended to
 * rectangular ones (checked against scipy in `mcc.test.ts`).
 *
 * @example
 * ```ts
 * const r = mcc(trueSources, latentMeans);            // Pearson
 * const s = mcc(trueSources, latentMeans, { method: "spearman" });
 * r.mcc; r.unmatchedLatents;
 * ```
 */
export function mcc(truth: Matrix, latents: Matrix, options: { method?: CorrelationMethod } = {}): MccResult {
  const method = options.method ?? "pearson";
  if (truth.length !== latents.length) throw new Error(`mcc: truth has ${truth.length} rows, latents ${latents.length}`);
  if (nCols(truth) === 0 || nCols(latents) === 0) throw new Error("mcc: need at least one source and one latent");
  const absCorrelation = correlationMatrix(truth, latents, method).map((r) => r.map(Math.abs));
  const a = maxAssignment(absCorrelation);
  const matchedCorrelations = a.rowToCol.map((j, i) => (j >= 0 ? absCorrelation[i][j] : NaN));
  const matched = matchedCorrelations.filter((v) => !Number.isNaN(v));
  const unmatchedLatents: number[] = [];
  a.colToRow.forEach((r, j) => {
    if (r < 0) unmatchedLatents.push(j);
  });
  return {
    mcc: matched.reduce((s, v) => s + v, 0) / matched.length,
    absCorrelation,
    sourceToLatent: a.rowToCol,
    unmatchedLatents,
    matchedCorrelations,
    method,
  };
}
