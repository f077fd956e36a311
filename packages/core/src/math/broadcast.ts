import { tf } from "../tf.js";

/**
 * `x` broadcast to `shape`, with a cheap gradient. `tf.broadcastTo` is a `Tile`, whose gradient
 * loops over every tile (one `Slice` and one `Add` per copy: 100 copies of a [1, 7, 1] noise
 * scale cost 200 kernels per step); here the broadcast is an `Add` with zeros, whose gradient is one
 * sum over the broadcast axes.
 *
 * @example
 * ```ts
 * broadcast(tf.tensor([[1], [2]]), [2, 3]);   // [[1, 1, 1], [2, 2, 2]]
 * ```
 */
export function broadcast(x: tf.Tensor, shape: number[]): tf.Tensor {
  if (x.rank === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  // Booleans and integers carry no gradient: the plain Tile is fine (and `add` is not defined on bool).
  if (x.dtype !== "float32") return tf.broadcastTo(x, shape);
  return tf.add(x, tf.zeros(shape));
}
