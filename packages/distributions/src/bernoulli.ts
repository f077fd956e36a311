/**
 * The Bernoulli distribution over {0, 1}, parameterised by `probs` (P[x = 1]) or by `logits`
 * (log-odds). With logits the log mass is computed stably through logSigmoid:
 *
 * log p(x) = x logSigmoid(logits) + (1 - x) logSigmoid(-logits)
 *
 * @example
 * ```ts
 * bernoulli(0.3).logProb(tf.scalar(1));              // log 0.3
 * bernoulli({ logits: tf.tensor([-2, 0, 3]) });      // batch of 3
 * ```
 */
import { tf, broadcast as broadcastTensor, Key, logSigmoid, log1p } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, shapeOf, checkParams, DistributionArgError } from "./distribution.js";
import { boolean, closedUnitInterval, real } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardReference as ref } from "./reference/standard.js";

/**
 * Either `{ probs }` or `{ logits }` (exactly one). `targets: "fractional"` accepts observations in
 * [0, 1] (grey-level pixels) and scores them with the binary cross-entropy x·log p + (1−x)·log(1−p),
 * as PyTorch's `binary_cross_entropy` does in the VAE and VSC reference code; it equals the
 * Bernoulli log-mass at x ∈ {0, 1} and is not a normalised density in between.
 */
export type BernoulliParams = ({ probs: Param; logits?: undefined } | { logits: Param; probs?: undefined }) & { targets?: "binary" | "fractional" };

/** Bernoulli(probs) or Bernoulli(logits = log(probs / (1 - probs))). Not reparameterised. */
export class Bernoulli extends Distribution {
  readonly kind = "Bernoulli";
  readonly support: typeof boolean;
  readonly hasRsample = false;
  readonly batchShape: number[];
  /** Observations scored: {0, 1}, or [0, 1] by cross-entropy. */
  readonly targets: "binary" | "fractional";
  /** Which parameter was given. */
  readonly parameterisation: "probs" | "logits";
  private readonly arg: Param;
  private readonly given: tf.Tensor;

  constructor(p: BernoulliParams) {
    super();
    const hasProbs = p.probs !== undefined;
    if (hasProbs === (p.logits !== undefined)) {
      throw new DistributionArgError("Bernoulli", "probs", "give exactly one of probs or logits");
    }
    if (hasProbs) checkParams("Bernoulli", { probs: [p.probs, closedUnitInterval] });
    else checkParams("Bernoulli", { logits: [p.logits, real] });
    this.parameterisation = hasProbs ? "probs" : "logits";
    this.arg = (hasProbs ? p.probs : p.logits) as Param;
    this.given = asTensor(this.arg);
    this.batchShape = shapeOf(this.arg);
    this.targets = p.targets ?? "binary";
    if (this.targets !== "binary" && this.targets !== "fractional") throw new DistributionArgError("Bernoulli", "targets", `must be "binary" or "fractional", got "${String(this.targets)}"`);
    this.support = this.targets === "fractional" ? closedUnitInterval : boolean;
  }

  params(): Record<string, tf.Tensor> {
    return { [this.parameterisation]: this.given };
  }

  protected override rawParams() {
    return { [this.parameterisation]: this.arg };
  }

  /** P[x = 1] (computed from the logits when those were given). */
  probs(): tf.Tensor {
    return this.parameterisation === "probs" ? this.given : tf.sigmoid(this.given);
  }

  /** Log-odds (computed from the probs when those were given). */
  logits(): tf.Tensor {
    return tf.tidy(() =>
      this.parameterisation === "logits" ? this.given : tf.sub(tf.log(this.given), log1p(tf.neg(this.given))),
    );
  }

