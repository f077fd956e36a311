/**
 * The observation models the Sparse VAE study's zoo entries share (sparseVae, vae, betaVae): one
 * place that turns a decoder's output into the observed site, so the baselines get exactly the
 * Sparse VAE's likelihoods:
 *
 * | likelihood | x | decoder output | notes |
 * |---|---|---|---|
 * | `gaussian` | real | mean | per-feature σ_j² with the scaled-inverse-χ² prior (or a fixed scale) |
 * | `bernoulli` | 0/1 | logits | |
 * | `categorical` | counts | logits over features | Multinomial(n_i, softmax_j): the reference's MovieLens / text likelihood; the encoder sees x_i / Σ_j x_ij by default (`encoderInput`) |
 * | `negativeBinomial` | counts | log-mean (up to sign) | dispersion r_j per feature; with `libraryOffset` the mean is scaled by the row's library size l_i / l̄ (scVI-style), so the codes need not encode depth |
 */
import { tf, type Model, type SiteContext } from "@sparse-dgm/core";
import { normal, bernoulli, multinomial, negativeBinomial, scaledInvChi2 } from "@sparse-dgm/distributions";
import { bool, oneOf, positiveNumber, likelihoodFor, type DataShape } from "./entry.js";

/** The likelihoods of {@link observeLikelihood}. */
export const LIKELIHOODS = ["gaussian", "bernoulli", "categorical", "negativeBinomial"] as const;
/** One of {@link LIKELIHOODS}. */
export type Likelihood = (typeof LIKELIHOODS)[number];

/** What the encoder sees: the data as they are, each row divided by its sum, or log(1 + x). */
export const ENCODER_INPUTS = ["raw", "normalise", "log1p"] as const;
/** One of {@link ENCODER_INPUTS}. */
export type EncoderInput = (typeof ENCODER_INPUTS)[number];

/** The likelihood settings of a model, validated and with their data-derived defaults resolved. */
export interface LikelihoodConfig {
  likelihood: Likelihood;
  encoderInput: EncoderInput;
  /** Negative binomial: scale the mean by l_i / l̄ (l_i = Σ_j x_ij; l̄ = `librarySize`). */
  libraryOffset?: boolean;
  /** l̄, the data's median library size (recorded so that a rebuilt model scores the same). */
  librarySize?: number;
}

/**
 * Validates the likelihood options of a zoo entry and fills their defaults: the likelihood follows
 * the data's kind when unset (real: gaussian, binary: bernoulli, counts: negativeBinomial); the encoder input is
 * row-normalised for the categorical likelihood on counts (the reference's `normalized_x`; raw on
 * 0/1 data, whose rows share one scale already), log(1 + x) for
 * the negative binomial, raw otherwise;
 * the negative binomial gets the library-size offset, with l̄ from the data (`stats.librarySize`).
 */
export function likelihoodConfig(
  name: string,
  c: { likelihood?: string; encoderInput?: string; libraryOffset?: boolean; librarySize?: number; stats?: { librarySize?: number }; kind?: DataShape["kind"] },
  allowed: readonly Likelihood[] = LIKELIHOODS,
): LikelihoodConfig {
  // unset: the one that fits the data's kind (real → gaussian, binary → bernoulli, counts → negativeBinomial)
  const likelihood = oneOf(name, "likelihood", (c.likelihood ?? likelihoodFor<Likelihood>(c.kind, { real: "gaussian", binary: "bernoulli", counts: "negativeBinomial" })) as Likelihood, allowed);
  // the encoder's default view of count data: rows scaled to sum 1 (categorical, the reference's);
  // log(1 + x) for the negative binomial (scVI's: raw counts in the thousands overflow the encoder)
  // 0/1 data (binarised ratings) stay raw: every row is already on one scale, and dividing by a
  // row sum of ~40 left inputs of ~0.025 that trained a collapsed code (docs/data/ratings.md)
  const countDefault = likelihood === "categorical" ? (c.kind === "binary" ? "raw" : "normalise") : likelihood === "negativeBinomial" ? "log1p" : "raw";
  const encoderInput = oneOf(name, "encoderInput", (c.encoderInput ?? countDefault) as EncoderInput, ENCODER_INPUTS);
  if (likelihood !== "negativeBinomial") {
    if (c.libraryOffset !== undefined) throw new Error(`${name}: libraryOffset applies to likelihood negativeBinomial only (got likelihood ${likelihood})`);
    return { likelihood, encoderInput };
  }
  const libraryOffset = bool(name, "libraryOffset", c.libraryOffset ?? true);
  const librarySize = libraryOffset ? positiveNumber(name, "librarySize", c.librarySize ?? c.stats?.librarySize ?? 1) : undefined;
  return { likelihood, encoderInput, libraryOffset, ...(librarySize !== undefined ? { librarySize } : {}) };
}

