import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { negativeBinomial } from "./index.js";

describe("NegativeBinomial (scipy nbinom parameterisation)", () => {
  it("counts failures before totalCount successes: P[0] = p^r", () => {
    expect(negativeBinomial(5, 0.4).logProb(tf.scalar(0)).dataSync()[0]).toBeCloseTo(5 * Math.log(0.4), 5);
    expect(negativeBinomial(5, 0.4).mean().dataSync()[0]).toBeCloseTo((5 * 0.6) / 0.4, 5);
  });
  it("probs and logits agree", () => {
    const x = tf.tensor1d([0, 3, 17]);
    const a = negativeBinomial(2.5, 0.3).logProb(x).dataSync();
    const b = negativeBinomial(2.5, { logits: Math.log(0.3 / 0.7) }).logProb(x).dataSync();
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 4));
  });
  it("validates its parameters", () => {
    expect(() => negativeBinomial(0, 0.5)).toThrow("NegativeBinomial: totalCount must be positive, got 0");
    expect(() => negativeBinomial(2, 1)).toThrow("NegativeBinomial: probs must be in the open interval (0, 1), got 1");
  });
  it("samples are non-negative integers", () => {
    const s = negativeBinomial(3, 0.2).sample(Key.of(4), [1000]).dataSync();
    expect(s.every((v) => v >= 0 && Number.isInteger(v))).toBe(true);
  });
});
