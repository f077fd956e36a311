/**
 * Structured latent factors via a multivariate information bottleneck (Zhang, Koyama, Ishiguro,
 * ICML 2020; specs/mib-structured.md, **reconstructed**): latent groups Z_1..Z_m, observed groups
 * (views) X_1..X_n, a decoder mask A_out (view x group: which latent groups each view reads) and
 * an encoder mask A_in (group x view: which views each latent group's weighted product-of-experts
 * posterior reads). Masks are fixed (inductive bias) or learned (relaxed Bernoulli with a
 * sparsity prior). One group, one view and β = 1 is exactly the VAE.
 *
 * @example
 * ```ts
 * const m = mibStructured.build({ features: 20, groups: [[...10 indices], [...10 indices]] });
 * ```
 */
import { tf, model, relaxedBernoulli, fixed, exponentialDecay } from "@sparse-dgm/core";
import { normal, bernoulli } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { positiveInt, positiveNumber, type ZooEntry } from "./entry.js";

/** Hyperparameters of the MIB-structured model. */
export interface MibConfig {
  /** Latent groups m (e.g. shared + one private per view = 3). */
  latentGroups: number;
  /** Dimension of each latent group. */
  groupDim: number;
  /** β of the MIB objective (loss = distortion + rate / β). */
  beta: number;
  /** Learn A_out (true) or fix it to `decoderMask`. */
  learnDecoderMask: boolean;
  /** Fixed decoder mask (views x groups); default shared/private [[1,1,0],[1,0,1]]. */
  decoderMask?: number[][];
  /** Fixed encoder mask (groups x views); default the transpose of the decoder mask. */
  encoderMask?: number[][];
  /** Prior inclusion probability of a learned mask edge (sparsity pressure). */
  edgePrior: number;
  hidden: number;
  noiseScale: number;
}

function sharedPrivate(views: number, groups: number): number[][] {
  // group 0 shared, group i+1 private to view i (when there are enough groups)
  return Array.from({ length: views }, (_, v) => Array.from({ length: groups }, (_, g) => (g === 0 || g === v + 1 ? 1 : 0)));
}

/** The MIB-structured DSL model. */
export function buildMibStructured(c: Partial<MibConfig> & { features: number; groups?: number[][] }) {
  const name = "mibStructured";
  const groups = c.groups ?? [Array.from({ length: c.features }, (_, i) => i)];
  const n = groups.length;
  const viewDim = groups[0].length;
  if (groups.some((g) => g.length !== viewDim)) throw new Error(`${name}: every view must have the same number of features`);
  const m = positiveInt(name, "latentGroups", c.latentGroups ?? (n === 1 ? 1 : n + 1));
  const d = positiveInt(name, "groupDim", c.groupDim ?? 2);
  const beta = positiveNumber(name, "beta", c.beta ?? 1);
  const H = positiveInt(name, "hidden", c.hidden ?? 64);
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  const edgePrior = c.edgePrior ?? 0.5;
  if (!(edgePrior > 0 && edgePrior < 1)) throw new Error(`${name}: edgePrior must be in (0, 1), got ${edgePrior}`);
  const Aout = c.decoderMask ?? sharedPrivate(n, m);
  const Ain = c.encoderMask ?? Aout[0].map((_, g) => Aout.map((row) => row[g]));
  const learn = c.learnDecoderMask ?? false;
  const temperature = exponentialDecay({ initial: 1, rate: 1e-4, every: 100, min: 0.1 });
  return model(name)
    .meta({ reference: "Zhang, Koyama, Ishiguro. ICML 2020 (MIB-masked, reconstructed)", beta, config: { features: c.features, groups, views: n, viewDim, latentGroups: m, groupDim: d, beta, hidden: H, noiseScale: noise, edgePrior, learnDecoderMask: learn, decoderMask: Aout, encoderMask: Ain } })
    .plate("data")
    .plate("view", n)
    .plate("group", m)
    .plate("dim", d)
    .mask("Ain", () => bernoulli({ probs: 0.5 }), {
      rows: "group",
      cols: "view",
      valueType: "fixed",
      fixedValue: Ain,
      doc: "encoder mask: which views each latent group's product-of-experts posterior reads",
    })
    .mask("Aout", () => bernoulli({ probs: edgePrior }), {
      rows: "view",
      cols: "group",
      valueType: learn ? "binary" : "fixed",
      ...(learn ? { estimator: relaxedBernoulli({ temperature }) } : { fixedValue: Aout, estimator: fixed() }),
      doc: "decoder mask: which latent groups each view depends on",
    })
    .latent("z", () => normal(0, 1), { plates: ["data", "group", "dim"], klWeight: 1 / beta, guide: { kind: "poe", encoderMask: "Ain" } })
    .observe(
      "x",
      ({ z, Aout }, ctx) => normal(ctx.groupDecoder("decoder", { input: z, mask: Aout, hidden: [H], outputs: viewDim }), noise),
      { plates: ["data", "view"], event: [viewDim] },
    );
}

/** The zoo entry. */
export const mibStructured: ZooEntry<MibConfig, ReturnType<typeof buildMibStructured>> = {
  name: "mibStructured",
  title: "Structured latent groups with encoder/decoder group masks (MIB, reconstructed)",
  reference:
    "Zhang, Koyama, Ishiguro. Learning Structured Latent Factors from Dependent Data: A Generative Model Framework from Information-Theoretic Perspective. ICML 2020.",
  spec: "specs/mib-structured.md",
  defaults: { latentGroups: 3, groupDim: 2, beta: 1, learnDecoderMask: false, edgePrior: 0.5, hidden: 64, noiseScale: 0.1 },
  // groups: the views of data whose source does not define them (csv), e.g. --set 'groups=[[0,1,2],[3,4,5]]'
  optional: ["decoderMask", "encoderMask", "groups"],
  build: buildMibStructured,
  defaultData: "synthetic:two-view",
  renderShape: {
    features: 20,
    groups: [Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => 10 + i)],
  },
  training: { epochs: 100, batchSize: 128, learningRate: 1e-3, normalisation: "elbo" },
};
