import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { inverseGamma, scaledInvChi2, gamma } from "./index.js";

describe("InverseGamma / scaledInvChi2", () => {
  it("scaledInvChi2(df, s) = InverseGamma(df/2, df s/2)", () => {
    const d = scaledInvChi2(3, 0.5);
    expect(d.concentration.dataSync()[0]).toBeCloseTo(1.5, 6);
    expect(d.scale.dataSync()[0]).toBeCloseTo(0.75, 6);
    const t = scaledInvChi2(tf.tensor1d([3, 10]), tf.tensor1d([0.5, 2]));
    expect(Array.from(t.concentration.dataSync())).toEqual([1.5, 5]);
    expect(Array.from(t.scale.dataSync())).toEqual([0.75, 10]);
  });
  it("validates its parameters", () => {
    expect(() => inverseGamma(-1, 1)).toThrow("InverseGamma: concentration must be positive, got -1");
    expect(() => scaledInvChi2(0, 1)).toThrow("ScaledInvChi2: df must be positive, got 0");
    expect(() => scaledInvChi2(3, -0.5)).toThrow("ScaledInvChi2: scale must be positive, got -0.5");
  });
  it("is the law of 1 / Gamma(concentration, rate = scale): densities agree by change of variables", () => {
    const x = tf.tensor1d([0.2, 1, 3]);
    const a = inverseGamma(2.5, 1.7).logProb(x).dataSync();
    const b = tf.sub(gamma(2.5, 1.7).logProb(tf.reciprocal(x)), tf.mul(2, tf.log(x))).dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  });
  it("mean and variance are infinite where they do not exist", () => {
    const d = inverseGamma(tf.tensor1d([0.5, 1.5, 3]), 1);
    expect(Array.from(d.mean().dataSync())).toEqual([Infinity, 2, 0.5]);
    expect(d.variance().dataSync()[1]).toBe(Infinity);
  });
  it("samples are positive", () => {
    expect(tf.min(scaledInvChi2(3, 0.1).sample(Key.of(0), [1000])).dataSync()[0]).toBeGreaterThan(0);
  });
});
