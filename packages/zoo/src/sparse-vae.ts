/**
 * The Sparse VAE (Moran, Sridhar, Wang, Blei, "Identifiable Deep Generative Models via Sparse
 * Decoding", TMLR 2022; specs/sparse-vae.md), declared in the DSL: a global spike-and-slab-lasso
 * mask W (G x K) between factors and features, with the closed-form p* and η EM update, a masked
 * decoder whose first layer has no bias, and a scaled-inverse-χ² prior on the noise variances.
 *
 * @example
 * ```ts
 * const m = sparseVae.build({ features: 7 });          // K = 5, H = 50, λ0 = 10, λ1 = 1
 * ```
 */
import { tf, model, mapEm, emUpdate, warmup, type SiteContext } from "@sparse-dgm/core";
import { normal, beta, spikeSlabLasso } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveNumber, oneOf, warmupSteps, warmupFromRun, runMeta, DEFAULT_RUN_STEPS, type DataShape, type ZooEntry } from "./entry.js";
import { likelihoodConfig, observeLikelihood, type EncoderInput, type Likelihood } from "./likelihoods.js";

/** Likelihoods of the Sparse VAE. */
export type SparseVaeLikelihood = Likelihood;

/** Hyperparameters of the Sparse VAE (spec defaults: the synthetic study's flags). */
export interface SparseVaeConfig {
  /** Latent factors K (fitted; the synthetic truth has 2). */
  factors: number;
  /** Hidden width H of encoder and decoder. */
  hidden: number;
  /** Spike rate λ0. */
  spike: number;
  /** Slab rate λ1 (the run flags give 1; the class default is 0.1). */
  slab: number;
  /** Beta(a, b) prior on the inclusion weights η_k; b defaults to G. */
  etaA: number;
  etaB?: number;
  /** Degrees of freedom ν of the noise prior. */
  sigmaDf: number;
  /** Scale s of the noise prior (default: calibrated from the data, BART-style). */
  sigmaScale?: number;
  likelihood: SparseVaeLikelihood;
  /** What the encoder sees: "normalise" (x_i / Σ_j x_ij, the reference's for count data; the default for categorical counts, raw for 0/1 data), "log1p" (the default for negativeBinomial), or "raw" (the default otherwise). */
  encoderInput?: EncoderInput;
  /** Negative binomial: scale the mean by the row's library size l_i / l̄ (default true). */
  libraryOffset?: boolean;
  /** l̄ of the library-size offset (default: the data's median row sum). */
  librarySize?: number;
  /** p* form: "code" (the released code; the reference variant's) or "normalised" (Ročková & George; the default variant's). */
  form: "code" | "normalised";
  /**
   * "default" (this library's: unit-norm first decoder layer, the normalised p*, and warm-ups of
   * the KL and of the mask prior, so the fit does not collapse; docs/zoo/sparse-vae.md) or
   * "reference" (the released code's architecture, p* form and schedule).
   */
  variant: "default" | "reference";
  /**
   * Where the decoder's output scale lives (the masked decoder's `scaleIn`): "network" (free layers;
   * an L1 prior can shrink W while a later layer grows to compensate), "mask" (every decoder layer
   * at unit norm: per-unit gain fixed, but aligned units still multiply it) or "spectral" (every
   * body layer divided by its largest singular value, unit heads: the decoder is 1-Lipschitz in
   * w_j ⊙ z, so |w_jk| bounds factor k's effect on feature j). Default "network". On 0/1 ratings
   * "spectral" keeps a mostly right mask alive where "network" keeps none, but none of the three
   * recovered the genres from a random start (docs/data/ratings.md). Default "spectral" for the
   * categorical likelihood on 0/1 data (see {@link SparseVaeConfig.maskInit}), "network" otherwise.
   */
  scaleIn?: "network" | "mask" | "spectral";
  /**
   * How the KL of z counts per data point: "reference" (averaged over the K factors, the code's:
   * an effective β of 1/K, which leaves z's scale, and so W's, nearly free), "elbo" (summed, β = 1),
   * "objective" (default: the training normalisation's).
   */
  klNormalisation?: "elbo" | "reference" | "objective";
  /**
   * How often an epoch counts the mask's prior: "reference" (once per minibatch, N/B times per
   * epoch, the code's), "elbo" (once per epoch: prior/N per step, the ELBO's), "objective"
   * (the training normalisation's). Default "elbo" for the categorical likelihood on 0/1 data
   * (at the reference's N/B weight even the true preferences lose the ratings' genres to the spike:
   * docs/data/ratings.md), "objective" otherwise.
   */
  priorNormalisation?: "elbo" | "reference" | "objective";
  /**
   * SD of the mask's starting draw W_jk ~ N(0, sd²) (default 1, the reference's). A small SD starts
   * every entry near the spike, so entries leave it only where the likelihood pulls them: from a
   * dense N(0, 1) start the spike-and-slab lasso settles in a dense mode (docs/data/ratings.md).
   */
  maskInitSd?: number;
  /**
   * How the mask starts: "normal" (W_jk ~ N(0, maskInitSd²), the reference's) or "nmf" (each
   * feature's loadings in a rank-K non-negative factorisation of the training data, each feature's
   * largest at 1; needs non-negative data). Default "nmf" for the categorical likelihood on 0/1
   * data (ratings), "normal" otherwise. Why (docs/data/ratings.md): on the ratings' genres a random
   * start settles in a mode where two genres share a factor and a fifth factor dies; in a MAP
   * sketch of the model that mode's objective equals (or beats) the genres' own, so no schedule of
   * the prior tells them apart, while a data-aligned start stays at the genres. Counts (text) keep
   * the random start: the NMF's cost grows with rows × features × K (a 2246 × 10,473 corpus at K = 50
   * is minutes on wasm) and the topic results were measured without it.
   */
  maskInit?: "normal" | "nmf";
  /**
   * Adam's rate for the model's globals group (the mask W; with the Gaussian likelihood also the
   * noise variances), instead of the run's rate. Default 2e-3 for the categorical likelihood on 0/1
   * data (a fifth of the zoo's 1e-2: the encoder must learn to use every factor before the
   * likelihood, fed a still uninformative z, shrinks that factor's mask column to the spike; at
   * the run's rate one to two factors died from the NMF start on the ratings, docs/data/ratings.md),
   * unset (the run's rate) otherwise.
   */
  maskLearningRate?: number;
  /** Fraction of the run over which the mask prior's weight rises from 0 to 1 (variant "default": 0.5 = 600 steps = 100 epochs of the synthetic study; variant "reference": 0 unless given). */
  priorWarmup: number;
  /** Fraction of the run over which the KL weight rises from 0 to 1 (variant "default": Bowman et al. 2016, 0.25 = 300 steps = 50 epochs; variant "reference": 0 unless given). */
  klWarmup: number;
  /** The prior warm-up in steps, instead of `priorWarmup` (giving both is refused); the recorded config holds these steps only. */
  priorWarmupSteps?: number;
  /** The KL warm-up in steps, instead of `klWarmup` (giving both is refused); the recorded config holds these steps only. */
  klWarmupSteps?: number;
}

