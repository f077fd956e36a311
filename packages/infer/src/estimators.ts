/**
 * Gradient estimators that are not plain reparameterisation.
 *
 * Score function (REINFORCE, Williams 1992) with a running-average baseline: for an objective
 * E_q[f(z)], ∇φ E_q[f] = E_q[(f(z) − b) ∇φ log q_φ(z)], unbiased for any b independent of z; a
 * running average of f lowers the variance. {@link scoreFunctionSurrogate} returns a term whose
 * value is 0 and whose gradient is that estimator, so it can be added to any loss.
 *
 * @example
 * ```ts
 * const b = new RunningBaseline(0.9);
 * const loss = tf.add(f, scoreFunctionSurrogate(q.logProb(z), f, b.value));
 * b.update(meanOf(f));
 * ```
 */
import { tf, stopGradient } from "@sparse-dgm/core";

/**
 * (stop(f) − baseline) · log q(z), minus its own value: contributes exactly 0 to the loss and the
 * score-function gradient to the guide's parameters. `logq` and `f` have the same shape.
 */
export function scoreFunctionSurrogate(logq: tf.Tensor, f: tf.Tensor, baseline: number | tf.Tensor = 0): tf.Tensor {
  return tf.tidy(() => {
    const adv = tf.sub(stopGradient(f), baseline);
    const s = tf.mul(adv, logq);
    return tf.sub(s, stopGradient(s));
  });
}

/** An exponential running average of the objective, used as the score-function baseline. */
export class RunningBaseline {
  private v: number | undefined;

  constructor(readonly decay = 0.9) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`RunningBaseline: decay must be in [0, 1), got ${decay}`);
  }

  /** The current baseline (0 before the first update). */
  get value(): number {
    return this.v ?? 0;
  }

  /** Folds in a new mean objective value. */
  update(x: number): void {
    this.v = this.v === undefined ? x : this.decay * this.v + (1 - this.decay) * x;
  }
}
