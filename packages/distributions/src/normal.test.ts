import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { normal, kl } from "./index.js";

describe("Normal", () => {
  it("log density at 0 is -log(2pi)/2", () => {
    expect(normal(0, 1).logProb(tf.scalar(0)).dataSync()[0]).toBeCloseTo(-0.9189385, 5);
  });
  it("rejects a negative scale at construction", () => {
    expect(() => normal(0, -1)).toThrow(/scale must be positive, got -1/);
  });
  it("KL(N(1,2)||N(0,1)) closed form", () => {
    // 0.5 * (4 + 1 - 1 - 2 log 2)
    expect(kl(normal(1, 2), normal(0, 1)).dataSync()[0]).toBeCloseTo(0.5 * (4 - 2 * Math.log(2)), 5);
  });
  it("samples are reproducible from a key", () => {
    const a = normal(0, 1).sample(Key.of(3), [4]).arraySync();
    const b = normal(0, 1).sample(Key.of(3), [4]).arraySync();
    expect(a).toEqual(b);
  });
});
