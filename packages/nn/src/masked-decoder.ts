/**
 * The masked decoder (Moran et al. 2022, §2): x̂[b, j] = h_j(g(w_j ⊙ z_b)), with one shared body
 * g: R^K -> R^H (`Linear(K, H, bias = false) -> ReLU -> Linear(H, H) -> ReLU`) and one linear head
 * h_j per output. The first layer has **no bias**, so w_jk = 0 means output j does not depend on
 * factor k (a property test proves the gradient is exactly zero).
 *
 * Vectorised: [B, G, K] -> [B·G, K] runs through the body once, and the G heads are one
 * elementwise product and sum over H (never a loop over features, data points or samples). When
 * B·G·H is too large for that (the MovieLens and news-corpus sizes of issue 21), the same function
 * runs in blocks of features with recomputation in the backward pass (masked-decoder-blocked.ts).
 */
import { tf, registerBlock, stopGradient, DATA_PLATE, type BlockRuntime } from "@sparse-dgm/core";
import { sumRows } from "@sparse-dgm/speed";
import { denseParams, torchDefaultInit } from "./linear.js";
import { denseActivation } from "./fused-dense.js";
import { blockedMaskedDecoder, decoderBlocking } from "./masked-decoder-blocked.js";

/** Arguments of the maskedDecoder block. */
export interface MaskedDecoderArgs {
  /** Latent codes z (canonical layout, e.g. [B, 1, K]). */
  input: tf.Tensor;
  /** The mask W (canonical layout, e.g. [1, G, K]). */
  mask: tf.Tensor;
  /** Hidden widths of the shared body (e.g. [H, H]). */
  hidden: number[];
  /** The mask's output plate (default: the rows of the model's mask). */
  rows?: string;
  /** The mask's factor plate (default: the cols of the model's mask). */
  cols?: string;
  /**
   * "unitRows" reparameterises the bias-free first layer A (K x H) so that each factor's row has
   * unit norm. Scaling W's column k by c and A's row k by 1/c leaves the likelihood unchanged, so
   * with a free A an L1 prior on W can be lowered without changing the fit (W shrinks, A grows,
   * whole rows of W die: the Sparse VAE's collapse). Unit rows remove that degeneracy. Default
   * "none" (the reference architecture).
   */
  firstLayer?: "none" | "unitRows";
  /**
   * Where the output's scale lives. "network" (default): the layers are free, so even with unit
   * first-layer rows the ReLU body is positively homogeneous and the next layer (or a head) can
   * grow to undo any shrinkage of W: an L1 prior on W then shrinks the whole mask without changing
   * the fit (on 0/1 ratings every p* fell below 0.5; docs/data/ratings.md). "mask": every layer is
   * reparameterised to unit norm (the first layer's factor rows, each later unit's incoming
   * weights, each head's weights), so the decoder's gain is bounded and only a larger |w_jk| can
   * make output j depend more on factor k: W carries the scale, and the prior's shrinkage is real.
   * Implies `firstLayer: "unitRows"`. Unit rows bound each unit's gain, not the layer's: aligned
   * units still multiply it (up to √H per layer), which is how the ratings' mask emptied.
   * "spectral": every body layer divided by its largest singular value and each head at unit norm,
   * so the decoder is 1-Lipschitz in w_j ⊙ z: |x̂_j(z) − x̂_j(z')| ≤ ‖w_j ⊙ (z − z')‖. No layer can
   * add gain, so |w_jk| is the largest effect factor k can have on output j: the scale the
   * spike-and-slab prior's λ0, λ1 are written for (z ~ N(0, I)).
   */
  scaleIn?: "network" | "mask" | "spectral";
}

/** Weights of a masked decoder, as tensors (no replica axis, or all with one). */
export interface MaskedDecoderWeights {
  /** Body kernels: [K, H1] (no bias), [H1, H2], ...; with replicas [R, ...]. */
  kernels: tf.Tensor[];
  /** Body biases for layers 2.. (index 0 unused). */
  biases: Array<tf.Tensor | undefined>;
  /** Stacked heads V [G, H] and c [G] (with replicas [R, G, H], [R, G]). */
  headKernel: tf.Tensor;
  headBias: tf.Tensor;
}

/**
 * The vectorised forward pass on prod = z ⊙ w of shape [..., G, K] (rows second to last, factors
 * last), or [R, ..., G, K] with replicas. Returns [..., G] (or [R, ..., G]).
 */
