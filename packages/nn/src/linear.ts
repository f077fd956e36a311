/**
 * Replica-aware dense layers: the functional core every block uses. Without replicas a weight is
 * [in, out] and activations [N, in]; with R replicas a weight is [R, in, out] and activations
 * [R, N, in], so R independent networks run as one batched matMul.
 */
import { tf, Key, type ParamStore } from "@sparse-dgm/core";
import { matMul } from "./matmul.js";

/** PyTorch's default `nn.Linear` initialisation: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias. */
export function torchDefaultInit(fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return (key: Key, shape: number[]) => tf.sub(tf.mul(key.uniform(shape), 2 * bound), bound);
}

/** Glorot/Xavier uniform initialisation. */
export function glorotInit(fanIn: number, fanOut: number) {
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return (key: Key, shape: number[]) => tf.sub(tf.mul(key.uniform(shape), 2 * bound), bound);
}

/** Zeros. */
export const zerosInit = (_key: Key, shape: number[]) => tf.zeros(shape);

/** Options of one dense layer. */
export interface DenseSpec {
  /** Parameter-name prefix, e.g. "encoder/0". */
  name: string;
  inputs: number;
  units: number;
  bias?: boolean;
  init?: "torch" | "glorot";
  /** Overrides the bias initialiser (e.g. a head whose bias starts at a chosen value). */
  biasInit?: (key: Key, shape: number[]) => tf.Tensor;
}

/** The variables of a dense layer (created on first use). */
export function denseParams(params: ParamStore, spec: DenseSpec): { kernel: tf.Tensor; bias?: tf.Tensor } {
  const init = spec.init === "glorot" ? glorotInit(spec.inputs, spec.units) : torchDefaultInit(spec.inputs);
  const kernel = params.getOrCreate(`${spec.name}/kernel`, [spec.inputs, spec.units], init);
  if (spec.bias === false) return { kernel };
  const bias = params.getOrCreate(`${spec.name}/bias`, [spec.units], spec.biasInit ?? (spec.init === "glorot" ? zerosInit : init));
  return { kernel, bias };
}

/**
 * x @ kernel + bias with the replica convention: x [N, in] or [R, N, in]; kernel [in, out] or
 * [R, in, out]; bias [out] or [R, out].
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const y = matMul(x, kernel);
  if (!bias) return y;
  return tf.add(y, bias.rank === 2 ? tf.expandDims(bias, 1) : bias);
}

/** Supported activations. */
export type Activation = "relu" | "tanh" | "sigmoid" | "softplus" | "elu" | "linear";

/** Applies an activation by name. */
export function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "softplus":
      return tf.softplus(x);
    case "elu":
      return tf.elu(x);
    case "linear":
      return x;
  }
}
