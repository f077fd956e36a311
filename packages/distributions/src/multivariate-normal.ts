/**
 * The multivariate Normal with a lower-triangular scale, N(loc, L Lᵀ) (TFP's
 * `MultivariateNormalTriL`, Pyro's `MultivariateNormal(scale_tril=...)`).
 *
 *   log p(x) = −½ |L⁻¹(x − loc)|² − Σ_i log L_ii − (w/2) log 2π,   x = loc + L ε (pathwise)
 *
 * `loc` is [..., w] and `scaleTril` [..., w, w] (lower triangular, positive diagonal; entries above
 * the diagonal are ignored). The event is the last axis, or any `eventShape` of w elements (the
 * compiler's full-rank guide lays a latent's draw out in its canonical layout, e.g. [1, K]); the
 * flattened event is the vector loc describes. L⁻¹(x − loc) is a forward substitution written out
 * (tfjs has no differentiable triangular solve): w steps, fine for the latent widths of a guide.
 *
 * KL to a Normal whose trailing axes are the event (independent coordinates) is closed-form:
 *   KL = Σ_i [log s_i − log L_ii + ((L Lᵀ)_ii + (loc_i − m_i)²) / (2 s_i²) − ½].
 *
 * @example
 * ```ts
 * const q = multivariateNormalTriL(tf.tensor1d([0, 1]), tf.tensor2d([[1, 0], [0.5, 2]]));
 * q.logProb(tf.tensor1d([0, 1]));     // −log(2π) − log 2
 * ```
 */
import { tf, Key } from "@sparse-dgm/core";
import { Distribution, broadcastShapes } from "./distribution.js";
import { real } from "./constraints.js";
import { Normal } from "./normal.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardReference as ref } from "./reference/standard.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** N(loc, L Lᵀ) with L lower triangular; reparameterised. */
export class MultivariateNormalTriL extends Distribution {
  readonly kind = "MultivariateNormalTriL";
  readonly support = real;
  readonly hasRsample = true;
  readonly batchShape: number[];
  override readonly eventShape: number[];
  /** The event size w (the flattened event). */
  readonly width: number;
  /** L with the entries above its diagonal zeroed. */
  readonly scaleTril: tf.Tensor;

  constructor(
    readonly loc: tf.Tensor,
    scaleTril: tf.Tensor,
    eventShape?: number[],
  ) {
    super();
    const w = loc.shape[loc.rank - 1];
    if (scaleTril.rank < 2 || scaleTril.shape[scaleTril.rank - 1] !== w || scaleTril.shape[scaleTril.rank - 2] !== w) {
      throw new Error(`MultivariateNormalTriL: scaleTril must be [..., ${w}, ${w}] for loc [${loc.shape.join(", ")}], got [${scaleTril.shape.join(", ")}]`);
    }
    const ev = eventShape ?? [w];
    if (ev.reduce((a, b) => a * b, 1) !== w) throw new Error(`MultivariateNormalTriL: eventShape [${ev.join(", ")}] does not hold ${w} elements`);
    this.width = w;
    this.eventShape = ev.slice();
    this.batchShape = broadcastShapes(loc.shape.slice(0, -1), scaleTril.shape.slice(0, -2));
    this.scaleTril = tf.mul(scaleTril, tf.linalg.bandPart(tf.ones([w, w]), -1, 0));
  }

  params() {
    return { loc: this.loc, scaleTril: this.scaleTril };
  }

  /** The diagonal of L, [..., w]. */
  diagonal(): tf.Tensor {
    return tf.sum(tf.mul(this.scaleTril, tf.eye(this.width)), -1);
  }

