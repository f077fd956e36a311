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
import { normal, bernoulli } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveNumber, oneOf, type ZooEntry } from "./entry.js";

/** Hyperparameters of the VAE / β-VAE. */
export interface VaeConfig {
  factors: number;
  hidden: number;
  /** KL weight (1 for the VAE). */
  beta: number;
  likelihood: "gaussian" | "bernoulli";
  /** Fixed observation noise scale of the Gaussian likelihood. */
  noiseScale: number;
}

function buildDenseVae(name: string, c: Partial<VaeConfig> & { features: number }) {
  const G = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "factors", c.factors ?? 5);
  const H = positiveInt(name, "hidden", c.hidden ?? 50);
  const beta = positiveNumber(name, "beta", c.beta ?? (name === "betaVae" ? 4 : 1));
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? Math.SQRT1_2);
  const likelihood = oneOf(name, "likelihood", c.likelihood ?? "gaussian", ["gaussian", "bernoulli"] as const);
  return model(name)
    .meta({ reference: name === "betaVae" ? "Higgins et al. 2017, ICLR" : "Kingma & Welling 2014, ICLR", likelihood, beta })
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], klWeight: beta })
    .observe(
      "x",
      ({ z }, ctx) => {
        const out = ctx.layout(ctx.mlp("decoder", { input: z, hidden: [H, H], output: G, firstBias: false }), ["data", "feature"]);
        return likelihood === "gaussian" ? normal(out, noise) : bernoulli({ logits: out });
      },
      { plates: ["data", "feature"] },
    );
}

const common = {
  reference: "Kingma & Welling. Auto-Encoding Variational Bayes. ICLR 2014.",
  spec: "specs/sparse-vae.md §3.3",
  defaultData: "synthetic:moran?rho=0.6",
  renderShape: { features: 7 },
  training: { epochs: 200, batchSize: 100, learningRate: 1e-2, normalisation: "reference" as const },
};

/** The VAE baseline. */
export const vae: ZooEntry<VaeConfig> = {
  ...common,
  name: "vae",
  title: "VAE with the Sparse VAE study's encoder and a dense decoder",
  defaults: { factors: 5, hidden: 50, beta: 1, likelihood: "gaussian", noiseScale: Math.SQRT1_2 },
  build: (c) => buildDenseVae("vae", c),
};

/** The β-VAE baseline (β ∈ {2, 4, 6, 8, 16} in the study). */
export const betaVae: ZooEntry<VaeConfig> = {
  ...common,
  name: "betaVae",
  title: "β-VAE: the VAE with its KL weighted by β",
  reference: "Higgins et al. β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework. ICLR 2017.",
  defaults: { factors: 5, hidden: 50, beta: 4, likelihood: "gaussian", noiseScale: Math.SQRT1_2 },
  build: (c) => buildDenseVae("betaVae", c),
};

