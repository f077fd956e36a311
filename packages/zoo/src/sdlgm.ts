/**
 * SDLGM-style models (Xu, Onoro Rubio, Serra, Niepert, "Learning Sparsity of Representations with
 * Discrete Latent Variables", IJCNN 2021; specs/sdlgm.md). **Reconstructed** from the abstract:
 * only the abstract could be verified, every method detail below is the spec's reconstruction.
 *
 * Each observation's code is a cardinality-capped local mask site: a level L_i ≤ L0 and L0 indices
 * drawn by two Gumbel-Softmax relaxations (`cappedSparseCode`: without replacement by default, so
 * |b_i| = L_i exactly), z_i = b_i ⊙ v_i; the rate is the distribution's analytic KL
 * KL_cat(L) + Σ_l P(L ≥ l) KL_cat(c) + KL_normal(v).
 *
 * - `sdlgm`: the unsupervised model, x_i ~ p(x | z_i), with a uniform, learned or empirical prior on L.
 * - `kSparse`: the same with the level fixed at L0 (a fixed top-k code, k = L0), the spec's baseline.
 * - `sdlgmTags`: the supervised multi-label variant: the tag set y_i (|y_i| ≤ L0) plays the role of
 *   b_i; the encoder is the predictor, trained by the relaxed likelihood of y_i (below); the
 *   prediction is L̂ = argmax q(L | x) and the top-L̂ tags, an adaptive number of tags per row.
 * - `topKTags`: `sdlgmTags` with the number of tags fixed at k (the fixed top-k baseline).
 *
 * With a linear decoder and a Gaussian likelihood, `refine` (default there) makes evaluation infer
 * the code under the fitted model: the support's posterior mode by local moves from the encoder's
 * prediction, the slab's exact conditional mean (./linear-gaussian-support.ts).
 *
 * @example
 * ```ts
 * const m = sdlgm.build({ features: 100 });      // K = 50, L0 = 5, linear decoder, Gaussian
 * ```
 */
import { tf, model, gumbelSoftmax, exponentialDecay, warmup, unitIntervalSchedule, type ScheduleLike, type SiteContext } from "@sparse-dgm/core";
import { cappedSparseCode, cappedFixedLevel, normal, bernoulli, poisson, type CappedSparseCode } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { linearGaussianRefiner } from "./linear-gaussian-support.js";
import { bool, positiveInt, positiveIntList, positiveNumber, positiveSchedule, oneOf, likelihoodFor, type DataShape, type ZooEntry } from "./entry.js";

