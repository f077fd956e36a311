import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { laplace, kl, type Distribution } from "./index.js";

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

describe("Laplace", () => {
  it("log density at the location is -log(2 scale)", () => {
    expect(laplace(0.5, 2).logProb(tf.scalar(0.5)).dataSync()[0]).toBeCloseTo(-Math.log(4), 6);
  });
  it("rejects a non-positive scale at construction", () => {
    expect(() => laplace(0, -1)).toThrow("Laplace: scale must be positive, got -1");
    expect(() => laplace(Number.NaN, 1)).toThrow(/loc must be a finite real number/);
  });
  it("KL(Laplace || Laplace) matches Monte Carlo (scalar and batched)", () => {
    expectKLMatchesMC(laplace(0.3, 1.5), laplace(-1, 0.7));
    expectKLMatchesMC(laplace(tf.tensor1d([0, 1, -2]), tf.tensor1d([1, 0.5, 2])), laplace(0, 1));
  });
  it("KL of a distribution with itself is 0", () => {
    expect(kl(laplace(1, 2), laplace(1, 2)).dataSync()[0]).toBeCloseTo(0, 6);
  });
  it("entropy is 1 + log(2 scale)", () => {
    expect(laplace(0, 3).entropy().dataSync()[0]).toBeCloseTo(1 + Math.log(6), 5);
  });
});
