/**
 * The dense baselines of the Sparse VAE study (specs/sparse-vae.md §3.3): the same encoder, and a
 * dense decoder `Linear(K, H, bias = false) -> ReLU -> Linear(H, H) -> ReLU -> Linear(H, G)`.
 * `betaVae` multiplies the KL by β (Higgins et al. 2017).
 *
 * @example
 * ```ts
 * const m = betaVae.build({ features: 7, beta: 4 });
 * ```
 */
import { model } from "@sparse-dgm/core";
import { tf, warmup, type SiteContext } from "@sparse-dgm/core";
import { normal, bernoulli, scaledInvChi2 } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveNumber, oneOf, type ZooEntry } from "./entry.js";

/** Hyperparameters of the VAE / β-VAE. */
export interface VaeConfig {
  factors: number;
  hidden: number;
  /** KL weight (1 for the VAE). */
  beta: number;
  likelihood: "gaussian" | "bernoulli";
  /**
   * Gaussian noise: "learned" (per-feature variances with the Sparse VAE's scaled-inverse-χ²
   * prior, the reference code's shared loss) or a fixed scale.
   */
  noise: "learned" | number;
  /**
   * Steps over which the KL weight rises from 0 to β (Bowman et al. 2016). Default 300, the same
   * warm-up as the Sparse VAE's default, so the comparison is fair; 0 gives the reference recipe.
   */
  klWarmupSteps: number;
  /** Degrees of freedom and scale of the noise prior (scale default: calibrated from the data). */
  sigmaDf: number;
  sigmaScale?: number;
}

function buildDenseVae(name: string, c: Partial<VaeConfig> & { features: number; stats?: { sigmaPriorScale?: number } }) {
  const G = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "factors", c.factors ?? 5);
  const H = positiveInt(name, "hidden", c.hidden ?? 50);
  const beta = positiveNumber(name, "beta", c.beta ?? (name === "betaVae" ? 4 : 1));
  const noise = c.noise ?? "learned";
  if (noise !== "learned") positiveNumber(name, "noise", noise);
  const df = positiveNumber(name, "sigmaDf", c.sigmaDf ?? 3);
  const klWarm = c.klWarmupSteps ?? 300;
  if (!(klWarm >= 0)) throw new Error(`${name}: klWarmupSteps must be >= 0, got ${klWarm}`);
  const s = positiveNumber(name, "sigmaScale", c.sigmaScale ?? c.stats?.sigmaPriorScale ?? 0.36);
  const likelihood = oneOf(name, "likelihood", c.likelihood ?? "gaussian", ["gaussian", "bernoulli"] as const);
  const base = model(name)
    .meta({ reference: name === "betaVae" ? "Higgins et al. 2017, ICLR" : "Kingma & Welling 2014, ICLR", likelihood, beta, config: { features: G, factors: K, hidden: H, beta, klWarmupSteps: klWarm, noise, sigmaDf: df, sigmaScale: s, likelihood } })
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], klWeight: klWarm > 0 ? warmup({ from: 0, to: beta, start: 0, end: klWarm }) : beta });
  const decode = (z: tf.Tensor, ctx: SiteContext) =>
    ctx.layout(ctx.mlp("decoder", { input: z, hidden: [H, H], output: G, firstBias: false }), ["data", "feature"]);
  if (likelihood === "bernoulli") {
    return base.observe("x", ({ z }, ctx) => bernoulli({ logits: decode(z, ctx) }), { plates: ["data", "feature"] });
  }
  if (noise === "learned") {
    return base
      .global("noiseVariance", () => scaledInvChi2(df, s), { plates: ["feature"], init: "columnVariance", parameterisation: "logSqrt", doc: "σ_j² (trained through log σ_j)" })
      .observe("x", ({ z, noiseVariance }, ctx) => normal(decode(z, ctx), tf.sqrt(noiseVariance)), { plates: ["data", "feature"] });
  }
  return base.observe("x", ({ z }, ctx) => normal(decode(z, ctx), noise), { plates: ["data", "feature"] });
}

const common = {
  reference: "Kingma & Welling. Auto-Encoding Variational Bayes. ICLR 2014.",
  spec: "specs/sparse-vae.md §3.3",
  defaultData: "synthetic:moran?rho=0.6",
  renderShape: { features: 7 },
  training: { epochs: 200, batchSize: 100, learningRate: 1e-2, normalisation: "reference" as const },
};

/** The VAE baseline. */
export const vae: ZooEntry<VaeConfig, ReturnType<typeof buildDenseVae>> = {
  ...common,
  name: "vae",
  title: "VAE with the Sparse VAE study's encoder and a dense decoder",
  defaults: { factors: 5, hidden: 50, beta: 1, likelihood: "gaussian", noise: "learned", sigmaDf: 3, klWarmupSteps: 300 },
  optional: ["sigmaScale"],
  build: (c) => buildDenseVae("vae", c),
};

/** The β-VAE baseline (β ∈ {2, 4, 6, 8, 16} in the study). */
export const betaVae: ZooEntry<VaeConfig, ReturnType<typeof buildDenseVae>> = {
  ...common,
  name: "betaVae",
  title: "β-VAE: the VAE with its KL weighted by β",
  reference: "Higgins et al. β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework. ICLR 2017.",
  defaults: { factors: 5, hidden: 50, beta: 4, likelihood: "gaussian", noise: "learned", sigmaDf: 3, klWarmupSteps: 300 },
  optional: ["sigmaScale"],
  build: (c) => buildDenseVae("betaVae", c),
};