/** Hyperparameters of the SDLGM-style models. */
export interface SdlgmConfig {
  /** Representation width K (the number of tags for `sdlgmTags`: set from the data). */
  latents: number;
  /** Cap L0 on the number of non-zeros. */
  maxActive: number;
  /** Decoder: "linear" (for the linear synthetic benchmark) or "mlp" (256-512). */
  decoder: "linear" | "mlp";
  /** Encoder hidden widths. */
  hidden: number[];
  /** p(x | z): "gaussian" (fixed scale `noiseScale`), "bernoulli" (logits) or "poisson" (log rate). Default: from the data's kind. */
  likelihood: "gaussian" | "bernoulli" | "poisson";
  /** Observation noise scale of the Gaussian likelihood. */
  noiseScale: number;
  /** Straight-through (hard forward, soft backward) draws of both categoricals. */
  straightThrough: boolean;
  /**
   * The share h of the hard forward pass over the optimiser steps, a schedule (or number) in [0, 1],
   * when `straightThrough` is false: the draws are (1 − h)·relaxed + h·hard with the relaxed
   * backward pass, so a warm-up of h from 0 to 1 late in the run ends on straight-through draws.
   */
  hardness: ScheduleLike;
  /** The L0 indices drawn "withoutReplacement" (|b| = L exactly; default) or "withReplacement" (|b| ≤ L). */
  sampling: "withoutReplacement" | "withReplacement";
  /**
   * The prior on L: "uniform", "learned" (global logits trained with the model) or "empirical" (the
   * data's tag-count distribution; multi-label data only).
   */
  levelPrior: "uniform" | "learned" | "empirical";
  /**
   * Gumbel-Softmax temperature of both draws, a schedule over optimiser steps. Default
   * exponentialDecay(5 → 0.5, rate 9.2e-4 per step, updated every 50 steps), reaching its floor
   * at step 2,500 of the default run's 3,950: the spec's Jang et al. form (τ = max(0.5, e^(−rt)))
   * started hotter and decayed faster. Measured (docs/zoo/sdlgm.md): started at 1 (the spec's)
   * or below, q(L | x) collapses to one level and one unit within a few hundred steps, before the
   * index logits have learned anything; started at 5 the code is nearly dense and deterministic at
   * first (soft picks spread over all units) and sparsifies as τ falls. The spec's r = 1e-5 would
   * reach 0.5 only at step 69,000.
   */
  temperature: ScheduleLike;
  /** Fix the level at this many units (a fixed top-k code); unset: the level is inferred per row. */
  fixedLevel?: number;
  /** Steps over which the code's KL weight rises from 0 to 1 (Bowman et al. 2016), as the VAEs' option; 0 = none. */
  klWarmupSteps: number;
  /** Initial slab scale σ of the guide (its log-variance head's bias starts at 2 log σ0); unset: σ ≈ 1. */
  slabScaleInit?: number;
  /**
   * Couples the guide's selection to the slab: index logits + w·|μ_k| (w = this), so the units
   * with the largest slab means are the likeliest picks, as a k-sparse autoencoder selects its
   * largest activations. 0 = the separate index head alone.
   */
  indexFromSlab: number;
  /**
   * Couples the guide's level to the slab: level logits + w·(a_(1) + … + a_(l)), a_(j) the j-th
   * largest |μ_k| (w = this), so the level counts the units whose slab means are large, as
   * `indexFromSlab` selects them. 0 = the separate level head alone.
   */
  levelFromSlab: number;
  /**
   * The level counts the slab magnitudes above one learned per-row threshold θ: level logits
   * w·Σ_{j ≤ l} (a_(j) − θ) with w = `levelFromSlab` (> 0), concave in l, so no level can be skipped;
   * false: the level head's free per-level logits plus the `levelFromSlab` term.
   */
  levelThreshold: boolean;
  /**
   * Inference at evaluation (the predicted code, the sampled code, the held-out ELBO's rate):
   * false = the amortised encoder's prediction; true = the model's own posterior mode over supports,
   * found by single-unit moves (add, drop, swap) from the encoder's predicted support, scored in
   * closed form by log p(x | S) + log p(S), with the slab's exact conditional posterior mean on it
   * (`linearGaussianRefiner`, packages/zoo/src/linear-gaussian-support.ts). Needs the linear decoder,
   * the Gaussian likelihood and indices drawn without replacement. Training is the same either way.
   */
  refine: boolean;
}

/** The supervised variant's own options. */
export interface SdlgmTagsConfig extends SdlgmConfig {
  /** Weight of the unsupervised ELBO (reconstruction of x and the code's KL) beside the tag likelihood; 0 = a pure predictor. */
  reconstruction: number;
}

/** The data statistics the SDLGM builders read. */
type SdlgmShape = DataShape & { stats?: DataShape["stats"] & { tagCountDistribution?: number[]; tags?: number } };

/**
 * The unsupervised entries' default `indexFromSlab` (the multi-label ones: 0, their slab is not
 * trained unless `reconstruction` > 0). Measured in docs/zoo/sdlgm.md: with the separate index head
 * alone the code settles on a rotated dictionary (support F1 0.46, MSE 0.05 at 2,000 steps).
 */
const SLAB_COUPLING = 5;

/**
 * The unsupervised entries' default `levelFromSlab` (the multi-label ones: 0, their slab is not
 * trained unless `reconstruction` > 0; a fixed level has no level logits). Measured in
 * docs/zoo/sdlgm.md (one seed, 2,000 steps at n = 3,000): with the level head alone q(L | x) hardly
 * depends on the row's true level (levelAccuracy 0.26, support F1 0.705); with w = 5, 0.48 and
 * 0.83; w = 20 is worse (0.28: the level sticks at 3).
 */
const LEVEL_COUPLING = 5;

