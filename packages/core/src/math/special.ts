/**
 * Owned special functions: lgamma, digamma, trigamma on float32 tensors, with correct gradients.
 *
 * Hand-written because TF.js has no `lgamma` kernel on any backend and no digamma/trigamma at all,
 * and no JS package offers them as differentiable tensor ops. Only ops with kernels on both the
 * `cpu` and `wasm` backends are used (add, mul, div, log, reciprocal, select, ...).
 *
 * Method (all three): for x < 6 shift with the recurrence to z = x + 6 (six terms, vectorised with
 * `tf.where`, no JS loop over elements), then the asymptotic (Stirling / de Moivre) series at z,
 * which is accurate to far below float32 resolution for z >= 6.
 */
import { tf } from "../tf.js";
import { unaryCustomGrad } from "./grad.js";

/** Shift threshold: the asymptotic series is evaluated at z >= SHIFT. */
const SHIFT = 6;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * z = x + 6 where x < 6, else x; and the 0/1 float mask of shifted elements. The mask comes from
 * `tf.step` (zero gradient) and is applied arithmetically, so the formulas stay differentiable
 * by autodiff (a `tf.less` condition would have no gradient on the tape).
 */
function shifted(x: tf.Tensor): { small: tf.Tensor; z: tf.Tensor } {
  const small = tf.step(tf.sub(SHIFT, x));
  const z = tf.add(x, tf.mul(small, SHIFT));
  return { small, z };
}

/** sum_{k=0}^{5} f(x + k), masked to the elements that were shifted. */
function shiftSum(x: tf.Tensor, small: tf.Tensor, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const terms: tf.Tensor[] = [];
  for (let k = 0; k < SHIFT; k++) terms.push(f(k === 0 ? x : tf.add(x, k)));
  return tf.mul(tf.addN(terms), small);
}

function lgammaRaw(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { small, z } = shifted(x);
    const r = tf.reciprocal(z);
    const r2 = tf.square(r);
    // 1/(12z) - 1/(360z^3) + 1/(1260z^5) - 1/(1680z^7)
    const series = tf.mul(r, tf.add(1 / 12, tf.mul(r2, tf.add(-1 / 360, tf.mul(r2, tf.add(1 / 1260, tf.mul(r2, -1 / 1680)))))));
    const stirling = tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), tf.log(z)), z), tf.add(series, HALF_LOG_2PI));
    return tf.sub(
      stirling,
      shiftSum(x, small, (t) => tf.log(t)),
    );
  });
}

function digammaRaw(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { small, z } = shifted(x);
    const r = tf.reciprocal(z);
    const r2 = tf.square(r);
    // log z - 1/(2z) - 1/(12z^2) + 1/(120z^4) - 1/(252z^6) + 1/(240z^8)
    const series = tf.mul(r2, tf.add(-1 / 12, tf.mul(r2, tf.add(1 / 120, tf.mul(r2, tf.add(-1 / 252, tf.mul(r2, 1 / 240)))))));
    const asym = tf.add(tf.sub(tf.log(z), tf.mul(0.5, r)), series);
    return tf.sub(
      asym,
      shiftSum(x, small, (t) => tf.reciprocal(t)),
    );
  });
}

function trigammaRaw(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { small, z } = shifted(x);
    const r = tf.reciprocal(z);
    const r2 = tf.square(r);
    // 1/z + 1/(2z^2) + 1/(6z^3) - 1/(30z^5) + 1/(42z^7) - 1/(30z^9)
    const tail = tf.mul(tf.mul(r, r2), tf.add(1 / 6, tf.mul(r2, tf.add(-1 / 30, tf.mul(r2, tf.add(1 / 42, tf.mul(r2, -1 / 30)))))));
    const asym = tf.add(tf.add(r, tf.mul(0.5, r2)), tail);
    return tf.add(
      asym,
      shiftSum(x, small, (t) => tf.reciprocal(tf.square(t))),
    );
  });
}

function toFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}

const lgammaGrad = unaryCustomGrad((x, save) => {
  save([x]);
  return { value: lgammaRaw(x), gradFunc: (dy, saved) => tf.mul(dy, digamma(saved[0])) };
});

const digammaGrad = unaryCustomGrad((x, save) => {
  save([x]);
  return { value: digammaRaw(x), gradFunc: (dy, saved) => tf.mul(dy, trigamma(saved[0])) };
});

/**
 * log Gamma(x) for x > 0, elementwise (float32; relative error ~1e-6 on (1e-3, 1e4), absolute
 * ~1e-6 near the zeros at 1 and 2). Gradient: digamma(x).
 *
 * @param x - a tensor of positive values.
 * @example
 * ```ts
 * lgamma(tf.tensor([0.5, 1, 10])); // [0.5724, 0, 12.8018]
 * ```
 */
export function lgamma(x: tf.Tensor): tf.Tensor {
  return lgammaGrad(toFloat(x));
}

/**
 * The digamma function psi(x) = d/dx log Gamma(x), for x > 0. Gradient: trigamma(x).
 *
 * @param x - a tensor of positive values.
 * @example
 * ```ts
 * digamma(tf.scalar(1)); // -0.5772 (minus the Euler-Mascheroni constant)
 * ```
 */
export function digamma(x: tf.Tensor): tf.Tensor {
  return digammaGrad(toFloat(x));
}

/**
 * The trigamma function psi'(x), for x > 0. Its gradient (tetragamma) is the autodiff of the
 * series, accurate to float32 resolution.
 *
 * @param x - a tensor of positive values.
 * @example
 * ```ts
 * trigamma(tf.scalar(1)); // 1.6449 (pi^2 / 6)
 * ```
 */
export function trigamma(x: tf.Tensor): tf.Tensor {
  return trigammaRaw(toFloat(x));
}
