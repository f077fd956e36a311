/**
 * SDLGM-style model (Xu, Onoro Rubio, Serra, Niepert, "Learning Sparsity of Representations with
 * Discrete Latent Variables", IJCNN 2021; specs/sdlgm.md, **reconstructed** from the abstract):
 * each observation's code is a cardinality-capped local mask site. A level L_i ≤ L0 and L0
 * indices are drawn by two Gumbel-Softmax relaxations; z_i = b_i ⊙ v_i with |b_i| ≤ L0 by
 * construction (exactly L_i when sampling without replacement).
 *
 * @example
 * ```ts
 * const m = sdlgm.build({ features: 100 });      // K = 50, L0 = 5
 * ```
 */
import { tf, model, gumbelSoftmax, exponentialDecay } from "@sparse-dgm/core";
import { cappedSparseCode, normal } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveIntList, positiveNumber, oneOf, type ZooEntry } from "./entry.js";

/** Hyperparameters of the SDLGM-style model. */
export interface SdlgmConfig {
  /** Representation width K. */
  latents: number;
  /** Cap L0 on the number of non-zeros. */
  maxActive: number;
  /** Decoder: "linear" (for the linear synthetic benchmark) or "mlp" (512-256). */
  decoder: "linear" | "mlp";
  /** Encoder hidden widths. */
  hidden: number[];
  /** Observation noise scale. */
  noiseScale: number;
  /** Straight-through (hard forward) samples. */
  straightThrough: boolean;
}

/** The SDLGM-style DSL model. */
export function buildSdlgm(c: Partial<SdlgmConfig> & { features: number }) {
  const name = "sdlgm";
  const D = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "latents", c.latents ?? 50);
  const L0 = positiveInt(name, "maxActive", c.maxActive ?? 5);
  if (L0 > K) throw new Error(`${name}: maxActive (${L0}) must be at most latents (${K})`);
  const decoder = oneOf(name, "decoder", c.decoder ?? "linear", ["linear", "mlp"] as const);
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  const hidden = positiveIntList(name, "hidden", c.hidden ?? [512, 256]);
  const straightThrough = c.straightThrough ?? false;
  const temperature = exponentialDecay({ initial: 1, rate: 1e-5, every: 1000, min: 0.5 });
  return model(name)
    .meta({ reference: "Xu et al. IJCNN 2021 (SDLGM-style, reconstructed)", maxActive: L0, config: { features: D, latents: K, maxActive: L0, decoder, noiseScale: noise, hidden, straightThrough } })
    .plate("data")
    .plate("feature", D)
    .plate("latent", K)
    .mask(
      "z",
      () =>
        cappedSparseCode({
          levelLogits: tf.zeros([L0]),
          indexLogits: tf.zeros([K]),
          loc: tf.zeros([K]),
          scale: 1,
          straightThrough,
        }),
      {
        rows: "data",
        cols: "latent",
        valueType: "cardinality-capped",
        maxActive: L0,
        estimator: gumbelSoftmax({ temperature, straightThrough }),
        guide: { hidden },
        doc: "sparse code with at most L0 active latents per observation",
      },
    )
    .observe(
      "x",
      ({ z }, ctx) => {
        const out = decoder === "linear" ? ctx.mlp("decoder", { input: z, hidden: [], output: D }) : ctx.mlp("decoder", { input: z, hidden: [256, 512], output: D });
        return normal(ctx.layout(out, ["data", "feature"]), noise);
      },
      { plates: ["data", "feature"] },
    );
}

/** The zoo entry. */
export const sdlgm: ZooEntry<SdlgmConfig, ReturnType<typeof buildSdlgm>> = {
  name: "sdlgm",
  title: "SDLGM-style cardinality-capped sparse codes via two Gumbel-Softmax draws (reconstructed)",
  reference: "Xu, Onoro Rubio, Serra, Niepert. Learning Sparsity of Representations with Discrete Latent Variables. IJCNN 2021.",
  spec: "specs/sdlgm.md",
  defaults: { latents: 50, maxActive: 5, decoder: "linear", hidden: [512, 256], noiseScale: 0.1, straightThrough: false },
  build: buildSdlgm,
  defaultData: "synthetic:sparse-linear",
  renderShape: { features: 100 },
  training: { epochs: 50, batchSize: 128, learningRate: 1e-3, normalisation: "elbo" },
};
