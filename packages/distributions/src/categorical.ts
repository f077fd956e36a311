/**
 * The categorical distribution over the integer indices {0, ..., C-1} of the last axis of
 * `probs` (unnormalised, non-negative) or `logits` (unnormalised log-probabilities). The value is
 * an integer index (sampled as float32; int32 is accepted by `logProb`); the batch shape is the
 * parameter shape without its last axis.
 *
 * log p(k) = logits[k] - logsumexp(logits)
 *
 * @example
 * ```ts
 * const d = categorical({ logits: tf.tensor([[0, 1, 2], [-1, 0, -3]]) });  // batch [2], C = 3
 * d.logProb(tf.tensor([2, 1]));
 * ```
 */
import { tf, Key, logsumexp } from "@sparse-dgm/core";
import { Distribution, checkParams, DistributionArgError } from "./distribution.js";
import { integerInterval, nonnegative, real, type Constraint } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardReference as ref } from "./reference/standard.js";

/** A probability/logit vector: a tensor (last axis = categories) or a plain array. */
export type VectorParam = tf.Tensor | number[] | number[][];

/** Either `{ probs }` or `{ logits }` (exactly one), over the last axis. */
export type CategoricalParams = { probs: VectorParam; logits?: undefined } | { logits: VectorParam; probs?: undefined };

/** Log-probabilities are floored at -1e30 where multiplied by a probability (0 * log 0 = 0). */
const LOG_FLOOR = -1e30;

/**
 * Validates and converts a probs/logits argument of a categorical-type distribution.
 * Plain arrays are checked entry by entry (probs non-negative with a positive sum; logits finite).
 */
export function vectorParam(dist: string, p: { probs?: VectorParam; logits?: VectorParam }): { kind: "probs" | "logits"; value: tf.Tensor } {
  const hasProbs = p.probs !== undefined;
  if (hasProbs === (p.logits !== undefined)) throw new DistributionArgError(dist, "probs", "give exactly one of probs or logits");
  const kind = hasProbs ? "probs" : "logits";
  const v = (hasProbs ? p.probs : p.logits) as VectorParam;
  if (Array.isArray(v)) {
    const flat = (v as Array<number | number[]>).flat() as number[];
    for (const x of flat) checkParams(dist, { [kind]: [x, hasProbs ? nonnegative : real] });
    const t = tf.tensor(v as number[] | number[][], undefined, "float32");
    if (t.rank === 0) throw new DistributionArgError(dist, kind, `${kind} must have a category axis`);
    if (hasProbs) {
      const sums = tf.tidy(() => tf.sum(t, -1).dataSync());
      if (sums.some((s) => !(s > 0))) throw new DistributionArgError(dist, kind, "probs must have a positive sum over the last axis");
    }
    return { kind, value: t };
  }
  if (v.rank === 0) throw new DistributionArgError(dist, kind, `${kind} must have a category axis, got a scalar`);
  return { kind, value: v };
}

/** Normalised log-probabilities over the last axis from probs (any positive scale) or logits. */
export function normalisedLogProbs(kind: "probs" | "logits", given: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    kind === "logits" ? tf.sub(given, logsumexp(given, -1, true)) : tf.sub(tf.log(given), tf.log(tf.sum(given, -1, true))),
  );
}

/** Normalised probabilities over the last axis from probs (any positive scale) or logits. */
export function normalisedProbs(kind: "probs" | "logits", given: tf.Tensor): tf.Tensor {
  return tf.tidy(() => (kind === "logits" ? tf.softmax(given) : tf.div(given, tf.sum(given, -1, true))));
}

/** Categorical over the last axis. Not reparameterised (see RelaxedOneHotCategorical). */
export class Categorical extends Distribution {
  readonly kind = "Categorical";
  readonly support: Constraint;
  readonly hasRsample = false;
  readonly batchShape: number[];
  /** Number of categories (size of the last axis). */
  readonly numCategories: number;
  readonly parameterisation: "probs" | "logits";
  private readonly given: tf.Tensor;

  constructor(p: CategoricalParams) {
    super();
    const { kind, value } = vectorParam("Categorical", p);
    this.parameterisation = kind;
    this.given = value;
    this.batchShape = value.shape.slice(0, -1);
    this.numCategories = value.shape[value.rank - 1];
    this.support = integerInterval(this.numCategories);
  }

  params(): Record<string, tf.Tensor> {
    return { [this.parameterisation]: this.given };
  }

  /** Normalised log-probabilities, [...batch, C]. */
  logProbs(): tf.Tensor {
    return normalisedLogProbs(this.parameterisation, this.given);
  }

  /** Normalised probabilities, [...batch, C]. */
  probs(): tf.Tensor {
    return normalisedProbs(this.parameterisation, this.given);
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const oh = tf.oneHot(tf.cast(x, "int32"), this.numCategories);
      return tf.sum(tf.mul(oh, tf.maximum(this.logProbs(), LOG_FLOOR)), -1);
    });
  }

  /** Gumbel-max: argmax(log p + Gumbel noise). */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const g = key.gumbel([...this.drawShape(sampleShape), this.numCategories]);
    return tf.tidy(() => {
      const s = tf.cast(tf.argMax(tf.add(this.logProbs(), g), -1), "float32");
      g.dispose();
      return s;
    });
  }

  /** Mean of the index. */
  override mean(): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.mul(this.probs(), tf.range(0, this.numCategories)), -1));
  }

  /** Variance of the index. */
  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      const k = tf.range(0, this.numCategories);
      const m = tf.sum(tf.mul(p, k), -1);
      return tf.sub(tf.sum(tf.mul(p, tf.square(k)), -1), tf.square(m));
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(this.probs(), tf.maximum(this.logProbs(), LOG_FLOOR)), -1)));
  }
}

/**
 * Factory: `categorical({ probs })` or `categorical({ logits })`; a bare tensor/array is `probs`.
 *
 * @example
 * ```ts
 * const level = categorical([0.5, 0.3, 0.2]).sample(Key.of(1), [10]);   // indices in {0, 1, 2}
 * ```
 */
export function categorical(p: VectorParam | CategoricalParams): Categorical {
  return new Categorical(Array.isArray(p) || p instanceof tf.Tensor ? { probs: p } : p);
}

// KL(q || p) = sum_k q_k (log q_k - log p_k)
registerKL("Categorical", "Categorical", (q: Categorical, p: Categorical) =>
  tf.tidy(() =>
    tf.sum(tf.mul(q.probs(), tf.sub(tf.maximum(q.logProbs(), LOG_FLOOR), tf.maximum(p.logProbs(), LOG_FLOOR))), -1),
  ),
);

const R1 = ref["Categorical(probs=[0.2,0.5,0.3])"];
const R2 = ref["Categorical(logits=[[0,1,2],[-1,0,-3]])"];
registerDistribution(
  {
    name: "Categorical(probs=[0.2,0.5,0.3])",
    make: () => categorical({ probs: [0.2, 0.5, 0.3] }),
    makeWith: (p) => categorical({ probs: p.probs }),
    ...R1,
    gradParams: ["probs"],
  },
  {
    name: "Categorical(logits=[[0,1,2],[-1,0,-3]])",
    make: () => categorical({ logits: tf.tensor2d([[0, 1, 2], [-1, 0, -3]]) }),
    makeWith: (p) => categorical({ logits: p.logits }),
    ...R2,
    gradParams: ["logits"],
  },
);
