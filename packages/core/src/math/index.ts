/**
 * Owned numerics (DESIGN §1): special functions and stable log-space helpers on float32 tensors,
 * with correct gradients, on every backend (no op without a `cpu` and a `wasm` kernel).
 *
 * @example
 * ```ts
 * import { tf, lgamma, logsumexp } from "@sparse-dgm/core";
 * lgamma(tf.scalar(5));                       // log 24
 * logsumexp(tf.tensor([[1, 2, 3]]), -1);      // [3.4076]
 * ```
 */
export { lgamma, digamma, trigamma } from "./special.js";
export { logsumexp, log1mexp, softplusInverse, softplus, logSigmoid, log1p } from "./log.js";
export { stopGradient } from "./stop-gradient.js";
export { broadcast } from "./broadcast.js";
