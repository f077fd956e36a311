/**
 * Variational Sparse Coding (Tonolini, Jensen, Murray-Smith, UAI 2019; specs/vsc.md part b0) in
 * the DSL. The latent code is a **local binary mask site**: z_i = b_i ⊙ v_i with a spike-and-slab
 * prior (Dirac spike, Gaussian slab), inferred with the threshold-sigmoid relaxation and the slab
 * warm-up, and scored with the analytic spike-and-slab KL.
 *
 * - `vsc`: the fixed-α prior of the ICLR version (the PyTorch reproduction's settings).
 * - `vscVampPrior`: the UAI version's pseudo-input recognition prior with its J·KL(ḡ ‖ α) term.
 * - `vscClass`: `vsc` plus the class-consistency Jensen-Shannon term (Sangari Abiz et al. 2025).
 *
 * @example
 * ```ts
 * const m = vsc.build({ features: 784 });    // 784-400-200, α = 0.01
 * ```
 */
import { tf, Key, model, thresholdSigmoid, warmup, linear, type SiteContext, type ScheduleLike } from "@sparse-dgm/core";
import { spikeAndSlab, bernoulli, normal, pseudoInputSpikeSlab, type SpikeAndSlab } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveNumber, positiveSchedule, openUnit, oneOf, likelihoodFor, warmupSteps, runMeta, type DataShape, type ZooEntry } from "./entry.js";

/** Hyperparameters of VSC. */
export interface VscConfig {
  /** Latent dimension J. */
  latents: number;
  /** Hidden width of the one-hidden-layer encoder and decoder. */
  hidden: number;
  /** Prior spike (inclusion) probability α. */
  alpha: number;
  /**
   * Threshold-sigmoid sharpness c: a number, or a schedule over optimiser steps. Unset, `vsc` and
   * `vscClass` raise c linearly from 50 to 200 over the whole run (the UAI paper's "gradually from
   * 50 to 200", supp. B.2; the run's steps from {@link DataShape.run}, else {@link VSC_RUN_STEPS}),
   * and `vscVampPrior` and `variant: "reference"` keep c = 50 (the PyTorch reproduction's; the TF
   * code uses 100).
   */
  sharpness: ScheduleLike;
  /**
   * Slab warm-up ("spike pre-training", the UAI paper's supp. D): λ = 0 until `warmupStart` of the
   * run, linear to 1 at `warmupEnd`, as fractions of the run's steps. While λ = 0 the slab is noise
   * and the gates alone carry information, so the code forms as a binary, sample-specific one.
   * Default 0.2 and 0.3 for `vsc` and `vscClass` (the paper's 15,000 and 20,000 of about 70,000
   * iterations); 0 (off) for `vscVampPrior` and `variant: "reference"` (the PyTorch reproduction has none).
   */
  warmupStart: number;
  warmupEnd: number;
  /**
   * The slab warm-up's start in steps, instead of `warmupStart` (giving both is refused). The
   * recorded config holds the resolved steps of every warm-up (`...Steps`) and no fractions: the
   * steps are what acted, and a build from the recorded config is the same model for any run.
   */
  warmupStartSteps?: number;
  /** The slab warm-up's end in steps, instead of `warmupEnd` (giving both is refused). */
  warmupEndSteps?: number;
  /**
   * Fraction of the run over which the code's KL weight rises from 0 to 1 (Bowman et al. 2016, as
   * `vae`'s `klWarmup`); 0: the full KL from the first step (the papers').
   */
  klWarmup: number;
  /** The KL warm-up in steps, instead of `klWarmup` (giving both is refused). */
  klWarmupSteps?: number;
  /**
   * "bernoulli" (cross-entropy on grey levels, the PyTorch reproduction), "gaussian" (mean
   * sigmoid(out), fixed scale `noiseScale`) or "gaussianHeads" (the UAI paper's decoder, supp. A.1:
   * a sigmoid mean head and a free log-variance head per feature, the variance floored at
   * `noiseScale`²/100 so that constant pixels cannot drive the likelihood to infinity).
   */
  likelihood: "bernoulli" | "gaussian" | "gaussianHeads";
  /** Scale of the "gaussian" likelihood (and 10× the floor of "gaussianHeads"). Default 0.1. */
  noiseScale: number;
  /**
   * The Gaussian likelihoods' mean: "sigmoid" (grey levels in [0, 1], the papers') or "identity"
   * (real-valued data). Default: "sigmoid" for binary data, "identity" otherwise.
   */
  outputMean: "sigmoid" | "identity";
  /**
   * Initial spike probability γ0 of every unit: the v head's bias starts at log γ0. Unset (the
   * reference codes' default initialisation), about half the units start at γ = 1, where
   * log γ = −relu(−v) passes no gradient, and stay on for every input.
   */
  inclusionInit?: number;
  /**
   * The spike head: "relu" (log γ = −relu(−v), the VSC papers' and the reference codes'; a unit
   * at γ = 1 gets no gradient) or "sigmoid" (γ = sigmoid(v), a gradient everywhere). Default:
   * "sigmoid" for `vsc` and `vscClass`, "relu" for `vscVampPrior` and `variant: "reference"`.
   */
  spikeHead: "relu" | "sigmoid";
}