/**
 * The unsupervised entries' default `levelThreshold` (where `levelFromSlab` > 0). Measured in
 * docs/zoo/sdlgm.md: at the benchmark's full size the free per-level logits collapse (seed 0 never
 * predicts 2 units, seed 1 never 2 or 3; levelAccuracy 0.477 / 0.415, support F1 0.791 / 0.757);
 * the threshold uses every level (0.502 / 0.569, F1 0.819 / 0.837). At n = 3,000 it scores a little
 * lower (seed 0: 0.464 against 0.482).
 */
const LEVEL_THRESHOLD = true;

/**
 * The unsupervised entries' default `refine`, where it applies (a linear decoder, a Gaussian
 * likelihood, indices without replacement; elsewhere false). Measured in docs/zoo/sdlgm.md ("Inference
 * under the model"): at the benchmark's full size (5 seeds, the same fits) the amortised encoder's
 * code reconstructs the held-out rows with MSE 0.0280 (sampled 0.0316), the model's own posterior
 * mode on the fitted decoder with 0.0132 (sampled 0.0135), level accuracy 0.53 → 0.70, support F1
 * 0.83 → 0.92; training is the same.
 */
const REFINE = true;

const DEFAULT_TEMPERATURE = exponentialDecay({ initial: 5, rate: 9.2e-4, every: 50, min: 0.5 });

/**
 * The default share of the hard forward pass: 0 until the temperature's floor (step 2,500), rising to
 * 1 by step 3,000, so the last 950 steps of the default run train on straight-through draws, the
 * code the prediction uses. Measured (docs/zoo/sdlgm.md): relaxed draws to the end leave the soft
 * picks leaking mass to every unit, which an extra level partly recovers, so the code over-selects.
 */
const DEFAULT_HARDNESS: ScheduleLike = warmup({ from: 0, to: 1, start: 2500, end: 3000 });

function levelPriorLogits(name: string, kind: SdlgmConfig["levelPrior"], L0: number, shape: SdlgmShape): tf.Tensor | undefined {
  if (kind === "uniform" || kind === "learned") return undefined;
  const dist = shape.stats?.tagCountDistribution;
  if (!dist) throw new Error(`${name}: levelPrior "empirical" needs multi-label data (the tag-count distribution of the training rows); use "uniform" or "learned"`);
  // P(L = l), l = 1..L0, from the share of rows with l tags (rows with more than L0 tags count as L0), floored at 1e-3
  const p = Array.from({ length: L0 }, (_, l) => (l + 1 < L0 ? dist[l + 1] ?? 0 : dist.slice(L0).reduce((a, b) => a + b, 0)));
  const total = p.reduce((a, b) => a + b, 0) || 1;
  return tf.tensor1d(p.map((v) => Math.log(Math.max(v / total, 1e-3))));
}

