/**
 * Supports and parameter constraints, each with a bijector from the unconstrained reals
 * (used by the point-mass guides of global sites).
 */
import { tf } from "@sparse-dgm/core";

/** A set of values, with a membership check and a bijection from R onto it. */
export interface Constraint {
  /** Short name, as shown in renders and error messages: "real", "positive", ... */
  readonly name: string;
  /** Elementwise membership (a bool tensor). */
  check(x: tf.Tensor): tf.Tensor;
  /** Whether a plain number lies in the set (for declaration-time validation). */
  holds(x: number): boolean;
  /** Unconstrained -> constrained. */
  forward(u: tf.Tensor): tf.Tensor;
  /** Constrained -> unconstrained. */
  inverse(x: tf.Tensor): tf.Tensor;
}

const identity = (t: tf.Tensor) => tf.clone(t);

/** All real numbers. */
export const real: Constraint = {
  name: "real",
  check: (x) => tf.isFinite(x),
  holds: (x) => Number.isFinite(x),
  forward: identity,
  inverse: identity,
};

/** x > 0, through exp / log. */
export const positive: Constraint = {
  name: "positive",
  check: (x) => tf.greater(x, 0),
  holds: (x) => x > 0 && Number.isFinite(x),
  forward: (u) => tf.exp(u),
  inverse: (x) => tf.log(x),
};

/** x >= 0. */
export const nonnegative: Constraint = {
  name: "nonnegative",
  check: (x) => tf.greaterEqual(x, 0),
  holds: (x) => x >= 0 && Number.isFinite(x),
  forward: (u) => tf.exp(u),
  inverse: (x) => tf.log(x),
};

/** 0 < x < 1, through the logistic function. */
export const unitInterval: Constraint = {
  name: "unitInterval",
  check: (x) => tf.logicalAnd(tf.greater(x, 0), tf.less(x, 1)),
  holds: (x) => x > 0 && x < 1,
  forward: (u) => tf.sigmoid(u),
  inverse: (x) => tf.sub(tf.log(x), tf.log1p(tf.neg(x))),
};

/** 0 <= x <= 1 (probabilities that may hit the ends). */
export const closedUnitInterval: Constraint = {
  name: "closedUnitInterval",
  check: (x) => tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 1)),
  holds: (x) => x >= 0 && x <= 1,
  forward: (u) => tf.sigmoid(u),
  inverse: (x) => tf.sub(tf.log(x), tf.log1p(tf.neg(x))),
};

/** {0, 1}. */
export const boolean: Constraint = {
  name: "boolean",
  check: (x) => tf.logicalOr(tf.equal(x, 0), tf.equal(x, 1)),
  holds: (x) => x === 0 || x === 1,
  forward: (u) => tf.sigmoid(u),
  inverse: (x) => tf.sub(tf.log(x), tf.log1p(tf.neg(x))),
};

/** Non-negative integers (counts). */
export const nonnegativeInteger: Constraint = {
  name: "nonnegativeInteger",
  check: (x) => tf.logicalAnd(tf.greaterEqual(x, 0), tf.equal(tf.floor(x), x)),
  holds: (x) => x >= 0 && Number.isInteger(x),
  forward: (u) => tf.round(tf.exp(u)),
  inverse: (x) => tf.log(x),
};

/** Vectors on the probability simplex (last axis), through softmax / log. */
export const simplex: Constraint = {
  name: "simplex",
  check: (x) =>
    tf.logicalAnd(
      tf.all(tf.greaterEqual(x, 0), -1),
      tf.less(tf.abs(tf.sub(tf.sum(x, -1), 1)), 1e-4),
    ),
  holds: (x) => x >= 0 && x <= 1,
  forward: (u) => tf.softmax(u),
  inverse: (x) => tf.log(x),
};

/** Integers in [0, n). */
export function integerInterval(n: number): Constraint {
  return {
    name: `integer[0,${n})`,
    check: (x) => tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(x, 0), tf.less(x, n)), tf.equal(tf.floor(x), x)),
    holds: (x) => Number.isInteger(x) && x >= 0 && x < n,
    forward: (u) => tf.clipByValue(tf.round(u), 0, n - 1),
    inverse: identity,
  };
}

/** One-hot vectors on the last axis. */
export const oneHot: Constraint = {
  name: "oneHot",
  check: (x) => tf.logicalAnd(tf.all(boolean.check(x), -1), tf.equal(tf.sum(x, -1), 1)),
  holds: (x) => x === 0 || x === 1,
  forward: (u) => tf.softmax(u),
  inverse: (x) => tf.log(x),
};
