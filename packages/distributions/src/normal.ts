/**
 * The Normal (Gaussian) distribution, N(loc, scale^2).
 *
 * log p(x) = -((x - loc) / scale)^2 / 2 - log(scale) - log(2 pi) / 2
 *
 * @example
 * ```ts
 * const d = normal(0, 1);
 * d.logProb(tf.scalar(0));       // -0.9189
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardReference as ref } from "./reference/standard.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** N(loc, scale^2), reparameterised. */
export class Normal extends Distribution {
  readonly kind = "Normal";
  readonly support = real;
  readonly hasRsample = true;
  readonly batchShape: number[];
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(
    private readonly locArg: Param,
    private readonly scaleArg: Param,
  ) {
    super();
    checkParams("Normal", { loc: [locArg, real], scale: [scaleArg, positive] });
    this.batchShape = broadcastShapes(shapeOf(locArg), shapeOf(scaleArg));
    this.loc = asTensor(locArg);
    this.scale = asTensor(scaleArg);
  }

  params() {
    return { loc: this.loc, scale: this.scale };
  }

  protected override rawParams() {
    return { loc: this.locArg, scale: this.scaleArg };
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = tf.div(tf.sub(x, this.loc), this.scale);
      return tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(this.scale), HALF_LOG_2PI));
    });
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const eps = key.normal(this.drawShape(sampleShape));
    return tf.tidy(() => {
      const s = this.reparameterise(eps);
      eps.dispose();
      return s;
    });
  }

  /**
   * The draw for given standard-normal noise: loc + scale · eps (the pathwise sample; the compiler
   * draws its noise per replica and per step, then calls this).
   */
  reparameterise(eps: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, eps));
  }

  override mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }

  override variance(): tf.Tensor {
    return broadcast(tf.square(this.scale), this.batchShape);
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.add(tf.log(this.scale), 0.5 + HALF_LOG_2PI), this.batchShape));
  }
}

/** Factory: `normal(loc, scale)`. */
export function normal(loc: Param, scale: Param): Normal {
  return new Normal(loc, scale);
}

registerKL("Normal", "Normal", (q: Normal, p: Normal) =>
  tf.tidy(() => {
    const r = tf.div(q.scale, p.scale);
    const d = tf.div(tf.sub(q.loc, p.loc), p.scale);
    return tf.mul(0.5, tf.sub(tf.add(tf.square(r), tf.square(d)), tf.add(1, tf.mul(2, tf.log(r)))));
  }),
);

registerDistribution(
  {
    name: "Normal(loc=0.5,scale=2)",
    make: () => normal(0.5, 2),
    makeWith: (p) => normal(p.loc, p.scale),
    ...ref["Normal(loc=0.5,scale=2)"],
    gradParams: ["loc", "scale"],
  },
  {
    name: "Normal(loc=[-1,0,2],scale=[0.5,1,3])",
    make: () => normal(tf.tensor1d([-1, 0, 2]), tf.tensor1d([0.5, 1, 3])),
    makeWith: (p) => normal(p.loc, p.scale),
    ...ref["Normal(loc=[-1,0,2],scale=[0.5,1,3])"],
    gradParams: ["loc", "scale"],
  },
);
