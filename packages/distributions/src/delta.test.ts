import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { delta } from "./index.js";

describe("Delta", () => {
  it("log mass 0 at the value, -inf elsewhere", () => {
    expect(Array.from(delta(1.5).logProb(tf.tensor1d([1.5, 2])).dataSync())).toEqual([0, -Infinity]);
  });
  it("sample returns the value, with an identity gradient", () => {
    const v = tf.tensor1d([1, 2]);
    expect(delta(v).sample(Key.of(0), [3]).arraySync()).toEqual([[1, 2], [1, 2], [1, 2]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(delta(t).sample(Key.of(0), [3])))(v);
    expect(Array.from(g.dataSync())).toEqual([3, 3]);
  });
  it("rejects a non-finite value", () => {
    expect(() => delta(Infinity)).toThrow("Delta: value must be a finite real number, got Infinity");
  });
});
