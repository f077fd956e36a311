/**
 * The negative binomial distribution, NegativeBinomial(totalCount, probs | logits), in scipy's
 * `nbinom(n, p)` parameterisation: the number k of failures before the `totalCount`-th success
 * (r, real > 0) in Bernoulli trials with success probability `probs` (p), or
 * `logits` = log(p / (1 - p)).
 *
 * log p(k) = lgamma(k + r) - lgamma(k + 1) - lgamma(r) + r log p + k log(1 - p)
 *
 * Mean r (1 - p) / p, variance r (1 - p) / p^2. (torch.distributions.NegativeBinomial counts the
 * other way round: its `probs` is 1 - p here.) Sampled as a Gamma-Poisson mixture,
 * k ~ Poisson(lambda), lambda ~ Gamma(r, rate = p / (1 - p)), host-side.
 *
 * @example
 * ```ts
 * negativeBinomial(5, { probs: 0.4 }).mean();     // 7.5
 * ```
 */
import { tf, broadcast, Key, lgamma, logSigmoid, log1p, sizeOf } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams, DistributionArgError } from "./distribution.js";
import { nonnegativeInteger, positive, real, unitInterval } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { drawMany, gammaOne, poissonOne } from "./host-sampling.js";
import { standardReference as ref } from "./reference/standard.js";

/** Either `{ probs }` or `{ logits }` (exactly one): the success probability. */
export type NegativeBinomialParams = { probs: Param; logits?: undefined } | { logits: Param; probs?: undefined };

/** NegativeBinomial(totalCount, probs | logits), scipy's nbinom. Not reparameterised. */
export class NegativeBinomial extends Distribution {
  readonly kind = "NegativeBinomial";
  readonly support = nonnegativeInteger;
  readonly hasRsample = false;
  readonly batchShape: number[];
  readonly totalCount: tf.Tensor;
  readonly parameterisation: "probs" | "logits";
  private readonly countArg: Param;
  private readonly arg: Param;
  private readonly given: tf.Tensor;

  constructor(totalCount: Param, p: NegativeBinomialParams) {
    super();
    const hasProbs = p.probs !== undefined;
    if (hasProbs === (p.logits !== undefined)) {
      throw new DistributionArgError("NegativeBinomial", "probs", "give exactly one of probs or logits");
    }
    this.parameterisation = hasProbs ? "probs" : "logits";
    this.arg = (hasProbs ? p.probs : p.logits) as Param;
    checkParams("NegativeBinomial", {
      totalCount: [totalCount, positive],
      [this.parameterisation]: [this.arg, hasProbs ? unitInterval : real],
    });
    this.countArg = totalCount;
    this.totalCount = asTensor(totalCount);
    this.given = asTensor(this.arg);
    this.batchShape = broadcastShapes(shapeOf(totalCount), shapeOf(this.arg));
  }

  params(): Record<string, tf.Tensor> {
    return { totalCount: this.totalCount, [this.parameterisation]: this.given };
  }

  protected override rawParams() {
    return { totalCount: this.countArg, [this.parameterisation]: this.arg };
  }

  /** Success probability p. */
  probs(): tf.Tensor {
    return this.parameterisation === "probs" ? this.given : tf.sigmoid(this.given);
  }

  /** [log p, log(1 - p)], stable for either parameterisation. */
  logProbs(): [tf.Tensor, tf.Tensor] {
    if (this.parameterisation === "logits") return [logSigmoid(this.given), logSigmoid(tf.neg(this.given))];
    return [tf.log(this.given), log1p(tf.neg(this.given))];
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = tf.cast(x, "float32");
      const r = this.totalCount;
      const [lp, lq] = this.logProbs();
      const comb = tf.sub(lgamma(tf.add(k, r)), tf.add(lgamma(tf.add(k, 1)), lgamma(r)));
      return tf.add(comb, tf.add(tf.mul(r, lp), tf.mul(k, lq)));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const [r, p] = tf.tidy(() => [
      broadcast(this.totalCount, this.batchShape).dataSync(),
      broadcast(this.probs(), this.batchShape).dataSync(),
    ]);
    const shape = this.drawShape(sampleShape);
    const idx = Float64Array.from({ length: r.length }, (_, i) => i);
    // Gamma-Poisson: lambda ~ Gamma(r, rate = p / (1 - p)), k ~ Poisson(lambda)
    const out = drawMany(key, sizeOf(shape), idx, (s, i) => poissonOne(s, (gammaOne(s, r[i]) * (1 - p[i])) / p[i]));
    return tf.tensor(out, shape, "float32");
  }

  override mean(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      return broadcast(tf.div(tf.mul(this.totalCount, tf.sub(1, p)), p), this.batchShape);
    });
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      return broadcast(tf.div(tf.mul(this.totalCount, tf.sub(1, p)), tf.square(p)), this.batchShape);
    });
  }
}

/**
 * Factory: `negativeBinomial(totalCount, probs)` or `negativeBinomial(totalCount, { logits })`.
 *
 * @example
 * ```ts
 * const d = negativeBinomial(tf.tensor([2.5, 10]), { logits: tf.tensor([0.5, -1]) });
 * ```
 */
export function negativeBinomial(totalCount: Param, p: Param | NegativeBinomialParams): NegativeBinomial {
  return new NegativeBinomial(totalCount, typeof p === "number" || p instanceof tf.Tensor ? { probs: p } : p);
}

const R1 = ref["NegativeBinomial(totalCount=5,probs=0.4)"];
const R2 = ref["NegativeBinomial(totalCount=[2.5,10],logits=[0.5,-1])"];
registerDistribution(
  {
    name: "NegativeBinomial(totalCount=5,probs=0.4)",
    make: () => negativeBinomial(5, { probs: 0.4 }),
    makeWith: (p) => negativeBinomial(p.totalCount, { probs: p.probs }),
    ...R1,
    tol: 2e-4,
    gradParams: ["totalCount", "probs"],
  },
  {
    name: "NegativeBinomial(totalCount=[2.5,10],logits=[0.5,-1])",
    make: () => negativeBinomial(tf.tensor1d([2.5, 10]), { logits: tf.tensor1d([0.5, -1]) }),
    makeWith: (p) => negativeBinomial(p.totalCount, { logits: p.logits }),
    ...R2,
    tol: 5e-4,
    momentTol: 0.1,
    gradParams: ["totalCount", "logits"],
  },
);
