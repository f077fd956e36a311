import { describe, expect, it } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { effectiveDecoderWeights, maskedDecoderForward, spectralNorm, type MaskedDecoderWeights } from "./masked-decoder.js";

/** z [B, K], W [G, K], body K→H→H (no bias on the first), heads [G, H]. */
function setup(B = 6, G = 9, K = 3, H = 5) {
  const key = Key.of(11);
  const n = (i: number, s: number[]) => tf.mul(key.foldIn(i).normal(s), 0.7);
  const w: MaskedDecoderWeights = { kernels: [n(2, [K, H]), n(3, [H, H])], biases: [undefined, n(4, [H])], headKernel: n(5, [G, H]), headBias: n(6, [G]) };
  return { z: n(0, [B, K]), W: n(1, [G, K]), w };
}

const decode = (z: tf.Tensor, W: tf.Tensor, w: MaskedDecoderWeights, scaleIn: "network" | "mask" | "spectral") =>
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

/** The largest singular value by plain power iteration in float64 (the test's own reference). */
function sigmaMax(m: number[][]): number {
  const b = m[0].length;
  let v = Array.from({ length: b }, (_, i) => Math.cos(i + 0.3));
  for (let t = 0; t < 2000; t++) {
    const mv = m.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
    const w = Array.from({ length: b }, (_, j) => mv.reduce((s, x, i) => s + x * m[i][j], 0));
    const n = Math.hypot(...w);
    v = w.map((x) => x / n);
  }
  return Math.hypot(...m.map((row) => row.reduce((s, x, j) => s + x * v[j], 0)));
}

describe('masked decoder scaleIn "spectral"', () => {
  it("spectralNorm is the largest singular value (tall, wide, square; with a replica axis)", () => {
    const key = Key.of(5);
    for (const [i, shape] of ([[3, 7], [7, 3], [12, 12], [2, 5, 9]] as number[][]).entries()) {
      const m = key.foldIn(i).normal(shape);
      const got = spectralNorm(m).dataSync();
      const mats = (shape.length === 2 ? [m.arraySync()] : m.arraySync()) as number[][][];
      mats.forEach((mm, r) => expect(Math.abs(got[r] / sigmaMax(mm) - 1)).toBeLessThan(1e-3)); // float32 Gram powers
    }
    // a diagonal with a near tie still gives the top value
    expect(spectralNorm(tf.tensor2d([[3, 0, 0], [0, 2.99, 0], [0, 0, 1]])).dataSync()[0]).toBeCloseTo(3, 2);
  });

  it("the decoder is 1-Lipschitz in w_j ⊙ z: |x̂_j(z) − x̂_j(z')| ≤ ‖w_j ⊙ (z − z')‖, whatever the stored layers' scale", () => {
    const { z, W, w } = setup(40, 9, 3, 5);
    const big = { ...w, kernels: w.kernels.map((k) => tf.mul(k, 50)), headKernel: tf.mul(w.headKernel, 50) };
    const z2 = tf.add(z, tf.mul(Key.of(9).normal(z.shape), 0.5));
    const d = tf.abs(tf.sub(decode(z, W, big, "spectral"), decode(z2, W, big, "spectral"))).arraySync() as number[][];
    const bound = tf.norm(tf.mul(tf.expandDims(tf.sub(z, z2), 1), tf.expandDims(W, 0)), "euclidean", -1).arraySync() as number[][];
    d.forEach((row, b) => row.forEach((v, j) => expect(v).toBeLessThanOrEqual(bound[b][j] * (1 + 1e-4) + 1e-6)));
    // and rescaling the stored layers is invisible, while shrinking W is not
    expect(maxDiff(decode(z, W, big, "spectral"), decode(z, W, w, "spectral"))).toBeLessThan(1e-4);
    expect(maxDiff(decode(z, tf.mul(W, 0.05), big, "spectral"), decode(z, W, w, "spectral"))).toBeGreaterThan(0.01);
  });

  it("w_jk = 0 still cuts output j off factor k (zero gradient), and the weights get gradients", () => {
    const { z, W, w } = setup();
    const mask = tf.tensor2d(Array.from({ length: 27 }, (_, i) => (i === 4 ? 0 : 1)), [9, 3]);
    const Wm = tf.mul(W, mask);
    const g = tf.grad((zz: tf.Tensor) => tf.sum(tf.slice(decode(zz, Wm, w, "spectral"), [0, 1], [-1, 1])))(z);
    expect(Array.from(tf.slice(g, [0, 1], [-1, 1]).dataSync()).every((v) => v === 0)).toBe(true);
    const gk = tf.grad((k: tf.Tensor) => tf.sum(decode(z, W, { ...w, kernels: [w.kernels[0], k] }, "spectral")))(w.kernels[1]);
    expect(Array.from(gk.dataSync()).every(Number.isFinite)).toBe(true);
    expect(tf.max(tf.abs(gk)).dataSync()[0]).toBeGreaterThan(0);
  });
});