/** `vsc` and `vscClass`: which settings the unset spike head and sharpness take. */
export interface VscFixedConfig extends VscConfig {
  /**
   * "default": the sigmoid spike head and c rising from 50 to 200 over the run, the settings whose
   * codes are sample-specific on Smiley and Fashion-MNIST (docs/zoo/vsc.md, "Defaults"); or
   * "reference": the papers' relu head and c = 50 (the PyTorch reproduction's, whose Fashion-MNIST
   * ELBO the project matches), under which most runs on Smiley give every image the same code.
   */
  variant: "default" | "reference";
}

/** Weight and variant of the class-consistency term. */
export interface VscClassConfig extends VscFixedConfig {
  /** λ of L_JSD (swept over 0.1, 1, 10 on Fashion-MNIST); default 3. */
  classWeight: number;
  /** "pairs" (same-class pairs, default) or "centroid". */
  classVariant: "pairs" | "centroid";
  /**
   * Fraction of the run over which λ warms up from 0 after the slab warm-up ends; default 0: λ at
   * full weight from the first step (see {@link vscClassDefaults} for the measured reason).
   */
  classWarmup: number;
  /** The class warm-up in steps, instead of `classWarmup` (giving both is refused; the recorded config holds the steps only). */
  classWarmupSteps?: number;
}

/** Pseudo-input settings of the UAI version. */
export interface VscVampConfig extends VscConfig {
  /** Number of pseudo-inputs P. */
  pseudoInputs: number;
  /** Sharpening ν of the pseudo-input spike probabilities. */
  sharpen: number;
}

/**
 * The run length `vsc`'s and `vscClass`'s run-relative schedules resolve against when the build is
 * not told the run's steps: five Fashion-MNIST epochs at batch 32 (the papers' benchmark).
 */
export const VSC_RUN_STEPS = 9375;

/** `vsc`'s and `vscClass`'s default slab warm-up, as fractions of the run: λ = 0 until 20 %, 1 from 30 %. */
export const SLAB_WARMUP = [0.2, 0.3] as const;

/** `vsc`'s and `vscClass`'s default KL warm-up: the code's KL weight rises from 0 to 1 over the first half of the run. */
export const KL_WARMUP = 0.5;

/** The papers' spike head and sharpness (the PyTorch reproduction's): `variant: "reference"`, and `vscVampPrior`'s. */
export const vscReferenceSettings = { spikeHead: "relu", sharpness: 50 } as const satisfies Partial<VscConfig>;

