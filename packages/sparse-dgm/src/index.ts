/**
 * sparse-dgm: a typed probabilistic-programming DSL on TensorFlow.js for sparse and structured
 * deep generative models. This facade re-exports the public API of every package.
 *
 * @example
 * ```ts
 * import { model, normal, compile, sparseVae } from "sparse-dgm";
 * ```
 */
export * from "@sparse-dgm/core";
export * from "@sparse-dgm/distributions";
export * from "@sparse-dgm/nn";
export * from "@sparse-dgm/data";
export * from "@sparse-dgm/infer";
export * from "@sparse-dgm/metrics";
export * from "@sparse-dgm/zoo";
export * from "@sparse-dgm/testing";
export * from "@sparse-dgm/viz";
// Both core (an estimator spec) and distributions (the distribution) name the exports
// `relaxedBernoulli` and `hardConcrete`; here they are the distributions, and the estimators are
// `estimators.relaxedBernoulli` and `estimators.hardConcrete`.
export { relaxedBernoulli, hardConcrete } from "@sparse-dgm/distributions";
// The speed layer's switch (step plans, lean kernels, SIMD; the same numbers either way).
export { setSpeed, speedEnabled } from "@sparse-dgm/speed";
