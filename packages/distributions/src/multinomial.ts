/**
 * The multinomial distribution: counts of `totalCount` independent categorical draws over the
 * last axis of `probs` or `logits`. Event shape [C]; batch shape = parameter shape without the
 * last axis.
 *
 * log p(x) = lgamma(n + 1) - sum_k lgamma(x_k + 1) + sum_k x_k log p_k,   sum_k x_k = n
 *
 * @example
 * ```ts
 * const d = multinomial(10, { probs: [0.2, 0.5, 0.3] });
 * d.logProb(tf.tensor([2, 5, 3]));      // -2.0269
 * ```
 */
import { tf, Key, lgamma } from "@sparse-dgm/core";
import { Distribution, checkParams } from "./distribution.js";
import { nonnegativeInteger, type Constraint } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { vectorParam, normalisedLogProbs, normalisedProbs, type CategoricalParams, type VectorParam } from "./categorical.js";
import { standardReference as ref } from "./reference/standard.js";

const LOG_FLOOR = -1e30;

/** Non-negative integer vectors (last axis) summing to n. */
function countVectors(n: number): Constraint {
  return {
    name: `counts(sum=${n})`,
    check: (x) =>
      tf.tidy(() =>
        tf.logicalAnd(tf.all(nonnegativeInteger.check(x), -1), tf.less(tf.abs(tf.sub(tf.sum(x, -1), n)), 0.5)),
      ),
    holds: (x) => Number.isInteger(x) && x >= 0 && x <= n,
    forward: (u) => tf.round(tf.mul(n, tf.softmax(u))),
    inverse: (x) => tf.log(tf.div(x, n)),
  };
}

/** Non-negative integer vectors (last axis) of any total. */
const nonnegativeIntegerVectors: Constraint = {
  name: "counts",
  check: (x) => tf.tidy(() => tf.all(nonnegativeInteger.check(x), -1)),
  holds: (x) => Number.isInteger(x) && x >= 0,
  forward: (u) => tf.round(tf.exp(u)),
  inverse: (x) => tf.log(x),
};

/** Multinomial(totalCount, probs | logits). Not reparameterised. */
export class Multinomial extends Distribution {
  readonly kind = "Multinomial";
  readonly support: Constraint;
  readonly hasRsample = false;
  readonly batchShape: number[];
  override readonly eventShape: number[];
  readonly parameterisation: "probs" | "logits";
  /** Number of trials n (a non-negative integer), or NaN when given per batch entry as a tensor. */
  readonly totalCount: number;
  /** Number of trials as a tensor (scalar, or per batch entry: e.g. each document's length). */
  readonly totalCountTensor: tf.Tensor;
  private readonly given: tf.Tensor;

  constructor(totalCount: number | tf.Tensor, p: CategoricalParams) {
    super();
    if (typeof totalCount === "number") checkParams("Multinomial", { totalCount: [totalCount, nonnegativeInteger] });
    const { kind, value } = vectorParam("Multinomial", p);
    this.totalCount = typeof totalCount === "number" ? totalCount : NaN;
    this.totalCountTensor = typeof totalCount === "number" ? tf.scalar(totalCount) : totalCount;
    this.parameterisation = kind;
    this.given = value;
    this.batchShape = value.shape.slice(0, -1);
    this.eventShape = [value.shape[value.rank - 1]];
    this.support = typeof totalCount === "number" ? countVectors(totalCount) : nonnegativeIntegerVectors;
  }

  params(): Record<string, tf.Tensor> {
    return { [this.parameterisation]: this.given };
  }

  protected override rawParams() {
    return { totalCount: this.totalCount, [this.parameterisation]: this.given };
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
      const xf = tf.cast(x, "float32");
      // n = Σ x on the support, so the coefficient needs only x (and works for per-row counts).
      const norm = tf.sub(lgamma(tf.add(tf.sum(xf, -1), 1)), tf.sum(lgamma(tf.add(xf, 1)), -1));
      return tf.add(norm, tf.sum(tf.mul(xf, tf.maximum(this.logProbs(), LOG_FLOOR)), -1));
    });
  }

  /** −Σ_k x_k log(p_k + 1e-6): the reference code's categorical loss (no multinomial coefficient). */
  override referenceLoss(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.cast(x, "float32"), tf.log(tf.add(this.probs(), 1e-6))), -1)));
  }

  /** n Gumbel-max categorical draws per sample, counted (one bulk op, no loop over draws). */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const shape = [...sampleShape, ...this.batchShape];
    const C = this.eventShape[0];
    const n = this.totalCount;
    if (Number.isNaN(n)) throw new Error("Multinomial.sample needs a numeric totalCount (per-row counts are for scoring data)");
    if (n === 0) return tf.zeros([...shape, C]);
    const g = key.gumbel([...sampleShape, n, ...this.batchShape, C]);
    return tf.tidy(() => {
      const idx = tf.argMax(tf.add(this.logProbs(), g), -1); // [...sample, n, ...batch]
      g.dispose();
      const counts = tf.sum(tf.oneHot(idx, C), sampleShape.length); // [...sample, ...batch, C]
      return tf.cast(counts, "float32");
    });
  }

  private countsForEvent(): tf.Tensor {
    const n = this.totalCountTensor;
    return n.rank === 0 ? n : tf.expandDims(n, -1);
  }

  override mean(): tf.Tensor {
    return tf.tidy(() => tf.mul(this.countsForEvent(), this.probs()));
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      return tf.mul(this.countsForEvent(), tf.mul(p, tf.sub(1, p)));
    });
  }
}

/**
 * Factory: `multinomial(totalCount, { probs })` or `multinomial(totalCount, { logits })`; a bare
 * tensor/array is `probs`.
 *
 * @example
 * ```ts
 * const counts = multinomial(100, [0.1, 0.9]).sample(Key.of(0), [4]);   // [4, 2]
 * ```
 */
export function multinomial(totalCount: number | tf.Tensor, p: VectorParam | CategoricalParams): Multinomial {
  return new Multinomial(totalCount, Array.isArray(p) || p instanceof tf.Tensor ? { probs: p } : p);
}

const R1 = ref["Multinomial(totalCount=10,probs=[0.2,0.5,0.3])"];
const R2 = ref["Multinomial(totalCount=5,logits=[[0,1,2,-1],[1,1,1,1]])"];
registerDistribution(
  {
    name: "Multinomial(totalCount=10,probs=[0.2,0.5,0.3])",
    make: () => multinomial(10, { probs: [0.2, 0.5, 0.3] }),
    makeWith: (p) => multinomial(10, { probs: p.probs }),
    ...R1,
    gradParams: ["probs"],
  },
  {
    name: "Multinomial(totalCount=5,logits=[[0,1,2,-1],[1,1,1,1]])",
    make: () => multinomial(5, { logits: tf.tensor2d([[0, 1, 2, -1], [1, 1, 1, 1]]) }),
    makeWith: (p) => multinomial(5, { logits: p.logits }),
    ...R2,
    gradParams: ["logits"],
  },
);