/**
 * The spike head and sharpness an entry builds with: those given, else its variant's. "default":
 * the sigmoid head and c linear from 50 to 200 over the run's steps; "reference": the papers'.
 */
function fixedSettings(name: string, c: Partial<VscFixedConfig> & DataShape): { given: Partial<VscConfig>; fallbacks: WarmupFallbacks; variant: "default" | "reference" } {
  const variant = oneOf(name, "variant", c.variant ?? "default", ["default", "reference"] as const);
  if (variant === "reference") {
    if (c.spikeHead !== undefined && c.spikeHead !== vscReferenceSettings.spikeHead) {
      throw new Error(`${name}: variant "reference" uses the papers' relu spike head; spikeHead ${JSON.stringify(c.spikeHead)} contradicts it`);
    }
    return { given: { spikeHead: vscReferenceSettings.spikeHead, sharpness: c.sharpness ?? vscReferenceSettings.sharpness }, fallbacks: NO_WARMUPS, variant };
  }
  const steps = c.run?.steps ?? VSC_RUN_STEPS;
  return {
    given: { spikeHead: c.spikeHead ?? "sigmoid", sharpness: c.sharpness ?? linear({ from: 50, to: 200, steps: Math.max(1, steps) }) },
    fallbacks: { warmupStart: SLAB_WARMUP[0], warmupEnd: SLAB_WARMUP[1], klWarmup: KL_WARMUP },
    variant,
  };
}

/** The warm-up fractions an entry (or variant) uses for those not given. */
interface WarmupFallbacks {
  warmupStart: number;
  warmupEnd: number;
  klWarmup: number;
}

/** No warm-ups: `vscVampPrior`'s and `variant: "reference"`'s (the PyTorch reproduction has none). */
const NO_WARMUPS: WarmupFallbacks = { warmupStart: 0, warmupEnd: 0, klWarmup: 0 };

