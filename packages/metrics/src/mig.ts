/**
 * MIG: Mutual Information Gap (Chen et al., NeurIPS 2018), disentanglement_lib's histogram estimator.
 * @module
 */
import { histogramDiscretize, mutualInfoScore } from "./mutual-info.js";
import type { Matrix } from "./types.js";
import { checkSameRows, columns } from "./types.js";

/** Options of {@link mig}. */
export interface MigOptions {
  /** Histogram bins per code (DL `discretizer.num_bins`). Default 20. */
  bins?: number;
  /** Discretise the codes (default true). `false` uses them as labels (DL's `_identity_discretizer` in mig_test). */
  discretizeCodes?: boolean;
  /**
   * Discretise the factors with the same 20-bin rule: `true`, `false`, or `"auto"`
   * (default: only factor columns holding a non-integer value). DL's datasets have
   * discrete factors and DL does not discretise them.
   */
  discretizeFactors?: boolean | "auto";
}

/** Result of {@link mig}. */
export interface MigResult {
  /** Mean over factors (with non-zero entropy) of (top MI − second MI) / H(factor). In [0, 1]. */
  mig: number;
  /** MI matrix, codes × factors, in nats. */
  mutualInformation: number[][];
  /** Entropy of each (discretised) factor, in nats. */
  factorEntropy: number[];
  /** Per-factor normalised gap (NaN for a constant factor, which is left out of the mean). */
  perFactor: number[];
  /** Which factors were discretised. */
  discretizedFactors: boolean[];
}

/**
 * Histogram MIG as disentanglement_lib `mig.py::_compute_mig`: each code is discretised
 * into 20 equal-width bins (`np.digitize(z, np.histogram(z, 20)[1][:-1])`), MI with each
 * factor is sklearn's `mutual_info_score` (nats), factor entropy is
 * `mutual_info_score(v, v)`, and MIG = mean_k (I₁ − I₂) / H(v_k) over the two codes with
 * the largest MI. Needs at least two codes. A constant factor (H = 0, NaN in DL) is left
 * out of the mean and reported as NaN in `perFactor`.
 *
 * Reference: Chen, Li, Grosse, Duvenaud (2018), "Isolating sources of disentanglement in
 * VAEs"; disentanglement_lib `evaluation/metrics/mig.py` + `utils.py` (checked against
 * sklearn in `mig.test.ts`).
 *
 * @example
 * ```ts
 * mig(codeMeans, factors).mig;
 * ```
 */
export function mig(codes: Matrix, factors: Matrix, options: MigOptions = {}): MigResult {
  const bins = options.bins ?? 20;
  checkSameRows(codes, factors, "mig: codes vs factors");
  const zc = columns(codes);
  const vc = columns(factors);
  if (zc.length < 2) throw new Error(`mig: need at least 2 codes, got ${zc.length}`);
  if (vc.length < 1) throw new Error("mig: need at least one factor");
  const dz = zc.map((c) => (options.discretizeCodes === false ? c : histogramDiscretize(c, bins)));
  const mode = options.discretizeFactors ?? "auto";
  const discretizedFactors = vc.map((c) => (mode === "auto" ? c.some((v) => !Number.isInteger(v)) : mode));
  const dv = vc.map((c, k) => (discretizedFactors[k] ? histogramDiscretize(c, bins) : c));
  const mutualInformation = dz.map((z) => dv.map((v) => mutualInfoScore(v, z)));
  const factorEntropy = dv.map((v) => mutualInfoScore(v, v));
  const perFactor = dv.map((_, k) => {
    const col = mutualInformation.map((r) => r[k]).sort((a, b) => b - a);
    return factorEntropy[k] > 0 ? (col[0] - col[1]) / factorEntropy[k] : NaN;
  });
  const valid = perFactor.filter((v) => !Number.isNaN(v));
  return {
    mig: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN,
    mutualInformation,
    factorEntropy,
    perFactor,
    discretizedFactors,
  };
}
