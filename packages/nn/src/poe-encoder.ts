/**
 * The weighted product-of-experts posterior of structured (MIB) models
 * (specs/mib-structured.md §2): for latent group j, q(z_j | x) ∝ N(0, I) · Π_i N(μ_ij, Λ_ij⁻¹)^{A_in[j, i]},
 * i.e. Λ_j = I + Σ_i A_in[j,i] Λ_ij and μ_j = Λ_j⁻¹ Σ_i A_in[j,i] Λ_ij μ_ij. Mask weights enter as
 * exponents on precisions, so a zero removes the expert (missing views at test time).
 */
import { tf } from "@sparse-dgm/core";

/**
 * Combines experts. `loc` and `logVariance` are [..., n, m, d] (expert of view i for group j),
 * `mask` is A_in as [m, n] (or anything broadcastable to [..., n, m, 1] after transposition).
 * Log-variances are clipped to [-10, 10] and precisions floored at 1e-4 (the spec's pitfall).
 *
 * @returns the posterior loc and scale, [..., m, d].
 * @example
 * ```ts
 * const { loc, scale } = productOfExperts(mu, logVar, tf.tensor2d([[1, 1], [1, 0], [0, 1]]));
 * ```
 */
export function productOfExperts(loc: tf.Tensor, logVariance: tf.Tensor, mask: tf.Tensor): { loc: tf.Tensor; scale: tf.Tensor } {
  return tf.tidy(() => {
    const [m, n] = mask.shape as [number, number];
    const w = tf.reshape(tf.transpose(mask), [n, m, 1]); // [n, m, 1]
    const precision = tf.add(tf.exp(tf.neg(tf.clipByValue(logVariance, -10, 10))), 1e-4);
    const weighted = tf.mul(precision, w);
    const axis = loc.rank - 3; // the view axis
    const total = tf.add(tf.sum(weighted, axis), 1); // prior expert N(0, I) has precision 1
    const mean = tf.div(tf.sum(tf.mul(weighted, loc), axis), total);
    return { loc: mean, scale: tf.rsqrt(total) };
  });
}
