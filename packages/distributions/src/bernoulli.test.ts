import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { expectKLMatchesMC } from "../../../test/support/kl.js";
import { bernoulli, kl } from "./index.js";

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
