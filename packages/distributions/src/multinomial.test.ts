import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { multinomial, categorical } from "./index.js";

describe("Multinomial", () => {
  it("event shape [C], samples sum to totalCount", () => {
    const d = multinomial(7, { logits: tf.zeros([2, 4]) });
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([4]);
    const s = d.sample(Key.of(0), [50]);
    expect(s.shape).toEqual([50, 2, 4]);
    expect(Array.from(tf.sum(s, -1).dataSync()).every((v) => v === 7)).toBe(true);
  });
  it("totalCount 1 reduces to the categorical", () => {
    const a = multinomial(1, [0.2, 0.5, 0.3]).logProb(tf.tensor1d([0, 1, 0])).dataSync()[0];
    const b = categorical([0.2, 0.5, 0.3]).logProb(tf.scalar(1)).dataSync()[0];
    expect(a).toBeCloseTo(b, 5);
  });
  it("validates its parameters", () => {
    expect(() => multinomial(2.5, [0.5, 0.5])).toThrow("Multinomial: totalCount must be a non-negative integer, got 2.5");
    expect(() => multinomial(3, [0.5, -0.5])).toThrow("Multinomial: probs must be non-negative, got -0.5");
  });
});
