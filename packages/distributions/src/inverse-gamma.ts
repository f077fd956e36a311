/**
 * The inverse-gamma distribution, InverseGamma(concentration, scale): 1/X with
 * X ~ Gamma(concentration, rate = scale). Mean scale / (concentration - 1) for concentration > 1.
 *
 * log p(x) = a log b - lgamma(a) - (a + 1) log x - b / x
 *
 * Also the scaled inverse chi-squared, `scaledInvChi2(df, scale)` = InverseGamma(df / 2,
 * df * scale / 2), the prior on the noise variance sigma^2 in the Sparse VAE spec
 * (Moran et al. 2022, specs/sparse-vae.md).
 *
 * @example
 * ```ts
 * const sigma2 = scaledInvChi2(3, 0.5);      // InverseGamma(1.5, 0.75)
 * ```
 */
import { tf, broadcast, Key, lgamma } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { positive } from "./constraints.js";
import { registerDistribution } from "./registry.js";
import { standardGammaSample } from "./gamma.js";
import { lgammaHost } from "./host-sampling.js";
import { standardReference as ref } from "./reference/standard.js";

/** InverseGamma(concentration, scale). Sampled host-side (not reparameterised). */
export class InverseGamma extends Distribution {
  readonly kind = "InverseGamma";
  readonly support = positive;
  readonly hasRsample = false;
  readonly batchShape: number[];
  readonly concentration: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(
    private readonly concentrationArg: Param,
    private readonly scaleArg: Param,
  ) {
    super();
    checkParams("InverseGamma", { concentration: [concentrationArg, positive], scale: [scaleArg, positive] });
    this.batchShape = broadcastShapes(shapeOf(concentrationArg), shapeOf(scaleArg));
    this.concentration = asTensor(concentrationArg);
    this.scale = asTensor(scaleArg);
  }

  params() {
    return { concentration: this.concentration, scale: this.scale };
  }

  protected override rawParams() {
    return { concentration: this.concentrationArg, scale: this.scaleArg };
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const b = this.scale;
      // Constant hyperparameters (the usual prior): the normaliser is a number, computed on the host.
      const ca = this.concentrationArg;
      const cb = this.scaleArg;
      const norm = typeof ca === "number" && typeof cb === "number" ? ca * Math.log(cb) - lgammaHost(ca) : tf.sub(tf.mul(a, tf.log(b)), lgamma(a));
      return tf.sub(norm, tf.add(tf.mul(tf.add(a, 1), tf.log(x)), tf.div(b, x)));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const g = standardGammaSample(key, this.concentration, this.batchShape, sampleShape);
    return tf.tidy(() => {
      const s = tf.div(this.scale, g);
      g.dispose();
      return s;
    });
  }

  /** scale / (concentration - 1); infinite for concentration <= 1. */
  override mean(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const m = tf.div(this.scale, tf.sub(a, 1));
      return broadcast(tf.where(tf.greater(a, 1), m, tf.fill(m.shape, Infinity)), this.batchShape);
    });
  }

  /** scale^2 / ((concentration - 1)^2 (concentration - 2)); infinite for concentration <= 2. */
  override variance(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const v = tf.div(tf.square(this.scale), tf.mul(tf.square(tf.sub(a, 1)), tf.sub(a, 2)));
      return broadcast(tf.where(tf.greater(a, 2), v, tf.fill(v.shape, Infinity)), this.batchShape);
    });
  }
}

/**
 * Factory: `inverseGamma(concentration, scale)`.
 *
 * @example
 * ```ts
 * inverseGamma(3, 2).mean();    // 1
 * ```
 */
export function inverseGamma(concentration: Param, scale: Param): InverseGamma {
  return new InverseGamma(concentration, scale);
}

/**
 * The scaled inverse chi-squared distribution Scale-inv-chi^2(df, scale) =
 * InverseGamma(df / 2, df * scale / 2), as used for the per-feature noise variance sigma_j^2 of
 * the Sparse VAE (specs/sparse-vae.md). `scale` is the scale parameter s^2 (a variance).
 *
 * @param df - degrees of freedom (positive).
 * @param scale - the scale s^2 (positive).
 * @example
 * ```ts
 * const prior = scaledInvChi2(3, s0);      // sigma_j^2 ~ Scale-inv-chi^2(3, s0)
 * ```
 */
export function scaledInvChi2(df: Param, scale: Param): InverseGamma {
  checkParams("ScaledInvChi2", { df: [df, positive], scale: [scale, positive] });
  const a = typeof df === "number" ? df / 2 : tf.mul(df, 0.5);
  const b = typeof df === "number" && typeof scale === "number" ? (df * scale) / 2 : tf.mul(tf.mul(asTensor(df), asTensor(scale)), 0.5);
  return new InverseGamma(a, b);
}

const R1 = ref["InverseGamma(concentration=20,scale=3)"];
const R2 = ref["InverseGamma(concentration=[12,30],scale=[1,5])"];
const R3 = ref["ScaledInvChi2(df=40,scale=0.5)"];
registerDistribution(
  {
    name: "InverseGamma(concentration=20,scale=3)",
    make: () => inverseGamma(20, 3),
    makeWith: (p) => inverseGamma(p.concentration, p.scale),
    ...R1,
    gradParams: ["concentration", "scale"],
  },
  {
    name: "InverseGamma(concentration=[12,30],scale=[1,5])",
    make: () => inverseGamma(tf.tensor1d([12, 30]), tf.tensor1d([1, 5])),
    makeWith: (p) => inverseGamma(p.concentration, p.scale),
    ...R2,
    momentTol: 0.08,
    gradParams: ["concentration", "scale"],
  },
  {
    name: "ScaledInvChi2(df=40,scale=0.5)",
    make: () => scaledInvChi2(40, 0.5),
    makeWith: (p) => inverseGamma(p.concentration, p.scale),
    ...R3,
    gradParams: ["concentration", "scale"],
  },
);
