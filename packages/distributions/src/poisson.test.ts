import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { poisson } from "./index.js";

describe("Poisson", () => {
  it("log mass at 0 is -rate", () => {
    expect(poisson(3.5).logProb(tf.scalar(0)).dataSync()[0]).toBeCloseTo(-3.5, 6);
  });
  it("validates its rate", () => {
    expect(() => poisson(-1)).toThrow("Poisson: rate must be non-negative, got -1");
  });
  it("samples small and large rates (inversion and PTRS) with the right frequencies", () => {
    for (const rate of [2, 40]) {
      const s = poisson(rate).sample(Key.of(rate), [20000]).dataSync();
      const k = Math.round(rate);
      const freq = s.filter((v) => v === k).length / s.length;
      const want = Math.exp(poisson(rate).logProb(tf.scalar(k)).dataSync()[0]);
      expect(Math.abs(freq - want)).toBeLessThan(4 * Math.sqrt((want * (1 - want)) / s.length));
    }
  });
  it("rate 0 gives zeros", () => {
    expect(Array.from(poisson(0).sample(Key.of(1), [5]).dataSync())).toEqual([0, 0, 0, 0, 0]);
  });
});
