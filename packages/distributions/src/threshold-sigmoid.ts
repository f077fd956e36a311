/**
 * VSC's relaxed, reparameterised spike-and-slab draw (Tonolini, Jensen & Murray-Smith 2019,
 * "Variational Sparse Coding", UAI 2019, supp. B and D; specs/vsc.md part b0 §2):
 *
 *   z = sigmoid(c·(u − 1 + γ)) ⊙ (λμ + σ^λ ε),   u ~ U(0, 1), ε ~ N(0, 1),
 *
 * i.e. the Heaviside threshold T(u − 1 + γ) on uniform noise relaxed to a sigmoid of sharpness c
 * (reference code: c = 100), and a slab with mean λμ and log-variance λ log σ², where λ ∈ [0, 1] is
 * the "spike pre-training" warm-up (λ = 0: the slab is N(0, 1) noise and only γ learns).
 * Not the logistic-noise binary Concrete.
 *
 * A relaxation: it has no density (`logProb` throws). The objective uses the analytic spike-and-slab
 * KL of the underlying (γ, μ, σ); KL(· ‖ SpikeAndSlab) and KL(· ‖ ThresholdSigmoidSpikeSlab) are
 * registered to do exactly that (the warm-up affects only the draw).
 *
 * @example
 * ```ts
 * const q = thresholdSigmoidSpikeSlab({ inclusion: gamma, loc: mu, scale: sigma, slabWarmup: lambda });
 * const z = q.sample(key);                                      // differentiable in gamma, mu, sigma
 * const rate = kl(q, spikeAndSlab({ inclusion: 0.01 }));        // analytic
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive, closedUnitInterval } from "./constraints.js";
import { registerKL } from "./kl.js";
import { SpikeAndSlab, spikeAndSlabKL } from "./spike-and-slab.js";

/** Options of {@link ThresholdSigmoidSpikeSlab}. */
export interface ThresholdSigmoidSpikeSlabOptions {
  /** Slab probability γ in [0, 1]. */
  inclusion: Param;
  /** Slab mean μ. Default 0. */
  loc?: Param;
  /** Slab standard deviation σ > 0. Default 1. Give `logVariance` instead to set log σ². */
  scale?: Param;
  /**
   * Slab log-variance log σ², instead of `scale` (an encoder's head): the warmed-up slab scale is
   * then exp(λ/2 · log σ²) without a round trip through σ.
   */
  logVariance?: tf.Tensor;
  /** Sigmoid sharpness c > 0. Default 100 (the reference TF code; the paper anneals 50 -> 200). */
  sharpness?: Param;
  /** Slab warm-up λ in [0, 1]: slab mean λμ, log-variance λ log σ². Default 1 (no warm-up). */
  slabWarmup?: Param;
}

/** The draw's parts: z, the relaxed gate, the hard gate (step) and the uniform noise. */
export interface ThresholdSigmoidDraw {
  /** z = gate ⊙ slab. */
  z: tf.Tensor;
  /** sigmoid(c (u − 1 + γ)). */
  gate: tf.Tensor;
  /** 1[u > 1 − γ] (no gradient): the gate's c → ∞ value. */
  hard: tf.Tensor;
  /** The uniform noise u. */
  u: tf.Tensor;
}

/**
 * VSC's threshold-sigmoid spike-and-slab draw (Tonolini et al. 2019, supp. B). Reparameterised;
 * `isRelaxed`; no density.
 *
 * @example
 * ```ts
 * const d = new ThresholdSigmoidSpikeSlab({ inclusion: 0.3, loc: 1, scale: 0.5, sharpness: 50 });
 * const { z, gate } = d.sampleWithGate(key, [8]);
 * ```
 */
export class ThresholdSigmoidSpikeSlab extends Distribution {
  readonly kind = "ThresholdSigmoidSpikeSlab";
  readonly support = real;
  readonly hasRsample = true;
  override readonly isRelaxed = true;
  readonly batchShape: number[];
  /** γ. */
  readonly inclusion: tf.Tensor;
  /** μ. */
  readonly loc: tf.Tensor;
  /** σ. */
  readonly scale: tf.Tensor;
  /** c. */
  readonly sharpness: tf.Tensor;
  /** λ. */
  readonly slabWarmup: tf.Tensor;
  /** log σ², when given instead of σ. */
  readonly logVariance?: tf.Tensor;
  private readonly raw: Record<string, Param>;

  constructor(options: ThresholdSigmoidSpikeSlabOptions) {
    super();
    const loc = options.loc ?? 0;
    if (options.scale !== undefined && options.logVariance !== undefined) throw new Error("ThresholdSigmoidSpikeSlab: give scale or logVariance, not both");
    const scale = options.logVariance ? tf.exp(tf.mul(0.5, options.logVariance)) : (options.scale ?? 1);
    const sharpness = options.sharpness ?? 100;
    const slabWarmup = options.slabWarmup ?? 1;
    checkParams("ThresholdSigmoidSpikeSlab", {
      inclusion: [options.inclusion, closedUnitInterval],
      loc: [loc, real],
      scale: [scale, positive],
      sharpness: [sharpness, positive],
      slabWarmup: [slabWarmup, closedUnitInterval],
    });
    this.raw = { inclusion: options.inclusion, loc, scale, sharpness, slabWarmup };
    this.batchShape = broadcastShapes(shapeOf(options.inclusion), shapeOf(loc), shapeOf(scale));
    this.inclusion = asTensor(options.inclusion);
    this.loc = asTensor(loc);
    this.scale = asTensor(scale);
    this.sharpness = asTensor(sharpness);
    this.slabWarmup = asTensor(slabWarmup);
    if (options.logVariance) this.logVariance = options.logVariance;
  }

