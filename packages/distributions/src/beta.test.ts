import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { beta, kl, type Distribution } from "./index.js";

/** Monte Carlo estimate of KL(q || p) per batch element, with standard errors, from n draws of q. */
function mcKL(q: Distribution, p: Distribution, n = 50000, seed = 7): { means: number[]; ses: number[] } {
  return tf.tidy(() => {
    const s = q.sample(Key.of(seed), [n]);
    const { mean, variance } = tf.moments(tf.sub(q.logProb(s), p.logProb(s)), 0);
    return { means: Array.from(mean.dataSync()), ses: Array.from(variance.dataSync()).map((v) => Math.sqrt(v / n)) };
  });
}

/** Asserts every element of the closed-form KL is within 3 standard errors of the MC estimate. */
function expectKLMatchesMC(q: Distribution, p: Distribution, n = 50000): void {
  const closed = Array.from(kl(q, p).dataSync());
  const mc = mcKL(q, p, n);
  expect(mc.means.length).toBe(closed.length);
  closed.forEach((k, i) => {
    expect(Math.abs(k - mc.means[i]), `KL[${i}] = ${k}, MC ${mc.means[i]} +- ${mc.ses[i]}`).toBeLessThanOrEqual(3 * mc.ses[i] + 1e-4);
    expect(k).toBeGreaterThanOrEqual(-1e-6);
  });
}

describe("Beta", () => {
  it("Beta(1, 1) is uniform", () => {
    expect(Array.from(beta(1, 1).logProb(tf.tensor1d([0.1, 0.5, 0.9])).dataSync()).map((v) => Math.abs(v) < 1e-6)).toEqual([true, true, true]);
  });
  it("validates its parameters with a clear message", () => {
    expect(() => beta(-1, 3)).toThrow("Beta: concentration1 must be positive, got -1");
    expect(() => beta(1, 0)).toThrow("Beta: concentration0 must be positive, got 0");
  });
  it("KL(Beta || Beta) matches Monte Carlo (scalar and batched)", () => {
    expectKLMatchesMC(beta(2, 3), beta(1, 1));
    expectKLMatchesMC(beta(tf.tensor1d([0.5, 5, 2]), tf.tensor1d([0.8, 1.5, 8])), beta(tf.tensor1d([1, 2, 3]), 2));
  });
  it("KL gradients w.r.t. the guide's concentrations are finite", () => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(kl(beta(a, b), beta(1, 20))))([tf.tensor1d([0.5, 3]), tf.tensor1d([2, 0.7])]);
    expect(g.every((t) => Array.from(t.dataSync()).every(Number.isFinite))).toBe(true);
  });
  it("entropy matches scipy (Beta(2, 3): -0.234907)", () => {
    expect(beta(2, 3).entropy().dataSync()[0]).toBeCloseTo(-0.2349066, 5);
  });
});
