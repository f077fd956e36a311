/**
 * Fairness of a representation (specs/mib-structured.md §3, fairness; the VFAE protocol of
 * Louizos et al. 2016): how well post-hoc classifiers recover the sensitive attribute s from the
 * codes (S-predictability; ideally the majority-class rate, i.e. no better than guessing), and the
 * demographic-parity gap of a target classifier on the codes. The spec's pitfall: a mask alone
 * does not stop codes from carrying s through x, so leakage is measured, never assumed.
 *
 * @module
 */
import { GradientBoostingRegressor } from "./gbt.js";
import { fitLogisticRegression, linearProbe } from "./probe.js";
import type { Matrix } from "./types.js";

/** Result of {@link sensitivePredictability}. */
export interface SensitivePredictability {
  /** Test accuracy of a logistic-regression probe codes → s (sklearn `LogisticRegression()` defaults). */
  linearAccuracy: number;
  /** Test accuracy of a boosted-tree probe codes → s (binary s only; sklearn GBT defaults on 0/1, thresholded at 0.5): a non-linear leak. */
  treeAccuracy?: number;
  /** Rate of the most common s among the test rows: what a probe that learned nothing scores. */
  majorityRate: number;
}

/** Fraction of `values` equal to the most common value. */
export function majorityRate(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error("majorityRate: no values");
  const counts = new Map<number, number>();
  let best = 0;
  for (const v of Array.from(values)) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    best = Math.max(best, c);
  }
  return best / values.length;
}

/**
 * S-predictability from codes: probes trained on the training rows, scored on the test rows,
 * against the majority rate of s on the test rows.
 *
 * @example
 * ```ts
 * const r = sensitivePredictability(zTrain, sTrain, zTest, sTest);
 * r.linearAccuracy - r.majorityRate; // the leak, ≈ 0 for a fair code
 * ```
 */
export function sensitivePredictability(
  codesTrain: Matrix,
  sTrain: ArrayLike<number>,
  codesTest: Matrix,
  sTest: ArrayLike<number>,
  options: { trees?: boolean } = {},
): SensitivePredictability {
  const classes = new Set(Array.from(sTrain));
  const majority = majorityRate(sTest);
  if (classes.size < 2) return { linearAccuracy: majority, majorityRate: majority };
  const linearAccuracy = linearProbe(codesTrain, sTrain, codesTest, sTest).testAccuracy;
  const out: SensitivePredictability = { linearAccuracy, majorityRate: majority };
  const binary = [...classes].every((c) => c === 0 || c === 1);
  if ((options.trees ?? true) && binary) {
    const gbt = new GradientBoostingRegressor({ randomState: 0 }).fit(codesTrain, Float64Array.from(sTrain));
    const p = gbt.predict(codesTest);
    let ok = 0;
    for (let i = 0; i < p.length; i++) ok += (p[i] >= 0.5 ? 1 : 0) === sTest[i] ? 1 : 0;
    out.treeAccuracy = ok / p.length;
  }
  return out;
}

/**
 * Demographic-parity gap of binary predictions: |P(ŷ = 1 | s = a) − P(ŷ = 1 | s = b)|, the largest
 * over pairs of attribute values present (|P(ŷ=1|s=0) − P(ŷ=1|s=1)| for a binary s).
 *
 * @example
 * ```ts
 * demographicParityGap([1, 1, 0, 1], [0, 0, 1, 1]); // |1 − 0.5| = 0.5
 * ```
 */
export function demographicParityGap(predicted: ArrayLike<number>, s: ArrayLike<number>): number {
  if (predicted.length !== s.length) throw new Error(`demographicParityGap: ${predicted.length} predictions for ${s.length} attribute values`);
  const pos = new Map<number, number>();
  const all = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const y = predicted[i];
    if (y !== 0 && y !== 1) throw new Error(`demographicParityGap: prediction ${i} is ${y}, expected 0 or 1`);
    all.set(s[i], (all.get(s[i]) ?? 0) + 1);
    pos.set(s[i], (pos.get(s[i]) ?? 0) + y);
  }
  const rates = [...all.keys()].map((k) => pos.get(k)! / all.get(k)!);
  if (rates.length < 2) throw new Error("demographicParityGap: the attribute takes one value only");
  return Math.max(...rates) - Math.min(...rates);
}

/**
 * The demographic-parity gap of a target probe on the codes: a logistic regression codes → y (0/1)
 * fitted on the training rows, its predictions on the test rows compared across the values of s.
 */
export function probeParityGap(codesTrain: Matrix, yTrain: ArrayLike<number>, codesTest: Matrix, sTest: ArrayLike<number>): number {
  const model = fitLogisticRegression(codesTrain, yTrain);
  return demographicParityGap(model.predict(codesTest).map(Number), sTest);
}
