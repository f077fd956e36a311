/**
 * A typed wrapper of `tf.customGrad` for one-input functions (internal to the math module).
 */
import { tf } from "../tf.js";

/** The forward pass of a one-input custom-gradient function. */
export type UnaryCustomGrad = (x: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor };

/**
 * `tf.customGrad` for a function of one tensor, with the types TF.js's declaration cannot express.
 *
 * @example
 * ```ts
 * const square = unaryCustomGrad((x, save) => { save([x]); return { value: tf.square(x), gradFunc: (dy, [s]) => tf.mul(dy, tf.mul(2, s)) }; });
 * ```
 */
export function unaryCustomGrad(f: UnaryCustomGrad): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
}
