/**
 * The Gamma distribution, Gamma(concentration, rate) (shape a, rate b; mean a / b).
 *
 * log p(x) = a log b + (a - 1) log x - b x - lgamma(a)
 *
 * Sampling is exact and host-side (Marsaglia & Tsang 2000) from the key, so it is not
 * reparameterised (`hasRsample` false).
 *
 * @example
 * ```ts
 * const d = gamma(3, 2);
 * d.logProb(tf.scalar(1));      // -0.6137
 * ```
 */
import { tf, broadcast, Key, lgamma, digamma, sizeOf } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { positive } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { drawMany, gammaOne, lgammaHost } from "./host-sampling.js";
import { standardReference as ref } from "./reference/standard.js";

/** Smallest normal float32: a draw that underflows is clamped here so it stays in the support. */
const TINY = 1.1754944e-38;

/**
 * Gamma(concentration, 1) draws of shape `[...sampleShape, ...batchShape]`, host-side and exact
 * (Marsaglia & Tsang, boosted for concentration < 1). Shared by Gamma, Beta, InverseGamma and
 * NegativeBinomial.
 *
 * @param key - the random key.
 * @param concentration - a tensor broadcastable to `batchShape`.
 * @example
 * ```ts
 * const g = standardGammaSample(Key.of(0), tf.tensor([0.5, 2]), [2], [1000]);   // [1000, 2]
 * ```
 */
export function standardGammaSample(key: Key, concentration: tf.Tensor, batchShape: number[], sampleShape: number[] = []): tf.Tensor {
  const a = tf.tidy(() => broadcast(concentration, batchShape).dataSync());
  const shape = [...sampleShape, ...batchShape];
  const out = drawMany(key, sizeOf(shape), a, (s, c) => Math.max(gammaOne(s, c), TINY));
  return tf.tensor(out, shape, "float32");
}

/** Gamma(concentration, rate). */
export class Gamma extends Distribution {
  readonly kind = "Gamma";
  readonly support = positive;
  readonly hasRsample = false;
  readonly batchShape: number[];
  readonly concentration: tf.Tensor;
  readonly rate: tf.Tensor;

  constructor(
    private readonly concentrationArg: Param,
    private readonly rateArg: Param,
  ) {
    super();
    checkParams("Gamma", { concentration: [concentrationArg, positive], rate: [rateArg, positive] });
    this.batchShape = broadcastShapes(shapeOf(concentrationArg), shapeOf(rateArg));
    this.concentration = asTensor(concentrationArg);
    this.rate = asTensor(rateArg);
  }

  params() {
    return { concentration: this.concentration, rate: this.rate };
  }

  protected override rawParams() {
    return { concentration: this.concentrationArg, rate: this.rateArg };
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      return tf.sub(
        tf.add(tf.mul(a, tf.log(this.rate)), tf.mul(tf.sub(a, 1), tf.log(x))),
        tf.add(tf.mul(this.rate, x), typeof this.concentrationArg === "number" ? lgammaHost(this.concentrationArg) : lgamma(a)),
      );
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const g = standardGammaSample(key, this.concentration, this.batchShape, sampleShape);
    return tf.tidy(() => {
      const s = tf.div(g, this.rate);
      g.dispose();
      return s;
    });
  }

  override mean(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.div(this.concentration, this.rate), this.batchShape));
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.div(this.concentration, tf.square(this.rate)), this.batchShape));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const h = tf.add(tf.sub(a, tf.log(this.rate)), tf.add(lgamma(a), tf.mul(tf.sub(1, a), digamma(a))));
      return broadcast(h, this.batchShape);
    });
  }
}

/**
 * Factory: `gamma(concentration, rate)`.
 *
 * @example
 * ```ts
 * const precision = gamma(2, 1).sample(Key.of(7), [3]);
 * ```
 */
export function gamma(concentration: Param, rate: Param): Gamma {
  return new Gamma(concentration, rate);
}

// KL(q || p) = (a_q - a_p) psi(a_q) - lgamma(a_q) + lgamma(a_p) + a_p (log b_q - log b_p) + a_q (b_p - b_q) / b_q
registerKL("Gamma", "Gamma", (q: Gamma, p: Gamma) =>
  tf.tidy(() => {
    const aq = q.concentration;
    const ap = p.concentration;
    const t1 = tf.sub(tf.mul(tf.sub(aq, ap), digamma(aq)), tf.sub(lgamma(aq), lgamma(ap)));
    const t2 = tf.mul(ap, tf.sub(tf.log(q.rate), tf.log(p.rate)));
    const t3 = tf.mul(aq, tf.div(tf.sub(p.rate, q.rate), q.rate));
    return tf.add(t1, tf.add(t2, t3));
  }),
);

const R1 = ref["Gamma(concentration=3,rate=2)"];
const R2 = ref["Gamma(concentration=[0.5,2,10],rate=[1,0.5,4])"];
registerDistribution(
  {
    name: "Gamma(concentration=3,rate=2)",
    make: () => gamma(3, 2),
    makeWith: (p) => gamma(p.concentration, p.rate),
    ...R1,
    gradParams: ["concentration", "rate"],
  },
  {
    name: "Gamma(concentration=[0.5,2,10],rate=[1,0.5,4])",
    make: () => gamma(tf.tensor1d([0.5, 2, 10]), tf.tensor1d([1, 0.5, 4])),
    makeWith: (p) => gamma(p.concentration, p.rate),
    ...R2,
    momentTol: 0.1,
    gradParams: ["concentration", "rate"],
  },
);
