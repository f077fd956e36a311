/**
 * Estimator specs for sites (plain data recorded in the IR; the compiler implements them).
 *
 * @example
 * ```ts
 * .mask("W", prior, { rows: "feature", cols: "factor", estimator: mapEm() })
 * ```
 */
import type { EstimatorSpec } from "./ir.js";

/** The spec of one estimator kind. */
export type EstimatorOf<K extends EstimatorSpec["kind"]> = Extract<EstimatorSpec, { kind: K }>;
import type { ScheduleLike } from "./schedule.js";

/** Pathwise (reparameterised) gradients. */
export const reparameterised = (): EstimatorOf<"reparameterised"> => ({ kind: "reparameterised" });
/** Point estimate by gradient ascent on the log joint. */
export const map = (): EstimatorOf<"map"> => ({ kind: "map" });
/**
 * MAP with a closed-form EM step for the latent inclusion indicators of a spike-and-slab-lasso
 * prior (the Sparse VAE p-star and eta update), run after each optimiser step outside the tape.
 * The E-step's p* formula is the prior's `form` (one source of truth): `form` here may be left out,
 * and if given must equal the prior's (compile refuses a mismatch, naming the site and both forms).
 */
export const mapEm = <const E extends string = never>(opts: { form?: "code" | "normalised"; etaSite?: E } = {}): { kind: "map-em"; form?: "code" | "normalised"; etaSite?: E } => ({
  kind: "map-em",
  ...(opts.form ? { form: opts.form } : {}),
  ...(opts.etaSite ? { etaSite: opts.etaSite } : {}),
});
/** Binary Concrete relaxation (optionally straight-through). */
export const relaxedBernoulli = (opts: { temperature?: ScheduleLike; straightThrough?: boolean } = {}): EstimatorOf<"relaxed-bernoulli"> => ({
  kind: "relaxed-bernoulli",
  temperature: opts.temperature ?? 0.5,
  straightThrough: opts.straightThrough ?? false,
});
/** Gumbel-Softmax relaxation (optionally straight-through). */
export const gumbelSoftmax = (opts: { temperature?: ScheduleLike; straightThrough?: boolean } = {}): EstimatorOf<"gumbel-softmax"> => ({
  kind: "gumbel-softmax",
  temperature: opts.temperature ?? 0.5,
  straightThrough: opts.straightThrough ?? false,
});
/** VSC's threshold-sigmoid relaxation of spike-and-slab draws, with the slab warm-up. */
export const thresholdSigmoid = (opts: { sharpness?: ScheduleLike; slabWarmup?: ScheduleLike } = {}): EstimatorOf<"threshold-sigmoid"> => ({
  kind: "threshold-sigmoid",
  sharpness: opts.sharpness ?? 100,
  slabWarmup: opts.slabWarmup ?? 1,
});
/** Score-function (REINFORCE) gradients with a running-average baseline. */
export const scoreFunction = (opts: { baseline?: "running-average" | "none"; decay?: number } = {}): EstimatorOf<"score-function"> => ({
  kind: "score-function",
  baseline: opts.baseline ?? "running-average",
  decay: opts.decay ?? 0.9,
});
/**
 * Hard concrete gates with the expected-L0 penalty (Louizos, Welling & Kingma, ICLR 2018) for a
 * global binary mask: a binary Concrete draw at temperature β (default 2/3) stretched to
 * `stretch` = (γ, ζ) (default (−0.1, 1.1)) and clipped to [0, 1], so entries are exactly 0 or 1
 * with positive probability. With `penalty` λ the mask's term is the paper's λ Σ P(M ≠ 0) (the
 * expected L0 norm) added to the per-data-point loss; without one it is the expected negative log of
 * the mask's Bernoulli(π) prior, Σ [P(M ≠ 0) log(1/π) + P(M = 0) log(1/(1 − π))], a global prior
 * divided by the training size as every prior is.
 */
export const hardConcrete = (opts: { temperature?: ScheduleLike; stretch?: [number, number]; penalty?: number } = {}): EstimatorOf<"hard-concrete"> => {
  const stretch = opts.stretch ?? [-0.1, 1.1];
  if (!(stretch[0] < 0) || !(stretch[1] > 1)) throw new Error(`hardConcrete: stretch (γ, ζ) needs γ < 0 and ζ > 1, got (${stretch[0]}, ${stretch[1]})`);
  if (opts.penalty !== undefined && !(opts.penalty >= 0 && Number.isFinite(opts.penalty))) throw new Error(`hardConcrete: penalty must be a finite number >= 0, got ${opts.penalty}`);
  if (typeof opts.temperature === "number" && !(opts.temperature > 0)) throw new Error(`hardConcrete: temperature must be positive, got ${opts.temperature}`);
  return { kind: "hard-concrete", temperature: opts.temperature ?? 2 / 3, stretch: [stretch[0], stretch[1]], ...(opts.penalty !== undefined ? { penalty: opts.penalty } : {}) };
};
/** A fixed (declared) value: no inference. */
export const fixed = (): EstimatorOf<"fixed"> => ({ kind: "fixed" });
/** Updated in closed form by an EM hook (not by gradients). */
export const emUpdate = (): EstimatorOf<"em-update"> => ({ kind: "em-update" });
