/**
 * Numerically stable log-space helpers on float32 tensors, with explicit gradients where the
 * autodiff of the formula would produce NaN (all -inf rows, the branch switch of log1mexp, x = 0
 * of logSigmoid). Only ops with kernels on both `cpu` and `wasm` are used.
 *
 * Hand-written: TF.js's own `logSumExp` returns NaN for all -inf rows, and it has no log1mexp or
 * inverse softplus.
 */
import { tf } from "../tf.js";
import { unaryCustomGrad } from "./grad.js";

const LOG2 = Math.LN2;

/**
 * log(1 + u) accurate for tiny |u| on every backend (the `wasm` Log1p kernel computes log(1 + u)
 * naively and returns 0 for |u| < 6e-8). Goldberg's trick: with w = 1 + u rounded,
 * log1p(u) = log(w) * u / (w - 1), exact to float32 rounding; w == 1 gives u.
 */
function log1pRaw(u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.add(1, u);
    const d = tf.sub(w, 1);
    const tiny = tf.equal(d, 0);
    const dSafe = tf.where(tiny, tf.onesLike(d), d);
    return tf.where(tiny, u, tf.div(tf.mul(tf.log(w), u), dSafe));
  });
}

const log1pGrad = unaryCustomGrad((u, save) => {
  save([u]);
  return { value: log1pRaw(u), gradFunc: (dy, saved) => tf.div(dy, tf.add(1, saved[0])) };
});

/**
 * log(1 + u), accurate for tiny |u| on every backend (TF.js's `wasm` kernel is not). Gradient
 * 1 / (1 + u).
 *
 * @param u - a tensor with u > -1.
 * @example
 * ```ts
 * log1p(tf.scalar(1e-10)); // 1e-10 (tf.log1p gives 0 on wasm)
 * ```
 */
export function log1p(u: tf.Tensor): tf.Tensor {
  return log1pGrad(toFloat(u));
}

function toFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}

function normAxes(axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  const a = Array.isArray(axis) ? axis : [axis];
  return a.map((d) => (d < 0 ? d + rank : d));
}

/**
 * log(sum(exp(x), axis)), stable: the max is subtracted first; rows that are all -inf give -inf
 * (value) and a zero gradient (never NaN). Gradient: softmax(x) along `axis`.
 *
 * @param x - a float32 tensor.
 * @param axis - the axis or axes to reduce (default: all).
 * @param keepDims - keep the reduced axes with size 1.
 * @example
 * ```ts
 * logsumexp(tf.tensor([[0, 0], [-Infinity, -Infinity]]), -1); // [0.6931, -Infinity]
 * ```
 */
export function logsumexp(x: tf.Tensor, axis?: number | number[], keepDims = false): tf.Tensor {
  const xf = toFloat(x);
  const axes = normAxes(axis, xf.rank);
  const f = unaryCustomGrad((t, save) => {
    const m = tf.max(t, axes, true);
    const mSafe = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
    const e = tf.exp(tf.sub(t, mSafe));
    const s = tf.sum(e, axes, true);
    const lseKeep = tf.add(tf.log(s), mSafe);
    save([e, s]);
    const value = keepDims ? lseKeep : tf.squeeze(lseKeep, axes);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [ee, ss] = saved;
        const denom = tf.where(tf.greater(ss, 0), ss, tf.onesLike(ss));
        const w = tf.div(ee, denom);
        const dyKeep = keepDims ? dy : tf.reshape(dy, ss.shape);
        return tf.mul(dyKeep, w);
      },
    };
  });
  return f(xf);
}

const log1mexpGrad = unaryCustomGrad((x, save) => {
  save([x]);
  const value = tf.tidy(() => {
    const useExpm1 = tf.greater(x, -LOG2);
    // Evaluate each branch only on inputs in its own range so neither produces NaN.
    const xa = tf.where(useExpm1, x, tf.fill(x.shape, -LOG2));
    const xb = tf.where(useExpm1, tf.fill(x.shape, -LOG2), x);
    const a = tf.log(tf.neg(tf.expm1(xa)));
    const b = log1pRaw(tf.neg(tf.exp(xb)));
    return tf.where(useExpm1, a, b);
  });
  return {
    value,
    // d/dx log(1 - e^x) = -1 / expm1(-x)
    gradFunc: (dy, saved) => tf.div(dy, tf.neg(tf.expm1(tf.neg(saved[0])))),
  };
});

/**
 * log(1 - exp(x)) for x < 0, stable over the whole range (Maechler 2012, "Accurately computing
 * log(1 - exp(-|a|))": log(-expm1(x)) for x > -log 2, log1p(-exp(x)) otherwise).
 *
 * @param x - a tensor of negative values (x = 0 gives -inf).
 * @example
 * ```ts
 * log1mexp(tf.tensor([-1e-6, -1, -50])); // [-13.8155, -0.4587, -1.9287e-22]
 * ```
 */
export function log1mexp(x: tf.Tensor): tf.Tensor {
  return log1mexpGrad(toFloat(x));
}

/**
 * The inverse of softplus, log(expm1(y)) for y > 0, computed as y + log(-expm1(-y)) so that it
 * neither overflows for large y nor loses precision for small y.
 *
 * @param y - a tensor of positive values.
 * @example
 * ```ts
 * softplusInverse(tf.tensor([1e-4, 1, 100])); // [-9.2103, 0.5413, 100]
 * ```
 */
export function softplusInverse(y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const yf = toFloat(y);
    return tf.add(yf, log1mexp(tf.neg(yf)));
  });
}

const softplusGrad = unaryCustomGrad((x, save) => {
  save([x]);
  const value = tf.tidy(() => tf.add(tf.relu(x), log1pRaw(tf.exp(tf.neg(tf.abs(x))))));
  return { value, gradFunc: (dy, saved) => tf.mul(dy, tf.sigmoid(saved[0])) };
});

/**
 * softplus(x) = log(1 + exp(x)), stable for large |x| (max(x, 0) + log1p(exp(-|x|))). Gradient:
 * sigmoid(x).
 *
 * @param x - a float32 tensor.
 * @example
 * ```ts
 * softplus(tf.tensor([-100, 0, 100])); // [3.7e-44, 0.6931, 100]
 * ```
 */
export function softplus(x: tf.Tensor): tf.Tensor {
  return softplusGrad(toFloat(x));
}

/**
 * log(sigmoid(x)) = -softplus(-x), stable for large |x|. Gradient: sigmoid(-x).
 *
 * @param x - a float32 tensor (logits).
 * @example
 * ```ts
 * logSigmoid(tf.tensor([-100, 0, 100])); // [-100, -0.6931, -3.7e-44]
 * ```
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(softplus(tf.neg(toFloat(x)))));
}