/** The declaration shared by every SDLGM-style entry, up to the code site. */
function sdlgmCore(name: string, c: Partial<SdlgmConfig> & SdlgmShape, defaults: { latents: number; indexFromSlab: number; levelFromSlab: number; levelThreshold: boolean; hardness: ScheduleLike; refine: boolean }) {
  const D = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "latents", c.latents ?? defaults.latents);
  const L0 = positiveInt(name, "maxActive", c.maxActive ?? 5);
  if (L0 > K) throw new Error(`${name}: maxActive (${L0}) must be at most latents (${K})`);
  const decoder = oneOf(name, "decoder", c.decoder ?? "linear", ["linear", "mlp"] as const);
  const likelihood = oneOf(name, "likelihood", c.likelihood ?? likelihoodFor(c.kind, { real: "gaussian", binary: "bernoulli", counts: "poisson" }), ["gaussian", "bernoulli", "poisson"] as const);
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  const hidden = positiveIntList(name, "hidden", c.hidden ?? [512, 256]);
  const straightThrough = bool(name, "straightThrough", c.straightThrough ?? false);
  const sampling = oneOf(name, "sampling", c.sampling ?? "withoutReplacement", ["withoutReplacement", "withReplacement"] as const);
  const levelPrior = oneOf(name, "levelPrior", c.levelPrior ?? "uniform", ["uniform", "learned", "empirical"] as const);
  const temperature = positiveSchedule(name, "temperature", c.temperature ?? DEFAULT_TEMPERATURE);
  // straight-through draws are all hard: the default share of the hard pass does not apply to them
  const hardness = unitIntervalSchedule(c.hardness ?? (straightThrough ? 0 : defaults.hardness), `${name}: hardness`);
  if (straightThrough && hardness !== 0) throw new Error(`${name}: hardness is the share of the hard forward pass when straightThrough is false; with straightThrough true every draw is hard (drop one of the two)`);
  const fixedLevel = c.fixedLevel;
  if (fixedLevel !== undefined && !(Number.isInteger(fixedLevel) && fixedLevel >= 1 && fixedLevel <= L0)) {
    throw new Error(`${name}: fixedLevel must be an integer in [1, maxActive = ${L0}], got ${fixedLevel}`);
  }
  if (fixedLevel !== undefined && levelPrior !== "uniform") throw new Error(`${name}: a fixed level has no prior to learn (levelPrior "${levelPrior}")`);
  const empirical = levelPriorLogits(name, levelPrior, L0, c);
  const indexFromSlab = c.indexFromSlab ?? defaults.indexFromSlab;
  if (!(indexFromSlab >= 0) || !Number.isFinite(indexFromSlab)) throw new Error(`${name}: indexFromSlab must be a number >= 0, got ${indexFromSlab}`);
  // a fixed level has no level logits: levelFromSlab and levelThreshold (which shape them) have
  // nothing to act on, so they are refused when given and left out of the recorded config
  if (fixedLevel !== undefined) {
    const given = (["levelFromSlab", "levelThreshold"] as const).filter((k) => c[k] !== undefined);
    if (given.length) {
      throw new Error(`${name}: ${given.map((k) => `${k} (${JSON.stringify(c[k])})`).join(" and ")} ${given.length > 1 ? "have" : "has"} no effect with a fixed level (fixedLevel = ${fixedLevel}: a fixed level has no level logits to shape); drop ${given.length > 1 ? "them" : "it"}`);
    }
  }
  const levelFromSlab = fixedLevel !== undefined ? 0 : (c.levelFromSlab ?? defaults.levelFromSlab);
  if (!(levelFromSlab >= 0) || !Number.isFinite(levelFromSlab)) throw new Error(`${name}: levelFromSlab must be a number >= 0, got ${levelFromSlab}`);
  // the default applies where there is a count to threshold (levelFromSlab > 0); asked for explicitly without one, it is refused below
  const levelThreshold = fixedLevel !== undefined ? false : bool(name, "levelThreshold", c.levelThreshold ?? (defaults.levelThreshold && levelFromSlab > 0));
  if (levelThreshold && !(levelFromSlab > 0)) throw new Error(`${name}: levelThreshold counts the slab magnitudes with weight levelFromSlab, which is 0: set levelFromSlab > 0 or levelThreshold false`);
  const klWarm = c.klWarmupSteps ?? 0;
  if (!(klWarm >= 0) || !Number.isFinite(klWarm)) throw new Error(`${name}: klWarmupSteps must be a number of steps >= 0, got ${klWarm}`);
  // the default applies where the support's posterior is closed form; asked for explicitly elsewhere, it is refused below
  const refine = bool(name, "refine", c.refine ?? (defaults.refine && decoder === "linear" && likelihood === "gaussian" && sampling === "withoutReplacement"));
  if (refine) {
    const unmet = [decoder !== "linear" && `decoder "${decoder}" (needs "linear")`, likelihood !== "gaussian" && `likelihood "${likelihood}" (needs "gaussian")`, sampling !== "withoutReplacement" && `sampling "${sampling}" (needs "withoutReplacement")`].filter(Boolean);
    if (unmet.length) throw new Error(`${name}: refine computes the support's posterior in closed form under a linear decoder with a Gaussian likelihood and indices drawn without replacement; not with ${unmet.join(", ")}: set refine false`);
  }
  const config = {
    features: D,
    latents: K,
    maxActive: L0,
    decoder,
    likelihood,
    noiseScale: noise,
    hidden,
    straightThrough,
    sampling,
    levelPrior,
    temperature,
    hardness,
    klWarmupSteps: klWarm,
    indexFromSlab,
    refine,
    // a fixed level: neither is recorded (they have no level logits to act on)
    ...(fixedLevel !== undefined ? { fixedLevel } : { levelFromSlab, levelThreshold }),
  };
  const base = model(name)
    .meta({ reference: "Xu et al. IJCNN 2021 (SDLGM-style, reconstructed)", maxActive: L0, likelihood, config })
    .plate("data")
    .plate("feature", D)
    .plate("latent", K);
  /** The prior of the code, from the (optional) learned level logits. */
  const prior = (learned?: tf.Tensor) =>
    cappedSparseCode({
      levelLogits: fixedLevel !== undefined ? cappedFixedLevel(fixedLevel, L0) : (learned ?? empirical ?? tf.zeros([L0])),
      indexLogits: tf.zeros([K]),
      loc: tf.zeros([K]),
      scale: 1,
      straightThrough,
      withoutReplacement: sampling === "withoutReplacement",
    });
  const mask = {
    rows: "data" as const,
    cols: "latent" as const,
    valueType: "cardinality-capped" as const,
    maxActive: L0,
    estimator: gumbelSoftmax({ temperature, straightThrough }),
    guide: { hidden, withoutReplacement: sampling === "withoutReplacement", ...(fixedLevel !== undefined ? { fixedLevel } : {}), ...(c.slabScaleInit !== undefined ? { slabScaleInit: positiveNumber(name, "slabScaleInit", c.slabScaleInit) } : {}), ...(indexFromSlab > 0 ? { indexFromSlab } : {}), ...(levelFromSlab > 0 ? { levelFromSlab } : {}), ...(levelThreshold ? { levelThreshold } : {}), ...(hardness !== 0 ? { hardness } : {}), ...(refine ? { refine: refiner(L0, noise, levelPrior, fixedLevel, empirical) } : {}) },
    ...(klWarm > 0 ? { klWeight: warmup({ from: 0, to: 1, start: 0, end: klWarm }) } : {}),
    doc: "sparse code with at most L0 active latents per observation",
  };
  const observe = (z: tf.Tensor, ctx: SiteContext) => {
    const out = ctx.layout(decoder === "linear" ? ctx.mlp("decoder", { input: z, hidden: [], output: D }) : ctx.mlp("decoder", { input: z, hidden: [256, 512], output: D }), ["data", "feature"]);
    return likelihood === "bernoulli" ? bernoulli({ logits: out }) : likelihood === "poisson" ? poisson(tf.exp(tf.clipByValue(out, -20, 20))) : normal(out, noise);
  };
  return { base, prior, mask, observe, L0, K, levelPrior, fixedLevel };
}

