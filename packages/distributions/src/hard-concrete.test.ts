import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { hardConcrete } from "./hard-concrete.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("HardConcrete (Louizos et al. 2018)", () => {
  it("E[L0] = P(z ≠ 0) = sigmoid(log α − β log(−γ/ζ)): 0.8318 at log α = 0 with the paper's β = 2/3, γ = −0.1, ζ = 1.1", () => {
    expect(hardConcrete({ logAlpha: 0 }).probNonZero().dataSync()[0]).toBeCloseTo(sigmoid(-(2 / 3) * Math.log(0.1 / 1.1)), 6);
    expect(hardConcrete({ logAlpha: 0 }).probNonZero().dataSync()[0]).toBeCloseTo(0.8318, 4);
  });

  it("the frequencies of exact zeros and ones match the closed forms P(z = 0) and P(z = 1) (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.2, max: 1.5, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (logAlpha, beta, seed) =>
        tf.tidy(() => {
          const d = hardConcrete({ logAlpha, temperature: beta });
          const z = vals(d.sample(Key.of(seed), [20000]));
          const zeros = z.filter((v) => v === 0).length / z.length;
          const ones = z.filter((v) => v === 1).length / z.length;
          const inRange = z.every((v) => v >= 0 && v <= 1);
          return inRange && Math.abs(zeros - (1 - d.probNonZero().dataSync()[0])) < 0.02 && Math.abs(ones - d.probOne().dataSync()[0]) < 0.02;
        }),
      ),
      { numRuns: 12 },
    );
  });

  it("its mixed density has total mass 1: P(0) + P(1) + ∫ density over (0, 1)", () => {
    for (const [logAlpha, beta] of [[0, 2 / 3], [-1.5, 0.5], [2, 1]]) {
      const d = hardConcrete({ logAlpha, temperature: beta });
      const n = 100000;
      const zs = tf.tensor(Array.from({ length: n }, (_, i) => (i + 0.5) / n));
      const inside = vals(tf.exp(d.logProb(zs))).reduce((a, b) => a + b, 0) / n;
      const p0 = Math.exp(d.logProb(tf.scalar(0)).dataSync()[0]);
      const p1 = Math.exp(d.logProb(tf.scalar(1)).dataSync()[0]);
      expect(p0 + p1 + inside).toBeCloseTo(1, 2);
    }
  });

  it("is reparameterised in log α: a positive gradient of E[z] through the unclipped draws, none through exact 0 and 1", () => {
    const key = Key.of(9);
    const u = key.uniform([4000]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(hardConcrete({ logAlpha: l }).relax(u)))(tf.scalar(0)).dataSync()[0];
    expect(g).toBeGreaterThan(0);
    // per draw: the gradient vanishes exactly where the draw is clipped
    const per = tf.grad((l: tf.Tensor) => tf.sum(hardConcrete({ logAlpha: l }).relax(u)))(tf.zeros([4000]));
    const z = vals(hardConcrete({ logAlpha: tf.zeros([4000]) }).relax(u));
    vals(per).forEach((v, i) => (z[i] === 0 || z[i] === 1 ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0)));
  });

  it("the test-time gate is min(1, max(0, sigmoid(log α)(ζ − γ) + γ)); the stretch is checked", () => {
    expect(vals(hardConcrete({ logAlpha: tf.tensor([-5, 0, 5]) }).deterministic())).toEqual([0, Math.fround(0.5), 1]);
    expect(() => hardConcrete({ logAlpha: 0, stretch: [0.1, 1.1] })).toThrow("HardConcrete: the stretch (γ, ζ) needs γ < 0 < 1 < ζ, got (0.1, 1.1)");
    expect(() => hardConcrete({ logAlpha: 0, temperature: -1 })).toThrow(/temperature must be positive/);
  });
});
