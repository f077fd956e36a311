/**
 * @sparse-dgm/distributions: distribution classes, the analytic-KL registry and relaxations.
 * Adding a distribution is one file plus one line here; the file registers its cases with
 * `registerDistribution` (generic suites) and its closed-form KLs with `registerKL`.
 */
export * from "./constraints.js";
export * from "./bijectors.js";
export * from "./distribution.js";
export * from "./kl.js";
export * from "./registry.js";
export * from "./normal.js";
export * from "./laplace.js";
export * from "./bernoulli.js";
export * from "./categorical.js";
export * from "./multinomial.js";
export * from "./beta.js";
export * from "./gamma.js";
export * from "./inverse-gamma.js";
export * from "./poisson.js";
export * from "./negative-binomial.js";
export * from "./delta.js";
export * from "./spike-slab-lasso.js";
export * from "./spike-and-slab.js";
export * from "./relaxed-bernoulli.js";
export * from "./relaxed-one-hot-categorical.js";
export * from "./hard-concrete.js";
export * from "./threshold-sigmoid.js";
export * from "./capped-sparse-code.js";
export * from "./pseudo-input-prior.js";
export * from "./transformed.js";
