/**
 * @sparse-dgm/testing: fast-check arbitraries for sparse truths (with and without anchor
 * features), data drawn from a known truth or from any DSL model with a mask, the anchor check,
 * and the identifiability property `recovers` (docs/identifiability.md).
 *
 * @example
 * ```ts
 * import { recovers, sparseTruth } from "@sparse-dgm/testing";
 * await recovers(factory, sparseTruth({ features: 8, factors: 2, n: 600 }), { mcc: 0.8, supportF1: 0.7 }).assert();
 * ```
 */
export * from "./arbitraries.js";
export * from "./anchors.js";
export * from "./generate.js";
export * from "./recovers.js";