/** The decoder's dense layer in the parameter store (`ctx.mlp("decoder")` with no hidden layer). */
const DECODER_KERNEL = "mlp/decoder/0/kernel";
const DECODER_BIAS = "mlp/decoder/0/bias";

/** `refine`: the linear-Gaussian refiner of the code, with the model's prior on the level (uniform, learned, empirical or fixed). */
function refiner(L0: number, noiseScale: number, levelPrior: SdlgmConfig["levelPrior"], fixedLevel: number | undefined, empirical: tf.Tensor | undefined) {
  const logSoftmax = (v: ArrayLike<number>) => {
    const top = Math.max(...Array.from(v));
    const lse = top + Math.log(Array.from(v).reduce((a, b) => a + Math.exp(b - top), 0));
    return Array.from(v, (u) => u - lse);
  };
  const fixed = fixedLevel !== undefined ? [Array.from({ length: L0 }, (_, l) => (l + 1 === fixedLevel ? 0 : -Infinity))] : undefined;
  const given = empirical ? [logSoftmax(empirical.dataSync())] : [Array.from({ length: L0 }, () => -Math.log(L0))];
  return linearGaussianRefiner({
    observed: "x",
    kernel: DECODER_KERNEL,
    bias: DECODER_BIAS,
    noiseScale,
    levelLogProbs: (g) => {
      if (fixed) return fixed;
      if (levelPrior !== "learned") return given;
      // the learned logits, [(R,) 1, 1, 1, L0]: one row of L0 per replica
      const v = g.params.get("site/levelPrior").dataSync();
      return Array.from({ length: v.length / L0 }, (_, r) => logSoftmax(v.subarray(r * L0, (r + 1) * L0)));
    },
  });
}

