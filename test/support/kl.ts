/** Shared test helpers of the distribution suites: closed-form KLs against Monte Carlo. */
import { expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { kl, type Distribution } from "@sparse-dgm/distributions";

/** Monte Carlo estimate of KL(q || p) per batch element, with standard errors, from n draws of q. */
export function mcKL(q: Distribution, p: Distribution, n = 50000, seed = 7): { means: number[]; ses: number[] } {
  return tf.tidy(() => {
    const s = q.sample(Key.of(seed), [n]);
    const { mean, variance } = tf.moments(tf.sub(q.logProb(s), p.logProb(s)), 0);
    return { means: Array.from(mean.dataSync()), ses: Array.from(variance.dataSync()).map((v) => Math.sqrt(v / n)) };
  });
}

/** Asserts every element of the closed-form KL is within 3 standard errors of the MC estimate. */
export function expectKLMatchesMC(q: Distribution, p: Distribution, n = 50000): void {
  const closed = Array.from(kl(q, p).dataSync());
  const mc = mcKL(q, p, n);
  expect(mc.means.length).toBe(closed.length);
  closed.forEach((k, i) => {
    expect(Math.abs(k - mc.means[i]), `KL[${i}] = ${k}, MC ${mc.means[i]} +- ${mc.ses[i]}`).toBeLessThanOrEqual(3 * mc.ses[i] + 1e-4);
    expect(k).toBeGreaterThanOrEqual(-1e-6);
  });
}