export function maskedDecoderForward(prod: tf.Tensor, w: MaskedDecoderWeights, replicas?: number, firstLayer: "none" | "unitRows" = "none"): tf.Tensor {
  const K = prod.shape[prod.rank - 1];
  let h = replicas === undefined ? tf.reshape(prod, [-1, K]) : tf.reshape(prod, [replicas, -1, K]);
  w.kernels.forEach((kernel, i) => {
    const k = i === 0 && firstLayer === "unitRows" ? unitNorm(kernel, -1) : kernel;
    h = denseActivation(h, k, i === 0 ? undefined : w.biases[i], "relu");
  });
  const H = h.shape[h.rank - 1];
  const outer = prod.shape.slice(0, prod.rank - 1); // [..., G]
  const hid = tf.reshape(h, [...outer, H]); // [..., G, H]
  return heads(hid, w.headKernel, w.headBias);
}

/** `t` scaled to unit L2 norm along `axis` (a weight-norm reparameterisation without the gain). */
function unitNorm(t: tf.Tensor, axis: number): tf.Tensor {
  return tf.mul(t, tf.rsqrt(tf.add(tf.sum(tf.square(t), axis, true), 1e-12)));
}

/**
 * A fixed probe vector of n entries, 1 + ½ sin(12.9898 (i + 1)): deterministic, orthogonal to a
 * singular vector only by accident; made by kernels (no host values inside a recorded step).
 */
function probe(n: number): tf.Tensor {
  return tf.add(tf.mul(tf.sin(tf.mul(tf.range(1, n + 1), 12.9898)), 0.5), 1);
}

/**
 * The largest singular value σ of each matrix in `m` [..., a, b], as [..., 1, 1]: power iteration
 * by repeated squaring of the smaller Gram matrix (m mᵀ or mᵀ m, normalised each time: its 32nd
 * power after 5 squarings, so the second direction is damped by (σ2/σ1)^64) on a stopped copy, then
 * σ = ‖mᵀu‖ (or ‖m v‖) with the singular vector held fixed: the gradient of σ is u vᵀ, as in
 * spectral normalisation (Miyato et al. 2018), without a persistent vector (the step stays a pure
 * function of the weights, as recorded step plans need). An estimate from below: exact up to
 * float error unless the top two singular values nearly tie, where either direction serves.
 */
export function spectralNorm(m: tf.Tensor): tf.Tensor {
  const [a, b] = m.shape.slice(-2) as [number, number];
  const left = a <= b;
  const sm = stopGradient(m);
  let g = left ? tf.matMul(sm, sm, false, true) : tf.matMul(sm, sm, true, false); // [..., n, n]
  for (let s = 0; s < 5; s++) {
    g = tf.div(g, tf.add(tf.sqrt(tf.sum(tf.square(g), [-2, -1], true)), 1e-30));
    g = tf.matMul(g, g);
  }
  let v = tf.sum(tf.mul(g, probe(left ? a : b)), -1, true); // [..., n, 1]
  v = tf.div(v, tf.add(tf.sqrt(tf.sum(tf.square(v), -2, true)), 1e-30));
  const mv = left ? tf.matMul(m, v, true, false) : tf.matMul(m, v); // mᵀu [..., b, 1] or m v [..., a, 1]
  return tf.sqrt(tf.add(tf.sum(tf.square(mv), [-2, -1], true), 1e-24));
}

/**
 * The weights as the forward pass uses them: with `scaleIn: "spectral"` every body layer divided by
 * its largest singular value and every head at unit norm; with `scaleIn: "mask"` every layer at unit
 * norm (the first layer's factor rows, each later unit's incoming weights, each head), else with
 * `firstLayer: "unitRows"` the first layer's rows only, else as stored.
 */
export function effectiveDecoderWeights(w: MaskedDecoderWeights, args: Pick<MaskedDecoderArgs, "firstLayer" | "scaleIn">): MaskedDecoderWeights {
  if (args.scaleIn === "spectral") {
    return { ...w, kernels: w.kernels.map((k) => tf.div(k, spectralNorm(k))), headKernel: unitNorm(w.headKernel, -1) };
  }
  if (args.scaleIn === "mask") {
    return { ...w, kernels: w.kernels.map((k, i) => unitNorm(k, i === 0 ? -1 : -2)), headKernel: unitNorm(w.headKernel, -1) };
  }
  if (args.firstLayer === "unitRows") return { ...w, kernels: [unitNorm(w.kernels[0], -1), ...w.kernels.slice(1)] };
  return w;
}

type HeadsFn = (hid: tf.Tensor, V: tf.Tensor, c: tf.Tensor) => tf.Tensor;

/** V's shape broadcast against hid [R?, ..., G, H]: [R?, 1, ..., 1, G, H] (replicas when V is [R, G, H]). */
function headShape(hid: tf.Tensor, v: tf.Tensor): number[] {
  const replicated = v.rank === 3;
  const middle = hid.rank - 2 - (replicated ? 1 : 0); // batch axes between replica and rows
  return [...(replicated ? [v.shape[0]] : []), ...Array(middle).fill(1), ...hid.shape.slice(-2)];
}

