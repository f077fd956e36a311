import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { SpikeSlabLasso, spikeSlabLasso } from "./spike-slab-lasso.js";
import { distributionCases } from "./registry.js";
import ref from "./reference/sparse.json" with { type: "json" };

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("SpikeSlabLasso", () => {
  // specs/sparse-vae.md §2.4, lambda0 = 10, lambda1 = 1.
  const table = [
    { eta: 0.5, w: [0, 0.1, 0.25, 0.5, 1], code: [0.5, 0.7109, 0.9047, 0.989, 0.9999], norm: [0.0909, 0.1974, 0.4869, 0.9, 0.9988] },
    { eta: 0.2, w: [0, 0.1, 0.25, 0.5], code: [0.2, 0.3808, 0.7034, 0.9575], norm: [0.0244, 0.0579, 0.1917, 0.6923] },
  ];
  for (const row of table) {
    it(`pins the spec table at eta=${row.eta} (code and normalised forms)`, () => {
      for (const sign of [1, -1]) {
        const w = tf.tensor(row.w.map((x) => sign * x));
        const code = vals(spikeSlabLasso({ spike: 10, slab: 1, inclusion: row.eta }).inclusionProbability(w));
        const norm = vals(spikeSlabLasso({ spike: 10, slab: 1, inclusion: row.eta, form: "normalised" }).inclusionProbability(w));
        code.forEach((v, i) => expect(Math.abs(v - row.code[i])).toBeLessThan(1e-4));
        norm.forEach((v, i) => expect(Math.abs(v - row.norm[i])).toBeLessThan(1e-4));
      }
    });
  }

  it("agrees with the scipy inclusion probabilities (sparse.json)", () => {
    for (const r of ref.sslInclusion) {
      for (const form of ["code", "normalised"] as const) {
        const got = vals(spikeSlabLasso({ spike: r.spike, slab: r.slab, inclusion: r.inclusion, form }).inclusionProbability(tf.tensor(r.w)));
        const want = form === "code" ? r.code : r.normalised;
        got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      }
    }
  });

  it("crosses p* = 0.5 where the spec says", () => {
    for (const eta of [0.5, 0.2, 0.05, 0.01]) {
      const codeAt = Math.log((1 - eta) / eta) / 9;
      const normAt = (Math.log((1 - eta) / eta) + Math.log(10)) / 9;
      const c = vals(spikeSlabLasso({ inclusion: eta }).inclusionProbability(tf.scalar(codeAt)))[0];
      const n = vals(spikeSlabLasso({ inclusion: eta, form: "normalised" }).inclusionProbability(tf.scalar(normAt)))[0];
      expect(c).toBeCloseTo(0.5, 5);
      expect(n).toBeCloseTo(0.5, 5);
    }
    expect((Math.log(1) + Math.log(10)) / 9).toBeCloseTo(0.256, 3);
  });

  it("has no NaN or underflow at |w| = 1e3 (inclusion, logProb, gradients)", () => {
    const w = tf.tensor([-1e3, 1e3, 0]);
    for (const form of ["code", "normalised"] as const) {
      const d = spikeSlabLasso({ inclusion: 0.01, form });
      const p = vals(d.inclusionProbability(w));
      expect(p[0]).toBe(1);
      expect(p[1]).toBe(1);
      const lp = vals(d.logProb(w));
      lp.forEach((v) => expect(Number.isFinite(v)).toBe(true));
      // logProb far in the tail is the slab term: log(eta) + log(1/2) - 1e3.
      expect(lp[1]).toBeCloseTo(Math.log(0.01) + Math.log(0.5) - 1e3, 2);
    }
    const eta = tf.tensor([0.3, 0.3, 0.3]);
    const g = tf.grad((e: tf.Tensor) => tf.sum(spikeSlabLasso({ inclusion: e }).logProb(w)))(eta);
    vals(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
    const gw = tf.grad((x: tf.Tensor) => tf.sum(spikeSlabLasso({ inclusion: 0.3 }).logProb(x)))(w);
    vals(gw).forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it("logProb matches scipy (sparse.json) and the registered cases carry the same values", () => {
    for (const r of ref.ssl) {
      const got = vals(spikeSlabLasso({ spike: r.spike, slab: r.slab, inclusion: r.inclusion }).logProb(tf.tensor(r.points)));
      got.forEach((v, i) => expect(Math.abs(v - r.logProb[i])).toBeLessThan(1e-4));
      const c = distributionCases().find((x) => x.name === r.name);
      expect(c).toBeDefined();
      c!.logProb!.forEach((v, i) => expect(v).toBeCloseTo(r.logProb[i], 10));
      (c!.points as number[]).forEach((v, i) => expect(Math.fround(v)).toBe(r.points[i]));
    }
  });

  it("logProb does not depend on form (only p* does)", () => {
    const w = tf.tensor([0, 0.3, -2]);
    expect(vals(spikeSlabLasso({ inclusion: 0.3 }).logProb(w))).toEqual(vals(spikeSlabLasso({ inclusion: 0.3, form: "normalised" }).logProb(w)));
  });

  it("inclusion broadcasts over columns", () => {
    const W = tf.tensor2d([[0, 0.1], [0.25, 0.5]]);
    const p = spikeSlabLasso({ inclusion: tf.tensor([0.5, 0.2]) }).inclusionProbability(W).arraySync() as number[][];
    expect(p[0][0]).toBeCloseTo(0.5, 4);
    expect(p[0][1]).toBeCloseTo(0.3808, 4);
    expect(p[1][0]).toBeCloseTo(0.9047, 4);
    expect(p[1][1]).toBeCloseTo(0.9575, 4);
  });

  it("emPenalty is sum (lambda1 p* + lambda0 (1 - p*)) |w| and differentiable in w", () => {
    const W = tf.tensor2d([[0.5, -1], [0, 2]]);
    const P = tf.tensor2d([[0.5, 1], [0.2, 0]]);
    const d = spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.5 });
    const pen = d.emPenalty(W, P);
    expect(pen.shape).toEqual([]);
    expect(pen.dataSync()[0]).toBeCloseTo(5.5 * 0.5 + 1 * 1 + 0 + 10 * 2, 4);
    const g = tf.grad((w: tf.Tensor) => d.emPenalty(w, P))(W);
    expect(vals(g)[0]).toBeCloseTo(5.5, 5);
    expect(vals(g)[1]).toBeCloseTo(-1, 5);
    // first step: p* = 0.5 gives weight (lambda0 + lambda1)/2 = 5.5 everywhere
    expect(d.emPenalty(W, tf.fill([2, 2], 0.5)).dataSync()[0]).toBeCloseTo(5.5 * 3.5, 4);
  });

  it("etaUpdate = (sum_j p* + a - 1)/(a + b + G - 2), clamped to 1e-10 when negative", () => {
    const P = tf.tensor2d([[1, 0, 0.2], [0.5, 0, 0.3], [0.25, 0, 0.1]]); // G = 3
    const eta = vals(SpikeSlabLasso.etaUpdate(P, 1, 3));
    expect(eta[0]).toBeCloseTo(1.75 / 5, 6);
    expect(eta[1]).toBe(0);
    expect(eta[2]).toBeCloseTo(0.6 / 5, 6);
    const eta2 = vals(SpikeSlabLasso.etaUpdate(P, 2, 4));
    expect(eta2[0]).toBeCloseTo(2.75 / 7, 6);
    // a < 1 can make the numerator negative: clamp
    const eta3 = vals(SpikeSlabLasso.etaUpdate(P, 0.5, 3));
    expect(eta3[1]).toBeCloseTo(1e-10, 15);
    expect(eta3[0]).toBeCloseTo(1.25 / 4.5, 6);
    // a = 1, b = G: eta <= G/(2G - 1)
    const ones = tf.ones([7, 2]);
    vals(SpikeSlabLasso.etaUpdate(ones, 1, 7)).forEach((v) => expect(v).toBeCloseTo(7 / 13, 6));
  });

  it("p* is monotone increasing in |w| and in eta (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true }),
        fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.constantFrom<"code" | "normalised">("code", "normalised"),
        (e1, e2, a1, a2, form) => {
          const [elo, ehi] = e1 <= e2 ? [e1, e2] : [e2, e1];
          const [alo, ahi] = a1 <= a2 ? [a1, a2] : [a2, a1];
          return tf.tidy(() => {
            const lo = spikeSlabLasso({ inclusion: elo, form });
            const hi = spikeSlabLasso({ inclusion: ehi, form });
            const w = tf.tensor([alo, ahi, -ahi]);
            const pl = vals(lo.inclusionProbability(w));
            const ph = vals(hi.inclusionProbability(w));
            return pl[0] <= pl[1] && pl[1] === pl[2] && pl[0] <= ph[0] && pl[1] <= ph[1];
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("samples: reproducible, variance matches", () => {
    const d = spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.3 });
    const a = d.sample(Key.of(1), [20000]);
    expect(vals(d.sample(Key.of(1), [5]))).toEqual(vals(a).slice(0, 5));
    const v = tf.moments(a).variance.dataSync()[0];
    const want = d.variance().dataSync()[0];
    expect(Math.abs(v - want) / want).toBeLessThan(0.08);
    // fraction of |w| > 0.5: eta e^{-0.5} + (1 - eta) e^{-5}
    const frac = tf.mean(tf.cast(tf.greater(tf.abs(a), 0.5), "float32")).dataSync()[0];
    expect(frac).toBeCloseTo(0.3 * Math.exp(-0.5) + 0.7 * Math.exp(-5), 2);
    expect(d.sample(Key.of(2), [3, 2]).shape).toEqual([3, 2]);
  });

  it("rejects bad hyperparameters at construction", () => {
    expect(() => spikeSlabLasso({ inclusion: 1.5 })).toThrow(/inclusion must be in the open interval \(0, 1\), got 1.5/);
    expect(() => spikeSlabLasso({ inclusion: 0.5, spike: -1 })).toThrow(/spike must be positive/);
    expect(() => spikeSlabLasso({ inclusion: 0.5, form: "other" as "code" })).toThrow(/form/);
    expect(spikeSlabLasso({ inclusion: 0.5 }).describe()).toEqual({ kind: "SpikeSlabLasso", params: { spike: 10, slab: 1, inclusion: 0.5, form: "code" } });
  });
});
