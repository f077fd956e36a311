/**
 * `stopGradient(x)`: the value of x, with a zero gradient (TF.js has no such op).
 *
 * @example
 * ```ts
 * tf.grad((a) => tf.mul(a, stopGradient(a)))(tf.scalar(3));   // 3, not 6
 * ```
 */
import { tf } from "../tf.js";
import { unaryCustomGrad } from "./grad.js";

export const stopGradient: (x: tf.Tensor) => tf.Tensor = unaryCustomGrad((x) => ({
  value: tf.clone(x),
  gradFunc: (dy) => tf.zerosLike(dy),
}));
