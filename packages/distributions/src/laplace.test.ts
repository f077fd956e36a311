import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { expectKLMatchesMC } from "../../../test/support/kl.js";
import { laplace, kl } from "./index.js";

describe("Laplace", () => {
  it("log density at the location is -log(2 scale)", () => {
    expect(laplace(0.5, 2).logProb(tf.scalar(0.5)).dataSync()[0]).toBeCloseTo(-Math.log(4), 6);
  });
  it("rejects a non-positive scale at construction", () => {
    expect(() => laplace(0, -1)).toThrow("Laplace: scale must be positive, got -1");
    expect(() => laplace(Number.NaN, 1)).toThrow(/loc must be a finite real number/);
  });
  it("KL(Laplace || Laplace) matches Monte Carlo (scalar and batched)", () => {
    expectKLMatchesMC(laplace(0.3, 1.5), laplace(-1, 0.7));
    expectKLMatchesMC(laplace(tf.tensor1d([0, 1, -2]), tf.tensor1d([1, 0.5, 2])), laplace(0, 1));
  });
  it("KL of a distribution with itself is 0", () => {
    expect(kl(laplace(1, 2), laplace(1, 2)).dataSync()[0]).toBeCloseTo(0, 6);
  });
  it("entropy is 1 + log(2 scale)", () => {
    expect(laplace(0, 3).entropy().dataSync()[0]).toBeCloseTo(1 + Math.log(6), 5);
  });
});
