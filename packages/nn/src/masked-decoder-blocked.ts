/**
 * The masked decoder over blocks of features, for sizes where its [batch, features, hidden]
 * activations do not fit (issue 21: MovieLens at B = 512, G = 1682, H = 300 is 1 GB per
 * activation, and the backward pass of the one-shot decoder holds several; the wasm heap has
 * 4 GB). Same function as {@link maskedDecoderForward}: x̂[b, j] = h_j(g(w_j ⊙ z_b)).
 *
 * One custom op. The forward pass runs the body and heads on one block of features at a time
 * (each block in its own scope, so only its [B, G_b, H] activations are alive) and keeps only its
 * inputs; the backward pass recomputes each block's activations (gradient checkpointing, about a
 * third more arithmetic) and back-propagates through them by hand: heads, then each ReLU layer
 * (g = dh ⊙ 1[h > 0], dK += hᵀg, db += Σ g, dh = g Kᵀ), then the mask product (dz += Σ_j dprod ⊙ w_j,
 * dW_j = Σ_b dprod ⊙ z_b), accumulating the shared body's gradients over blocks.
 *
 * Used by the `maskedDecoder` block when B·G·H exceeds {@link decoderBlocking}'s threshold
 * (setting b of the benchmarks, 512 × 300 × 300, stays on the one-shot path); the two agree to
 * float tolerance (masked-decoder-blocked.test.ts, values and gradients, with replicas).
 */
import { tf } from "@sparse-dgm/core";
import { sumRows } from "@sparse-dgm/speed";
import { product } from "./matmul.js";

/** When the decoder runs in feature blocks, and how large a block's activation may be (floats). */
export const decoderBlocking = {
  /** B·G·H above this (in floats) runs in feature blocks: 64M floats = 256 MB per activation. */
  thresholdFloats: 64 * 1024 * 1024,
  /** Floats of one block's [B, G_b, H] activation: 8M = 32 MB. */
  blockFloats: 8 * 1024 * 1024,
};

/** Features per block for a batch of `rows` and hidden width `hidden` (at least 1). */
export function featuresPerBlock(rows: number, hidden: number, G: number): number {
  return Math.max(1, Math.min(G, Math.floor(decoderBlocking.blockFloats / Math.max(1, rows * hidden))));
}

type Fn = (...args: tf.Tensor[]) => tf.Tensor;
const cache = new Map<string, Fn>();

/** relu(h·K + b) for h [R?, N, in] (no bias for the first layer). */
function layer(h: tf.Tensor, k: tf.Tensor, b: tf.Tensor | undefined): tf.Tensor {
  // own scope: the pre-activations (block-sized) are freed at once
  return tf.tidy(() => {
    let pre = product(h, k);
    if (b) pre = tf.add(pre, b.rank === 2 ? tf.expandDims(b, 1) : b);
    return tf.relu(pre);
  });
}

/**
 * The blocked decoder for `layers` body layers. Inputs: z [R?, B, K], W [R?, G, K], the layer
 * kernels, the biases of layers 2.., the head kernel V [R?, G, H] and bias c [R?, G]. Output
 * [R?, B, G].
 */
