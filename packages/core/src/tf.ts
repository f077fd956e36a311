/**
 * The one TensorFlow.js namespace every sparse-dgm package uses.
 *
 * `@tensorflow/tfjs` (pure JS) is imported rather than `@tensorflow/tfjs-core`: in Node, core alone
 * registers neither the gradients nor the chained tensor methods, and both are needed here.
 * PROD mode is set: it silences TF.js's console banners and skips its debug checks (sparse-dgm
 * checks shapes and finiteness itself, naming sites).
 */
import * as tf from "@tensorflow/tfjs";

tf.env().set("PROD", true);
export { tf };
export type Tensor = tf.Tensor;
