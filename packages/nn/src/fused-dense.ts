/**
 * One dense layer with its activation as a single differentiable op with a hand-written backward
 * pass (issue 10, "a lean step"). TF.js's autodiff of `relu(x·W + b)` runs about 15 kernels
 * backwards (a transposed-flag matMul per operand, a reshape and a cast per broadcast operand, the
 * relu mask in three steps, accumulation adds) and clones four saved tensors; here the backward is
 * g = dy ⊙ act'(y), db = Σ g, dW = xᵀ·g, dx = g·Wᵀ: seven kernels, plain matMuls only (on wasm a
 * matMul with a transpose flag is about 10x slower than an explicit transpose and a plain one), and
 * dx is skipped when the input is data (`inputGrad: false`).
 *
 * Shapes follow the replica convention of {@link dense}: x [N, in] or [R, N, in]; kernel [in, out]
 * or [R, in, out]; bias [out] or [R, out].
 */
import { tf } from "@sparse-dgm/core";
import { sumRows, biasAct, reluGrad } from "@sparse-dgm/speed";
import { product, reduceLeading } from "./matmul.js";
import { activate } from "./linear.js";

/** Activations with a backward pass written in terms of the output y. */
export type FusedActivation = "relu" | "tanh" | "sigmoid" | "linear";

/** act'(pre) expressed through the output y, times dy. */
function activationGrad(act: FusedActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  // own scope: the derivative's temporary is freed at once (at [153600, 300] it is 184 MB)
  return act === "linear" ? dy : tf.tidy(() => activationGradRaw(act, dy, y));
}

function activationGradRaw(act: FusedActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  switch (act) {
    case "relu":
      // dy · step(y) (one pass on wasm)
      return reluGrad(dy, y);
    case "tanh":
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case "sigmoid":
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case "linear":
      return dy;
  }
}

/**
 * Σ of g over its rows, shaped like the bias, in one streaming pass (`sumRows`): TF.js's Sum over
 * the first axis of [N, out] transposes it on wasm (600 ms at N = 153600, out = 300), and a
 * ones-vector product makes XNNPACK pack the whole [N, out] operand (≈ 240 ms there).
 */
function biasGrad(g: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  // [R, N, out] -> [R, out]
  if (bias.rank === 2) return sumRows(g);
  const out = g.shape[g.rank - 1];
  return sumRows(tf.reshape(g, [-1, out]));
}

type Fn = (...args: unknown[]) => tf.Tensor;
const cache = new Map<string, Fn>();

function fused(act: FusedActivation, hasBias: boolean, inputGrad: boolean): Fn {
  const key = `${act}/${hasBias}/${inputGrad}`;
  let f = cache.get(key);
  if (f) return f;
  const body = (...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, kernel, bias] = args as tf.Tensor[];
    const prod = product(x, kernel);
    // the bias and a ReLU (or none) in one pass on wasm: the same float32 add and max as Add, Relu
    const y =
      hasBias && (act === "relu" || act === "linear")
        ? biasAct(prod, bias, act === "relu")
        : activate(hasBias ? tf.add(prod, bias.rank === 2 ? tf.expandDims(bias, 1) : bias) : prod, act);
    save(act === "linear" ? [x, kernel] : [x, kernel, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        // tidy: temporaries are freed now, not at the end of the whole backward pass
        tf.tidy(() => {
          const [sx, sk, sy] = saved;
          const g = activationGrad(act, dy, sy);
          // [R, N, in]·[in, out] (shared kernel): dW over all rows as one 2-D product.
          const dk =
            sx.rank === 3 && sk.rank === 2
              ? product(tf.reshape(sx, [-1, sx.shape[2] as number]), tf.reshape(g, [-1, g.shape[2] as number]), true, false)
              : reduceLeading(product(sx, g, true, false), sk);
          const dx = inputGrad ? reduceLeading(product(g, sk, false, true), sx) : tf.zerosLike(sx);
          if (!hasBias) return [dx, dk];
          const b = bias as tf.Tensor;
          const db = biasGrad(g, b);
          return [dx, dk, db];
        }),
    };
  };
  f = tf.customGrad(body as never) as unknown as Fn;
  cache.set(key, f);
  return f;
}

/** Options of {@link denseActivation}. */
export interface FusedDenseOptions {
  /** Whether the gradient with respect to x is needed (false for the data entering an encoder). */
  inputGrad?: boolean;
}

/**
 * act(x · kernel + bias) as one op with a lean backward pass.
 *
 * @example
 * ```ts
 * const h = denseActivation(x, kernel, bias, "relu");             // [N, out]
 * const h0 = denseActivation(data, k0, b0, "relu", { inputGrad: false });
 * ```
 */
export function denseActivation(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined, act: FusedActivation, opts: FusedDenseOptions = {}): tf.Tensor {
  const inputGrad = opts.inputGrad !== false;
  const f = fused(act, bias !== undefined, inputGrad);
  return bias === undefined ? f(x, kernel) : f(x, kernel, bias);
}
