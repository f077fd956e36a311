/**
 * The Laplace (double exponential) distribution, Laplace(loc, scale).
 *
 * log p(x) = -|x - loc| / scale - log(2 scale)
 *
 * @example
 * ```ts
 * const d = laplace(0, 1);
 * d.logProb(tf.scalar(0));       // -0.6931
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive } from "./constraints.js";
import { registerKL } from "./kl.js";
import { registerDistribution } from "./registry.js";
import { standardReference as ref } from "./reference/standard.js";

/** Laplace(loc, scale), reparameterised by inverse-CDF. */
export class Laplace extends Distribution {
  readonly kind = "Laplace";
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
    checkParams("Laplace", { loc: [locArg, real], scale: [scaleArg, positive] });
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
    return tf.tidy(() =>
      tf.sub(tf.neg(tf.div(tf.abs(tf.sub(x, this.loc)), this.scale)), tf.log(tf.mul(2, this.scale))),
    );
  }

  /** loc - scale * sign(u) * log(1 - 2|u|) with u uniform on (-1/2, 1/2). */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const u = key.uniform(this.drawShape(sampleShape));
    return tf.tidy(() => {
      const c = tf.sub(u, 0.5);
      const e = tf.mul(tf.sign(c), tf.log(tf.sub(1, tf.mul(2, tf.abs(c)))));
      u.dispose();
      return tf.sub(this.loc, tf.mul(this.scale, e));
    });
  }

  override mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }

  override variance(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.mul(2, tf.square(this.scale)), this.batchShape));
  }

  override entropy(): tf.Tensor {
    return tf.tidy(() => broadcast(tf.add(tf.log(tf.mul(2, this.scale)), 1), this.batchShape));
  }
}

/**
 * Factory: `laplace(loc, scale)`.
 *
 * @example
 * ```ts
 * const prior = laplace(0, 0.1);   // a lasso-type prior on weights
 * ```
 */
export function laplace(loc: Param, scale: Param): Laplace {
  return new Laplace(loc, scale);
}

// KL(q || p) = log(b_p / b_q) + |m_q - m_p| / b_p + (b_q / b_p) exp(-|m_q - m_p| / b_q) - 1
registerKL("Laplace", "Laplace", (q: Laplace, p: Laplace) =>
  tf.tidy(() => {
    const d = tf.abs(tf.sub(q.loc, p.loc));
    const r = tf.div(q.scale, p.scale);
    return tf.add(
      tf.sub(tf.div(d, p.scale), tf.log(r)),
      tf.sub(tf.mul(r, tf.exp(tf.neg(tf.div(d, q.scale)))), 1),
    );
  }),
);

const R1 = ref["Laplace(loc=0.5,scale=2)"];
const R2 = ref["Laplace(loc=[-1,0,2],scale=[0.5,1,3])"];
registerDistribution(
  {
    name: "Laplace(loc=0.5,scale=2)",
    make: () => laplace(0.5, 2),
    makeWith: (p) => laplace(p.loc, p.scale),
    ...R1,
    momentTol: 0.08,
    gradParams: ["loc", "scale"],
  },
  {
    name: "Laplace(loc=[-1,0,2],scale=[0.5,1,3])",
    make: () => laplace(tf.tensor1d([-1, 0, 2]), tf.tensor1d([0.5, 1, 3])),
    makeWith: (p) => laplace(p.loc, p.scale),
    ...R2,
    momentTol: 0.08,
    gradParams: ["loc", "scale"],
  },
);
