/**
 * A rank-k non-negative matrix factorisation X ≈ A H (A ≥ 0: rows × k, H ≥ 0: k × columns) by
 * Lee and Seung's multiplicative updates for the squared error (NIPS 2001), for the `init: "nmf"`
 * start of a mask site: the columns' loadings Hᵀ, each column's (feature's) largest loading scaled
 * to 1, so that a feature's popularity (its scale in X) does not set the scale of its mask row.
 */
import { tf, Key } from "@sparse-dgm/core";

/** Multiplicative-update iterations of {@link nmfLoadings} (on the must-show ratings 100 and 800 give the same support; docs/data/ratings.md). */
export const NMF_ITERATIONS = 200;

/**
 * The columns' loadings of a rank-k NMF of x ([rows, columns], every entry ≥ 0), as a
 * columns × k row-major array, each column's largest loading 1 (a column with no loading, e.g. a
 * feature that is never positive, stays 0). The start is a uniform draw from `key`, so the result
 * is deterministic.
 *
 * @example
 * ```ts
 * nmfLoadings(tf.tensor2d([[1, 0], [0, 1], [1, 0]]), 2, Key.of(0)); // [1, 0, 0, 1] up to the factors' order
 * ```
 */
export function nmfLoadings(x: tf.Tensor2D, k: number, key: Key, iterations = NMF_ITERATIONS): number[] {
  const [n, g] = x.shape;
  const min = tf.tidy(() => tf.min(x).dataSync()[0]);
  if (!(min >= 0)) throw new Error(`init "nmf": the data must be non-negative (smallest entry ${min}); give the mask another init`);
  return tf.tidy(() => {
    let a: tf.Tensor2D = tf.add(key.foldIn("nmf-rows").uniform([n, k]), 1e-3) as tf.Tensor2D;
    let h: tf.Tensor2D = tf.add(key.foldIn("nmf-columns").uniform([k, g]), 1e-3) as tf.Tensor2D;
    for (let t = 0; t < iterations; t++) {
      const [a1, h1] = tf.tidy(() => {
        const hNext = tf.mul(h, tf.div(tf.matMul(a, x, true), tf.add(tf.matMul(tf.matMul(a, a, true), h), 1e-9))) as tf.Tensor2D;
        const aNext = tf.mul(a, tf.div(tf.matMul(x, hNext, false, true), tf.add(tf.matMul(a, tf.matMul(hNext, hNext, false, true)), 1e-9))) as tf.Tensor2D;
        return [aNext, hNext];
      });
      a.dispose();
      h.dispose();
      a = a1;
      h = h1;
    }
    const loadings = tf.transpose(h);
    const top = tf.max(loadings, 1, true);
    return Array.from(tf.div(loadings, tf.where(tf.greater(top, 0), top, tf.onesLike(top))).dataSync());
  });
}
