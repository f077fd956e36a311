/**
 * The relaxed Bernoulli, or binary Concrete (Maddison, Mnih & Teh 2017, "The Concrete
 * Distribution", ICLR 2017, §3.3 and appendix): y = sigmoid((logits + L)/temperature) with
 * L ~ Logistic(0, 1), clamped to [1e-6, 1 − 1e-6] (float32; tensorflow/probability#1738,
 * pytorch/pytorch#18254, specs/user-pain.md A1). Optional straight-through estimator: the forward
 * value is the hard 0/1 threshold at 0.5 and the gradient is that of the soft sample (Bengio et
 * al. 2013).
 *
 * A relaxation: its density is provided for tests only and is never used in an objective
 * (DESIGN.md §3: "Never evaluate a relaxed log-density").
 *
 * @example
 * ```ts
 * const d = relaxedBernoulli({ temperature: 0.5, probs: 0.3 });
 * const y = d.sample(key, [100]);            // in [1e-6, 1 - 1e-6], differentiable in probs
 * ```
 */
import { tf, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive, unitInterval, closedUnitInterval } from "./constraints.js";
import { registerDistribution } from "./registry.js";

/** The clamp of relaxed samples (float32): samples lie in [RELAXED_EPS, 1 − RELAXED_EPS]. */
export const RELAXED_EPS = 1e-6;

/**
 * Straight-through combination (Bengio, Léonard & Courville 2013; "ST Gumbel-Softmax" in Jang et
 * al. 2017): the forward value is `hard(soft, ...aux)`, the gradient flows to `soft` as if the value
 * were `soft`; `aux` tensors (e.g. perturbed scores the hard value is computed from) get zero
 * gradient. `hard` runs inside `tf.customGrad`, off the tape, so it may use ops without gradients
 * (greater, argMax, topk); it must return a new tensor of `soft`'s shape.
 *
 * @example
 * ```ts
 * const y = straightThroughGrad(soft, (s) => tf.cast(tf.greater(s, 0.5), "float32"));
 * ```
 */