/**
 * The G heads: out[..., g] = Σ_h hid[..., g, h]·V[g, h] + c[g] (V [G, H] or [R, G, H] with
 * replicas), with a lean backward pass: dhid = dout ⊙ V, and the sums over the batch for dV and dc
 * as one Sum each. One custom op for every call; shapes come from the operands.
 */
const heads = tf.customGrad(((x: tf.Tensor, v: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, v]);
  const vShape = headShape(x, v);
  return {
    value: tf.add(tf.sum(tf.mul(x, tf.reshape(v, vShape)), -1), tf.reshape(b, vShape.slice(0, -1))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      // tidy: temporaries are freed now, not at the end of the whole backward pass
      tf.tidy(() => {
        const [sx, sv] = saved;
        const replicated = sv.rank === 3;
        const [G, H] = sx.shape.slice(-2);
        const d = tf.expandDims(dy, -1); // [..., G, 1]
        const dx = tf.mul(d, tf.reshape(sv, headShape(sx, sv)));
        // Σ over the batch axes of [R?, N, G·H] in one streaming pass (`sumRows`): a ones-vector
        // product would pack the fresh [N, G·H] operand for XNNPACK (~100 us at N = 100,
        // G·H = 350), TF.js's Sum transposes it (~500 ms at N = 512, G·H = 90000).
        const lead = replicated ? [sv.shape[0]] : [];
        const n = dy.size / (G * (replicated ? sv.shape[0] : 1));
        const rowSum = (t: tf.Tensor) => sumRows(t);
        const dv = tf.reshape(rowSum(tf.reshape(tf.mul(d, sx), [...lead, n, G * H])), sv.shape);
        const dc = tf.reshape(rowSum(tf.reshape(dy, [...lead, n, G])), [...lead, G]);
        return [dx, dv, dc];
      }),
  };
}) as never) as unknown as HeadsFn;

/** Creates (on first use) and returns the decoder's weights in a parameter store. */
export function maskedDecoderWeights(rt: BlockRuntime, name: string, K: number, G: number, hidden: number[]): MaskedDecoderWeights {
  const kernels: tf.Tensor[] = [];
  const biases: Array<tf.Tensor | undefined> = [undefined];
  let inputs = K;
  hidden.forEach((units, i) => {
    const p = denseParams(rt.params, { name: `maskedDecoder/${name}/body${i}`, inputs, units, bias: i > 0 });
    kernels.push(p.kernel);
    if (i > 0) biases.push(p.bias);
    inputs = units;
  });
  const H = inputs;
  const init = torchDefaultInit(H);
  const headKernel = rt.params.getOrCreate(`maskedDecoder/${name}/heads/kernel`, [G, H], init);
  const headBias = rt.params.getOrCreate(`maskedDecoder/${name}/heads/bias`, [G], init);
  return { kernels, biases, headKernel, headBias };
}

function maskPlates(rt: BlockRuntime, args: MaskedDecoderArgs): { rows: string; cols: string } {
  if (args.rows && args.cols) return { rows: args.rows, cols: args.cols };
  const masks = rt.ir.sites.filter((s) => s.mask && s.mask.scope === "global");
  if (masks.length !== 1) {
    throw new Error(`maskedDecoder: the model has ${masks.length} global masks; pass rows and cols explicitly`);
  }
  return { rows: args.rows ?? masks[0].mask!.rows, cols: args.cols ?? masks[0].mask!.cols };
}

