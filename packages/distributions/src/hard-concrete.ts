/**
 * The hard concrete distribution (Louizos, Welling & Kingma, "Learning Sparse Neural Networks
 * through L0 Regularization", ICLR 2018, §4): a binary Concrete sample stretched to (γ, ζ) and
 * clipped to [0, 1],
 *
 *   s = sigmoid((log u − log(1 − u) + log α)/β),  u ~ U(0, 1),
 *   z = min(1, max(0, s (ζ − γ) + γ)),
 *
 * so z is exactly 0 or exactly 1 with positive probability and reparameterised in log α in between.
 * The paper's defaults: β = 2/3, γ = −0.1, ζ = 1.1. The expected L0 norm has the closed form
 * P(z ≠ 0) = sigmoid(log α − β log(−γ/ζ)) (`probNonZero`), the penalty the paper adds to the loss.
 *
 * A relaxation (`isRelaxed`): its mixed density (point masses at 0 and 1, a stretched Concrete
 * density between) is for tests only and never used in an objective.
 *
 * @example
 * ```ts
 * const gate = hardConcrete({ logAlpha: tf.zeros([3]) });
 * gate.sample(key, [100]);          // in [0, 1], many exact zeros and ones
 * gate.probNonZero();               // 0.8318 = E[L0] per entry at log α = 0
 * ```
 */
import { tf, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive, closedUnitInterval } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { RELAXED_EPS } from "./relaxed-bernoulli.js";

/** Options of {@link HardConcrete}. */
export interface HardConcreteOptions {
  /** Location log α (a gate's log-odds before stretching). */
  logAlpha: Param;
  /** Temperature β > 0. Default 2/3. */
  temperature?: Param;
  /** The stretch interval (γ, ζ) with γ < 0 and ζ > 1. Default (−0.1, 1.1). */
  stretch?: readonly [number, number];
}

/**
 * Hard concrete gates (Louizos et al. 2018). Reparameterised; `isRelaxed`; exact zeros.
 *
 * @example
 * ```ts
 * const d = new HardConcrete({ logAlpha: tf.tensor([-2, 0, 2]) });
 * d.relax(u);              // the draw for given uniform noise u
 * ```
 */
export class HardConcrete extends Distribution {
  readonly kind = "HardConcrete";
  readonly support = closedUnitInterval;
  readonly hasRsample = true;
  override readonly isRelaxed = true;
  readonly batchShape: number[];
  readonly logAlpha: tf.Tensor;
  /** β. */
  readonly temperature: tf.Tensor;
  /** γ (< 0). */
  readonly low: number;
  /** ζ (> 1). */
  readonly high: number;
  private readonly raw: Record<string, Param>;

  constructor(options: HardConcreteOptions) {
    super();
    const temperature = options.temperature ?? 2 / 3;
    const [low, high] = options.stretch ?? [-0.1, 1.1];
    checkParams("HardConcrete", { logAlpha: [options.logAlpha, real], temperature: [temperature, positive] });
    if (!(low < 0) || !(high > 1)) throw new Error(`HardConcrete: the stretch (γ, ζ) needs γ < 0 < 1 < ζ, got (${low}, ${high})`);
    this.logAlpha = asTensor(options.logAlpha);
    this.temperature = asTensor(temperature);
    this.low = low;
    this.high = high;
    this.batchShape = broadcastShapes(shapeOf(options.logAlpha), shapeOf(temperature));
    this.raw = { logAlpha: options.logAlpha, temperature, low, high };
  }

  params() {
    return { logAlpha: this.logAlpha, temperature: this.temperature };
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** The draw for given uniform noise u (clipped to [1e-6, 1 − 1e-6]): min(1, max(0, s (ζ − γ) + γ)). */
  relax(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const uc = tf.clipByValue(u, RELAXED_EPS, 1 - RELAXED_EPS);
      const s = tf.sigmoid(tf.div(tf.add(tf.sub(tf.log(uc), tf.log1p(tf.neg(uc))), this.logAlpha), this.temperature));
      return tf.clipByValue(tf.add(tf.mul(s, this.high - this.low), this.low), 0, 1);
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const u = key.uniform(this.drawShape(sampleShape));
    const z = this.relax(u);
    u.dispose();
    return z;
  }

  /** P(z ≠ 0) = sigmoid(log α − β log(−γ/ζ)): the expected L0 norm of one gate. */
  probNonZero(): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(tf.sub(this.logAlpha, tf.mul(this.temperature, Math.log(-this.low / this.high)))));
  }

  /** P(z = 1) = sigmoid(log α − β log((1 − γ)/(ζ − 1))). */
  probOne(): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(tf.sub(this.logAlpha, tf.mul(this.temperature, Math.log((1 - this.low) / (this.high - 1))))));
  }

  /** The paper's test-time gate min(1, max(0, sigmoid(log α)(ζ − γ) + γ)). */
  deterministic(): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.sigmoid(this.logAlpha), this.high - this.low), this.low), 0, 1));
  }

  /**
   * For tests only; never used in objectives. The mixed density: log P(z = 0) at 0, log P(z = 1)
   * at 1, and between them the stretched binary Concrete density log q_s((z − γ)/(ζ − γ)) − log(ζ − γ).
   */
  logProb(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const width = this.high - this.low;
      const s = tf.clipByValue(tf.div(tf.sub(z, this.low), width), RELAXED_EPS, 1 - RELAXED_EPS);
      const logS = tf.log(s);
      const log1mS = tf.log1p(tf.neg(s));
      const t = tf.sub(tf.mul(this.temperature, tf.sub(logS, log1mS)), this.logAlpha);
      const logistic = tf.neg(tf.add(tf.softplus(t), tf.softplus(tf.neg(t))));
      const inside = tf.sub(tf.sub(tf.add(tf.log(this.temperature), logistic), tf.add(logS, log1mS)), Math.log(width));
      const atZero = tf.log(tf.sub(1, this.probNonZero()));
      const atOne = tf.log(this.probOne());
      const shape = broadcastShapes(z.shape, this.batchShape);
      const zb = tf.broadcastTo(z, shape);
      return tf.where(tf.lessEqual(zb, 0), tf.broadcastTo(atZero, shape), tf.where(tf.greaterEqual(zb, 1), tf.broadcastTo(atOne, shape), tf.broadcastTo(inside, shape)));
    });
  }
}

/**
 * Factory: `hardConcrete({ logAlpha, temperature?, stretch? })` (Louizos et al. 2018).
 *
 * @example
 * ```ts
 * const gates = hardConcrete({ logAlpha: tf.zeros([10]) }).sample(key);
 * ```
 */
export function hardConcrete(options: HardConcreteOptions): HardConcrete {
  return new HardConcrete(options);
}

// No scipy reference exists: shapes, samples and gradients only (hard-concrete.test.ts checks the closed forms).
registerDistribution({
  name: "HardConcrete(logAlpha=[-1,0,2])",
  make: () => hardConcrete({ logAlpha: tf.tensor([-1, 0, 2]) }),
});
