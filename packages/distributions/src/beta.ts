/**
 * The Beta distribution on (0, 1), Beta(concentration1, concentration0) (torch's names: the
 * exponents of x and of 1 - x; mean concentration1 / (concentration1 + concentration0)).
 *
 * log p(x) = (a - 1) log x + (b - 1) log(1 - x) - [lgamma(a) + lgamma(b) - lgamma(a + b)]
 *
 * Sampling: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), host-side (not reparameterised).
 *
 * @example
 * ```ts
 * const eta = beta(1, G);       // the Sparse VAE prior on each factor's inclusion probability
 * ```
 */
import { tf, broadcast, Key, lgamma, digamma, log1p } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { positive, unitInterval } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardGammaSample } from "./gamma.js";
import { lgammaHost } from "./host-sampling.js";
import { standardReference as ref } from "./reference/standard.js";

/** log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b). */
function logBeta(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.sub(tf.add(lgamma(a), lgamma(b)), lgamma(tf.add(a, b)));
}

/** Beta(concentration1, concentration0). */
export class Beta extends Distribution {
  readonly kind = "Beta";
  readonly support = unitInterval;
  readonly hasRsample = false;
  readonly batchShape: number[];
  readonly concentration1: tf.Tensor;
  readonly concentration0: tf.Tensor;

  constructor(
    private readonly c1Arg: Param,
    private readonly c0Arg: Param,
  ) {
    super();
    checkParams("Beta", { concentration1: [c1Arg, positive], concentration0: [c0Arg, positive] });
    this.batchShape = broadcastShapes(shapeOf(c1Arg), shapeOf(c0Arg));
    this.concentration1 = asTensor(c1Arg);
    this.concentration0 = asTensor(c0Arg);
  }

  params() {
    return { concentration1: this.concentration1, concentration0: this.concentration0 };
  }

  protected override rawParams() {
    return { concentration1: this.c1Arg, concentration0: this.c0Arg };
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const t = tf.add(tf.mul(tf.sub(a, 1), tf.log(x)), tf.mul(tf.sub(b, 1), log1p(tf.neg(x))));
      const a0 = this.c1Arg;
      const b0 = this.c0Arg;
      // Constant hyperparameters: log B(a, b) is a number, computed on the host.
      if (typeof a0 === "number" && typeof b0 === "number") return tf.sub(t, lgammaHost(a0) + lgammaHost(b0) - lgammaHost(a0 + b0));
      return tf.sub(t, logBeta(a, b));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const [k1, k0] = key.split();
    const x = standardGammaSample(k1, this.concentration1, this.batchShape, sampleShape);
    const y = standardGammaSample(k0, this.concentration0, this.batchShape, sampleShape);
    return tf.tidy(() => {
      // clip away exact 0 / 1 (float32 rounding of tiny draws) so samples stay in the support
      const s = tf.clipByValue(tf.div(x, tf.add(x, y)), 1.1754944e-38, 1 - 2 ** -24);
      x.dispose();
      y.dispose();
      return s;
    });
  }

  override mean(): tf.Tensor {
    return tf.tidy(() =>
      broadcast(tf.div(this.concentration1, tf.add(this.concentration1, this.concentration0)), this.batchShape),
    );
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const s = tf.add(a, b);
      return broadcast(tf.div(tf.mul(a, b), tf.mul(tf.square(s), tf.add(s, 1))), this.batchShape);
    });
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const s = tf.add(a, b);
      const h = tf.add(
        tf.sub(logBeta(a, b), tf.add(tf.mul(tf.sub(a, 1), digamma(a)), tf.mul(tf.sub(b, 1), digamma(b)))),
        tf.mul(tf.sub(s, 2), digamma(s)),
      );
      return broadcast(h, this.batchShape);
    });
  }
}

/**
 * Factory: `beta(concentration1, concentration0)`.
 *
 * @example
 * ```ts
 * beta(2, 3).mean();     // 0.4
 * beta(-1, 3);           // throws "Beta: concentration1 must be positive, got -1"
 * ```
 */
export function beta(concentration1: Param, concentration0: Param): Beta {
  return new Beta(concentration1, concentration0);
}

// KL(q || p) = log B(a_p, b_p) - log B(a_q, b_q) + (a_q - a_p) psi(a_q) + (b_q - b_p) psi(b_q)
//              + (a_p - a_q + b_p - b_q) psi(a_q + b_q)
registerKL("Beta", "Beta", (q: Beta, p: Beta) =>
  tf.tidy(() => {
    const aq = q.concentration1;
    const bq = q.concentration0;
    const ap = p.concentration1;
    const bp = p.concentration0;
    const t = tf.sub(logBeta(ap, bp), logBeta(aq, bq));
    const u = tf.add(tf.mul(tf.sub(aq, ap), digamma(aq)), tf.mul(tf.sub(bq, bp), digamma(bq)));
    const v = tf.mul(tf.sub(tf.add(ap, bp), tf.add(aq, bq)), digamma(tf.add(aq, bq)));
    return tf.add(t, tf.add(u, v));
  }),
);

const R1 = ref["Beta(concentration1=2,concentration0=3)"];
const R2 = ref["Beta(concentration1=[0.5,1,5],concentration0=[0.5,2,1.5])"];
registerDistribution(
  {
    name: "Beta(concentration1=2,concentration0=3)",
    make: () => beta(2, 3),
    makeWith: (p) => beta(p.concentration1, p.concentration0),
    ...R1,
    gradParams: ["concentration1", "concentration0"],
  },
  {
    name: "Beta(concentration1=[0.5,1,5],concentration0=[0.5,2,1.5])",
    make: () => beta(tf.tensor1d([0.5, 1, 5]), tf.tensor1d([0.5, 2, 1.5])),
    makeWith: (p) => beta(p.concentration1, p.concentration0),
    ...R2,
    gradParams: ["concentration1", "concentration0"],
  },
);
