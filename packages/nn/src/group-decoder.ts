/**
 * The group-masked decoder of structured (MIB) models: view i reads the latent groups j with
 * A_out[i, j] = 1 through its own network, p(x_i | concat_j A_out[i, j] z_j). All views run as
 * one batched matMul (views are the batch axis); the first layer has no bias, so a zero mask
 * entry means no dependence. Observed parents (`condition`, e.g. a label in a conditional model or
 * a sensitive attribute in a fair one) are appended to every view's input.
 */
import { tf, registerBlock } from "@sparse-dgm/core";
import { torchDefaultInit } from "./linear.js";
import { matMul } from "./matmul.js";

/** Arguments of the groupDecoder block. */
export interface GroupDecoderArgs {
  /** z in canonical layout [.., B, 1, m, d] (plates data, view, group, dim). */
  input: tf.Tensor;
  /** A_out in canonical layout [.., 1, n, m, 1]. */
  mask: tf.Tensor;
  /** Hidden widths of each view's network. */
  hidden: number[];
  /** Features per view. */
  outputs: number;
  /** Observed parents of every view, [(R,) B, c] (e.g. one-hot labels), appended to each view's input. */
  condition?: tf.Tensor;
}

function broadcastViews(t: tf.Tensor, n: number): tf.Tensor {
  return n === 1 ? t : tf.tile(t, [1, n, 1, 1]);
}

registerBlock("groupDecoder", (rt, name, args: GroupDecoderArgs) => {
  const lead = rt.replicas === undefined ? 0 : 1;
  const prod = tf.mul(args.input, args.mask); // [.., B, n, m, d]
  const s: number[] = prod.shape;
  const B = s[lead];
  const n = s[lead + 1];
  const md = s[lead + 2] * s[lead + 3];
  const R = rt.replicas ?? 1;
  // [R, B, n, md] -> [R, n, B, md] -> [R*n, B, md]
  let h = tf.reshape(tf.transpose(tf.reshape(prod, [R, B, n, md]), [0, 2, 1, 3]), [R * n, B, md]);
  let inputs = md;
  if (args.condition) {
    const c = args.condition.shape[args.condition.rank - 1];
    if (args.condition.size !== R * B * c) throw new Error(`groupDecoder "${name}": condition of shape [${args.condition.shape.join(", ")}] is not [${lead ? `${R}, ` : ""}${B}, c]`);
    // [R, B, c] -> [R, n, B, c] (the same parents for every view)
    const cond = tf.reshape(broadcastViews(tf.reshape(args.condition, [R, 1, B, c]), n), [R * n, B, c]);
    h = tf.concat([h, cond], 2);
    inputs = md + c;
  }
  const widths = [...args.hidden, args.outputs];
  widths.forEach((units, i) => {
    const init = torchDefaultInit(inputs);
    const k = rt.params.getOrCreate(`groupDecoder/${name}/${i}/kernel`, [n, inputs, units], init);
    let y = matMul(h, tf.reshape(k, [R * n, inputs, units]));
    if (i > 0) {
      const b = rt.params.getOrCreate(`groupDecoder/${name}/${i}/bias`, [n, units], init);
      y = tf.add(y, tf.reshape(b, [R * n, 1, units]));
    }
    h = i < widths.length - 1 ? tf.relu(y) : y;
    inputs = units;
  });
  // [R*n, B, Dv] -> [R, B, n, Dv] -> canonical [.., B, n, 1, 1, Dv]
  const out = tf.transpose(tf.reshape(h, [R, n, B, args.outputs]), [0, 2, 1, 3]);
  const shape = [...(lead ? [R] : []), B, n, 1, 1, args.outputs];
  return tf.reshape(out, shape);
});

declare module "@sparse-dgm/core" {
  interface SiteContext {
    /** Per-view decoders reading the latent groups their row of the mask selects (vectorised over views). */
    groupDecoder(name: string, args: GroupDecoderArgs): tf.Tensor;
  }
}
