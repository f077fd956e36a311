/**
 * Estimator specs for sites (plain data recorded in the IR; the compiler implements them).
 *
 * @example
 * ```ts
 * .mask("W", prior, { rows: "feature", cols: "factor", estimator: mapEm() })
 * ```
 */
import type { EstimatorSpec } from "./ir.js";
import type { ScheduleLike } from "./schedule.js";

/** Pathwise (reparameterised) gradients. */
export const reparameterised = (): EstimatorSpec => ({ kind: "reparameterised" });
/** Point estimate by gradient ascent on the log joint. */
export const map = (): EstimatorSpec => ({ kind: "map" });
/**
 * MAP with a closed-form EM step for the latent inclusion indicators of a spike-and-slab-lasso
 * prior (the Sparse VAE p-star and eta update), run after each optimiser step outside the tape.
 */
export const mapEm = (opts: { form?: "code" | "normalised"; etaSite?: string } = {}): EstimatorSpec => ({
  kind: "map-em",
  form: opts.form ?? "code",
  ...(opts.etaSite ? { etaSite: opts.etaSite } : {}),
});
/** Binary Concrete relaxation (optionally straight-through). */
export const relaxedBernoulli = (opts: { temperature?: ScheduleLike; straightThrough?: boolean } = {}): EstimatorSpec => ({
  kind: "relaxed-bernoulli",
  temperature: opts.temperature ?? 0.5,
  straightThrough: opts.straightThrough ?? false,
});
/** Gumbel-Softmax relaxation (optionally straight-through). */
export const gumbelSoftmax = (opts: { temperature?: ScheduleLike; straightThrough?: boolean } = {}): EstimatorSpec => ({
  kind: "gumbel-softmax",
  temperature: opts.temperature ?? 0.5,
  straightThrough: opts.straightThrough ?? false,
});
/** VSC's threshold-sigmoid relaxation of spike-and-slab draws, with the slab warm-up. */
export const thresholdSigmoid = (opts: { sharpness?: ScheduleLike; slabWarmup?: ScheduleLike } = {}): EstimatorSpec => ({
  kind: "threshold-sigmoid",
  sharpness: opts.sharpness ?? 100,
  slabWarmup: opts.slabWarmup ?? 1,
});
/** Score-function (REINFORCE) gradients with a running-average baseline. */
export const scoreFunction = (opts: { baseline?: "running-average" | "none"; decay?: number } = {}): EstimatorSpec => ({
  kind: "score-function",
  baseline: opts.baseline ?? "running-average",
  decay: opts.decay ?? 0.9,
});
/** A fixed (declared) value: no inference. */
export const fixed = (): EstimatorSpec => ({ kind: "fixed" });
/** Updated in closed form by an EM hook (not by gradients). */
export const emUpdate = (): EstimatorSpec => ({ kind: "em-update" });