export function straightThroughGrad(
  soft: tf.Tensor,
  hard: (soft: tf.Tensor, ...aux: tf.Tensor[]) => tf.Tensor,
  ...aux: tf.Tensor[]
): tf.Tensor {
  const n = aux.length;
  const f = tf.customGrad(((...args: tf.Tensor[]) => {
    const s = args[0];
    const rest = args.slice(1, 1 + n);
    return {
      value: hard(s, ...rest),
      gradFunc: (dy: tf.Tensor) => [dy, ...rest.map((r) => tf.zerosLike(r))],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(soft, ...aux);
}

/** Options of {@link RelaxedBernoulli}: exactly one of `probs` / `logits`. */
export interface RelaxedBernoulliOptions {
  /** Temperature > 0 (small: nearly binary samples; high variance gradients). */
  temperature: Param;
  /** P(1) in (0, 1). */
  probs?: Param;
  /** log-odds of 1. */
  logits?: Param;
  /** Forward hard 0/1 (threshold 0.5), backward soft gradient. Default false. */
  straightThrough?: boolean;
}

/**
 * Binary Concrete (Maddison et al. 2017). Reparameterised; `isRelaxed`.
 *
 * @example
 * ```ts
 * const d = new RelaxedBernoulli({ temperature: 0.1, logits: tf.zeros([3]), straightThrough: true });
 * d.sample(key);       // exact 0/1 forward, gradient of the soft sample
 * ```
 */
export class RelaxedBernoulli extends Distribution {
  readonly kind = "RelaxedBernoulli";
  readonly support = closedUnitInterval;
  readonly hasRsample = true;
  override readonly isRelaxed = true;
  readonly batchShape: number[];
  /** Temperature. */
  readonly temperature: tf.Tensor;
  /** log-odds. */
  readonly logits: tf.Tensor;
  /** Whether samples are straight-through (hard forward). */
  readonly straightThrough: boolean;
  private readonly raw: Record<string, Param | boolean>;

  constructor(options: RelaxedBernoulliOptions) {
    super();
    const { temperature, probs, logits } = options;
    if ((probs === undefined) === (logits === undefined)) {
      throw new Error("RelaxedBernoulli: give exactly one of probs or logits");
    }
    checkParams("RelaxedBernoulli", {
      temperature: [temperature, positive],
      probs: [probs, unitInterval],
      logits: [logits, real],
    });
    this.straightThrough = options.straightThrough ?? false;
    this.temperature = asTensor(temperature);
    if (probs !== undefined) {
      this.logits =
        typeof probs === "number" ? tf.scalar(Math.log(probs) - Math.log1p(-probs)) : tf.tidy(() => tf.sub(tf.log(probs), tf.log1p(tf.neg(probs))));
      this.raw = { temperature, probs, straightThrough: this.straightThrough };
    } else {
      this.logits = asTensor(logits!);
      this.raw = { temperature, logits: logits!, straightThrough: this.straightThrough };
    }
    this.batchShape = broadcastShapes(shapeOf(temperature), shapeOf(probs ?? logits!));
  }

  params() {
    return { temperature: this.temperature, logits: this.logits };
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** P(1) = sigmoid(logits). */
  probs(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }

  /**
   * For tests only; never used in objectives. The binary Concrete log density of y in (0, 1),
   * with y clamped to [1e-6, 1 − 1e-6] (so it stays finite at low temperature):
   * log T + log f_logistic(T·logit(y) − logits) − log y − log(1 − y).
   */
  logProb(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const yc = tf.clipByValue(y, RELAXED_EPS, 1 - RELAXED_EPS);
      const logY = tf.log(yc);
      const log1mY = tf.log1p(tf.neg(yc));
      const t = tf.sub(tf.mul(this.temperature, tf.sub(logY, log1mY)), this.logits);
      const logistic = tf.neg(tf.add(tf.softplus(t), tf.softplus(tf.neg(t))));
      return tf.sub(tf.add(tf.log(this.temperature), logistic), tf.add(logY, log1mY));
    });
  }

  /** A reparameterised draw sigmoid((logits + L)/T), L ~ Logistic(0,1), clamped; hard forward if straight-through. */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const u = key.uniform(this.drawShape(sampleShape));
    const y = this.relax(u);
    u.dispose();
    return y;
  }

  /** Logistic noise log u − log(1 − u) of uniform noise u (clipped to [1e-6, 1 − 1e-6]: float32 u may round to 1). */
  private logistic(u: tf.Tensor): tf.Tensor {
    const uc = tf.clipByValue(u, RELAXED_EPS, 1 - RELAXED_EPS);
    return tf.sub(tf.log(uc), tf.log1p(tf.neg(uc)));
  }

  /**
   * The draw for given uniform noise u (broadcasting against the batch shape): the relaxed sample
   * sigmoid((logits + logit u)/T), clamped, straight-through when the distribution is.
   */
  relax(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.div(tf.add(this.logits, this.logistic(u)), this.temperature);
      const soft = tf.clipByValue(tf.sigmoid(x), RELAXED_EPS, 1 - RELAXED_EPS);
      if (!this.straightThrough) return soft;
      return straightThroughGrad(soft, (s) => tf.cast(tf.greater(s, 0.5), "float32"));
    });
  }

  /**
   * The relaxation's zero-temperature limit for the same noise, 1[logits + logit u > 0]: a draw of
   * the Bernoulli it stands for (no gradient; for evaluation).
   */
  hard(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.cast(tf.greater(tf.add(this.logits, this.logistic(u)), 0), "float32"));
  }
}

/**
 * Factory: `relaxedBernoulli({ temperature, probs | logits, straightThrough })` (Maddison et al. 2017).
 *
 * @example
 * ```ts
 * const gate = relaxedBernoulli({ temperature: 0.5, logits }).sample(key);
 * ```
 */
export function relaxedBernoulli(options: RelaxedBernoulliOptions): RelaxedBernoulli {
  return new RelaxedBernoulli(options);
}

// No scipy reference exists for the binary Concrete: shapes, samples and gradients only.
registerDistribution(
  {
    name: "RelaxedBernoulli(temperature=0.5,probs=0.3)",
    make: () => relaxedBernoulli({ temperature: 0.5, probs: 0.3 }),
  },
  {
    name: "RelaxedBernoulli(temperature=2,logits=[-1,0,2])",
    make: () => relaxedBernoulli({ temperature: 2, logits: tf.tensor([-1, 0, 2]) }),
  },
);
