import { describe, it, expect } from "vitest";
import { tf, Key, stopGradient } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { scoreFunctionSurrogate, RunningBaseline } from "@sparse-dgm/infer";

// Objective E_{z ~ N(mu, sigma)}[(z - 2)^2]; exact d/dmu = 2 (mu - 2).
const f = (z: tf.Tensor) => tf.square(tf.sub(z, 2));

function gradients(n: number, key: Key, baseline: number | undefined) {
  const mu = tf.scalar(0.5);
  const sigma = tf.scalar(1.3);
  const eps = key.normal([n]);
  // Reparameterised: per-sample gradient of f(mu + sigma eps) w.r.t. mu.
  const rep = tf.grad((m: tf.Tensor) => tf.sum(f(tf.add(m, tf.mul(sigma, eps)))))(mu).dataSync()[0];
  // Score function: z drawn without a path to mu; per-sample gradients to get the variance.
  const z = tf.add(0.5, tf.mul(sigma, eps));
  const perSample = tf.grad((m: tf.Tensor) => tf.sum(scoreFunctionSurrogate(normal(m, sigma).logProb(z), f(z), baseline ?? 0)))(mu);
  const per = Array.from(tf.mul(tf.sub(stopGradient(f(z)), baseline ?? 0), tf.div(tf.sub(z, 0.5), tf.square(sigma))).dataSync());
  const mean = per.reduce((a, b) => a + b, 0) / n;
  const variance = per.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { rep: rep / n, sf: perSample.dataSync()[0] / n, sfMeanCheck: mean, variance };
}

describe("score-function estimator", () => {
  it("agrees with the reparameterised gradient within Monte Carlo error, and a baseline lowers its variance", () => {
    const n = 200_000;
    const exact = 2 * (0.5 - 2);
    const plain = gradients(n, Key.of(1), undefined);
    // the running-average baseline, fed with the objective's mean as a trainer would
    const b = new RunningBaseline(0.9);
    for (let i = 0; i < 50; i++) b.update(tf.mean(f(tf.add(0.5, tf.mul(1.3, Key.of(100 + i).normal([1000]))))).dataSync()[0]);
    const withBaseline = gradients(n, Key.of(1), b.value);
    const se = Math.sqrt(plain.variance / n);
    expect(Math.abs(plain.rep - exact)).toBeLessThan(0.05);
    expect(Math.abs(plain.sf - plain.sfMeanCheck)).toBeLessThan(1e-3);
    expect(Math.abs(plain.sf - plain.rep)).toBeLessThan(4 * se);
    expect(Math.abs(withBaseline.sf - plain.rep)).toBeLessThan(4 * Math.sqrt(withBaseline.variance / n));
    expect(withBaseline.variance).toBeLessThan(0.75 * plain.variance);
  });

  it("the surrogate adds exactly zero to the loss", () => {
    const v = scoreFunctionSurrogate(tf.tensor1d([-1, -2]), tf.tensor1d([3, 4]), 1).dataSync();
    expect(Array.from(v)).toEqual([0, 0]);
  });
});