function vscCore(name: string, c: Partial<VscConfig> & DataShape, fallbacks: WarmupFallbacks = NO_WARMUPS, variant?: "default" | "reference") {
  const D = positiveInt(name, "features", c.features);
  const J = positiveInt(name, "latents", c.latents ?? 200);
  const H = positiveInt(name, "hidden", c.hidden ?? 400);
  const alpha = openUnit(name, "alpha", c.alpha ?? 0.01);
  const sharpness = positiveSchedule(name, "sharpness", c.sharpness ?? vscReferenceSettings.sharpness);
  const run = c.run ?? { steps: VSC_RUN_STEPS };
  const start = warmupSteps(name, "warmupStart", c.warmupStart, c.warmupStartSteps, run, fallbacks.warmupStart);
  const end = warmupSteps(name, "warmupEnd", c.warmupEnd, c.warmupEndSteps, run, fallbacks.warmupEnd);
  const klWarm = warmupSteps(name, "klWarmup", c.klWarmup, c.klWarmupSteps, run, fallbacks.klWarmup);
  if (end < start) {
    // an end the user did not give is the entry's (variant's) default: say where the 0 came from
    const endGiven = c.warmupEnd !== undefined || c.warmupEndSteps !== undefined;
    if (!endGiven && fallbacks.warmupEnd === 0) {
      const why = variant === "reference" ? `variant "reference" has no slab warm-up (warmupEnd 0)` : `${name} has no slab warm-up by default (warmupEnd 0)`;
      throw new Error(`${name}: ${why}, so a warm-up starting at step ${start} would end before it starts: give warmupEnd (a fraction >= warmupStart) or warmupEndSteps too${variant === "reference" ? ", or leave variant reference (--set variant=default)" : ""}`);
    }
    throw new Error(`${name}: the slab warm-up ends (step ${end}) before it starts (step ${start}); give warmupEnd >= warmupStart (to switch it off: warmupStart 0 and warmupEnd 0)`);
  }
  // the default likelihood follows the data: Bernoulli for binary (and unknown) data, a Gaussian with an identity mean for real data
  const likelihood = oneOf(name, "likelihood", c.likelihood ?? (c.kind === undefined ? "bernoulli" : likelihoodFor(c.kind, { real: "gaussian", binary: "bernoulli", counts: "gaussian" })), ["bernoulli", "gaussian", "gaussianHeads"] as const);
  const outputMean = oneOf(name, "outputMean", c.outputMean ?? (c.kind === undefined || c.kind === "binary" ? "sigmoid" : "identity"), ["sigmoid", "identity"] as const);
  const meanOf = (out: tf.Tensor) => (outputMean === "sigmoid" ? tf.sigmoid(out) : out);
  const noiseScale = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  const inclusionInit = c.inclusionInit === undefined ? undefined : openUnit(name, "inclusionInit", c.inclusionInit);
  const spikeHead = oneOf(name, "spikeHead", c.spikeHead ?? vscReferenceSettings.spikeHead, ["relu", "sigmoid"] as const);
  const slabWarmup = end > 0 ? warmup({ start, end }) : 1;
  const heads = likelihood === "gaussianHeads" ? 2 : 1;
  const decode = (z: tf.Tensor, ctx: SiteContext) => {
    const out = ctx.mlp("decoder", { input: z, hidden: [H], output: heads * D });
    return heads === 1 ? [ctx.layout(out, ["data", "feature"])] : tf.split(out, 2, -1).map((t) => ctx.layout(t, ["data", "feature"]));
  };
  const logFloor = 2 * Math.log(noiseScale / 10);
  // Bernoulli scores grey levels in [0, 1] by cross-entropy, as the reference code does (binary data: the same values)
  const observe = ([out, logVariance]: tf.Tensor[]) =>
    likelihood === "bernoulli"
      ? bernoulli({ logits: out, targets: "fractional" })
      : normal(meanOf(out), logVariance ? tf.exp(tf.mul(0.5, tf.add(logFloor, tf.softplus(tf.sub(logVariance, logFloor))))) : noiseScale);
  /** The code's mask options, shared by every VSC variant (rows = data: one selection per observation). */
  const codeMask = {
    rows: "data",
    cols: "latent",
    valueType: "binary",
    estimator: thresholdSigmoid({ sharpness, slabWarmup }),
    ...(klWarm > 0 ? { klWeight: warmup({ from: 0, to: 1, start: 0, end: klWarm }) } : {}),
    guide: { hidden: [H], spikeHead, ...(inclusionInit === undefined ? {} : { inclusionInit }) },
  } as const;
  const settings = { D, J, H, alpha, sharpness, slabWarmup, likelihood, noiseScale, decode, observe, codeMask };
  const m = model(name)
    .meta({ reference: "Tonolini, Jensen, Murray-Smith. Variational Sparse Coding. UAI 2019.", likelihood, alpha, config: { features: D, latents: J, hidden: H, alpha, sharpness, warmupStartSteps: start, warmupEndSteps: end, klWarmupSteps: klWarm, likelihood, outputMean, noiseScale, spikeHead, ...(inclusionInit === undefined ? {} : { inclusionInit }) } })
    .plate("data")
    .plate("feature", D)
    .plate("latent", J);
  return { m, settings };
}

/** Adds a variant's own options to the recorded config (results rows and checkpoints rebuild from it). */
function withConfig<M extends { ir: { meta: Record<string, unknown> }; meta(e: Record<string, unknown>): M }>(m: M, extra: Record<string, unknown>): M {
  return m.meta({ config: { ...(m.ir.meta.config as Record<string, unknown>), ...extra } });
}

/** `vsc`: the fixed-α spike-and-slab prior. */
export function buildVsc(c: Partial<VscFixedConfig> & DataShape) {
  return fixedPriorVsc("vsc", c);
}

