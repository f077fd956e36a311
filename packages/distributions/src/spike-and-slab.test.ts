import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { spikeAndSlab, spikeAndSlabKL } from "./spike-and-slab.js";
import { kl, hasKL } from "./kl.js";
import { distributionCases } from "./registry.js";
import ref from "./reference/sparse.json" with { type: "json" };

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("SpikeAndSlab", () => {
  it("mixed log density: log(1 - gamma) at 0, log gamma + log N elsewhere (scipy)", () => {
    for (const r of ref.spikeAndSlab) {
      const d = spikeAndSlab({ inclusion: r.inclusion, loc: r.loc, scale: r.scale });
      vals(d.logProb(tf.tensor(r.points))).forEach((v, i) => expect(Math.abs(v - r.logProb[i])).toBeLessThan(1e-4));
      expect(d.logProb(tf.scalar(0)).dataSync()[0]).toBeCloseTo(Math.log1p(-r.inclusion), 5);
      const c = distributionCases().find((x) => x.name === r.name)!;
      c.logProb!.forEach((v, i) => expect(v).toBeCloseTo(r.logProb[i], 10));
      expect(c.mean![0]).toBeCloseTo(r.mean, 10);
      expect(c.variance![0]).toBeCloseTo(r.variance, 10);
    }
  });

  it("logProb is finite at gamma = 1 and gamma = 0 (clamped)", () => {
    const z = tf.tensor([0, 1.5]);
    for (const g of [0, 1]) vals(spikeAndSlab({ inclusion: g }).logProb(z)).forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it("KL matches the fixed-prior form used by the VSC code (γ clamped to [1e-6, 1 − 1e-6] throughout)", () => {
    const gamma = tf.tensor([0.1, 0.5, 0.99, 1, 0.3]);
    const mu = tf.tensor([0.3, -1, 2, 0.5, 0]);
    const sigma = tf.tensor([0.5, 1, 0.1, 2, 1]);
    const alpha = 0.01;
    const q = spikeAndSlab({ inclusion: gamma, loc: mu, scale: sigma });
    const p = spikeAndSlab({ inclusion: alpha, loc: 0, scale: 1 });
    expect(hasKL(q, p)).toBe(true);
    const got = kl(q, p);
    expect(got.shape).toEqual([5]);
    const g = vals(gamma).map((x) => Math.min(Math.max(x, 1e-6), 1 - 1e-6));
    const m = vals(mu);
    const s = vals(sigma);
    const want = g.map(
      (x, i) =>
        -0.5 * x * (1 + Math.log(s[i] ** 2) - m[i] ** 2 - s[i] ** 2) +
        (1 - x) * Math.log((1 - g[i]) / (1 - alpha)) +
        x * Math.log(g[i] / alpha),
    );
    vals(got).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });

  it("KL is zero for identical distributions and positive otherwise; broadcasts", () => {
    const q = spikeAndSlab({ inclusion: tf.tensor([[0.2, 0.7]]), loc: tf.tensor([0.3, -1]), scale: 1.5 });
    vals(kl(q, q)).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-6));
    const p = spikeAndSlab({ inclusion: tf.tensor([[0.5], [0.1]]), loc: 0, scale: 1 });
    const k = kl(q, p);
    expect(k.shape).toEqual([2, 2]);
    vals(k).forEach((v) => expect(v).toBeGreaterThan(0));
  });

  it("KL agrees with a Monte Carlo estimate E_q[log q - log p] (100k draws, 3 SE)", () => {
    const cases = [
      { q: { inclusion: 0.3, loc: 0.5, scale: 0.7 }, p: { inclusion: 0.1, loc: 0, scale: 1 } },
      { q: { inclusion: 0.9, loc: -1, scale: 2 }, p: { inclusion: 0.6, loc: 0.5, scale: 1.5 } },
    ];
    let seed = 10;
    for (const c of cases) {
      const q = spikeAndSlab(c.q);
      const p = spikeAndSlab(c.p);
      const exact = kl(q, p).dataSync()[0];
      const z = q.sample(Key.of(seed++), [100000]);
      const diff = tf.sub(q.logProb(z), p.logProb(z));
      const { mean, variance } = tf.moments(diff);
      const m = mean.dataSync()[0];
      const se = Math.sqrt(variance.dataSync()[0] / 100000);
      expect(Math.abs(m - exact)).toBeLessThan(3 * se);
    }
  });

  it("no gradient in γ outside the clamp, as the reference (switched-off units are not pulled back)", () => {
    const dg = tf.grad((g: tf.Tensor) => tf.sum(spikeAndSlabKL(g, tf.tensor([0.3, 0.3, 0.3]), tf.tensor([0.8, 0.8, 0.8]), tf.scalar(0.01), tf.scalar(0), tf.scalar(1))));
    const [below, inside, above] = vals(dg(tf.tensor([1e-8, 0.2, 1])));
    expect(below).toBe(0);
    expect(above).toBe(0);
    // inside: d/dγ of γ·slab + (1−γ) log((1−γ)/(1−α)) + γ log(γ/α)
    const slab = -Math.log(0.8) + (0.64 + 0.09) / 2 - 0.5;
    expect(inside).toBeCloseTo(slab - Math.log(0.8 / 0.99) - 1 + Math.log(0.2 / 0.01) + 1, 4);
  });

  it("spikeAndSlabKL is differentiable with finite gradients at gamma = 1", () => {
    const grads = tf.grads((g: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => tf.sum(spikeAndSlabKL(g, m, s, tf.scalar(0.01), tf.scalar(0), tf.scalar(1))));
    const out = grads([tf.tensor([1, 0.5]), tf.tensor([0.2, -0.3]), tf.tensor([0.7, 1.2])]);
    out.forEach((g) => vals(g).forEach((v) => expect(Number.isFinite(v)).toBe(true)));
  });

  it("samples: exact zeros at rate 1 - gamma, mean gamma * loc", () => {
    const d = spikeAndSlab({ inclusion: 0.3, loc: 2, scale: 0.5 });
    const z = d.sample(Key.of(4), [20000]);
    const zeros = tf.mean(tf.cast(tf.equal(z, 0), "float32")).dataSync()[0];
    expect(zeros).toBeCloseTo(0.7, 1.5);
    expect(tf.mean(z).dataSync()[0]).toBeCloseTo(d.mean().dataSync()[0], 1);
    expect(d.mean().dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(d.hasRsample).toBe(false);
  });

  it("rejects bad hyperparameters at construction", () => {
    expect(() => spikeAndSlab({ inclusion: 1.2 })).toThrow(/inclusion must be in \[0, 1\], got 1.2/);
    expect(() => spikeAndSlab({ inclusion: 0.5, scale: 0 })).toThrow(/scale must be positive/);
  });
});
