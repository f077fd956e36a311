/**
 * Reconstruction error.
 * @module
 */
import type { Matrix } from "./types.js";
import { toRows } from "./types.js";

/** Result of {@link reconstructionMse}. */
export interface ReconstructionResult {
  /** Mean over all rows and features of (x − x̂)². */
  mse: number;
  /** Mean over features, per row. */
  perRow: number[];
  /** Mean over rows, per feature. */
  perFeature: number[];
}

/**
 * Mean squared reconstruction error over rows and features, as `results/sim1_eval.R`'s
 * `X_mse = mean((x − x̂)²)`. Whether x̂ comes from a sampled z (`heldoutMse`, the paper's
 * boxplot) or from the posterior mean (`heldoutMseMean`) is the caller's choice: report it.
 *
 * Reference: Moran et al. (TMLR 2022), `gemoran/sparse-vae-code` `results/sim1_eval.R`.
 *
 * @example
 * ```ts
 * reconstructionMse([[1, 2]], [[1, 4]]).mse; // 2
 * ```
 */
export function reconstructionMse(x: Matrix, xHat: Matrix): ReconstructionResult {
  toRows(x, "reconstructionMse x");
  toRows(xHat, "reconstructionMse xHat");
  if (x.length !== xHat.length || (x.length > 0 && x[0].length !== xHat[0].length)) {
    throw new Error(
      `reconstructionMse: x is ${x.length}×${x[0]?.length ?? 0}, xHat is ${xHat.length}×${xHat[0]?.length ?? 0}`,
    );
  }
  if (x.length === 0 || x[0].length === 0) throw new Error("reconstructionMse: empty input");
  const n = x.length;
  const p = x[0].length;
  const perFeature = new Array<number>(p).fill(0);
  const perRow: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < p; j++) {
      const e = (x[i][j] - xHat[i][j]) ** 2;
      r += e;
      perFeature[j] += e;
    }
    total += r;
    perRow.push(r / p);
  }
  return { mse: total / (n * p), perRow, perFeature: perFeature.map((v) => v / n) };
}