/** The fixed-α VSC declaration under the name of the entry that builds it (`vsc`, `vscClass`), its variant's settings filled in. */
function fixedPriorVsc(name: string, c: Partial<VscFixedConfig> & DataShape) {
  const fixed = fixedSettings(name, c);
  const { m: core, settings: s } = vscCore(name, { ...c, ...fixed.given }, fixed.fallbacks, fixed.variant);
  // the default variant spreads c and the warm-ups over the run: say which run (fit warns if its own differs)
  const m = withConfig(core, { variant: fixed.variant }).meta(fixed.variant === "default" ? runMeta(c.run, VSC_RUN_STEPS) : {});
  return m
    .mask("z", () => spikeAndSlab({ inclusion: s.alpha, loc: 0, scale: 1 }), {
      ...s.codeMask,
      doc: "sparse code: which latents are active for each observation",
    })
    .observe("x", ({ z }, ctx) => s.observe(s.decode(z, ctx)), { plates: ["data", "feature"] });
}

/** `vscVampPrior`: the UAI version's pseudo-input recognition prior. */
export function buildVscVampPrior(c: Partial<VscVampConfig> & DataShape) {
  const { m, settings: s } = vscCore("vscVampPrior", c);
  const P = positiveInt("vscVampPrior", "pseudoInputs", c.pseudoInputs ?? 20);
  const nu = positiveNumber("vscVampPrior", "sharpen", c.sharpen ?? 10);
  return withConfig(m, { pseudoInputs: P, sharpen: nu })
    .plate("pseudo", P)
    .ahead("x")
    .param("pseudoInputs", (_s, _ctx, key?: Key) => tf.tidy(() => tf.sub(tf.mul((key ?? Key.of(0)).uniform([P, s.D]), 2 * Math.sqrt(6 / (P + s.D))), Math.sqrt(6 / (P + s.D)))), {
      event: [P, s.D],
      doc: "pseudo-inputs u_p (Xavier-uniform initialised, as the TF code)",
    })
    .mask(
      "z",
      ({ pseudoInputs }, ctx) => {
        // p(z | x_i) = the recognition model at the pseudo-inputs, selected per observation by s_i = sigmoid(W_s x_i + b_s).
        const x = ctx.observed("x");
        const components = ctx.recognition("z", pseudoInputs) as unknown as SpikeAndSlab;
        const selector = x ? tf.sigmoid(ctx.mlp("selector", { input: x, hidden: [], output: P })) : undefined;
        return pseudoInputSpikeSlab({ components, selector, sharpen: nu, alpha: s.alpha });
      },
      { ...s.codeMask, prior: "pseudo-input recognition prior (VampPrior-like) + J·KL(mean γ ‖ α)" },
    )
    .observe("x", ({ z }, ctx) => s.observe(s.decode(z, ctx)), { plates: ["data", "feature"] });
}

/**
 * vscClass's own defaults (docs/zoo/vsc.md, "Levers measured"): λ = 3 over same-class pairs from the
 * first step (no class warm-up). Measured on Smiley's 2,345 steps (bench/vsc-smiley-trace.ts, seeds
 * 0–4, 1,000 test images): the sample-specific code exists only in the first 10 % of the run (before
 * the KL weight rises), so a λ ramped in after the slab warm-up (the earlier default, λ = 1 over 40 %
 * of the run from 30 %) came too late and left 2 of 5 seeds with one fixed active set; λ = 1 from
 * step 0 left 1 of 5 (within-class Jaccard 0.892–0.984), λ = 3 from step 0 left 1 of 5 with
 * within-class Jaccard 0.948–1 on the other four. Its spike head, sharpness and warm-ups are
 * `vsc`'s, so that the class term is the only difference between the two entries.
 */
export const vscClassDefaults = {
  classWeight: 3,
  classVariant: "pairs",
  classWarmup: 0,
} as const satisfies Partial<VscClassConfig>;

