/**
 * The bijector registry, keyed by a distribution's support (Pyro's `biject_to`, NumPyro's
 * `transforms.biject_to`): the map from the unconstrained reals onto a support that the compiler
 * uses for every point-mass guide (MAP globals) and for the reparameterised guides of constrained
 * local latents. A distribution with a new support gets guides by one {@link registerBijector} line.
 *
 * @example
 * ```ts
 * const b = bijectTo(gamma(2, 1).support);        // exp
 * const x = b.forward(u);                          // > 0 for any real u
 * registerBijector(myOpenInterval, { forward: (u) => ..., inverse: (x) => ..., logAbsDetJacobian: (u) => ... });
 * ```
 */
import { tf } from "@sparse-dgm/core";
import { real, positive, nonnegative, unitInterval, closedUnitInterval, type Constraint } from "./constraints.js";

/** A bijection from the reals onto a support, with the log |det J| of `forward` (elementwise). */
export interface Bijector {
  /** The support it maps onto. */
  readonly support: Constraint;
  /** Unconstrained -> constrained. */
  forward(u: tf.Tensor): tf.Tensor;
  /** Constrained -> unconstrained. */
  inverse(x: tf.Tensor): tf.Tensor;
  /** log |d forward(u) / du|, elementwise (for densities of pushed-forward guides). */
  logAbsDetJacobian(u: tf.Tensor): tf.Tensor;
}

const registry = new Map<string, Bijector>();

/**
 * Registers the bijector of a support (by the support's `name`), optionally as a named variant
 * (`bijectTo(support, "logSqrt")`), e.g. a variance trained through half its log.
 */
export function registerBijector(support: Constraint, b: Omit<Bijector, "support">, variant?: string): void {
  registry.set(variant ? `${support.name}:${variant}` : support.name, { ...b, support });
}

/** The bijector onto `support` (a constraint or its name); throws naming the registered ones. */
export function bijectTo(support: Constraint | string, variant?: string): Bijector {
  const name = typeof support === "string" ? support : support.name;
  const key = variant ? `${name}:${variant}` : name;
  const b = registry.get(key);
  if (!b) {
    throw new Error(`no bijector registered for support "${key}"; registered: ${[...registry.keys()].join(", ")} (registerBijector in @sparse-dgm/distributions)`);
  }
  return b;
}

/** Whether a support (or one of its variants) has a bijector. */
export function hasBijector(support: string, variant?: string): boolean {
  return registry.has(variant ? `${support}:${variant}` : support);
}

/** The registered supports (and variants, as "support:variant"). */
export function registeredBijectors(): string[] {
  return [...registry.keys()];
}

const logit = (x: tf.Tensor) => tf.sub(tf.log(x), tf.log1p(tf.neg(x)));
// log σ'(u) = log σ(u) + log σ(−u) = −softplus(−u) − softplus(u)
const logSigmoidSlope = (u: tf.Tensor) => tf.neg(tf.add(tf.softplus(u), tf.softplus(tf.neg(u))));

registerBijector(real, { forward: (u) => tf.clone(u), inverse: (x) => tf.clone(x), logAbsDetJacobian: (u) => tf.zerosLike(u) });
registerBijector(positive, { forward: (u) => tf.exp(u), inverse: (x) => tf.log(x), logAbsDetJacobian: (u) => tf.clone(u) });
// A positive value (a variance) trained through half its log: x = exp(2u), as the Sparse VAE code trains σ.
registerBijector(
  positive,
  { forward: (u) => tf.exp(tf.mul(2, u)), inverse: (x) => tf.mul(0.5, tf.log(x)), logAbsDetJacobian: (u) => tf.add(tf.mul(2, u), Math.log(2)) },
  "logSqrt",
);
registerBijector(nonnegative, { forward: (u) => tf.exp(u), inverse: (x) => tf.log(x), logAbsDetJacobian: (u) => tf.clone(u) });
registerBijector(unitInterval, { forward: (u) => tf.sigmoid(u), inverse: logit, logAbsDetJacobian: logSigmoidSlope });
registerBijector(closedUnitInterval, { forward: (u) => tf.sigmoid(u), inverse: logit, logAbsDetJacobian: logSigmoidSlope });
