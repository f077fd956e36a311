/**
 * The spike-and-slab lasso (SSL) prior of Ročková & George (2018, "The Spike-and-Slab LASSO",
 * JASA 113:431-444), as used on the mask matrix W of the Sparse VAE (Moran et al. 2022;
 * specs/sparse-vae.md §1, §2.4):
 *
 *   w | γ ~ γ Laplace(0, 1/slab) + (1 − γ) Laplace(0, 1/spike),   γ ~ Bernoulli(inclusion)
 *
 * with Laplace(w; 0, 1/λ) = (λ/2) e^{−λ|w|}. `logProb` is the marginal mixture density (with the
 * normalisers λ/2). The EM helpers (`inclusionProbability`, `emPenalty`, `etaUpdate`) implement
 * the Sparse VAE's closed-form updates, in the released code's form (`form: "code"`, which drops
 * λ/2) or the standard SSL form (`form: "normalised"`).
 *
 * @example
 * ```ts
 * const prior = spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.5 });
 * prior.inclusionProbability(tf.tensor([0, 0.1]));          // [0.5, 0.7109] (code form)
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, shapeOf, checkParams } from "./distribution.js";
import { real, positive, unitInterval } from "./constraints.js";
import { registerDistribution } from "./registry.js";

/** Which inclusion-probability formula: the released Sparse VAE code's (no λ/2) or the standard SSL one. */
export type SpikeSlabLassoForm = "code" | "normalised";

/** Options of {@link SpikeSlabLasso}. */
export interface SpikeSlabLassoOptions {
  /** Spike rate λ0 (large: mass near 0). Default 10. */
  spike?: number;
  /** Slab rate λ1 (small: diffuse). Default 1 (the run flags; the reference class default is 0.1). */
  slab?: number;
  /** Prior inclusion probability η in (0, 1); a tensor broadcasts over the trailing (column) axis. */
  inclusion: Param;
  /** Inclusion-probability form; default "code" (reproduces the released Sparse VAE code). */
  form?: SpikeSlabLassoForm;
}

/** log(exp(a) + exp(b)), stably. */
function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const m = tf.maximum(a, b);
  return tf.add(m, tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(a, b))))));
}

/**
 * The spike-and-slab lasso over real w (Ročková & George 2018). Not reparameterised (a mixture).
 *
 * @example
 * ```ts
 * const d = new SpikeSlabLasso({ spike: 10, slab: 1, inclusion: tf.tensor([0.5, 0.2]) });
 * const pstar = d.inclusionProbability(W);                   // W: [G, 2]
 * const eta = SpikeSlabLasso.etaUpdate(pstar, 1, G);         // [2]
 * ```
 */
export class SpikeSlabLasso extends Distribution {
  readonly kind = "SpikeSlabLasso";
  readonly support = real;
  readonly hasRsample = false;
  readonly batchShape: number[];
  /** Spike rate λ0. */
  readonly spike: number;
  /** Slab rate λ1. */
  readonly slab: number;
  /** Inclusion probability η as a tensor. */
  readonly inclusion: tf.Tensor;
  /** Inclusion-probability form. */
  readonly form: SpikeSlabLassoForm;
  private readonly inclusionArg: Param;

  constructor(options: SpikeSlabLassoOptions) {
    super();
    const spike = options.spike ?? 10;
    const slab = options.slab ?? 1;
    const form = options.form ?? "code";
    checkParams("SpikeSlabLasso", {
      spike: [spike, positive],
      slab: [slab, positive],
      inclusion: [options.inclusion, unitInterval],
    });
    if (form !== "code" && form !== "normalised") {
      throw new Error(`SpikeSlabLasso: form must be "code" or "normalised", got ${String(form)}`);
    }
    this.spike = spike;
    this.slab = slab;
    this.form = form;
    this.inclusionArg = options.inclusion;
    this.inclusion = asTensor(options.inclusion);
    this.batchShape = shapeOf(options.inclusion);
  }