/** The earlier sites' values as a site function sees them. */
type Values = Record<string, tf.Tensor>;

/** Options of {@link observeLikelihood}. */
export interface LikelihoodSiteOptions {
  /** Number of features G. */
  features: number;
  /** Gaussian noise: learned per-feature variances (with the prior below) or a fixed scale. */
  noise?: "learned" | number;
  /** Degrees of freedom and scale of the scaled-inverse-χ² noise prior (gaussian), and ν of the dispersion prior. */
  sigmaDf: number;
  sigmaScale: number;
}

/**
 * Adds the observed site `x` (plates data × feature; for `categorical` plates data with event [G])
 * and the likelihood's globals (`noiseVariance`, `dispersion`) to a model whose decoder gives one
 * value per feature in the canonical [.., B, G, 1] layout.
 *
 * @example
 * ```ts
 * return observeLikelihood(base, lik, (v, ctx) => ctx.maskedDecoder("decoder", { input: v.z, mask: v.W, hidden: [H, H] }), { features: G, sigmaDf: 3, sigmaScale: s });
 * ```
 */
export function observeLikelihood(
  model: Model<any, any>,
  lik: LikelihoodConfig,
  decode: (values: Record<string, tf.Tensor>, ctx: SiteContext) => tf.Tensor,
  o: LikelihoodSiteOptions,
): Model<any, any> {
  // the sites added here (x, noiseVariance, dispersion) are new to every model that calls this
  const base = model as Model<{}, "data" | "feature">;
  const G = o.features;
  const enc = lik.encoderInput === "raw" ? {} : { encoderInput: lik.encoderInput };
  switch (lik.likelihood) {
    case "gaussian":
      if (o.noise !== undefined && o.noise !== "learned") {
        const scale = o.noise;
        return base.observe("x", (v: Values, ctx: SiteContext) => normal(decode(v, ctx), scale), { plates: ["data", "feature"], ...enc });
      }
      return base
        .global("noiseVariance", () => scaledInvChi2(o.sigmaDf, o.sigmaScale), { plates: ["feature"], init: "columnVariance", parameterisation: "logSqrt", doc: "σ_j² (trained through log σ_j)" })
        .observe("x", (v: Values, ctx: SiteContext) => normal(decode(v, ctx), tf.sqrt(v.noiseVariance)), { plates: ["data", "feature"], ...enc });
    case "bernoulli":
      return base.observe("x", (v: Values, ctx: SiteContext) => bernoulli({ logits: decode(v, ctx) }), { plates: ["data", "feature"], ...enc });
    case "negativeBinomial": {
      const lbar = lik.librarySize;
      return base
        .global("dispersion", () => scaledInvChi2(o.sigmaDf, 1), { plates: ["feature"], init: 1, doc: "counts dispersion r_j" })
        .observe(
          "x",
          (v: Values, ctx: SiteContext) => {
            let logits = decode(v, ctx); // [.., B, G, 1]; the mean is r·exp(−logits) (scipy's nbinom)
            const counts = lik.libraryOffset ? ctx.observed("x") : undefined;
            if (counts && lbar !== undefined) {
              // log(l_i / l̄) per row (l_i ≥ 1), subtracted: the mean scales by l_i / l̄
              const lib = tf.sum(counts, -2, true); // [.., B, 1, 1]
              logits = tf.sub(logits, tf.log(tf.div(tf.maximum(lib, 1), lbar)));
            }
            return negativeBinomial(v.dispersion, { logits });
          },
          { plates: ["data", "feature"], ...enc },
        );
    }
    case "categorical":
      // x_i ~ Multinomial(n_i, softmax_j f_j(z_i)) over features (Mult-VAE style)
      return base.observe(
        "x",
        (v: Values, ctx: SiteContext) => {
          const logits = decode(v, ctx); // [.., B, G, 1]
          const flat = tf.reshape(logits, [...logits.shape.slice(0, ctx.leading + 1), 1, 1, G]);
          const counts = ctx.observed("x");
          const total = counts ? tf.sum(counts, -1) : tf.scalar(1);
          return multinomial(total, { logits: flat });
        },
        { plates: ["data"], event: [G], ...enc },
      );
  }
}
