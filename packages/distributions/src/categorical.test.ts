import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { expectKLMatchesMC } from "../../../test/support/kl.js";
import { categorical, kl } from "./index.js";

describe("Categorical", () => {
  it("batch shape drops the category axis; int32 values are accepted", () => {
    const d = categorical({ logits: tf.zeros([4, 2, 5]) });
    expect(d.batchShape).toEqual([4, 2]);
    expect(d.numCategories).toBe(5);
    expect(d.logProb(tf.zeros([4, 2], "int32")).dataSync()[0]).toBeCloseTo(-Math.log(5), 6);
  });
  it("unnormalised probs are normalised", () => {
    expect(categorical([2, 6, 2]).logProb(tf.scalar(1)).dataSync()[0]).toBeCloseTo(Math.log(0.6), 6);
  });
  it("validates its parameters", () => {
    expect(() => categorical([0.5, -1])).toThrow("Categorical: probs must be non-negative, got -1");
    expect(() => categorical({ logits: tf.scalar(1) })).toThrow(/category axis/);
  });
  it("KL(Categorical || Categorical) matches Monte Carlo and is differentiable", () => {
    expectKLMatchesMC(categorical([0.2, 0.5, 0.3]), categorical({ logits: tf.tensor1d([1, 0, -1]) }));
    expectKLMatchesMC(categorical({ logits: tf.tensor2d([[0, 1, 2], [-1, 0, -3]]) }), categorical([0.3, 0.3, 0.4]));
    const g = tf.grad((l: tf.Tensor) => tf.sum(kl(categorical({ logits: l }), categorical([0.3, 0.3, 0.4]))))(tf.tensor1d([0, 1, 2]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
  it("a zero-probability category contributes nothing to the KL", () => {
    expect(kl(categorical([0, 1]), categorical([0.5, 0.5])).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
  });
});
