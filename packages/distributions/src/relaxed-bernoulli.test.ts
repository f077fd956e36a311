import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { relaxedBernoulli, straightThroughGrad, RELAXED_EPS } from "./relaxed-bernoulli.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("RelaxedBernoulli", () => {
  it("samples are finite, in [0,1], and logProb(sample) is finite across temperatures 1e-3..10 (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 1, noNaN: true }), // log10 temperature
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (logT, logit, seed) =>
          tf.tidy(() => {
            const d = relaxedBernoulli({ temperature: 10 ** logT, logits: logit });
            const y = vals(d.sample(Key.of(seed), [64]));
            const lp = vals(d.logProb(tf.tensor(y)));
            return y.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) && lp.every(Number.isFinite);
          }),
      ),
      { numRuns: 100 },
    );
  });

  it("at temperature 1e-3 samples are ~0/1 (clamped) with the right frequency, logProb finite", () => {
    const d = relaxedBernoulli({ temperature: 1e-3, probs: 0.3 });
    const y = d.sample(Key.of(7), [20000]);
    const v = vals(y);
    const near = v.filter((x) => x <= 1e-5 || x >= 1 - 1e-5).length / v.length;
    expect(near).toBeGreaterThan(0.99);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(Math.fround(RELAXED_EPS));
    expect(tf.mean(tf.round(y)).dataSync()[0]).toBeCloseTo(0.3, 1.5);
    vals(d.logProb(y)).forEach((x) => expect(Number.isFinite(x)).toBe(true));
    vals(d.logProb(tf.tensor([0, 1]))).forEach((x) => expect(Number.isFinite(x)).toBe(true));
  });

  it("P(y > 1/2) = probs at every temperature", () => {
    for (const t of [0.1, 1, 5]) {
      const y = relaxedBernoulli({ temperature: t, probs: 0.8 }).sample(Key.of(3), [20000]);
      expect(tf.mean(tf.cast(tf.greater(y, 0.5), "float32")).dataSync()[0]).toBeCloseTo(0.8, 1.5);
    }
  });

  it("density integrates to 1 (test-only logProb)", () => {
    for (const [t, l] of [[0.5, 0.3], [1, -1], [2, 2]]) {
      const n = 200000;
      const ys = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
      const p = vals(tf.exp(relaxedBernoulli({ temperature: t, logits: l }).logProb(tf.tensor(ys))));
      expect(p.reduce((a, b) => a + b, 0) / n).toBeCloseTo(1, 2);
    }
  });

  it("is reparameterised: finite gradient of E[y] w.r.t. logits and temperature", () => {
    const key = Key.of(11);
    const [gl, gt] = tf.grads((l: tf.Tensor, t: tf.Tensor) => tf.mean(relaxedBernoulli({ temperature: t, logits: l }).sample(key, [1000])))([
      tf.tensor([0.5, -1]),
      tf.scalar(0.7),
    ]);
    vals(gl).forEach((v) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    });
    expect(Number.isFinite(gt.dataSync()[0])).toBe(true);
  });

  it("straight-through: forward exactly 0/1, gradient equals the soft sample's", () => {
    const key = Key.of(5);
    const logits = tf.tensor([0.3, -0.2, 1.5, -2]);
    const hard = relaxedBernoulli({ temperature: 0.5, logits, straightThrough: true }).sample(key, [50]);
    vals(hard).forEach((v) => expect(v === 0 || v === 1).toBe(true));
    const soft = relaxedBernoulli({ temperature: 0.5, logits }).sample(key, [50]);
    expect(vals(hard)).toEqual(vals(soft).map((v) => (v > 0.5 ? 1 : 0)));
    const w = Key.of(99).uniform([50, 4]); // fixed weights
    const gHard = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(w, relaxedBernoulli({ temperature: 0.5, logits: l, straightThrough: true }).sample(key, [50]))))(logits);
    const gSoft = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(w, relaxedBernoulli({ temperature: 0.5, logits: l }).sample(key, [50]))))(logits);
    vals(gHard).forEach((v, i) => expect(v).toBeCloseTo(vals(gSoft)[i], 5));
  });

  it("straightThroughGrad passes dy to soft only", () => {
    const [gs, gh] = tf.grads((s: tf.Tensor, h: tf.Tensor) => tf.sum(tf.mul(straightThroughGrad(s, (_x, hh) => tf.round(hh), h), tf.tensor([2, 3]))))([
      tf.tensor([0.2, 0.9]),
      tf.tensor([0.1, 0.8]),
    ]);
    expect(vals(gs)).toEqual([2, 3]);
    expect(vals(gh)).toEqual([0, 0]);
    expect(vals(straightThroughGrad(tf.tensor([0.2, 0.9]), (x) => tf.round(x)))).toEqual([0, 1]);
  });

  it("validates arguments; flags itself relaxed", () => {
    expect(() => relaxedBernoulli({ temperature: 0, probs: 0.5 })).toThrow(/temperature must be positive/);
    expect(() => relaxedBernoulli({ temperature: 1 })).toThrow(/exactly one of probs or logits/);
    expect(() => relaxedBernoulli({ temperature: 1, probs: 0.5, logits: 0 })).toThrow(/exactly one/);
    const d = relaxedBernoulli({ temperature: 1, probs: tf.tensor([0.5, 0.25]) });
    expect(d.isRelaxed).toBe(true);
    expect(d.hasRsample).toBe(true);
    expect(d.batchShape).toEqual([2]);
    expect(d.sample(Key.of(1), [3]).shape).toEqual([3, 2]);
    expect(vals(d.probs())[1]).toBeCloseTo(0.25, 6);
  });
});
