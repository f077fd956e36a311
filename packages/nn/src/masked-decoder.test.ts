import { describe, expect, it } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { effectiveDecoderWeights, maskedDecoderForward, type MaskedDecoderWeights } from "./masked-decoder.js";

/** z [B, K], W [G, K], body K→H→H (no bias on the first), heads [G, H]. */
function setup(B = 6, G = 9, K = 3, H = 5) {
  const key = Key.of(11);
  const n = (i: number, s: number[]) => tf.mul(key.foldIn(i).normal(s), 0.7);
  const w: MaskedDecoderWeights = { kernels: [n(2, [K, H]), n(3, [H, H])], biases: [undefined, n(4, [H])], headKernel: n(5, [G, H]), headBias: n(6, [G]) };
  return { z: n(0, [B, K]), W: n(1, [G, K]), w };
}

const decode = (z: tf.Tensor, W: tf.Tensor, w: MaskedDecoderWeights, scaleIn: "network" | "mask") =>
  maskedDecoderForward(tf.mul(tf.expandDims(z, 1), tf.expandDims(W, 0)), effectiveDecoderWeights(w, { firstLayer: "unitRows", scaleIn }));

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe("masked decoder scaleIn", () => {
  it('"network": shrinking W by c and growing the second layer by 1/c leaves the output unchanged (the L1 prior\'s free lunch)', () => {
    const { z, W, w } = setup();
    const c = 0.05;
    const shrunk = { ...w, kernels: [w.kernels[0], tf.div(w.kernels[1], c)] };
    expect(maxDiff(decode(z, tf.mul(W, c), shrunk, "network"), decode(z, W, w, "network"))).toBeLessThan(1e-4);
  });

  it('"mask": the same rescaling changes the output, and rescaling any stored layer does not (the decoder\'s gain is fixed, W carries the scale)', () => {
    const { z, W, w } = setup();
    const c = 0.05;
    const base = decode(z, W, w, "mask");
    const shrunk = { ...w, kernels: [w.kernels[0], tf.div(w.kernels[1], c)] };
    expect(maxDiff(decode(z, tf.mul(W, c), shrunk, "mask"), base)).toBeGreaterThan(0.05);
    // positive rescaling of the stored layers (per unit, per head) is invisible
    const scaled = {
      ...w,
      kernels: [tf.mul(w.kernels[0], tf.tensor2d([[3], [0.2], [7]])), tf.mul(w.kernels[1], tf.linspace(0.5, 4, 5).reshape([1, 5]))],
      headKernel: tf.mul(w.headKernel, tf.linspace(0.1, 9, 9).reshape([9, 1])),
    };
    expect(maxDiff(decode(z, W, scaled, "mask"), base)).toBeLessThan(1e-4);
  });

  it('"mask": every layer as used has unit norm (first layer per factor, later layers per unit, heads per feature)', () => {
    const { w } = setup();
    const e = effectiveDecoderWeights(w, { scaleIn: "mask" });
    const norms = (t: tf.Tensor, axis: number) => Array.from(tf.sqrt(tf.sum(tf.square(t), axis)).dataSync());
    for (const v of [...norms(e.kernels[0], -1), ...norms(e.kernels[1], -2), ...norms(e.headKernel, -1)]) expect(v).toBeCloseTo(1, 5);
    expect(e.headBias).toBe(w.headBias);
  });

  it("w_jk = 0 still cuts output j off factor k under scaleIn mask (zero gradient)", () => {
    const { z, W, w } = setup();
    const mask = tf.tensor2d(Array.from({ length: 27 }, (_, i) => (i === 4 ? 0 : 1)), [9, 3]); // feature 1, factor 1
    const Wm = tf.mul(W, mask);
    const g = tf.grad((zz: tf.Tensor) => tf.sum(tf.slice(decode(zz, Wm, w, "mask"), [0, 1], [-1, 1])))(z);
    expect(Array.from(tf.slice(g, [0, 1], [-1, 1]).dataSync()).every((v) => v === 0)).toBe(true);
  });
});