  /** [log P[x = 1], log P[x = 0]], stable for either parameterisation. */
  logProbs(): [tf.Tensor, tf.Tensor] {
    if (this.parameterisation === "logits") return [logSigmoid(this.given), logSigmoid(tf.neg(this.given))];
    return [tf.log(this.given), log1p(tf.neg(this.given))];
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const xf = tf.cast(x, "float32");
      // Logits and cross-entropy targets: x·l − softplus(l) (= x log σ(l) + (1 − x) log σ(−l)), 3 ops.
      if (this.targets === "fractional" && this.parameterisation === "logits") return tf.sub(tf.mul(xf, this.given), tf.softplus(this.given));
      const [l1, l0] = this.logProbs();
      if (this.targets === "fractional") {
        // x l1 + (1 - x) l0, logs floored so that 0 * log 0 = 0
        return tf.add(tf.mul(xf, tf.maximum(l1, LOG_FLOOR)), tf.mul(tf.sub(1, xf), tf.maximum(l0, LOG_FLOOR)));
      }
      // x l1 + (1 - x) l0, but never 0 * -inf at probs in {0, 1}
      const shape = [...broadcast(xf.shape, l1.shape)];
      const isOne = tf.broadcastTo(tf.greater(xf, 0.5), shape); // bool, outside the gradient
      return tf.where(isOne, broadcastTensor(l1, shape), broadcastTensor(l0, shape));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const u = key.uniform(this.drawShape(sampleShape));
    return tf.tidy(() => {
      const s = tf.cast(tf.less(u, this.probs()), "float32");
      u.dispose();
      return s;
    });
  }

  /**
   * The draw 1[u < p] for given uniform noise, with **no gradient** to the parameters: computed
   * off the tape, so a score-function estimator can draw inside `tf.variableGrads` (the comparison
   * has no gradient function and must not be on the tape).
   */
  drawFrom(u: tf.Tensor): tf.Tensor {
    // a custom op of no inputs: its value is computed off the tape and nothing links it to the parameters
    const f = tf.customGrad((() => ({ value: tf.cast(tf.less(u, this.probs()), "float32"), gradFunc: () => [] })) as unknown as Parameters<typeof tf.customGrad>[0]);
    return (f as unknown as () => tf.Tensor)();
  }

  override mean(): tf.Tensor {
    return tf.tidy(() => broadcastTensor(this.probs(), this.batchShape));
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      return broadcastTensor(tf.mul(p, tf.sub(1, p)), this.batchShape);
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const p = this.probs();
      const [l1, l0] = this.logProbs();
      const h = tf.neg(tf.add(tf.mul(p, tf.maximum(l1, LOG_FLOOR)), tf.mul(tf.sub(1, p), tf.maximum(l0, LOG_FLOOR))));
      return broadcastTensor(h, this.batchShape);
    });
  }
}

/**
 * Log-probabilities are floored at -1e30 before they are multiplied by a probability, so that
 * 0 * log 0 = 0 without a data-dependent `tf.where` (whose condition would have no gradient).
 */
const LOG_FLOOR = -1e30;

function broadcast(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * Factory: `bernoulli(probs)` or `bernoulli({ probs })` or `bernoulli({ logits })`.
 *
 * @example
 * ```ts
 * const mask = bernoulli(0.2).sample(Key.of(0), [5, 3]);   // 0/1 float32
 * ```
 */
export function bernoulli(p: Param | BernoulliParams): Bernoulli {
  return new Bernoulli(typeof p === "number" || p instanceof tf.Tensor ? { probs: p } : p);
}

// KL(q || p) = q1 (log q1 - log p1) + q0 (log q0 - log p0)
registerKL("Bernoulli", "Bernoulli", (q: Bernoulli, p: Bernoulli) =>
  tf.tidy(() => {
    const [q1, q0] = q.logProbs().map((t) => tf.maximum(t, LOG_FLOOR));
    const [p1, p0] = p.logProbs().map((t) => tf.maximum(t, LOG_FLOOR));
    const a = q.probs();
    return tf.add(tf.mul(a, tf.sub(q1, p1)), tf.mul(tf.sub(1, a), tf.sub(q0, p0)));
  }),
);

const R1 = ref["Bernoulli(probs=0.3)"];
const R2 = ref["Bernoulli(logits=[-2,0,3])"];
registerDistribution(
  {
    name: "Bernoulli(probs=0.3)",
    make: () => bernoulli(0.3),
    makeWith: (p) => bernoulli({ probs: p.probs }),
    ...R1,
    gradParams: ["probs"],
  },
  {
    name: "Bernoulli(logits=[-2,0,3])",
    make: () => bernoulli({ logits: tf.tensor1d([-2, 0, 3]) }),
    makeWith: (p) => bernoulli({ logits: p.logits }),
    ...R2,
    gradParams: ["logits"],
  },
);
