/**
 * Out-of-environment probe accuracy (specs/mib-structured.md §3, OOD / IRM): a logistic-regression
 * probe codes → label is fitted on the training rows (the training environments) and scored
 * separately on the test rows of environments seen in training (in-environment) and of
 * environments with no training row (out-of-environment, e.g. Colored MNIST's flipped-colour
 * test environment). A representation that carries the spurious feature (colour) scores well in
 * the training environments and collapses out of them; an invariant one keeps its accuracy.
 *
 * Model selection never looks at the held-out environment here (the spec's pitfall): the probe is
 * fitted on training rows only, with sklearn's default regularisation.
 *
 * @module
 */
import { fitLogisticRegression } from "./probe.js";
import type { Matrix } from "./types.js";

/** Result of {@link environmentProbe}. */
export interface EnvironmentProbe {
  /** Accuracy on test rows of the training environments (absent when there are none). */
  inEnvironment?: number;
  /** Accuracy on test rows of environments with no training row (absent when there are none). */
  outOfEnvironment?: number;
  /** Environments with no training row. */
  heldOut: number[];
}

/**
 * In- and out-of-environment accuracy of a linear probe on codes.
 *
 * @example
 * ```ts
 * const r = environmentProbe(zTrain, yTrain, envTrain, zTest, yTest, envTest);
 * r.outOfEnvironment; // the probe's accuracy in the held-out environment
 * ```
 */
export function environmentProbe(
  codesTrain: Matrix,
  yTrain: ArrayLike<number | string>,
  envTrain: ArrayLike<number>,
  codesTest: Matrix,
  yTest: ArrayLike<number | string>,
  envTest: ArrayLike<number>,
): EnvironmentProbe {
  if (codesTrain.length !== yTrain.length || codesTrain.length !== envTrain.length) throw new Error(`environmentProbe: ${codesTrain.length} training codes, ${yTrain.length} labels, ${envTrain.length} environments`);
  if (codesTest.length !== yTest.length || codesTest.length !== envTest.length) throw new Error(`environmentProbe: ${codesTest.length} test codes, ${yTest.length} labels, ${envTest.length} environments`);
  const seen = new Set(Array.from(envTrain));
  const heldOut = [...new Set(Array.from(envTest))].filter((e) => !seen.has(e)).sort((a, b) => a - b);
  const model = fitLogisticRegression(codesTrain, yTrain);
  const pred = model.predict(codesTest);
  const acc = (inSeen: boolean) => {
    let ok = 0;
    let m = 0;
    for (let i = 0; i < pred.length; i++) {
      if (seen.has(envTest[i]) !== inSeen) continue;
      m++;
      if (pred[i] === yTest[i]) ok++;
    }
    return m ? ok / m : undefined;
  };
  const out: EnvironmentProbe = { heldOut };
  const a = acc(true);
  const b = acc(false);
  if (a !== undefined) out.inEnvironment = a;
  if (b !== undefined) out.outOfEnvironment = b;
  return out;
}
