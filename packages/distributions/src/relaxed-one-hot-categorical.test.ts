import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { relaxedOneHotCategorical } from "./relaxed-one-hot-categorical.js";
import { relaxedBernoulli, RELAXED_EPS } from "./relaxed-bernoulli.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("RelaxedOneHotCategorical", () => {
  it("samples finite, clamped, rows sum to ~1, logProb finite across temperatures 1e-3..10 (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 1, noNaN: true }),
        fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        (logT, logits, seed) =>
          tf.tidy(() => {
            const d = relaxedOneHotCategorical({ temperature: 10 ** logT, logits: tf.tensor(logits) });
            const y = d.sample(Key.of(seed), [16]);
            const v = vals(y);
            const sums = vals(tf.sum(y, -1));
            const lp = vals(d.logProb(y));
            return (
              v.every((x) => Number.isFinite(x) && x >= Math.fround(RELAXED_EPS) && x <= 1) &&
              sums.every((s) => Math.abs(s - 1) < logits.length * 1e-5) &&
              lp.every(Number.isFinite)
            );
          }),
      ),
      { numRuns: 100 },
    );
  });

  it("argmax frequencies equal probs (Gumbel-max), at any temperature", () => {
    const probs = [0.2, 0.3, 0.5];
    for (const t of [1e-3, 1]) {
      const y = relaxedOneHotCategorical({ temperature: t, probs: tf.tensor(probs) }).sample(Key.of(9), [20000]);
      const freq = vals(tf.mean(tf.oneHot(tf.argMax(y, -1), 3).toFloat(), 0));
      freq.forEach((f, i) => expect(f).toBeCloseTo(probs[i], 1.5));
    }
  });

  it("K = 2 density equals the binary Concrete density of the first coordinate", () => {
    for (const [t, a, b] of [[0.5, 0.3, -0.4], [2, 1, 0]]) {
      const ys = [0.05, 0.3, 0.5, 0.9];
      const cat = relaxedOneHotCategorical({ temperature: t, logits: tf.tensor([a, b]) });
      const bin = relaxedBernoulli({ temperature: t, logits: a - b });
      const lc = vals(cat.logProb(tf.tensor(ys.map((y) => [y, 1 - y]))));
      const lb = vals(bin.logProb(tf.tensor(ys)));
      lc.forEach((v, i) => expect(v).toBeCloseTo(lb[i], 3));
    }
  });

  it("straight-through: exact one-hot forward, soft gradient", () => {
    const key = Key.of(2);
    const logits = tf.tensor([[0.1, 0.5, -0.3], [2, 0, 0]]);
    const d = relaxedOneHotCategorical({ temperature: 0.7, logits, straightThrough: true });
    const y = d.sample(key, [10]);
    expect(y.shape).toEqual([10, 2, 3]);
    vals(y).forEach((v) => expect(v === 0 || v === 1).toBe(true));
    vals(tf.sum(y, -1)).forEach((s) => expect(s).toBe(1));
    const w = tf.tensor([1, 2, 3]);
    const f = (st: boolean) => (l: tf.Tensor) => tf.sum(tf.mul(w, relaxedOneHotCategorical({ temperature: 0.7, logits: l, straightThrough: st }).sample(key, [10])));
    const gHard = vals(tf.grad(f(true))(logits));
    const gSoft = vals(tf.grad(f(false))(logits));
    gHard.forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeCloseTo(gSoft[i], 5);
    });
  });

  it("batch temperature broadcasts; shapes and validation", () => {
    const d = relaxedOneHotCategorical({ temperature: tf.tensor([0.1, 10]), logits: tf.zeros([2, 4]) });
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([4]);
    const y = d.sample(Key.of(1), [500]);
    // low temperature: near-one-hot; high temperature: near-uniform
    const maxes = tf.mean(tf.max(y, -1), 0).dataSync();
    expect(maxes[0]).toBeGreaterThan(0.9);
    expect(maxes[1]).toBeLessThan(0.4);
    expect(d.isRelaxed).toBe(true);
    expect(() => relaxedOneHotCategorical({ temperature: -1, logits: tf.zeros([3]) })).toThrow(/temperature must be positive/);
    expect(() => relaxedOneHotCategorical({ temperature: 1 })).toThrow(/exactly one/);
  });
});
