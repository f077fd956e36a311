/**
 * The Poisson distribution over counts {0, 1, 2, ...}, Poisson(rate).
 *
 * log p(k) = k log(rate) - rate - lgamma(k + 1)
 *
 * Sampling is exact and host-side from the key (inversion for rate < 10, Hörmann's PTRS
 * otherwise); not reparameterised.
 *
 * @example
 * ```ts
 * poisson(3.5).logProb(tf.scalar(2));     // -1.5454
 * ```
 */
import { tf, broadcast, Key, lgamma, sizeOf } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, shapeOf, checkParams } from "./distribution.js";
import { nonnegative, nonnegativeInteger } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { drawMany, poissonOne } from "./host-sampling.js";
import { standardReference as ref } from "./reference/standard.js";

/** Poisson(rate), rate >= 0. */
export class Poisson extends Distribution {
  readonly kind = "Poisson";
  readonly support = nonnegativeInteger;
  readonly hasRsample = false;
  readonly batchShape: number[];
  readonly rate: tf.Tensor;

  constructor(private readonly rateArg: Param) {
    super();
    checkParams("Poisson", { rate: [rateArg, nonnegative] });
    this.batchShape = shapeOf(rateArg);
    this.rate = asTensor(rateArg);
  }

  params() {
    return { rate: this.rate };
  }

  protected override rawParams() {
    return { rate: this.rateArg };
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = tf.cast(x, "float32");
      return tf.sub(tf.sub(tf.mul(k, tf.log(this.rate)), this.rate), lgamma(tf.add(k, 1)));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const rates = tf.tidy(() => broadcast(this.rate, this.batchShape).dataSync());
    const shape = this.drawShape(sampleShape);
    return tf.tensor(drawMany(key, sizeOf(shape), rates, poissonOne), shape, "float32");
  }

  override mean(): tf.Tensor {
    return broadcast(this.rate, this.batchShape);
  }

  override variance(): tf.Tensor {
    return broadcast(this.rate, this.batchShape);
  }
}

/**
 * Factory: `poisson(rate)`.
 *
 * @example
 * ```ts
 * const counts = poisson(tf.tensor([1, 10])).sample(Key.of(0), [100]);   // [100, 2]
 * ```
 */
export function poisson(rate: Param): Poisson {
  return new Poisson(rate);
}

const R1 = ref["Poisson(rate=3.5)"];
const R2 = ref["Poisson(rate=[0.5,12,150])"];
registerDistribution(
  {
    name: "Poisson(rate=3.5)",
    make: () => poisson(3.5),
    makeWith: (p) => poisson(p.rate),
    ...R1,
    tol: 2e-4,
    gradParams: ["rate"],
  },
  {
    name: "Poisson(rate=[0.5,12,150])",
    make: () => poisson(tf.tensor1d([0.5, 12, 150])),
    makeWith: (p) => poisson(p.rate),
    ...R2,
    // |log p| reaches ~1000 at k = 200, rate = 0.5: float32 resolution there is ~1e-4
    tol: 2e-3,
    gradParams: ["rate"],
  },
);
