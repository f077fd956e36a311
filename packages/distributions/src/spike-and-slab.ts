/**
 * The spike-and-slab of Variational Sparse Coding (Tonolini, Jensen & Murray-Smith 2019,
 * "Variational Sparse Coding", UAI 2019; specs/vsc.md part b0): per coordinate,
 *
 *   z = 0 with probability 1 − γ,   z ~ N(loc, scale²) with probability γ   (γ = `inclusion`).
 *
 * `logProb` is the mixed density w.r.t. (point mass at 0) + Lebesgue: log(1 − γ) at exactly 0 and
 * log γ + log N(z; loc, scale) elsewhere. The analytic KL between two spike-and-slabs
 * (vsc.md §2, supp. C) is registered; it is elementwise (batch-shaped), the caller sums.
 * γ is clamped to [1e-6, 1 − 1e-6] inside every log (log γ = −relu(−v) reaches γ = 1 exactly).
 *
 * @example
 * ```ts
 * const prior = spikeAndSlab({ inclusion: 0.01, loc: 0, scale: 1 });
 * const rate = kl(spikeAndSlab({ inclusion: gamma, loc: mu, scale: sigma }), prior);  // [B, J]
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive, closedUnitInterval } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The clamp applied to γ inside logs (as in the VSC reference code, `SMALL_CONSTANT`). */
export const SPIKE_AND_SLAB_EPS = 1e-6;

/** Options of {@link SpikeAndSlab}. */
export interface SpikeAndSlabOptions {
  /** Slab (non-zero) probability γ in [0, 1]. */
  inclusion: Param;
  /** Slab mean μ. Default 0. */
  loc?: Param;
  /** Slab standard deviation σ > 0. Default 1. */
  scale?: Param;
}

/** γ clamped to [eps, 1 − eps]. */
function clampInclusion(g: tf.Tensor): tf.Tensor {
  return tf.clipByValue(g, SPIKE_AND_SLAB_EPS, 1 - SPIKE_AND_SLAB_EPS);
}

/**
 * VSC's spike-and-slab over real z (Tonolini et al. 2019). Not reparameterised (use
 * `ThresholdSigmoidSpikeSlab` for a relaxed, reparameterised draw).
 *
 * @example
 * ```ts
 * const d = new SpikeAndSlab({ inclusion: 0.3, loc: 0.5, scale: 2 });
 * d.logProb(tf.tensor([0, 1]));   // [log 0.7, log 0.3 + log N(1; 0.5, 2)]
 * ```
 */
export class SpikeAndSlab extends Distribution {
  readonly kind = "SpikeAndSlab";
  readonly support = real;
  readonly hasRsample = false;
  readonly batchShape: number[];
  /** γ. */
  readonly inclusion: tf.Tensor;
  /** μ. */
  readonly loc: tf.Tensor;
  /** σ. */
  readonly scale: tf.Tensor;
  private readonly raw: { inclusion: Param; loc: Param; scale: Param };

  constructor(options: SpikeAndSlabOptions) {
    super();
    const loc = options.loc ?? 0;
    const scale = options.scale ?? 1;
    checkParams("SpikeAndSlab", { inclusion: [options.inclusion, closedUnitInterval], loc: [loc, real], scale: [scale, positive] });
    this.raw = { inclusion: options.inclusion, loc, scale };
    this.batchShape = broadcastShapes(shapeOf(options.inclusion), shapeOf(loc), shapeOf(scale));
    this.inclusion = asTensor(options.inclusion);
    this.loc = asTensor(loc);
    this.scale = asTensor(scale);
  }

  params() {
    return { inclusion: this.inclusion, loc: this.loc, scale: this.scale };
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** Mixed log density: log(1 − γ) at z = 0, log γ + log N(z; μ, σ²) elsewhere (γ clamped). */
  logProb(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const g = clampInclusion(this.inclusion);
      const u = tf.div(tf.sub(z, this.loc), this.scale);
      const slab = tf.sub(tf.add(tf.log(g), tf.mul(-0.5, tf.square(u))), tf.add(tf.log(this.scale), HALF_LOG_2PI));
      const spike = tf.log1p(tf.neg(g));
      const shape = broadcastShapes(z.shape, this.batchShape);
      return tf.where(tf.equal(broadcast(z, shape), 0), broadcast(spike, shape), broadcast(slab, shape));
    });
  }

  /** A draw (not reparameterised): b ~ Bernoulli(γ), z = b (μ + σ ε). */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const shape = this.drawShape(sampleShape);
    const [ku, ke] = key.split(2);
    const u = ku.uniform(shape);
    const eps = ke.normal(shape);
    return tf.tidy(() => {
      const out = tf.mul(tf.cast(tf.less(u, this.inclusion), "float32"), tf.add(this.loc, tf.mul(this.scale, eps)));
      u.dispose();
      eps.dispose();
      return out;
    });
  }

  /** γ μ. */
  override mean(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.mul(this.inclusion, this.loc), this.batchShape));
  }

  /** γ (σ² + μ²) − (γ μ)². */
  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const m = tf.mul(this.inclusion, this.loc);
      const second = tf.mul(this.inclusion, tf.add(tf.square(this.scale), tf.square(this.loc)));
      return broadcast(tf.sub(second, tf.square(m)), this.batchShape);
    });
  }
}