  params() {
    return { inclusion: this.inclusion, spike: tf.scalar(this.spike), slab: tf.scalar(this.slab) };
  }

  protected override rawParams() {
    return { spike: this.spike, slab: this.slab, inclusion: this.inclusionArg, form: this.form };
  }

  /** log η and log(1 − η). */
  private logInclusion(): [tf.Tensor, tf.Tensor] {
    if (typeof this.inclusionArg === "number") {
      return [tf.scalar(Math.log(this.inclusionArg)), tf.scalar(Math.log1p(-this.inclusionArg))];
    }
    return [tf.log(this.inclusion), tf.log1p(tf.neg(this.inclusion))];
  }

  /** The marginal log density log[η ψ(w; λ1) + (1 − η) ψ(w; λ0)], ψ(w; λ) = (λ/2) e^{−λ|w|}; computed with logaddexp. */
  logProb(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [logEta, log1mEta] = this.logInclusion();
      const a = tf.abs(w);
      const slabTerm = tf.sub(tf.add(logEta, Math.log(this.slab / 2)), tf.mul(this.slab, a));
      const spikeTerm = tf.sub(tf.add(log1mEta, Math.log(this.spike / 2)), tf.mul(this.spike, a));
      return logAddExp(slabTerm, spikeTerm);
    });
  }

  /**
   * The posterior inclusion probability p* = P(γ = 1 | w), in log space (no underflow of
   * e^{−λ0|w|}): sigmoid(log η − log(1 − η) + (λ0 − λ1)|w| [+ log(λ1/λ0) in the normalised form]).
   *
   * @example
   * ```ts
   * spikeSlabLasso({ inclusion: 0.5, form: "normalised" }).inclusionProbability(tf.scalar(0)); // 0.0909
   * ```
   */
  inclusionProbability(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [logEta, log1mEta] = this.logInclusion();
      let logit = tf.add(tf.sub(logEta, log1mEta), tf.mul(this.spike - this.slab, tf.abs(w)));
      if (this.form === "normalised") logit = tf.add(logit, Math.log(this.slab / this.spike));
      return tf.sigmoid(logit);
    });
  }

  /**
   * The E-step penalty Σ over all entries of (λ1 p* + λ0 (1 − p*)) |w|: the expectation of
   * −log p(w | γ) under p*, up to constants (specs/sparse-vae.md §2.2 "Wpen", before the 1/B).
   * Differentiable in w; `pstar` is treated as data. Returns a scalar.
   *
   * @example
   * ```ts
   * prior.emPenalty(W, tf.fill(W.shape, 0.5));               // 5.5 Σ|w| for λ0 = 10, λ1 = 1
   * ```
   */
  emPenalty(w: tf.Tensor, pstar: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const weight = tf.add(tf.mul(this.slab, pstar), tf.mul(this.spike, tf.sub(1, pstar)));
      return tf.sum(tf.mul(weight, tf.abs(w)));
    });
  }

  /**
   * The closed-form η update (specs/sparse-vae.md §2.4): η_k = (Σ_j p*_jk + a − 1)/(a + b + G − 2)
   * per column k, set to 1e-10 where negative; G = pstar.shape[0] (rows = features).
   *
   * @example
   * ```ts
   * SpikeSlabLasso.etaUpdate(tf.tensor2d([[1, 0], [0.5, 0]]), 1, 2);   // [1.5/3, 0/3] = [0.5, 0]
   * ```
   */
  static etaUpdate(pstar: tf.Tensor, a: number, b: number): tf.Tensor {
    return tf.tidy(() => {
      const rows = pstar.rank === 0 ? 1 : pstar.shape[0];
      const s = pstar.rank === 0 ? pstar : tf.sum(pstar, 0);
      const eta = tf.div(tf.add(s, a - 1), a + b + rows - 2);
      return tf.where(tf.less(eta, 0), tf.fill(eta.shape, 1e-10), eta);
    });
  }

  /** A draw (not reparameterised): γ ~ Bernoulli(η), then Laplace(0, 1/λ1) or Laplace(0, 1/λ0). */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const shape = this.drawShape(sampleShape);
    const [kGate, kSign, kMag] = key.split(3);
    const n = shape.reduce((p, d) => p * d, 1);
    const us = kSign.uniformArray(n);
    const um = kMag.uniformArray(n);
    const std = new Float32Array(n);
    for (let i = 0; i < n; i++) std[i] = (us[i] < 0.5 ? -1 : 1) * -Math.log(um[i]);
    const u = kGate.uniform(shape);
    return tf.tidy(() => {
      const gate = tf.less(u, this.inclusion);
      const rate = tf.where(gate, tf.fill(shape, this.slab), tf.fill(shape, this.spike));
      const out = tf.div(tf.tensor(std, shape, "float32"), rate);
      u.dispose();
      return out;
    });
  }

  override mean(): tf.Tensor {
    return tf.zeros(this.batchShape);
  }

  /** η 2/λ1² + (1 − η) 2/λ0². */
  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const vs = 2 / this.slab ** 2;
      const v0 = 2 / this.spike ** 2;
      return broadcast(tf.add(tf.mul(this.inclusion, vs - v0), v0), this.batchShape);
    });
  }
}

