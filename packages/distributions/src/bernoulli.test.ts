import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { bernoulli, kl, type Distribution } from "./index.js";

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

describe("Bernoulli", () => {
  it("probs and logits parameterisations agree", () => {
    const a = bernoulli(0.3).logProb(tf.tensor1d([0, 1])).dataSync();
    const b = bernoulli({ logits: Math.log(0.3 / 0.7) }).logProb(tf.tensor1d([0, 1])).dataSync();
    expect(a[0]).toBeCloseTo(Math.log(0.7), 6);
    expect(a[1]).toBeCloseTo(Math.log(0.3), 6);
    expect(b[0]).toBeCloseTo(a[0], 6);
    expect(b[1]).toBeCloseTo(a[1], 6);
  });
  it("logits-based log mass is stable for huge logits", () => {
    const v = bernoulli({ logits: tf.tensor1d([-100, 100]) }).logProb(tf.tensor1d([1, 0])).dataSync();
    expect(v[0]).toBeCloseTo(-100, 4);
    expect(v[1]).toBeCloseTo(-100, 4);
    const w = bernoulli({ logits: tf.tensor1d([-100, 100]) }).logProb(tf.tensor1d([0, 1])).dataSync();
    expect(Array.from(w).every((x) => Number.isFinite(x) && Math.abs(x) < 1e-30)).toBe(true);
  });
  it("probs in {0, 1} give 0 and -inf, never NaN", () => {
    const v = bernoulli(tf.tensor1d([0, 1])).logProb(tf.tensor2d([[0, 1], [1, 0]])).dataSync();
    expect(Array.from(v).map((x) => (x === 0 ? 0 : x))).toEqual([0, 0, -Infinity, -Infinity]);
  });
  it("validates its parameters", () => {
    expect(() => bernoulli(1.5)).toThrow("Bernoulli: probs must be in [0, 1], got 1.5");
    expect(() => bernoulli({ probs: 0.5, logits: 0 } as never)).toThrow(/exactly one of probs or logits/);
  });
  it("KL(Bernoulli || Bernoulli) matches Monte Carlo and is differentiable", () => {
    expectKLMatchesMC(bernoulli(0.3), bernoulli({ logits: 1.2 }));
    expectKLMatchesMC(bernoulli({ logits: tf.tensor1d([-2, 0, 3]) }), bernoulli(tf.tensor1d([0.5, 0.1, 0.6])));
    const g = tf.grad((l: tf.Tensor) => tf.sum(kl(bernoulli({ logits: l }), bernoulli(0.2))))(tf.tensor1d([-1, 0.5]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});