/**
 * Factory: `spikeAndSlab({ inclusion, loc, scale })` (Tonolini et al. 2019).
 *
 * @example
 * ```ts
 * const prior = spikeAndSlab({ inclusion: 0.01 });     // loc 0, scale 1: VSC's fixed prior
 * ```
 */
export function spikeAndSlab(options: SpikeAndSlabOptions): SpikeAndSlab {
  return new SpikeAndSlab(options);
}

/**
 * The analytic KL(q ‖ p) between two spike-and-slabs (Tonolini et al. 2019, supp. C; vsc.md §2),
 * elementwise (no sum over coordinates):
 *   γ[log(σ'/σ) + (σ² + (μ − μ')²)/(2σ'²) − ½] + (1 − γ) log((1 − γ)/(1 − γ')) + γ log(γ/γ'),
 * with γ and γ' clamped to [1e-6, 1 − 1e-6] throughout, as the reference code clamps γ before
 * the KL (specs/vsc.md b0 §2): outside the clamp the KL has no gradient in γ, so units the encoder
 * has switched off (γ < 1e-6) are not pulled back towards γ' by the Bernoulli term.
 *
 * @example
 * ```ts
 * spikeAndSlabKL(q.inclusion, q.loc, q.scale, p.inclusion, p.loc, p.scale);
 * ```
 */
export function spikeAndSlabKL(
  qInclusion: tf.Tensor,
  qLoc: tf.Tensor,
  qScale: tf.Tensor,
  pInclusion: tf.Tensor,
  pLoc: tf.Tensor,
  pScale: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const gc = clampInclusion(qInclusion);
    const g = gc;
    const pc = clampInclusion(pInclusion);
    const slab = tf.sub(
      tf.add(tf.log(tf.div(pScale, qScale)), tf.div(tf.add(tf.square(qScale), tf.square(tf.sub(qLoc, pLoc))), tf.mul(2, tf.square(pScale)))),
      0.5,
    );
    const spike = tf.mul(tf.sub(1, g), tf.sub(tf.log1p(tf.neg(gc)), tf.log1p(tf.neg(pc))));
    const incl = tf.mul(g, tf.sub(tf.log(gc), tf.log(pc)));
    return tf.add(tf.add(tf.mul(g, slab), spike), incl);
  });
}

registerKL("SpikeAndSlab", "SpikeAndSlab", (q: SpikeAndSlab, p: SpikeAndSlab) =>
  tf.tidy(() => {
    const out = spikeAndSlabKL(q.inclusion, q.loc, q.scale, p.inclusion, p.loc, p.scale);
    return broadcast(out, broadcastShapes(q.batchShape, p.batchShape, out.shape));
  }),
);

// Reference values (scipy): tools/reference/distributions_sparse.py -> reference/sparse.json
// ("spikeAndSlab"); points are nonzero (the slab branch). spike-and-slab.test.ts checks the literals.
const SAS_POINTS = [-2, -0.3, 0.25, 1, 3];
registerDistribution(
  {
    name: "SpikeAndSlab(inclusion=0.3,loc=0.5,scale=2)",
    make: () => spikeAndSlab({ inclusion: 0.3, loc: 0.5, scale: 2 }),
    points: SAS_POINTS,
    logProb: [-3.597308478354125, -2.8960584807383105, -2.823870978354125, -2.847308478354125, -3.597308478354125],
    mean: [0.15],
    variance: [1.2525],
    gradParams: ["inclusion", "loc", "scale"],
  },
  {
    name: "SpikeAndSlab(inclusion=0.9,loc=-1,scale=0.5)",
    make: () => spikeAndSlab({ inclusion: 0.9, loc: -1, scale: 0.5 }),
    points: SAS_POINTS,
    logProb: [-2.331151894793507, -1.3111518614149065, -3.4561518947935066, -8.331151894793507, -32.33115189479351],
    mean: [-0.9],
    variance: [0.315],
    gradParams: ["inclusion", "loc", "scale"],
  },
);