/** The default variant's mask-prior warm-up, as a fraction of the run (600 of the synthetic study's 1,200 steps). */
const PRIOR_WARMUP = 0.5;
/** The default variant's KL warm-up, as a fraction of the run (300 of the synthetic study's 1,200 steps). */
const KL_WARMUP = 0.25;

/** The Sparse VAE's DSL model. */
export function buildSparseVae(c: Partial<SparseVaeConfig> & DataShape) {
  const name = "sparseVae";
  const G = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "factors", c.factors ?? 5);
  const H = positiveInt(name, "hidden", c.hidden ?? 50);
  const spike = positiveNumber(name, "spike", c.spike ?? 10);
  const slab = positiveNumber(name, "slab", c.slab ?? 1);
  if (slab >= spike) throw new Error(`${name}: slab (${slab}) must be smaller than spike (${spike})`);
  const a = positiveNumber(name, "etaA", c.etaA ?? 1);
  const b = positiveNumber(name, "etaB", c.etaB ?? G);
  const df = positiveNumber(name, "sigmaDf", c.sigmaDf ?? 3);
  const s = positiveNumber(name, "sigmaScale", c.sigmaScale ?? c.stats?.sigmaPriorScale ?? 0.36);
  const lik = likelihoodConfig(name, c);
  const likelihood = lik.likelihood;
  const variant = oneOf(name, "variant", c.variant ?? "default", ["default", "reference"] as const);
  const form = oneOf(name, "form", c.form ?? (variant === "default" ? "normalised" : "code"), ["code", "normalised"] as const);
  // the recorded config holds the resolved steps only (warmupSteps): the fractions are not what acted
  // the reference variant has no warm-ups by default; one given explicitly is honoured (never ignored)
  const priorFallback = variant === "default" ? PRIOR_WARMUP : 0;
  const klFallback = variant === "default" ? KL_WARMUP : 0;
  const warm = warmupSteps(name, "priorWarmup", c.priorWarmup, c.priorWarmupSteps, c.run, priorFallback);
  const klWarm = warmupSteps(name, "klWarmup", c.klWarmup, c.klWarmupSteps, c.run, klFallback);
  const firstLayer = variant === "default" ? ("unitRows" as const) : ("none" as const);
  // 0/1 data under the categorical likelihood (ratings) only: these four recover the genres there (docs/data/ratings.md);
  // the Moran synthetic study (Gaussian) and the topic corpus (counts) keep the measured defaults
  const ratings = likelihood === "categorical" && c.kind === "binary";
  const scaleIn = oneOf(name, "scaleIn", c.scaleIn ?? (ratings ? "spectral" : "network"), ["network", "mask", "spectral"] as const);
  const klNormalisation = oneOf(name, "klNormalisation", c.klNormalisation ?? "objective", ["elbo", "reference", "objective"] as const);
  const priorNormalisation = oneOf(name, "priorNormalisation", c.priorNormalisation ?? (ratings ? "elbo" : "objective"), ["elbo", "reference", "objective"] as const);
  const maskInitSd = positiveNumber(name, "maskInitSd", c.maskInitSd ?? 1);
  const maskInit = oneOf(name, "maskInit", c.maskInit ?? (ratings ? "nmf" : "normal"), ["normal", "nmf"] as const);
  const maskLearningRate = c.maskLearningRate !== undefined ? positiveNumber(name, "maskLearningRate", c.maskLearningRate) : ratings ? 2e-3 : undefined;
  if (maskInit === "nmf" && c.maskInitSd !== undefined) throw new Error(`${name}: maskInitSd (${c.maskInitSd}) is the SD of the "normal" start; maskInit is "nmf"${c.maskInit === undefined ? " (the default for the categorical likelihood on 0/1 data)" : ""}: give maskInit=normal with it`);

  const base = model(name)
    .meta({ reference: "Moran et al. 2022, TMLR (arXiv 2110.10804)", likelihood, config: { features: G, factors: K, hidden: H, spike, slab, etaA: a, etaB: b, sigmaDf: df, sigmaScale: s, ...lik, form, variant, scaleIn, ...(priorNormalisation !== "objective" ? { priorNormalisation } : {}), ...(klNormalisation !== "objective" ? { klNormalisation } : {}), maskInit, ...(maskInitSd !== 1 ? { maskInitSd } : {}), ...(maskLearningRate !== undefined ? { maskLearningRate } : {}), priorWarmupSteps: warm, klWarmupSteps: klWarm } })
    .meta(maskLearningRate !== undefined ? { groupLearningRates: { globals: maskLearningRate } } : {})
    .meta(warmupFromRun(c.priorWarmup, c.priorWarmupSteps, priorFallback) || warmupFromRun(c.klWarmup, c.klWarmupSteps, klFallback) ? runMeta(c.run, DEFAULT_RUN_STEPS) : {})
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .global("eta", () => beta(a, b), { plates: ["factor"], estimator: emUpdate(), doc: "inclusion weight of each factor" })
    .mask("W", ({ eta }) => spikeSlabLasso({ spike, slab, inclusion: eta, form }), {
      rows: "feature",
      cols: "factor",
      valueType: "real",
      estimator: mapEm({ form, etaSite: "eta" }),
      init: maskInit === "nmf" ? "nmf" : maskInitSd === 1 ? "standardNormal" : { normalSd: maskInitSd },
      ...(warm > 0 ? { priorWeight: warmup({ start: 0, end: warm }) } : {}),
      ...(priorNormalisation !== "objective" ? { priorNormalisation } : {}),
      doc: "which factors reach which features",
    })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], ...(klNormalisation !== "objective" ? { klNormalisation } : {}), ...(klWarm > 0 ? { klWeight: warmup({ start: 0, end: klWarm }) } : {}) });

  const decode = (v: Record<string, tf.Tensor>, ctx: SiteContext) =>
    ctx.maskedDecoder("decoder", { input: v.z, mask: v.W, hidden: [H, H], firstLayer, scaleIn });
  return observeLikelihood(base, lik, decode, { features: G, sigmaDf: df, sigmaScale: s });
}

/** The zoo entry. */
export const sparseVae: ZooEntry<SparseVaeConfig, ReturnType<typeof buildSparseVae>> = {
  name: "sparseVae",
  title: "Sparse VAE: spike-and-slab-lasso mask between factors and features",
  reference: "Moran, Sridhar, Wang, Blei. Identifiable Deep Generative Models via Sparse Decoding. TMLR 2022.",
  spec: "specs/sparse-vae.md",
  defaults: { factors: 5, hidden: 50, spike: 10, slab: 1, etaA: 1, sigmaDf: 3, likelihood: "gaussian", form: "normalised", variant: "default", priorWarmup: PRIOR_WARMUP, klWarmup: KL_WARMUP },
  optional: ["etaB", "sigmaScale", "encoderInput", "scaleIn", "priorNormalisation", "klNormalisation", "maskInitSd", "maskInit", "maskLearningRate", "libraryOffset", "librarySize", "priorWarmupSteps", "klWarmupSteps"],
  build: buildSparseVae,
  defaultData: "synthetic:moran?rho=0.6",
  renderShape: { features: 7 },
  training: { epochs: 200, batchSize: 100, learningRate: 1e-2, normalisation: "reference" },
};
