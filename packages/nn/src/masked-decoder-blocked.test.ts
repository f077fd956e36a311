import { afterEach, describe, expect, it } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { blockedMaskedDecoder, decoderBlocking } from "./masked-decoder-blocked.js";
import { maskedDecoderForward } from "./masked-decoder.js";

const saved = { ...decoderBlocking };
afterEach(() => Object.assign(decoderBlocking, saved));

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-4) {
  expect(a.shape).toEqual(b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const scale = tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0]);
  expect(d).toBeLessThan(tol * Math.max(1, scale));
}

/** Random weights: z [R?, B, K], W [R?, G, K], body K→H1→H2 (no bias on the first), heads [R?, G, H2]. */
function setup(R: number | undefined, B: number, G: number, K: number, H: [number, number]) {
  const key = Key.of(7);
  const lead = R === undefined ? [] : [R];
  const n = (i: number, s: number[]) => tf.mul(key.foldIn(i).normal([...lead, ...s]), 0.5);
  return {
    z: n(0, [B, K]),
    W: n(1, [G, K]),
    kernels: [n(2, [K, H[0]]), n(3, [H[0], H[1]])],
    biases: [undefined, n(4, [H[1]])],
    headKernel: n(5, [G, H[1]]),
    headBias: n(6, [G]),
  };
}

describe("blockedMaskedDecoder", () => {
  for (const R of [undefined, 3]) {
    it(`equals the one-shot decoder in value and every gradient${R ? " (replicas)" : ""}`, () => {
      decoderBlocking.blockFloats = 40; // blocks of a few features: B·G_b·H ≤ 40
      const s = setup(R, 4, 11, 3, [5, 6]);
      const lead = R === undefined ? 0 : 1;
      const oneShot = (z: tf.Tensor, W: tf.Tensor, k0: tf.Tensor, k1: tf.Tensor, b1: tf.Tensor, V: tf.Tensor, c: tf.Tensor) =>
        maskedDecoderForward(tf.mul(tf.expandDims(z, lead + 1), tf.expandDims(W, lead)), { kernels: [k0, k1], biases: [undefined, b1], headKernel: V, headBias: c }, R);
      const blockedFn = (z: tf.Tensor, W: tf.Tensor, k0: tf.Tensor, k1: tf.Tensor, b1: tf.Tensor, V: tf.Tensor, c: tf.Tensor) =>
        blockedMaskedDecoder(z, W, { kernels: [k0, k1], biases: [undefined, b1], headKernel: V, headBias: c }, R);
      const args = [s.z, s.W, s.kernels[0], s.kernels[1], s.biases[1]!, s.headKernel, s.headBias];
      close(blockedFn(...(args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])), oneShot(...(args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])));
      // a weighted sum makes every output matter differently
      const weights = Key.of(9).normal(R === undefined ? [4, 11] : [R, 4, 11]);
      const loss = (f: typeof oneShot) => (...a: tf.Tensor[]) => tf.sum(tf.mul(tf.square(f(...(a as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]))), weights));
      const g1 = tf.grads(loss(oneShot))(args);
      const g2 = tf.grads(loss(blockedFn))(args);
      g1.forEach((g, i) => close(g2[i], g, 2e-4));
    });
  }
  it("frees each block's activations: the tensor count is flat across calls", () => {
    decoderBlocking.blockFloats = 40;
    const s = setup(undefined, 4, 11, 3, [5, 6]);
    const run = () =>
      tf.tidy(() => {
        const f = (z: tf.Tensor, W: tf.Tensor) => tf.sum(blockedMaskedDecoder(z, W, s));
        tf.grads(f)([s.z, s.W]);
      });
    run();
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