/** The code site z on a model, its prior's level logits a declared param when `levelPrior` is "learned". */
function withCode(s: ReturnType<typeof sdlgmCore>, base: ReturnType<typeof sdlgmCore>["base"], mask: Omit<ReturnType<typeof sdlgmCore>["mask"], "klWeight"> & { klWeight?: ScheduleLike }) {
  return s.levelPrior === "learned"
    ? base
        .param("levelPrior", () => tf.zeros([s.L0]), { event: [s.L0], doc: "learned logits of the prior on the level L" })
        // the param's canonical value is [..replicas, 1, 1, 1, L0] (one per plate); the code's batch is [..replicas, B, 1]
        .mask("z", ({ levelPrior }) => s.prior(tf.reshape(levelPrior, [...levelPrior.shape.slice(0, -4), 1, 1, s.L0])), mask)
    : base.mask("z", () => s.prior(), mask);
}

/** `sdlgm` (and `kSparse`): the unsupervised model. */
export function buildSdlgm(c: Partial<SdlgmConfig> & SdlgmShape, name = "sdlgm") {
  const s = sdlgmCore(name, c, { latents: 50, indexFromSlab: SLAB_COUPLING, levelFromSlab: LEVEL_COUPLING, levelThreshold: LEVEL_THRESHOLD, hardness: DEFAULT_HARDNESS, refine: REFINE });
  return withCode(s, s.base, s.mask).observe("x", ({ z }, ctx) => s.observe(z, ctx), { plates: ["data", "feature"] });
}

/**
 * A lower bound on log q(y | x), the probability that the capped code's two-step sampler draws the
 * tag set y, the supervised variant's relaxed likelihood [recon]: log q(L = |y|) plus
 * log P(every tag of y is drawn before every other tag) ≥ Σ_{t ∈ y} log ρ_t / (ρ_t + Σ_{k ∉ y} ρ_k)
 * (Gumbel top-k draws: given the largest perturbed score among the other tags, the events "tag t
 * beats it" are independent and each decreasing in it, so their probabilities multiply to a lower
 * bound, Harris's inequality). Symmetric in the tags and free of sorting, so every op has a
 * gradient. Rows with no tags score 0; the level term uses min(|y|, L0).
 *
 * @param q - the guide's capped code, batch [..., B], width T.
 * @param y - the tag sets in the code's batch shape, [..., T] (0/1).
 * @returns per-row lower bounds [..., B].
 */
export function tagLogLikelihood(q: CappedSparseCode, y: tf.Tensor, fixedLevel = false): tf.Tensor {
  return tf.tidy(() => {
    const L0 = q.maxLevel;
    const rho = q.indexLogits; // normalised log-probabilities [..., T]
    const count = tf.sum(y, -1); // [...]
    const others = tf.logSumExp(tf.add(rho, tf.mul(y, -1e9)), -1, true); // log Σ_{k ∉ y} ρ_k, [..., 1]
    const each = tf.neg(tf.softplus(tf.sub(others, rho))); // log ρ_t/(ρ_t + others) = −softplus(log others − log ρ_t)
    const setTerm = tf.sum(tf.mul(y, each), -1);
    const has = tf.cast(tf.greater(count, 0), "float32");
    if (fixedLevel) return tf.mul(setTerm, has);
    const level = tf.cast(tf.maximum(tf.sub(tf.minimum(count, L0), 1), 0), "int32");
    const levelTerm = tf.sum(tf.mul(tf.oneHot(level, Math.max(L0, 2)).slice([...level.shape.map(() => 0), 0], [...level.shape, L0]), q.levelLogits), -1);
    return tf.mul(tf.add(levelTerm, setTerm), has);
  });
}

