/**
 * matMul with a lean gradient. TF.js's built-in matMul gradient multiplies with the transpose
 * flags set, and on the wasm backend a transposed matMul runs about 10x slower than a plain one
 * (measured in bench/). Here the gradient transposes explicitly and then multiplies plainly:
 * dA = dY · Bᵀ, dB = Aᵀ · dY, for 2-D operands and for [R, ·, ·] batches (replicas).
 *
 * @example
 * ```ts
 * const y = matMul(x, kernel);      // same value as tf.matMul(x, kernel)
 * ```
 */
import { tf } from "@sparse-dgm/core";

function transposeLast(t: tf.Tensor): tf.Tensor {
  if (t.rank === 2) return tf.transpose(t);
  const perm = Array.from({ length: t.rank }, (_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return tf.transpose(t, perm);
}

type Binary = (a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

const lean = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      let da = tf.matMul(dy, transposeLast(sb));
      let db = tf.matMul(transposeLast(sa), dy);
      // Broadcast batch axes (a [R, N, K] with b [K, H]) reduce back to the operand's shape.
      if (db.rank > sb.rank) db = tf.sum(db, Array.from({ length: db.rank - sb.rank }, (_, i) => i));
      if (da.rank > sa.rank) da = tf.sum(da, Array.from({ length: da.rank - sa.rank }, (_, i) => i));
      return [da, db];
    },
  };
}) as Binary as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a · b (2-D, or batched over leading axes) with the lean gradient. */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return lean(a, b);
}