  params() {
    return { inclusion: this.inclusion, loc: this.loc, scale: this.scale, sharpness: this.sharpness, slabWarmup: this.slabWarmup };
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** Never evaluated: throws. Relaxed densities are never used; use the analytic spike-and-slab KL. */
  logProb(_z: tf.Tensor): tf.Tensor {
    throw new Error(
      "ThresholdSigmoidSpikeSlab.logProb: relaxed densities are never evaluated (the threshold-sigmoid draw has no usable density); " +
        "use the analytic spike-and-slab KL, kl(q, spikeAndSlab(...)), or q.toSpikeAndSlab().",
    );
  }

  /** The relaxed gate sigmoid(c (u − 1 + γ)) for given uniform noise u. */
  gate(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(tf.mul(this.sharpness, tf.add(tf.sub(u, 1), this.inclusion))));
  }

  /** The gate's hard value 1[u − 1 + γ > 0] (the Heaviside step; no gradient), for given uniform noise u. */
  hard(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.cast(tf.greater(tf.add(tf.sub(u, 1), this.inclusion), 0), "float32"));
  }

  /** The warmed-up slab λμ + σ^λ ε for given standard-normal noise ε. */
  slab(eps: tf.Tensor): tf.Tensor {
    const slabScale = this.logVariance
      ? tf.exp(tf.mul(tf.mul(0.5, this.slabWarmup), this.logVariance))
      : tf.exp(tf.mul(this.slabWarmup, tf.log(this.scale)));
    return tf.add(tf.mul(this.slabWarmup, this.loc), tf.mul(slabScale, eps));
  }

  /**
   * The draw for given noise: gate(u) ⊙ slab(ε), or with `hard` the gate at its c → ∞ limit
   * 1[u > 1 − γ] (evaluation: a sample of the spike-and-slab the relaxation stands for).
   */
  draw(u: tf.Tensor, eps: tf.Tensor, hard = false): tf.Tensor {
    return tf.mul(hard ? this.hard(u) : this.gate(u), this.slab(eps));
  }

  /** A reparameterised draw with its parts. */
  sampleWithGate(key: Key, sampleShape: number[] = []): ThresholdSigmoidDraw {
    const shape = this.drawShape(sampleShape);
    const [ku, ke] = key.split(2);
    const u = ku.uniform(shape);
    const eps = ke.normal(shape);
    const [z, gate, hard] = tf.tidy(() => {
      const g = this.gate(u);
      return [tf.mul(g, this.slab(eps)), g, this.hard(u)];
    });
    eps.dispose();
    return { z, gate, hard, u };
  }

  /** z = sigmoid(c (u − 1 + γ)) ⊙ (λμ + σ^λ ε), reparameterised in γ, μ, σ. */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const { z, gate, hard, u } = this.sampleWithGate(key, sampleShape);
    gate.dispose();
    hard.dispose();
    u.dispose();
    return z;
  }

  /** The underlying spike-and-slab q(γ, μ, σ) (no warm-up, no relaxation): the KL target. */
  toSpikeAndSlab(): SpikeAndSlab {
    return new SpikeAndSlab({ inclusion: this.inclusion, loc: this.loc, scale: this.scale });
  }

  /** E[z] of the unrelaxed draw at the current warm-up: γ λ μ. */
  override mean(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.mul(tf.mul(this.inclusion, this.slabWarmup), this.loc), this.batchShape));
  }
}

/**
 * Factory: `thresholdSigmoidSpikeSlab({ inclusion, loc, scale, sharpness, slabWarmup })` (Tonolini et al. 2019).
 *
 * @example
 * ```ts
 * const q = thresholdSigmoidSpikeSlab({ inclusion: gamma, loc: mu, scale: sigma, sharpness: 100 });
 * ```
 */
export function thresholdSigmoidSpikeSlab(options: ThresholdSigmoidSpikeSlabOptions): ThresholdSigmoidSpikeSlab {
  return new ThresholdSigmoidSpikeSlab(options);
}

function klViaSpikeAndSlab(q: ThresholdSigmoidSpikeSlab, p: { inclusion: tf.Tensor; loc: tf.Tensor; scale: tf.Tensor; batchShape: number[] }): tf.Tensor {
  return tf.tidy(() => {
    const out = spikeAndSlabKL(q.inclusion, q.loc, q.scale, p.inclusion, p.loc, p.scale);
    return broadcast(out, broadcastShapes(q.batchShape, p.batchShape, out.shape));
  });
}

registerKL("ThresholdSigmoidSpikeSlab", "SpikeAndSlab", klViaSpikeAndSlab);
registerKL("ThresholdSigmoidSpikeSlab", "ThresholdSigmoidSpikeSlab", klViaSpikeAndSlab);
// No registerDistribution case: the generic suites evaluate logProb, which a relaxed draw must not have.
