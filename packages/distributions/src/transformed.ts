/**
 * A distribution pushed forward through a bijector (Pyro's `TransformedDistribution`): x = f(u),
 * u ~ base, log p(x) = log p_base(f⁻¹(x)) − log |f'(f⁻¹(x))|. The compiler's guide of a constrained
 * local latent (a Gamma-distributed intensity, say) is a Normal pushed through the bijector of the
 * prior's support (`bijectTo`), so it lives where the prior does.
 *
 * @example
 * ```ts
 * const q = transformed(normal(0, 1), bijectTo(positive));    // log-normal
 * q.logProb(tf.scalar(1));                                     // −0.9189
 * ```
 */
import { tf, Key } from "@sparse-dgm/core";
import { Distribution } from "./distribution.js";
import type { Bijector } from "./bijectors.js";
import type { Constraint } from "./constraints.js";

/** `base` pushed through `bijector`. Reparameterised when the base is. */
export class TransformedDistribution extends Distribution {
  readonly kind: string;
  readonly support: Constraint;
  readonly hasRsample: boolean;
  readonly batchShape: number[];

  constructor(
    readonly base: Distribution,
    readonly bijector: Bijector,
  ) {
    super();
    this.kind = `Transformed${base.kind}`;
    this.support = bijector.support;
    this.hasRsample = base.hasRsample;
    this.batchShape = base.batchShape.slice();
  }

  params() {
    return this.base.params();
  }

  /** log p_base(u) − log|f'(u)| at u = f⁻¹(x). */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const u = this.bijector.inverse(x);
      return tf.sub(this.base.logProb(u), this.bijector.logAbsDetJacobian(u));
    });
  }

  /** log q(f(u)) from the unconstrained u itself (no round trip through f⁻¹). */
  logProbAt(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sub(this.base.logProb(u), this.bijector.logAbsDetJacobian(u)));
  }

  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => this.bijector.forward(this.base.sample(key, sampleShape)));
  }

  /** f(median of the base) for a monotone f: the median (the mean has no closed form in general). */
  median(): tf.Tensor {
    return tf.tidy(() => this.bijector.forward(this.base.mean()));
  }
}

/** Factory: `transformed(base, bijector)`. */
export function transformed(base: Distribution, bijector: Bijector): TransformedDistribution {
  return new TransformedDistribution(base, bijector);
}
