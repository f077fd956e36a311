/**
 * The one TensorFlow.js namespace every sparse-dgm package uses.
 *
 * `@tensorflow/tfjs` (pure JS) is imported rather than `@tensorflow/tfjs-core`: in Node, core alone
 * registers neither the gradients nor the chained tensor methods, and both are needed here.
 */
import * as tf from "@tensorflow/tfjs";
export { tf };
export type Tensor = tf.Tensor;