/** `vscClass`: `vsc` + the class-consistency Jensen-Shannon term over same-class pairs. */
export function buildVscClass(c: Partial<VscClassConfig> & DataShape & { classes?: number }) {
  const weight = c.classWeight ?? vscClassDefaults.classWeight;
  if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`vscClass: classWeight must be >= 0, got ${weight}`);
  const variant = oneOf("vscClass", "classVariant", c.classVariant ?? vscClassDefaults.classVariant, ["pairs", "centroid"] as const);
  const classWarmup = warmupSteps("vscClass", "classWarmup", c.classWarmup, c.classWarmupSteps, c.run ?? { steps: VSC_RUN_STEPS }, vscClassDefaults.classWarmup);
  const base = fixedPriorVsc("vscClass", c);
  const end = (base.ir.meta.config as { warmupEndSteps: number }).warmupEndSteps;
  return withConfig(base, { classWeight: weight, classVariant: variant, classWarmupSteps: classWarmup })
    .side("label", { doc: "class label per row (an integer; negative: unlabelled)" })
    .factor(
    "classConsistency",
    (_sites, ctx) => {
      const q = ctx.posterior("z") as unknown as { inclusion?: tf.Tensor } | undefined;
      const labels = ctx.observed("label");
      if (!q?.inclusion || !labels) return tf.scalar(0);
      return tf.neg(classJsd(q.inclusion, labels, variant));
    },
    {
      term: "auxiliary",
      weight: classWarmup > 0 ? warmup({ from: 0, to: weight, start: end, end: end + classWarmup }) : weight,
      doc: `class-consistency JSD (${variant})`,
    },
  );
}

/** Binary entropy in nats, clamped at 1e-6. */
function binaryEntropy(p: tf.Tensor): tf.Tensor {
  const q = tf.clipByValue(p, 1e-6, 1 - 1e-6);
  return tf.neg(tf.add(tf.mul(q, tf.log(q)), tf.mul(tf.sub(1, q), tf.log1p(tf.neg(q)))));
}

const upperCache = new Map<number, Float32Array>();

/** The strictly upper triangle of a B × B matrix of ones, row-major (made once per B on the host). */
function strictlyUpper(B: number): Float32Array {
  let u = upperCache.get(B);
  if (!u) {
    u = new Float32Array(B * B);
    for (let j = 0; j < B; j++) u.fill(1, j * B + j + 1, (j + 1) * B);
    upperCache.set(B, u);
  }
  return u;
}

/**
 * Σ_{j,k} w[r, j, k] Σ_d H(m[r, j, k, d]) with m = clip((γ_j + γ_k)/2), for every replica r: the
 * entropies of the pair midpoints. One custom op with its own gradient,
 * dL/dγ_j = ½ Σ_k (w_jk + w_kj) H'(m_jk) with H'(m) = log((1 − m)/m) (0 where the clip holds m),
 * reusing the forward pass's logarithms, so the [R, B, B, J] midpoints cost a few kernels instead of
 * the tape of every elementwise step.
 *
 * @param g - γ [R, B, J]; @param w - pair weights [R, B, B].
 */
