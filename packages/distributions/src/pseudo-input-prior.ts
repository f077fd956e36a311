/**
 * The pseudo-input recognition prior of VSC's UAI version (Tonolini et al. 2019, supplement A.3;
 * specs/vsc.md b0 §2): the prior of observation i is a selection-weighted set of spike-and-slab
 * components, the recognition model evaluated at P learned pseudo-inputs u_p, with spike
 * probabilities sharpened γ'_p ← sigmoid(ν(γ'_p − ½)). Its KL from a spike-and-slab posterior is
 *
 *   KL_i = Σ_p w_ip KL_ss(q(z | x_i) ‖ q(z | u_p)) + J · KL_Bern(ḡ_i ‖ α),
 *   w_ip = s_ip / Σ_p s_ip,   ḡ_i = mean_j Σ_p w_ip γ'_pj,
 *
 * the selection-weighted component KL plus the aggregate-sparsity term toward α (the TF code's
 * `_calc_cost`). The selector s_i (sigmoid of a linear map of x_i) is normalised by its L2 norm as
 * in the TF code; the weights w then divide by their sum, so that normalisation only matters for
 * the gradient scale, as there.
 *
 * The prior has no density of its own here (it is used through this KL only).
 */
import { tf, type Key } from "@sparse-dgm/core";
import { Distribution } from "./distribution.js";
import { real } from "./constraints.js";
import { registerKL } from "./kl.js";
import { SpikeAndSlab, spikeAndSlabKL, SPIKE_AND_SLAB_EPS } from "./spike-and-slab.js";

/** Options of {@link PseudoInputSpikeSlab}. */
export interface PseudoInputOptions {
  /** The recognition model at the pseudo-inputs: spike-and-slab with batch [P, J] (or [R, P, J]). */
  components: SpikeAndSlab;
  /** Selection weights s ≥ 0, [B, P] (or [R, B, P]); omitted: uniform. */
  selector?: tf.Tensor;
  /** Sharpening ν of the components' spike probabilities (default 10; 0 = none). */
  sharpen?: number;
  /** Target aggregate spike probability α of the J·KL(ḡ ‖ α) term. */
  alpha: number;
}

/** The pseudo-input (VampPrior-like) spike-and-slab prior of `vscVampPrior`. */
export class PseudoInputSpikeSlab extends Distribution {
  readonly kind = "PseudoInputSpikeSlab";
  readonly support = real;
  readonly hasRsample = false;
  readonly batchShape: number[] = [];
  readonly components: SpikeAndSlab;
  readonly selector?: tf.Tensor;
  readonly sharpen: number;
  readonly alpha: number;

  constructor(o: PseudoInputOptions) {
    super();
    if (!(o.alpha > 0 && o.alpha < 1)) throw new Error(`PseudoInputSpikeSlab: alpha must be in (0, 1), got ${o.alpha}`);
    if (o.sharpen !== undefined && !(o.sharpen >= 0)) throw new Error(`PseudoInputSpikeSlab: sharpen must be >= 0, got ${o.sharpen}`);
    this.components = o.components;
    this.selector = o.selector;
    this.sharpen = o.sharpen ?? 10;
    this.alpha = o.alpha;
  }

  params(): Record<string, tf.Tensor> {
    return { inclusion: this.components.inclusion, loc: this.components.loc, scale: this.components.scale, ...(this.selector ? { selector: this.selector } : {}) };
  }

  protected override rawParams() {
    return { alpha: this.alpha, sharpen: this.sharpen, components: "recognition model at the pseudo-inputs" };
  }

  /** The components' sharpened spike probabilities γ'. */
  sharpenedInclusion(): tf.Tensor {
    const g = this.components.inclusion;
    return this.sharpen > 0 ? tf.sigmoid(tf.mul(this.sharpen, tf.sub(g, 0.5))) : g;
  }

  logProb(): tf.Tensor {
    throw new Error("PseudoInputSpikeSlab has no density here: it enters the objective through its KL from a spike-and-slab posterior");
  }

  sample(_key: Key): tf.Tensor {
    throw new Error("PseudoInputSpikeSlab.sample: the prior depends on the observation (its selector); sample codes from the posterior or from a pseudo-input's component");
  }
}

/** Bernoulli KL(g ‖ a) with g clamped away from {0, 1}. */
function bernoulliKL(g: tf.Tensor, a: number): tf.Tensor {
  const gc = tf.clipByValue(g, SPIKE_AND_SLAB_EPS, 1 - SPIKE_AND_SLAB_EPS);
  return tf.add(tf.mul(gc, tf.log(tf.div(gc, a))), tf.mul(tf.sub(1, gc), tf.log(tf.div(tf.sub(1, gc), 1 - a))));
}

/**
 * KL(q ‖ pseudo-input prior) per observation: q has batch [..., B, ..., J] (its non-latent axes of
 * size 1 are dropped); returns [B] (or [R, B]).
 */
export function pseudoInputKL(q: SpikeAndSlab, p: PseudoInputSpikeSlab, replicated: boolean): tf.Tensor {
  return tf.tidy(() => {
    const c = p.components;
    const J = c.inclusion.shape[c.inclusion.rank - 1];
    const P = c.inclusion.shape[c.inclusion.rank - 2];
    const lead = replicated ? [c.inclusion.shape[0]] : [];
    const flat = (t: tf.Tensor) => tf.reshape(t, [...lead, -1, 1, J]); // [R?, B, 1, J]
    const comp = (t: tf.Tensor) => tf.reshape(t, [...lead, 1, P, J]); // [R?, 1, P, J]
    const gP = p.sharpenedInclusion();
    const klBP = tf.sum(spikeAndSlabKL(flat(q.inclusion), flat(q.loc), flat(q.scale), comp(gP), comp(c.loc), comp(c.scale)), -1); // [R?, B, P]
    const B = klBP.shape[klBP.rank - 2];
    let s = p.selector ? tf.reshape(p.selector, [...lead, B, P]) : tf.ones([...lead, B, P]);
    s = tf.div(s, tf.maximum(tf.norm(s, "euclidean", -1, true), 1e-12)); // the TF code's L2 normalisation
    const w = tf.div(s, tf.maximum(tf.sum(s, -1, true), 1e-12)); // weights summing to 1
    const weighted = tf.sum(tf.mul(w, klBP), -1); // [R?, B]
    const gBar = tf.mean(tf.matMul(w, tf.reshape(gP, [...lead, P, J])), -1); // [R?, B]: mean_j Σ_p w_ip γ'_pj
    return tf.add(weighted, tf.mul(J, bernoulliKL(gBar, p.alpha)));
  });
}

registerKL("SpikeAndSlab", "PseudoInputSpikeSlab", (q: SpikeAndSlab, p: PseudoInputSpikeSlab) => pseudoInputKL(q, p, p.components.inclusion.rank === 3));

/** Factory. */
export function pseudoInputSpikeSlab(o: PseudoInputOptions): PseudoInputSpikeSlab {
  return new PseudoInputSpikeSlab(o);
}
