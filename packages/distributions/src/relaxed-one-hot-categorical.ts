/**
 * The relaxed one-hot categorical, or Gumbel-Softmax / Concrete (Jang, Gu & Poole 2017,
 * "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017; Maddison et al. 2017) over the
 * last axis: y = softmax((logits + g)/temperature), g ~ Gumbel(0, 1), each entry clamped to
 * [1e-6, 1 − 1e-6] (so rows sum to 1 within K·1e-6). Optional straight-through: forward one-hot of
 * the argmax, backward the soft sample's gradient (Jang et al. 2017, §2.2).
 *
 * A relaxation: its density is for tests only and is never used in an objective.
 *
 * @example
 * ```ts
 * const d = relaxedOneHotCategorical({ temperature: 0.5, logits: tf.zeros([4]) });
 * d.sample(key, [10]);          // [10, 4], rows on (nearly) the simplex
 * ```
 */
import { tf, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { positive, simplex } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { RELAXED_EPS, straightThroughGrad } from "./relaxed-bernoulli.js";

/** Options of {@link RelaxedOneHotCategorical}: exactly one of `probs` / `logits` (last axis = categories). */
export interface RelaxedOneHotCategoricalOptions {
  /** Temperature > 0; a tensor has the batch shape (no category axis). */
  temperature: Param;
  /** Category probabilities [..., K] (normalised over the last axis). */
  probs?: tf.Tensor;
  /** Unnormalised log-probabilities [..., K]. */
  logits?: tf.Tensor;
  /** Forward one-hot argmax, backward soft gradient. Default false. */
  straightThrough?: boolean;
}

/**
 * Gumbel-Softmax over the last axis (Jang et al. 2017). Reparameterised; `isRelaxed`.
 *
 * @example
 * ```ts
 * const d = new RelaxedOneHotCategorical({ temperature: 1, probs: tf.tensor([0.2, 0.8]), straightThrough: true });
 * d.sample(key);     // exact one-hot forward
 * ```
 */
export class RelaxedOneHotCategorical extends Distribution {
  readonly kind = "RelaxedOneHotCategorical";
  readonly support = simplex;
  readonly hasRsample = true;
  override readonly isRelaxed = true;
  readonly batchShape: number[];
  override readonly eventShape: number[];
  /** Temperature (batch-shaped or scalar). */
  readonly temperature: tf.Tensor;
  /** Normalised log-probabilities [..., K]. */
  readonly logits: tf.Tensor;
  /** Whether samples are straight-through (one-hot forward). */
  readonly straightThrough: boolean;
  private readonly raw: Record<string, Param | boolean>;

  constructor(options: RelaxedOneHotCategoricalOptions) {
    super();
    const { temperature, probs, logits } = options;
    if ((probs === undefined) === (logits === undefined)) {
      throw new Error("RelaxedOneHotCategorical: give exactly one of probs or logits");
    }
    checkParams("RelaxedOneHotCategorical", { temperature: [temperature, positive] });
    const p = (probs ?? logits)!;
    if (p.rank < 1) throw new Error("RelaxedOneHotCategorical: probs/logits need a category axis (rank >= 1)");
    this.straightThrough = options.straightThrough ?? false;
    this.temperature = asTensor(temperature);
    this.logits = tf.tidy(() => (probs !== undefined ? tf.logSoftmax(tf.log(probs)) : tf.logSoftmax(logits!)));
    const k = p.shape[p.rank - 1];
    this.eventShape = [k];
    this.batchShape = broadcastShapes(shapeOf(temperature), p.shape.slice(0, -1));
    this.raw = { temperature, straightThrough: this.straightThrough, ...(probs ? { probs } : { logits: logits! }) };
  }

  params() {
    return { temperature: this.temperature, logits: this.logits };
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** Category probabilities softmax(logits). */
  probs(): tf.Tensor {
    return tf.exp(this.logits);
  }

  /** Temperature with a trailing axis, to broadcast against [..., K]. */
  private temperatureK(): tf.Tensor {
    return this.temperature.rank === 0 ? this.temperature : tf.expandDims(this.temperature, -1);
  }

  /**
   * For tests only; never used in objectives. The Concrete log density (Maddison et al. 2017,
   * eq. 2) on the simplex, y clamped to [1e-6, 1]: log (K−1)! + (K−1) log T
   * + Σ_k (logits_k − (T+1) log y_k) − K logsumexp_k(logits_k − T log y_k).
   */
  logProb(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = this.eventShape[0];
      let logFact = 0;
      for (let i = 2; i < k; i++) logFact += Math.log(i);
      const t = this.temperatureK();
      const logY = tf.log(tf.clipByValue(y, RELAXED_EPS, 1));
      const s = tf.sum(tf.sub(this.logits, tf.mul(tf.add(t, 1), logY)), -1);
      const lse = tf.logSumExp(tf.sub(this.logits, tf.mul(t, logY)), -1);
      return tf.add(tf.add(tf.mul(k - 1, tf.log(this.temperature)), logFact), tf.sub(s, tf.mul(k, lse)));
    });
  }

  /** A reparameterised draw softmax((logits + g)/T), clamped; one-hot forward if straight-through. */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const shape = this.drawShape(sampleShape);
    const g = key.gumbel(shape);
    return tf.tidy(() => {
      const soft = tf.clipByValue(tf.exp(tf.logSoftmax(tf.div(tf.add(this.logits, g), this.temperatureK()))), RELAXED_EPS, 1 - RELAXED_EPS);
      g.dispose();
      if (!this.straightThrough) return soft;
      const k = this.eventShape[0];
      return straightThroughGrad(soft, (s) => tf.cast(tf.equal(tf.expandDims(tf.argMax(s, -1), -1), tf.range(0, k, 1, "int32")), "float32"));
    });
  }
}

/**
 * Factory: `relaxedOneHotCategorical({ temperature, probs | logits, straightThrough })` (Jang et al. 2017).
 *
 * @example
 * ```ts
 * const c = relaxedOneHotCategorical({ temperature: 0.5, logits, straightThrough: true }).sample(key);
 * ```
 */
export function relaxedOneHotCategorical(options: RelaxedOneHotCategoricalOptions): RelaxedOneHotCategorical {
  return new RelaxedOneHotCategorical(options);
}

// No scipy reference exists for the Concrete density: shapes, samples and gradients only.
registerDistribution({
  name: "RelaxedOneHotCategorical(temperature=0.5,probs=[0.2,0.3,0.5])",
  make: () => relaxedOneHotCategorical({ temperature: 0.5, probs: tf.tensor([0.2, 0.3, 0.5]) }),
});