function blocked(layers: number, replicas: boolean): Fn {
  const key = `${layers}/${replicas}`;
  let f = cache.get(key);
  if (f) return f;
  const lead = replicas ? 1 : 0;
  /** The op's inputs by role, and one block's forward pass (keeping the layer outputs for the backward pass). */
  const unpack = (ts: tf.Tensor[]) => {
    const [z, W] = ts;
    const kernels = ts.slice(2, 2 + layers);
    const biases: Array<tf.Tensor | undefined> = [undefined, ...ts.slice(2 + layers, 1 + 2 * layers)];
    const [V, c] = ts.slice(1 + 2 * layers);
    const B = z.shape[lead] as number;
    const K = z.shape[lead + 1] as number;
    const G = W.shape[lead] as number;
    const H = V.shape[lead + 1] as number;
    const R = replicas ? (z.shape[0] as number) : 1;
    const Gb = featuresPerBlock(B * R, Math.max(H, ...kernels.map((k) => k.shape[k.rank - 1] as number)), G);
    const sliceG = (t: tf.Tensor, g0: number, n: number) => (replicas ? tf.slice(t, [0, g0], [R, n]) : tf.slice(t, [g0], [n]));
    const zb = tf.expandDims(z, lead + 1); // [R?, B, 1, K]
    /** One block's body (the layer outputs, kept for the backward pass) and head weights. */
    const bodyBlock = (g0: number, n: number) => {
      const Wb = sliceG(W, g0, n); // [R?, n, K]
      const prod = tf.mul(zb, tf.expandDims(Wb, lead)); // [R?, B, n, K]
      const hs: tf.Tensor[] = [tf.reshape(prod, replicas ? [R, B * n, K] : [B * n, K])];
      for (let l = 0; l < layers; l++) hs.push(layer(hs[l], kernels[l], biases[l]));
      const hid = tf.reshape(hs[layers], replicas ? [R, B, n, H] : [B, n, H]);
      const Vb = sliceG(V, g0, n); // [R?, n, H]
      return { hs, hid, Wb, Vb };
    };
    /** One block's output [R?, B, n]: the heads on its body. */
    const forwardBlock = (g0: number, n: number) => {
      const { hid, Vb } = bodyBlock(g0, n);
      const cb = sliceG(c, g0, n); // [R?, n]
      return tf.add(tf.sum(tf.mul(hid, tf.expandDims(Vb, lead)), -1), tf.expandDims(cb, lead));
    };
    return { z, zb, kernels, biases, B, K, G, H, R, Gb, bodyBlock, forwardBlock };
  };
  const body = (...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const fwd = unpack(inputs);
    save(inputs);
    const parts: tf.Tensor[] = [];
    for (let g0 = 0; g0 < fwd.G; g0 += fwd.Gb) {
      const n = Math.min(fwd.Gb, fwd.G - g0);
      parts.push(tf.tidy(() => fwd.forwardBlock(g0, n)));
    }
    const value = parts.length === 1 ? parts[0] : tf.concat(parts, lead + 1);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const { z, zb, kernels, biases, B, K, G, H, R, Gb, bodyBlock } = unpack(saved);
        let dz: tf.Tensor = tf.zerosLike(z);
        const dK = kernels.map((k) => tf.zerosLike(k));
        const db = biases.map((b) => (b ? tf.zerosLike(b) : undefined));
        const dW: tf.Tensor[] = [];
        const dV: tf.Tensor[] = [];
        const dc: tf.Tensor[] = [];
        const acc = (old: tf.Tensor, add: tf.Tensor) => {
          const s = tf.add(old, add);
          old.dispose();
          add.dispose();
          return s;
        };
        for (let g0 = 0; g0 < G; g0 += Gb) {
          const n = Math.min(Gb, G - g0);
          // each block in its own scope: its recomputed activations are freed before the next
          const grads = tf.tidy(() => {
            // the body recomputed (not the heads' output: the backward pass does not read it)
            const { hs, hid, Wb, Vb } = bodyBlock(g0, n);
            const dyb = replicas ? tf.slice(dy, [0, 0, g0], [R, B, n]) : tf.slice(dy, [0, g0], [B, n]); // [R?, B, n]
            const d3 = tf.expandDims(dyb, -1); // [R?, B, n, 1]
            // Σ over the batch as one streaming pass over rows (`sumRows`): TF.js's Sum over a
            // leading axis transposes its operand on wasm (a [512, 54·300] block: 8M floats per sum)
            const lastTwo = (t: tf.Tensor) => tf.reshape(t, replicas ? [R, B, -1] : [B, -1]); // [R?, B, n·X]
            const dVb = tf.tidy(() => tf.reshape(sumRows(lastTwo(tf.mul(d3, hid))), replicas ? [R, n, H] : [n, H])); // [R?, n, H]
            const dcb = sumRows(dyb); // [R?, n]
            let dh = tf.tidy(() => tf.reshape(tf.mul(d3, tf.expandDims(Vb, lead)), replicas ? [R, B * n, H] : [B * n, H]));
            hid.dispose();
            const dKb: tf.Tensor[] = [];
            const dbb: Array<tf.Tensor | undefined> = [];
            // block-sized tensors are freed as soon as they are used up: a block holds its layer
            // outputs and two or three more of its size, not every intermediate of its backward pass
            for (let l = layers; l >= 1; l--) {
              const hl = hs[l];
              const g = tf.tidy(() => tf.mul(dh, tf.step(hl)));
              dh.dispose();
              hl.dispose();
              dKb[l - 1] = product(hs[l - 1], g, true, false);
              dbb[l - 1] = biases[l - 1] ? sumRows(g) : undefined; // [R?, B·n, H] -> [R?, H]
              dh = product(g, kernels[l - 1], false, true);
              g.dispose();
            }
            const dprod = tf.reshape(dh, replicas ? [R, B, n, K] : [B, n, K]);
            // Σ over the block's features (the middle axis): rows of [R?·B, n, K]
            const dzb = tf.reshape(sumRows(tf.reshape(tf.mul(dprod, tf.expandDims(Wb, lead)), [R * B, n, K])), replicas ? [R, B, K] : [B, K]); // [R?, B, K]
            const dWb = tf.reshape(sumRows(lastTwo(tf.mul(dprod, zb))), replicas ? [R, n, K] : [n, K]); // [R?, n, K]
            return { dVb, dcb, dKb, dbb, dzb, dWb };
          });
          dz = acc(dz, grads.dzb);
          grads.dKb.forEach((t, l) => (dK[l] = acc(dK[l], t)));
          grads.dbb.forEach((t, l) => {
            if (t) db[l] = acc(db[l]!, t);
          });
          dW.push(grads.dWb);
          dV.push(grads.dVb);
          dc.push(grads.dcb);
        }
        zb.dispose();
        const cat = (ts2: tf.Tensor[]) => {
          if (ts2.length === 1) return ts2[0];
          const out = tf.concat(ts2, lead);
          tf.dispose(ts2);
          return out;
        };
        return [dz, cat(dW), ...dK, ...(db.slice(1) as tf.Tensor[]), cat(dV), cat(dc)];
      },
    };
  };
  f = tf.customGrad(body as never) as unknown as Fn;
  cache.set(key, f);
  return f;
}

/**
 * The masked decoder on z [R?, B, K] and W [R?, G, K] in feature blocks: [R?, B, G].
 *
 * @example
 * ```ts
 * const xhat = blockedMaskedDecoder(z, W, { kernels, biases, headKernel, headBias }); // [B, G]
 * ```
 */
export function blockedMaskedDecoder(
  z: tf.Tensor,
  W: tf.Tensor,
  w: { kernels: tf.Tensor[]; biases: Array<tf.Tensor | undefined>; headKernel: tf.Tensor; headBias: tf.Tensor },
  replicas?: number,
): tf.Tensor {
  const L = w.kernels.length;
  const biases = w.biases.slice(1, L) as tf.Tensor[];
  if (biases.length !== L - 1 || biases.some((b) => !b)) throw new Error("blockedMaskedDecoder: every body layer after the first needs a bias");
  return blocked(L, replicas !== undefined)(z, W, ...w.kernels, ...biases, w.headKernel, w.headBias);
}