  /** x [..., ...eventShape] as [..., w]. */
  private flat(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [...x.shape.slice(0, x.rank - this.eventShape.length), this.width]);
  }

  /** L⁻¹ d for d [..., w], by forward substitution. */
  whiten(d: tf.Tensor): tf.Tensor {
    const w = this.width;
    const L = tf.unstack(this.scaleTril, -2).map((row) => tf.unstack(row, -1)); // L[i][j]: [...]
    const rows = tf.unstack(d, -1);
    const y: tf.Tensor[] = [];
    for (let i = 0; i < w; i++) {
      let r = rows[i];
      for (let j = 0; j < i; j++) r = tf.sub(r, tf.mul(L[i][j], y[j]));
      y.push(tf.div(r, L[i][i]));
    }
    return tf.stack(y, -1);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = this.whiten(tf.sub(this.flat(x), this.loc));
      return tf.sub(tf.mul(-0.5, tf.sum(tf.square(y), -1)), tf.add(tf.sum(tf.log(this.diagonal()), -1), 0.5 * this.width * LOG_2PI));
    });
  }

  /** The draw for given standard-normal noise eps [..., ...eventShape]: loc + L eps, laid out as the event. */
  reparameterise(eps: tf.Tensor): tf.Tensor {
    const e = this.flat(eps);
    const lEps = tf.sum(tf.mul(this.scaleTril, tf.expandDims(e, -2)), -1);
    const z = tf.add(this.loc, lEps);
    return tf.reshape(z, [...z.shape.slice(0, -1), ...this.eventShape]);
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const eps = key.normal(this.drawShape(sampleShape));
    return tf.tidy(() => {
      const s = this.reparameterise(tf.add(eps, tf.zeros([...sampleShape, ...this.batchShape, ...this.eventShape])));
      eps.dispose();
      return s;
    });
  }

  override mean(): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.add(this.loc, tf.zeros([...this.batchShape, this.width])), [...this.batchShape, ...this.eventShape]));
  }

  /** The marginal variances (L Lᵀ)_ii, laid out as the event. */
  override variance(): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.add(tf.sum(tf.square(this.scaleTril), -1), tf.zeros([...this.batchShape, this.width])), [...this.batchShape, ...this.eventShape]));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.add(tf.sum(tf.log(this.diagonal()), -1), 0.5 * this.width * (1 + LOG_2PI)));
  }

  /** KL(this ‖ N(m, s²)) with the Normal's loc and scale broadcasting against [..., ...eventShape] (independent coordinates): [...batch]. */
  klToIndependentNormal(p: Normal): tf.Tensor {
    return tf.tidy(() => {
      const full = [...this.batchShape, ...this.eventShape];
      const m = this.flat(tf.add(p.loc, tf.zeros(full)));
      const s = this.flat(tf.add(p.scale, tf.zeros(full)));
      const v = tf.sum(tf.square(this.scaleTril), -1);
      const quad = tf.div(tf.add(v, tf.square(tf.sub(this.loc, m))), tf.mul(2, tf.square(s)));
      return tf.sum(tf.sub(tf.add(tf.sub(tf.log(s), tf.log(this.diagonal())), quad), 0.5), -1);
    });
  }
}

/** Factory: `multivariateNormalTriL(loc, scaleTril, eventShape?)`. */
export function multivariateNormalTriL(loc: tf.Tensor, scaleTril: tf.Tensor, eventShape?: number[]): MultivariateNormalTriL {
  return new MultivariateNormalTriL(loc, scaleTril, eventShape);
}

registerKL("MultivariateNormalTriL", "Normal", (q: MultivariateNormalTriL, p: Normal) => q.klToIndependentNormal(p));

registerDistribution({
  name: "MultivariateNormalTriL(loc=[1,-1,0.5],scaleTril=[[2,0,0],[0.5,1,0],[-0.3,0.8,0.7]])",
  make: () => multivariateNormalTriL(tf.tensor1d([1, -1, 0.5]), tf.tensor2d([[2, 0, 0], [0.5, 1, 0], [-0.3, 0.8, 0.7]])),
  makeWith: (p) => multivariateNormalTriL(p.loc, p.scaleTril),
  ...ref["MultivariateNormalTriL(loc=[1,-1,0.5],scaleTril=[[2,0,0],[0.5,1,0],[-0.3,0.8,0.7]])"],
  gradParams: ["loc", "scaleTril"],
});