/**
 * Factory: `spikeSlabLasso({ spike, slab, inclusion, form })` (Ročková & George 2018).
 *
 * @example
 * ```ts
 * const prior = spikeSlabLasso({ spike: 10, slab: 1, inclusion: eta });
 * ```
 */
export function spikeSlabLasso(options: SpikeSlabLassoOptions): SpikeSlabLasso {
  return new SpikeSlabLasso(options);
}

// Reference values (scipy): tools/reference/distributions_sparse.py -> reference/sparse.json ("ssl");
// spike-slab-lasso.test.ts checks that these literals equal the JSON.
const SSL_POINTS = [-3, -0.5, -0.1, -0.001, 0, 0.001, 0.05, 0.3, 1, 7.5];
registerDistribution(
  {
    name: "SpikeSlabLasso(spike=10,slab=1,inclusion=0.5)",
    make: () => spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.5 }),
    makeWith: (p) => spikeSlabLasso({ spike: 10, slab: 1, inclusion: p.inclusion }),
    points: SSL_POINTS,
    logProb: [
      -4.386294361101096, -1.7809528767989784, 0.13619728644119727, 1.0024224483953235, 1.0116009116784797,
      1.0024224483953235, 0.5619752843799833, -1.1722409311131163, -2.3850610239520806, -8.88629436111989,
    ],
    mean: [0],
    variance: [1.01],
    gradParams: ["inclusion"],
  },
  {
    name: "SpikeSlabLasso(spike=10,slab=1,inclusion=0.2)",
    make: () => spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.2 }),
    makeWith: (p) => spikeSlabLasso({ spike: 10, slab: 1, inclusion: p.inclusion }),
    points: SSL_POINTS,
    logProb: [
      -5.302585078017704, -2.4349188628151004, 0.4459679991082699, 1.4012074486417128, 1.4109869704392752,
      1.4012074486417128, 0.9247530474818122, -1.2974410867783979, -3.2976608300559596, -9.802585078092886,
    ],
    gradParams: ["inclusion"],
  },
  {
    name: "SpikeSlabLasso(spike=20,slab=0.5,inclusion=0.05)",
    make: () => spikeSlabLasso({ spike: 20, slab: 0.5, inclusion: 0.05 }),
    makeWith: (p) => spikeSlabLasso({ spike: 20, slab: 0.5, inclusion: p.inclusion }),
    points: SSL_POINTS,
    logProb: [
      -5.88202661977272, -4.588676038832423, 0.2604975381388302, 2.232632596787407, 2.2526067224241437,
      2.232632596787407, 1.2547740906579148, -3.3724061599433655, -4.8820240370925525, -8.13202661977272,
    ],
    gradParams: ["inclusion"],
  },
);
