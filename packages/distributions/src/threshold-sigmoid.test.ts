import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { thresholdSigmoidSpikeSlab } from "./threshold-sigmoid.js";
import { spikeAndSlab } from "./spike-and-slab.js";
import { kl, hasKL } from "./kl.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

describe("ThresholdSigmoidSpikeSlab", () => {
  it("the gate's expectation is ~gamma for large c (and matches the exact integral)", () => {
    const gammas = [0.05, 0.3, 0.5, 0.9];
    for (const c of [100, 1000]) {
      const d = thresholdSigmoidSpikeSlab({ inclusion: tf.tensor(gammas), sharpness: c });
      const { gate, hard } = d.sampleWithGate(Key.of(c), [40000]);
      const g = vals(tf.mean(gate, 0));
      const h = vals(tf.mean(hard, 0));
      gammas.forEach((gm, i) => {
        // E_u sigmoid(c (u - 1 + gamma)) = [softplus(c gamma) - softplus(c (gamma - 1))] / c
        const exact = (softplus(c * gm) - softplus(c * (gm - 1))) / c;
        expect(Math.abs(exact - gm)).toBeLessThan(1 / c);
        expect(Math.abs(g[i] - exact)).toBeLessThan(0.01);
        expect(Math.abs(h[i] - gm)).toBeLessThan(0.01);
      });
    }
  });

  it("gate and hard: the gate tends to the step function away from the threshold", () => {
    const d = thresholdSigmoidSpikeSlab({ inclusion: 0.3, sharpness: 100 });
    const u = tf.tensor([0.1, 0.6, 0.75, 0.95]);
    expect(vals(d.hard(u))).toEqual([0, 0, 1, 1]);
    const g = vals(d.gate(u));
    expect(g[0]).toBeLessThan(1e-20);
    expect(g[3]).toBeGreaterThan(1 - 1e-6);
    expect(g[1]).toBeCloseTo(1 / (1 + Math.exp(10)), 6);
  });

  it("is reparameterised: finite gradients w.r.t. gamma, mu, sigma", () => {
    const key = Key.of(3);
    const f = (g: tf.Tensor, m: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.square(thresholdSigmoidSpikeSlab({ inclusion: g, loc: m, scale: s, sharpness: 20 }).sample(key, [2000])));
    const [gg, gm, gs] = tf.grads(f)([tf.tensor([0.2, 0.5, 1]), tf.tensor([1, -0.5, 2]), tf.tensor([0.5, 1, 0.1])]);
    for (const g of [gg, gm, gs]) {
      vals(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
      expect(vals(g).some((v) => Math.abs(v) > 0)).toBe(true);
    }
    // d E[z^2] / d gamma > 0 for a slab with non-zero second moment
    expect(vals(gg)[0]).toBeGreaterThan(0);
    // gradient is finite also at the default sharpness and with warm-up
    const g2 = tf.grad((m: tf.Tensor) => tf.sum(thresholdSigmoidSpikeSlab({ inclusion: 0.5, loc: m, slabWarmup: 0.3 }).sample(key, [100])))(tf.scalar(1));
    expect(Number.isFinite(g2.dataSync()[0])).toBe(true);
  });

  it("slab warm-up: lambda = 0 gives N(0,1) slab noise; lambda = 1 gives N(mu, sigma^2)", () => {
    for (const [lambda, m, s] of [[0, 0, 1], [1, 3, 0.5], [0.5, 1.5, Math.sqrt(0.5)]]) {
      const d = thresholdSigmoidSpikeSlab({ inclusion: 1, loc: 3, scale: 0.5, slabWarmup: lambda });
      const z = d.sample(Key.of(8), [20000]);
      const mo = tf.moments(z);
      expect(mo.mean.dataSync()[0]).toBeCloseTo(m, 1);
      expect(Math.sqrt(mo.variance.dataSync()[0])).toBeCloseTo(s, 1);
    }
  });

  it("logProb throws a clear error; KL is the analytic spike-and-slab KL of (gamma, mu, sigma)", () => {
    const q = thresholdSigmoidSpikeSlab({ inclusion: tf.tensor([0.2, 0.8]), loc: tf.tensor([0.5, -1]), scale: 0.7, slabWarmup: 0.3 });
    expect(() => q.logProb(tf.scalar(0))).toThrow(/relaxed densities are never evaluated.*analytic spike-and-slab KL/);
    expect(q.isRelaxed).toBe(true);
    expect(q.hasRsample).toBe(true);
    const p = spikeAndSlab({ inclusion: 0.01 });
    expect(hasKL(q, p)).toBe(true);
    expect(vals(kl(q, p))).toEqual(vals(kl(q.toSpikeAndSlab(), p)));
    expect(vals(kl(q, q)).every((v) => Math.abs(v) < 1e-6)).toBe(true);
  });

  it("validates arguments", () => {
    expect(() => thresholdSigmoidSpikeSlab({ inclusion: 0.5, sharpness: 0 })).toThrow(/sharpness must be positive/);
    expect(() => thresholdSigmoidSpikeSlab({ inclusion: 0.5, slabWarmup: 1.5 })).toThrow(/slabWarmup must be in \[0, 1\]/);
    expect(() => thresholdSigmoidSpikeSlab({ inclusion: -0.1 })).toThrow(/inclusion/);
  });
});