/** `sdlgmTags` (and `topKTags`): the supervised multi-label variant. */
export function buildSdlgmTags(c: Partial<SdlgmTagsConfig> & SdlgmShape, name = "sdlgmTags") {
  const tags = c.stats?.tags;
  if (c.refine) throw new Error(`${name}: refine infers the code under the decoder of x; the tag entries predict tags from the encoder: set refine false`);
  const s = sdlgmCore(name, { ...c, latents: c.latents ?? tags }, { latents: tags ?? 50, indexFromSlab: 0, levelFromSlab: 0, levelThreshold: false, hardness: 0, refine: false });
  if (tags !== undefined && s.K !== tags) throw new Error(`${name}: latents (${s.K}) must equal the data's number of tags (${tags})`);
  const rec = c.reconstruction ?? 0;
  if (!(rec >= 0) || !Number.isFinite(rec)) throw new Error(`${name}: reconstruction must be a number >= 0, got ${rec}`);
  if (rec === 0) {
    // the objective is then the tag likelihood alone, which reads only the encoder's logits: the
    // code's prior, its relaxed draw and the decoder enter with weight 0
    const inert = TAG_INERT.filter((k) => c[k] !== undefined && JSON.stringify(c[k]) !== JSON.stringify(tagsDefaults[k]));
    if (inert.length)
      throw new Error(
        `${name}: ${inert.map((k) => `${k}=${JSON.stringify(c[k])}`).join(", ")} ${inert.length > 1 ? "have" : "has"} no effect at reconstruction 0 (the objective is the tag likelihood alone, which reads only the encoder's level and tag logits; the code's prior, its relaxed draw and the decoder enter with weight 0): set reconstruction > 0 or drop ${inert.length > 1 ? "them" : "it"}`,
      );
  }
  const fixed = s.fixedLevel !== undefined;
  // the code's KL: weight rec, warmed up 0 → rec over klWarmupSteps (was overwritten by rec)
  const klWarm = c.klWarmupSteps ?? 0;
  const klWeight = klWarm > 0 && rec > 0 ? warmup({ from: 0, to: rec, start: 0, end: klWarm }) : rec;
  const base = s.base.meta({ config: { ...(s.base.ir.meta.config as Record<string, unknown>), reconstruction: rec } });
  return withCode(s, base, { ...s.mask, klWeight, doc: "the predicted tag set (the code's support), at most L0 tags per row" })
    .side("tags", { event: [s.K], doc: "the tags of each row (0/1 per tag)" })
    .factor(
      "tagLikelihood",
      (_sites, ctx) => {
        const q = ctx.posterior("z") as unknown as CappedSparseCode | undefined;
        const y = ctx.observed("tags");
        if (!q || !y) return tf.scalar(0);
        // the code's canonical batch is [(R,) B, 1]; per data point, as the objective divides distortion and rate by B
        const ll = tagLogLikelihood(q, tf.reshape(y, q.indexLogits.shape), fixed);
        return tf.div(ll, y.shape[y.rank - 2]);
      },
      { term: "auxiliary", doc: "log q(y | x): the relaxed likelihood of the tag set" },
    )
    .observe("x", ({ z }, ctx) => s.observe(z, ctx), { plates: ["data", "feature"], weight: rec });
}

/** The spec's suggested sizes (Adam, batch 128, 50 epochs); the learning rate of the unsupervised code 3e-3 (1e-3 learned nothing in 600 steps, docs/zoo/sdlgm.md). */
const training = { epochs: 50, batchSize: 128, learningRate: 3e-3, normalisation: "elbo" as const };
/** The multi-label predictors: the spec's Adam 1e-3. */
const tagTraining = { ...training, learningRate: 1e-3 };
const sdlgmDefaults: SdlgmConfig = {
  latents: 50,
  maxActive: 5,
  decoder: "linear",
  hidden: [512, 256],
  likelihood: "gaussian",
  noiseScale: 0.1,
  straightThrough: false,
  sampling: "withoutReplacement",
  levelPrior: "uniform",
  temperature: DEFAULT_TEMPERATURE,
  hardness: DEFAULT_HARDNESS,
  klWarmupSteps: 0,
  indexFromSlab: SLAB_COUPLING,
  levelFromSlab: LEVEL_COUPLING,
  levelThreshold: LEVEL_THRESHOLD,
  refine: REFINE,
};

