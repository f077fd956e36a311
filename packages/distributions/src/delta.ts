/**
 * The point mass (Dirac delta) at `value`: logProb is 0 at the value and -inf elsewhere;
 * `sample` returns the value (broadcast to the sample shape), so it is trivially reparameterised
 * (the gradient of a draw with respect to `value` is the identity). Used for point-estimated
 * (MAP) guides of global sites.
 *
 * @example
 * ```ts
 * const guide = delta(tf.variable(tf.zeros([5])));
 * guide.sample(Key.of(0), [2]);          // [2, 5] copies of the value
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, shapeOf, checkParams } from "./distribution.js";
import { real } from "./constraints.js";
import { registerDistribution } from "./registry.js";

/** log 1[x == value] with a zero gradient (a `tf.equal` on the tape would have none). */
const deltaLogProb = tf.customGrad(((x: tf.Tensor, v: tf.Tensor) => ({
  value: tf.tidy(() => tf.log(tf.cast(tf.equal(x, v), "float32"))),
  gradFunc: () => [tf.zerosLike(x), tf.zerosLike(v)],
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, v: tf.Tensor) => tf.Tensor;

/** Delta(value): all mass at one point. */
export class Delta extends Distribution {
  readonly kind = "Delta";
  readonly support = real;
  readonly hasRsample = true;
  readonly batchShape: number[];
  readonly value: tf.Tensor;

  constructor(private readonly valueArg: Param) {
    super();
    checkParams("Delta", { value: [valueArg, real] });
    this.batchShape = shapeOf(valueArg);
    this.value = asTensor(valueArg);
  }

  params() {
    return { value: this.value };
  }

  protected override rawParams() {
    return { value: this.valueArg };
  }

  /** 0 where x equals the value, -inf elsewhere; the gradient (w.r.t. x and the value) is 0. */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => deltaLogProb(tf.cast(x, "float32"), this.value));
  }

  sample(_key: Key, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => broadcast(this.value, this.drawShape(sampleShape)));
  }

  override mean(): tf.Tensor {
    return broadcast(this.value, this.batchShape);
  }

  override variance(): tf.Tensor {
    return tf.zeros(this.batchShape);
  }

  override entropy(): tf.Tensor {
    return tf.zeros(this.batchShape);
  }
}

/**
 * Factory: `delta(value)`.
 *
 * @example
 * ```ts
 * delta(1.5).logProb(tf.tensor([1.5, 2]));   // [0, -Infinity]
 * ```
 */
export function delta(value: Param): Delta {
  return new Delta(value);
}

// Not in scipy: the reference is the definition (0 at the value, -inf elsewhere).
registerDistribution(
  {
    name: "Delta(value=1.5)",
    make: () => delta(1.5),
    makeWith: (p) => delta(p.value),
    points: [1.5, 0, -2],
    logProb: [0, -Infinity, -Infinity],
    mean: [1.5],
    variance: [0],
    gradParams: ["value"],
  },
  {
    name: "Delta(value=[0,-2,3])",
    make: () => delta(tf.tensor1d([0, -2, 3])),
    makeWith: (p) => delta(p.value),
    points: [0, 3],
    logProb: [0, -Infinity, -Infinity, -Infinity, -Infinity, 0],
    mean: [0, -2, 3],
    variance: [0, 0, 0],
    gradParams: ["value"],
  },
);
