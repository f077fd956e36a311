/**
 * Binary relevance (a sigmoid-threshold multi-label MLP; specs/sdlgm.md §3 "natural baselines"):
 * one independent Bernoulli per tag, q(y_it = 1 | x_i) = sigmoid(f_t(x_i)), trained by the summed
 * per-tag cross-entropy; the prediction is every tag with probability above `threshold`, so the
 * number of tags per row is whatever the thresholds give (not capped).
 *
 * Written in the DSL as a local binary code z (one unit per tag) whose amortised guide's
 * inclusion head γ = sigmoid(v) is the predictor (the same encoder trunk as `sdlgmTags`); the
 * code's KL and the reconstruction of x have weight 0 by default, so the model is purely
 * discriminative (`reconstruction` > 0 adds both back, a semi-supervised variant).
 *
 * @example
 * ```ts
 * const m = binaryRelevance.build({ features: 100, stats: { tags: 50 } });
 * ```
 */
import { tf, model, thresholdSigmoid, type SiteContext } from "@sparse-dgm/core";
import { spikeAndSlab, normal } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveIntList, openUnit, positiveNumber, type DataShape, type ZooEntry } from "./entry.js";

/** Hyperparameters of binary relevance. */
export interface BinaryRelevanceConfig {
  /** Number of tags T (set from the data). */
  latents: number;
  /** Encoder hidden widths (as `sdlgmTags`). */
  hidden: number[];
  /** A tag is predicted when its probability exceeds this. */
  threshold: number;
  /** Weight of the ELBO of x (reconstruction and KL) beside the tag likelihood; 0 = a pure predictor. */
  reconstruction: number;
  /** Gaussian noise scale of the reconstruction. */
  noiseScale: number;
}

/** Σ_t BCE(γ_t, y_t), per row, with γ clamped to [1e-6, 1 − 1e-6]. */
export function tagCrossEntropy(gamma: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const g = tf.clipByValue(gamma, 1e-6, 1 - 1e-6);
    return tf.neg(tf.sum(tf.add(tf.mul(y, tf.log(g)), tf.mul(tf.sub(1, y), tf.log1p(tf.neg(g)))), -1));
  });
}

/** The binary-relevance declaration. */
export function buildBinaryRelevance(c: Partial<BinaryRelevanceConfig> & DataShape) {
  const name = "binaryRelevance";
  const D = positiveInt(name, "features", c.features);
  const tags = c.stats?.tags;
  const T = positiveInt(name, "latents", c.latents ?? tags ?? 50);
  if (tags !== undefined && T !== tags) throw new Error(`${name}: latents (${T}) must equal the data's number of tags (${tags})`);
  const hidden = positiveIntList(name, "hidden", c.hidden ?? [512, 256]);
  const threshold = openUnit(name, "threshold", c.threshold ?? 0.5);
  const rec = c.reconstruction ?? 0;
  if (!(rec >= 0) || !Number.isFinite(rec)) throw new Error(`${name}: reconstruction must be a number >= 0, got ${rec}`);
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  // the guide's inclusion γ starts at 0.5 in the middle of the sigmoid; a logit shift makes the threshold the decision point 0.5 of the activity
  const shift = Math.log(threshold / (1 - threshold));
  return model(name)
    .meta({ reference: "binary relevance (sigmoid-threshold multi-label MLP)", config: { features: D, latents: T, hidden, threshold, reconstruction: rec, noiseScale: noise } })
    .plate("data")
    .plate("feature", D)
    .plate("latent", T)
    .side("tags", { event: [T], doc: "the tags of each row (0/1 per tag)" })
    .mask("z", () => spikeAndSlab({ inclusion: 0.5, loc: 0, scale: 1 }), {
      rows: "data",
      cols: "latent",
      valueType: "binary",
      estimator: thresholdSigmoid({ sharpness: 50 }),
      guide: { hidden, spikeHead: "sigmoid" },
      klWeight: rec,
      doc: "the predicted tags: activity γ_t = P(tag t | x) (shifted so that γ > 0.5 is the threshold)",
    })
    .factor(
      "tagLikelihood",
      (_sites, ctx) => {
        const q = ctx.posterior("z") as unknown as { inclusion?: tf.Tensor } | undefined;
        const y = ctx.observed("tags");
        if (!q?.inclusion || !y) return tf.scalar(0);
        // γ is P(tag) shifted by the threshold's logit: undo the shift for the likelihood
        const p = shift === 0 ? q.inclusion : tf.sigmoid(tf.add(tf.log(tf.div(tf.clipByValue(q.inclusion, 1e-6, 1 - 1e-6), tf.sub(1, tf.clipByValue(q.inclusion, 1e-6, 1 - 1e-6)))), shift));
        // the code's canonical batch is [(R,) B, 1]; per data point, as the objective divides distortion and rate by B
        const ll = tf.neg(tagCrossEntropy(p, tf.reshape(y, p.shape)));
        return tf.div(ll, y.shape[y.rank - 2]);
      },
      { term: "auxiliary", doc: "Σ_t log Bernoulli(y_t | P(tag t | x))" },
    )
    .observe("x", ({ z }, ctx: SiteContext) => normal(ctx.layout(ctx.mlp("decoder", { input: z, hidden: [], output: D }), ["data", "feature"]), noise), {
      plates: ["data", "feature"],
      weight: rec,
    });
}

/** The `binaryRelevance` entry. */
export const binaryRelevance: ZooEntry<BinaryRelevanceConfig, ReturnType<typeof buildBinaryRelevance>> = {
  name: "binaryRelevance",
  title: "Binary relevance: one sigmoid per tag, predicted above a threshold (multi-label baseline)",
  reference: "Binary relevance; the sigmoid-threshold multi-label MLP baseline of specs/sdlgm.md §3.",
  spec: "specs/sdlgm.md §3",
  defaults: { latents: 50, hidden: [512, 256], threshold: 0.5, reconstruction: 0, noiseScale: 0.1 },
  build: buildBinaryRelevance,
  defaultData: "synthetic:tags",
  renderShape: { features: 100, stats: { tags: 50 } },
  training: { epochs: 50, batchSize: 128, learningRate: 1e-3, normalisation: "elbo" },
};