/** The `sdlgm` entry. */
export const sdlgm: ZooEntry<SdlgmConfig, ReturnType<typeof buildSdlgm>> = {
  name: "sdlgm",
  title: "SDLGM-style cardinality-capped sparse codes via two Gumbel-Softmax draws (reconstructed)",
  reference: "Xu, Onoro Rubio, Serra, Niepert. Learning Sparsity of Representations with Discrete Latent Variables. IJCNN 2021.",
  spec: "specs/sdlgm.md",
  defaults: sdlgmDefaults,
  optional: ["fixedLevel"],
  build: (c) => buildSdlgm(c),
  defaultData: "synthetic:sparse-linear",
  renderShape: { features: 100 },
  training,
};

/**
 * The options of a fixed-level entry (`kSparse`, `topKTags`): its variable-level entry's, without
 * `levelFromSlab` and `levelThreshold`, which act on the level logits a fixed level does not have
 * (given, they are refused).
 */
function withoutLevelOptions<C extends SdlgmConfig>(defaults: C): Omit<C, "levelFromSlab" | "levelThreshold"> {
  const { levelFromSlab: _w, levelThreshold: _t, ...rest } = defaults;
  return rest;
}

/** The `kSparse` entry: `sdlgm` with every row using exactly L0 units (a fixed top-k code). */
export const kSparse: ZooEntry<SdlgmConfig, ReturnType<typeof buildSdlgm>> = {
  ...sdlgm,
  defaults: withoutLevelOptions(sdlgmDefaults) as SdlgmConfig,
  name: "kSparse",
  title: "Fixed top-k sparse code (k = L0): SDLGM's baseline without the per-row level",
  reference: "The k-sparse / fixed top-k baseline of specs/sdlgm.md §3 (cf. Makhzani & Frey, k-Sparse Autoencoders, ICLR 2014).",
  spec: "specs/sdlgm.md §3",
  // accepted as options so that giving one is refused with the reason (a fixed level), not as unknown
  optional: ["levelFromSlab", "levelThreshold"],
  build: (c) => buildSdlgm({ ...c, fixedLevel: c.fixedLevel ?? c.maxActive ?? 5 }, "kSparse"),
};

const tagsDefaults: SdlgmTagsConfig = { ...sdlgmDefaults, indexFromSlab: 0, levelFromSlab: 0, levelThreshold: false, hardness: 0, refine: false, reconstruction: 0 };
/** The options of the tag entries that act only through the ELBO of x (reconstruction > 0): refused at reconstruction 0 unless at their defaults. */
const TAG_INERT = ["levelPrior", "temperature", "straightThrough", "sampling", "klWarmupSteps", "noiseScale", "decoder", "likelihood"] as const;

/** The `sdlgmTags` entry. */
export const sdlgmTags: ZooEntry<SdlgmTagsConfig, ReturnType<typeof buildSdlgmTags>> = {
  name: "sdlgmTags",
  title: "SDLGM-style multi-label prediction: an adaptive number of tags per row (reconstructed)",
  reference: sdlgm.reference,
  spec: "specs/sdlgm.md §1 (supervised variant)",
  defaults: tagsDefaults,
  optional: ["fixedLevel"],
  build: (c) => buildSdlgmTags(c),
  defaultData: "synthetic:tags",
  renderShape: { features: 100, stats: { tags: 50 } } as DataShape,
  training: tagTraining,
};

/** The `topKTags` entry: `sdlgmTags` predicting a fixed number of tags k for every row (default: the mean training tag count, rounded). */
export const topKTags: ZooEntry<SdlgmTagsConfig, ReturnType<typeof buildSdlgmTags>> = {
  ...sdlgmTags,
  defaults: withoutLevelOptions(tagsDefaults) as SdlgmTagsConfig,
  name: "topKTags",
  title: "Fixed top-k multi-label prediction (k = the rounded mean tag count): the baseline of the adaptive tag count",
  reference: "The fixed top-k baseline of specs/sdlgm.md §3.",
  spec: "specs/sdlgm.md §3",
  optional: ["fixedLevel", "levelFromSlab", "levelThreshold"],
  build: (c) => {
    const dist = (c as SdlgmShape).stats?.tagCountDistribution;
    const mean = dist ? dist.reduce((a, p, l) => a + p * l, 0) : 1;
    const L0 = c.maxActive ?? 5;
    return buildSdlgmTags({ ...c, fixedLevel: c.fixedLevel ?? Math.min(L0, Math.max(1, Math.round(mean))) }, "topKTags");
  },
};
