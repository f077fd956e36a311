import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { expectKLMatchesMC } from "../../../test/support/kl.js";
import { gamma, standardGammaSample } from "./index.js";

describe("Gamma", () => {
  it("Gamma(1, rate) is exponential", () => {
    expect(gamma(1, 2).logProb(tf.scalar(0.7)).dataSync()[0]).toBeCloseTo(Math.log(2) - 1.4, 5);
  });
  it("validates its parameters", () => {
    expect(() => gamma(0, 1)).toThrow("Gamma: concentration must be positive, got 0");
    expect(() => gamma(1, -2)).toThrow("Gamma: rate must be positive, got -2");
  });
  it("KL(Gamma || Gamma) matches Monte Carlo (scalar and batched)", () => {
    expectKLMatchesMC(gamma(3, 2), gamma(1, 1));
    expectKLMatchesMC(gamma(tf.tensor1d([0.7, 2, 10]), tf.tensor1d([1, 0.5, 4])), gamma(2, 1));
  });
  it("tiny concentrations never sample exactly 0", () => {
    const s = standardGammaSample(Key.of(1), tf.scalar(0.01), [], [2000]);
    expect(tf.min(s).dataSync()[0]).toBeGreaterThan(0);
  });
  it("entropy matches scipy (Gamma(3, rate 2): 1.154431)", () => {
    // scipy.stats.gamma(3, scale=0.5).entropy() = 1.15443133
    expect(gamma(3, 2).entropy().dataSync()[0]).toBeCloseTo(1.1544313, 5);
  });
});