registerBlock("maskedDecoder", (rt, name, args: MaskedDecoderArgs) => {
  const { rows, cols } = maskPlates(rt, args);
  const order = [DATA_PLATE, ...rt.ir.plates.map((p) => p.name).filter((n) => n !== DATA_PLATE)].filter((n) =>
    rt.ir.plates.some((p) => p.name === n),
  );
  const lead = rt.replicas === undefined ? 0 : 1;
  const rAxis = lead + order.indexOf(rows);
  const cAxis = lead + order.indexOf(cols);
  const rank = Math.max(args.input.rank, args.mask.rank);
  if (cAxis !== rank - 1 || rAxis !== rank - 2) {
    throw new Error(
      `maskedDecoder "${name}": declare the plates so that "${rows}" and "${cols}" are the last two (got canonical axes ${rAxis} and ${cAxis} of ${rank})`,
    );
  }
  const K = rt.sizes[cols];
  const G = rt.sizes[rows];
  const w = effectiveDecoderWeights(maskedDecoderWeights(rt, name, K, G, args.hidden), args);
  // Large B·G·H: feature blocks (masked-decoder-blocked.ts) when z is [R?, B, 1, K] and W [R?, 1, G, K];
  // the [B, G, K] product is then never formed whole either
  const B = args.input.shape[lead] as number;
  const blockable = args.input.rank === lead + 3 && args.input.shape[lead + 1] === 1 && args.mask.rank === lead + 3 && args.mask.shape[lead] === 1;
  if (blockable && B * G * Math.max(...args.hidden) * (rt.replicas ?? 1) > decoderBlocking.thresholdFloats) {
    const flat = (t: tf.Tensor, n: number) => tf.reshape(t, [...(lead ? [rt.replicas!] : []), n, K]);
    const out = blockedMaskedDecoder(flat(args.input, B), flat(args.mask, G), w, rt.replicas);
    return tf.expandDims(out, -1);
  }
  const prod = tf.mul(args.input, args.mask);
  const out = maskedDecoderForward(prod, w, rt.replicas);
  return tf.expandDims(out, -1); // the cols axis becomes size 1: canonical layout of an output site
});

declare module "@sparse-dgm/core" {
  interface SiteContext {
    /**
     * The masked decoder: one shared bias-free-first-layer body, one head per output, vectorised.
     *
     * @example
     * ```ts
     * .observe("x", ({ z, W, sigma }, ctx) =>
     *   normal(ctx.maskedDecoder("f", { input: z, mask: W, hidden: [50, 50] }), sigma),
     *   { plates: ["data", "feature"] })
     * ```
     */
    maskedDecoder(name: string, args: MaskedDecoderArgs): tf.Tensor;
  }
}

/** Config of the {@link MaskedDecoder} layer. */
export interface MaskedDecoderLayerArgs {
  /** Number of outputs G. */
  outputs: number;
  /** Hidden widths of the shared body. */
  hidden: number[];
  name?: string;
}

/**
 * The masked decoder as a serialisable tfjs-layers layer: `apply([z [B, K], W [G, K]])` gives
 * x̂ [B, G]. Same computation as the `maskedDecoder` block.
 *
 * @example
 * ```ts
 * const layer = new MaskedDecoder({ outputs: 7, hidden: [50, 50] });
 * const xhat = layer.apply([z, W]) as tf.Tensor;   // [B, 7]
 * ```
 */
export class MaskedDecoder extends tf.layers.Layer {
  static className = "SparseDgmMaskedDecoder";
  readonly outputs: number;
  readonly hidden: number[];
  private kernelsV: tf.LayerVariable[] = [];
  private biasesV: Array<tf.LayerVariable | undefined> = [];
  private headK?: tf.LayerVariable;
  private headB?: tf.LayerVariable;

  constructor(args: MaskedDecoderLayerArgs) {
    super({ name: args.name });
    if (!Number.isInteger(args.outputs) || args.outputs < 1) throw new Error(`MaskedDecoder: outputs must be a positive integer, got ${args.outputs}`);
    if (!args.hidden.length || args.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new Error(`MaskedDecoder: hidden must be a non-empty list of positive integers, got [${args.hidden.join(", ")}]`);
    }
    this.outputs = args.outputs;
    this.hidden = args.hidden.slice();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const zShape = (inputShape as tf.Shape[])[0];
    let inputs = zShape[zShape.length - 1] as number;
    this.hidden.forEach((units, i) => {
      const lim = 1 / Math.sqrt(inputs);
      const init = tf.initializers.randomUniform({ minval: -lim, maxval: lim });
      this.kernelsV.push(this.addWeight(`body${i}/kernel`, [inputs, units], "float32", init));
      this.biasesV.push(i === 0 ? undefined : this.addWeight(`body${i}/bias`, [units], "float32", init));
      inputs = units;
    });
    const lim = 1 / Math.sqrt(inputs);
    const init = tf.initializers.randomUniform({ minval: -lim, maxval: lim });
    this.headK = this.addWeight("heads/kernel", [this.outputs, inputs], "float32", init);
    this.headB = this.addWeight("heads/bias", [this.outputs], "float32", init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape[])[0][0], this.outputs];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [z, W] = inputs as tf.Tensor[];
      const prod = tf.mul(tf.expandDims(z, 1), tf.expandDims(W, 0)); // [B, G, K]
      return maskedDecoderForward(prod, {
        kernels: this.kernelsV.map((v) => v.read()),
        biases: this.biasesV.map((v) => v?.read()),
        headKernel: this.headK!.read(),
        headBias: this.headB!.read(),
      });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputs: this.outputs, hidden: this.hidden };
  }
}
tf.serialization.registerClass(MaskedDecoder);
