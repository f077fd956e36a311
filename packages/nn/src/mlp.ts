/**
 * The multilayer perceptron block: `ctx.mlp(name, { input, hidden, output })`, and the same
 * network as a serialisable tfjs-layers layer (`Mlp`).
 */
import { tf, registerBlock, type BlockRuntime, type ParamStore } from "@sparse-dgm/core";
import { activate, dense, denseParams, type Activation } from "./linear.js";
import { denseActivation, type FusedActivation } from "./fused-dense.js";

/** Arguments of the mlp block. */
export interface MlpArgs {
  /** Input; axes up to and including the data axis are batch axes, the rest are flattened into features. */
  input: tf.Tensor;
  /** Hidden layer widths. */
  hidden: number[];
  /** Output width (omit to end with the last hidden layer). */
  output?: number;
  /** Hidden activation (default relu). */
  activation?: Activation;
  /** Activation after the output layer (default linear). */
  outputActivation?: Activation;
  /** Bias in the first layer (default true). */
  firstBias?: boolean;
  /** Number of leading batch axes of `input` (default: replica axis + data axis). */
  batchAxes?: number;
  /** Whether the input needs a gradient (false when it is data: the first layer then skips dx). */
  inputGrad?: boolean;
}

const FUSED = new Set<Activation>(["relu", "tanh", "sigmoid", "linear"]);

/**
 * Runs an MLP stored under `name` in `params` on x [N, in] (or [R, N, in]).
 *
 * @example
 * ```ts
 * const h = mlpForward(params, "enc", x2d, { hidden: [50, 50] });
 * ```
 */
export function mlpForward(params: ParamStore, name: string, x: tf.Tensor, args: Omit<MlpArgs, "input" | "batchAxes">): tf.Tensor {
  const widths = [...args.hidden, ...(args.output !== undefined ? [args.output] : [])];
  let h = x;
  let inputs = x.shape[x.rank - 1];
  widths.forEach((units, i) => {
    const { kernel, bias } = denseParams(params, { name: `${name}/${i}`, inputs, units, bias: i === 0 ? args.firstBias !== false : true });
    const isOutput = args.output !== undefined && i === widths.length - 1;
    const act = isOutput ? (args.outputActivation ?? "linear") : (args.activation ?? "relu");
    // One fused op per layer (lean backward); softplus and elu run unfused.
    h = FUSED.has(act)
      ? denseActivation(h, kernel, bias, act as FusedActivation, { inputGrad: i > 0 || args.inputGrad !== false })
      : activate(dense(h, kernel, bias), act);
    inputs = units;
  });
  return h;
}

/** Flattens the non-batch axes: [...batch, a, b, c] -> [...batch, a*b*c]. */
export function flattenFeatures(x: tf.Tensor, batchAxes: number): tf.Tensor {
  const lead = x.shape.slice(0, batchAxes);
  const rest = x.shape.slice(batchAxes).reduce((a, b) => a * b, 1);
  return tf.reshape(x, [...lead, rest]);
}

/** Default batch axes in a run: the replica axis (if any) and the data axis. */
export function defaultBatchAxes(rt: BlockRuntime): number {
  return (rt.replicas === undefined ? 0 : 1) + 1;
}

registerBlock("mlp", (rt, name, args: MlpArgs) => {
  const b = args.batchAxes ?? defaultBatchAxes(rt);
  const x = flattenFeatures(args.input, b);
  const lead = x.shape.slice(0, b);
  // replicas: [R, B, in] runs as a batched matMul; without: [B, in].
  const flat = rt.replicas === undefined ? tf.reshape(x, [-1, x.shape[x.rank - 1]]) : tf.reshape(x, [rt.replicas, -1, x.shape[x.rank - 1]]);
  const y = mlpForward(rt.params, `mlp/${name}`, flat, args);
  return tf.reshape(y, [...lead, y.shape[y.rank - 1]]);
});

declare module "@sparse-dgm/core" {
  interface SiteContext {
    /**
     * A multilayer perceptron whose weights are stored under `name` (PyTorch default init).
     *
     * @example
     * ```ts
     * .observe("x", ({ z }, ctx) => normal(ctx.mlp("decoder", { input: z, hidden: [50, 50], output: G }), 1), ...)
     * ```
     */
    mlp(name: string, args: MlpArgs): tf.Tensor;
  }
}
