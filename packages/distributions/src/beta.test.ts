import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { expectKLMatchesMC } from "../../../test/support/kl.js";
import { beta, kl } from "./index.js";

describe("Beta", () => {
  it("Beta(1, 1) is uniform", () => {
    expect(Array.from(beta(1, 1).logProb(tf.tensor1d([0.1, 0.5, 0.9])).dataSync()).map((v) => Math.abs(v) < 1e-6)).toEqual([true, true, true]);
  });
  it("validates its parameters with a clear message", () => {
    expect(() => beta(-1, 3)).toThrow("Beta: concentration1 must be positive, got -1");
    expect(() => beta(1, 0)).toThrow("Beta: concentration0 must be positive, got 0");
  });
  it("KL(Beta || Beta) matches Monte Carlo (scalar and batched)", () => {
    expectKLMatchesMC(beta(2, 3), beta(1, 1));
    expectKLMatchesMC(beta(tf.tensor1d([0.5, 5, 2]), tf.tensor1d([0.8, 1.5, 8])), beta(tf.tensor1d([1, 2, 3]), 2));
  });
  it("KL gradients w.r.t. the guide's concentrations are finite", () => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(kl(beta(a, b), beta(1, 20))))([tf.tensor1d([0.5, 3]), tf.tensor1d([2, 0.7])]);
    expect(g.every((t) => Array.from(t.dataSync()).every(Number.isFinite))).toBe(true);
  });
  it("entropy matches scipy (Beta(2, 3): -0.234907)", () => {
    expect(beta(2, 3).entropy().dataSync()[0]).toBeCloseTo(-0.2349066, 5);
  });
});