const pairsMidEntropy = tf.customGrad(((g: tf.Tensor, wt: tf.Tensor, save: tf.GradSaveFunc) => {
  const half = tf.mul(g, 0.5);
  const raw = tf.add(tf.expandDims(half, 2), tf.expandDims(half, 1)); // [R, B, B, J]
  const m = tf.clipByValue(raw, 1e-6, 1 - 1e-6);
  const log1mM = tf.log1p(tf.neg(m));
  const slope = tf.sub(log1mM, tf.log(m)); // H'(m) = log((1 − m)/m)
  const hm = tf.sub(tf.mul(m, slope), log1mM); // H(m) = m·H'(m) − log(1 − m)
  const value = tf.sum(tf.mul(tf.sum(hm, 3), wt), [1, 2]); // [R]
  save([raw, m, slope, wt]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [raw2, m2, slope2, w2] = saved;
      const [R, B, , J] = raw2.shape as number[];
      const t = tf.mul(slope2, tf.cast(tf.equal(raw2, m2), "float32")); // the clip passes no gradient
      // m is symmetric in (j, k), so dL/dγ_j = ½ Σ_k (w_jk + w_kj) t_jk: one batched [1, B] × [B, J] product per (r, j)
      const s2 = tf.mul(tf.add(w2, tf.transpose(w2, [0, 2, 1])), tf.reshape(tf.mul(dy, 0.5), [R, 1, 1]));
      const dg = tf.matMul(tf.reshape(s2, [R * B, 1, B]), tf.reshape(t, [R * B, B, J]));
      return [tf.reshape(dg, [R, B, J]), tf.zerosLike(w2)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (g: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/**
 * The class-consistency loss L_JSD (specs/vsc.md b1 §2, this project's reconstruction):
 * "pairs" = mean over same-class pairs j < k of Σ_d JSD(γ_jd, γ_kd); "centroid" = mean over
 * classes of Σ_d [H(γ̄_cd) − mean_j H(γ_jd)]. Labels < 0 (missing) are ignored. Vectorised.
 *
 * @param gamma - spike probabilities [B, J] or [R, B, J] (extra size-1 axes allowed).
 * @param labels - class per row [B], or [R, B] with replicas; negative = missing.
 * @returns the loss, a scalar (or [R]).
 */
export function classJsd(gamma: tf.Tensor, labels: tf.Tensor, variant: "pairs" | "centroid" = "pairs"): tf.Tensor {
  return tf.tidy(() => {
    // Work on a leading replica axis throughout: [R, B, J] and [R, B] (R = 1 without replicas).
    const replicated = labels.rank === 2;
    const y = replicated ? labels : tf.expandDims(tf.reshape(labels, [-1]), 0);
    const [R, B] = y.shape as [number, number];
    const g = tf.reshape(gamma, [R, B, -1]);
    const valid = tf.cast(tf.greaterEqual(y, 0), "float32"); // [R, B]
    // same[r, j, k] = 1 when rows j and k are labelled with the same class (j = k included)
    const same = tf.mul(tf.cast(tf.equal(tf.expandDims(y, 2), tf.expandDims(y, 1)), "float32"), tf.mul(tf.expandDims(valid, 2), tf.expandDims(valid, 1)));
    const h = binaryEntropy(g); // [R, B, J]
    let out: tf.Tensor;
    if (variant === "pairs") {
      const upper = tf.tensor2d(strictlyUpper(B), [B, B]); // j < k (a constant: no per-step kernels)
      const pairs = tf.mul(same, upper); // [R, B, B]
      const w = tf.div(pairs, tf.expandDims(tf.expandDims(tf.maximum(tf.sum(pairs, [1, 2]), 1), 1), 2)); // 1/(pairs of replica r)
      // Σ_{j<k} w_jk Σ_d [H((γ_jd + γ_kd)/2) − (H(γ_jd) + H(γ_kd))/2]; the second part is Σ_j H(γ_j)·(row + column sums of w)_j / 2.
      const own = tf.sum(tf.mul(tf.sum(h, 2), tf.add(tf.sum(w, 2), tf.sum(w, 1))), 1); // [R]
      out = tf.sub(pairsMidEntropy(g, w), tf.div(own, 2));
    } else {
      // Seen from each labelled row j of class c: its class's size n_c, centroid γ̄_c and mean entropy.
      // Σ_{j in c} t_j / n_c = Σ_d [H(γ̄_cd) − mean_{j in c} H(γ_jd)], so the class mean needs no class count or host read.
      const size = tf.sum(same, 2); // [R, B]: n_c(j), 0 for unlabelled rows
      const denom = tf.expandDims(tf.maximum(size, 1), 2);
      const centroid = tf.div(tf.matMul(same, g), denom); // [R, B, J]
      const t = tf.sum(tf.sub(binaryEntropy(centroid), h), -1); // [R, B]
      const perRow = tf.div(valid, tf.maximum(size, 1)); // 1/n_c(j) for labelled rows
      out = tf.div(tf.sum(tf.mul(t, perRow), 1), tf.maximum(tf.sum(perRow, 1), 1e-12)); // mean over present classes
    }
    return replicated ? out : tf.reshape(out, []);
  });
}

const vscTraining = { epochs: 5, batchSize: 32, learningRate: 1e-3, normalisation: "elbo" as const };
const vscDefaults: VscConfig = { latents: 200, hidden: 400, alpha: 0.01, ...vscReferenceSettings, warmupStart: 0, warmupEnd: 0, klWarmup: 0, likelihood: "bernoulli", noiseScale: 0.1, outputMean: "sigmoid" };
/** `vsc`'s and `vscClass`'s defaults as the run of Fashion-MNIST's 9,375 steps resolves them (a different run: c rises over its own steps). */
const fixedDefaults: VscFixedConfig = { ...vscDefaults, spikeHead: "sigmoid", sharpness: linear({ from: 50, to: 200, steps: VSC_RUN_STEPS }), warmupStart: SLAB_WARMUP[0], warmupEnd: SLAB_WARMUP[1], klWarmup: KL_WARMUP, variant: "default" };

/** The `vsc` entry (ICLR version; `variant: "reference"` for the PyTorch reproduction's spike head and c). */
export const vsc: ZooEntry<VscFixedConfig, ReturnType<typeof buildVsc>> = {
  name: "vsc",
  title: "Variational Sparse Coding with a fixed spike-and-slab prior",
  reference: "Tonolini, Jensen, Murray-Smith. Variational Sparse Coding. UAI 2019 (ICLR 2019 submission version).",
  spec: "specs/vsc.md part b0",
  defaults: fixedDefaults,
  optional: ["inclusionInit", "warmupStartSteps", "warmupEndSteps", "klWarmupSteps"],
  build: buildVsc,
  defaultData: "synthetic:smiley",
  renderShape: { features: 1024 },
  training: vscTraining,
};

/** The `vscVampPrior` entry (UAI version). */
export const vscVampPrior: ZooEntry<VscVampConfig, ReturnType<typeof buildVscVampPrior>> = {
  name: "vscVampPrior",
  title: "VSC with the pseudo-input recognition prior (UAI 2019)",
  reference: "Tonolini, Jensen, Murray-Smith. Variational Sparse Coding. UAI 2019.",
  spec: "specs/vsc.md part b0 §2",
  defaults: { ...vscDefaults, pseudoInputs: 20, sharpen: 10 },
  optional: ["inclusionInit", "warmupStartSteps", "warmupEndSteps", "klWarmupSteps"],
  build: buildVscVampPrior,
  defaultData: "synthetic:smiley",
  renderShape: { features: 1024 },
  training: { ...vscTraining, batchSize: 500, learningRate: 5e-4 },
};

/** The `vscClass` entry. */
export const vscClass: ZooEntry<VscClassConfig, ReturnType<typeof buildVscClass>> = {
  name: "vscClass",
  title: "VSC with the class-consistency Jensen-Shannon loss",
  reference:
    "Sangari Abiz, Hosseini, Araabi. Enhancing Interpretability of Sparse Latent Representations with Class Information. arXiv 2505.14476, 2025.",
  spec: "specs/vsc.md part b1",
  defaults: { ...fixedDefaults, ...vscClassDefaults },
  optional: ["inclusionInit", "warmupStartSteps", "warmupEndSteps", "klWarmupSteps", "classWarmupSteps"],
  build: buildVscClass,
  defaultData: "synthetic:smiley",
  renderShape: { features: 1024 },
  // same-class pairs need at least two members of each class in every minibatch
  training: { ...vscTraining, balanceBy: "label" },
};
