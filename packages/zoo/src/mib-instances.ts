/**
 * The named instances of the MIB-structured framework (specs/mib-structured.md §1, "fixed masks
 * encode the inductive bias"), each a preset of {@link buildMibStructured} declared in the same DSL
 * model under its own name:
 * - `mibMultimodal`: shared + private groups over two views (A_out = [[1,1,0],[1,0,1]] fixed,
 *   A_in its transpose); views may be missing per row; cross-view prediction is scored.
 * - `mibConditional`: one view, the class label an observed parent of the decoder (a CVAE).
 * - `mibFair`: one view; the sensitive attribute s is an observed parent of the decoder, so no
 *   latent group has an edge to it (the decoder gets s for free), plus an MMD independence penalty
 *   z ⊥ s on the codes (a mask alone does not stop z from encoding s through x).
 * - `mibInvariant`: an invariant group (0) beside an environment-specific one (1), both read by the
 *   decoder; an MMD penalty z_0 ⊥ environment | label on the invariant group, which is the
 *   representation the probes read.
 *
 * @example
 * ```ts
 * const m = mibFair.build({ features: 10 });
 * ```
 */
import { buildMibStructured, type MibConfig } from "./mib-structured.js";
import type { ZooEntry } from "./entry.js";

const reference = "Zhang, Koyama, Ishiguro. Learning Structured Latent Factors from Dependent Data: A Generative Model Framework from Information-Theoretic Perspective. ICML 2020.";
const common = { beta: 1, hidden: 64, noiseScale: 0.1, edgePenalty: 15, edgeInit: -3, edgeBound: 3, learnEncoderMask: false } as const;
const optional: Array<keyof MibConfig | "groups"> = ["decoderMask", "encoderMask", "groups", "parents", "parentLevels", "independence", "probeGroups"];
/** A single-view instance reads one view of every feature: the data's own groups are not views here. */
const oneView = ["mibConditional", "mibFair", "mibInvariant"];

/** An instance: `mibStructured`'s declaration under its own name with its preset defaults (overridable). */
function instance(
  name: string,
  title: string,
  defaults: Partial<MibConfig>,
  defaultData: string,
  epochs: number,
): ZooEntry<MibConfig, ReturnType<typeof buildMibStructured>> {
  const single = oneView.includes(name);
  return {
    name,
    title,
    reference,
    spec: "specs/mib-structured.md",
    defaults: { ...common, ...defaults } as MibConfig,
    // a single-view instance has no views to group: `--set groups` is refused, not dropped
    optional: single ? optional.filter((k) => k !== "groups") : optional,
    build: (c) => buildMibStructured({ ...common, ...defaults, ...c, ...(single ? { groups: undefined } : {}) }, name),
    defaultData,
    renderShape: single ? { features: 10 } : { features: 20, groups: [Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => 10 + i)] },
    training: { epochs, batchSize: 128, learningRate: 3e-3, normalisation: "elbo" },
  };
}


/** Shared + private latent groups over two views, fixed masks (the multimodal VAE with private factors). */
export const mibMultimodal = instance(
  "mibMultimodal",
  "MIB instance: multimodal, a shared and one private latent group per view (fixed masks, product-of-experts encoder)",
  { latentGroups: 3, groupDim: 2, learnDecoderMask: false, availability: "views", viewDropout: 0.3 },
  "synthetic:two-view",
  100,
);

/** One view with the class label as an observed parent of the decoder (the conditional VAE). */
export const mibConditional = instance(
  "mibConditional",
  "MIB instance: conditional, the label a parent of the decoder (CVAE)",
  { latentGroups: 1, groupDim: 4, learnDecoderMask: false, decoderMask: [[1]], encoderMask: [[1]], parents: ["labels"], availability: "none", viewDropout: 0 },
  "synthetic:fair",
  50,
);

/** One view; s is the decoder's observed parent (no latent → s edge) and z ⊥ s by an MMD penalty. */
export const mibFair = instance(
  "mibFair",
  "MIB instance: fair, the sensitive attribute a parent of the decoder and no latent edge to it, MMD z ⊥ s",
  { latentGroups: 1, groupDim: 4, learnDecoderMask: false, decoderMask: [[1]], encoderMask: [[1]], parents: ["sensitive"], independence: { attribute: "sensitive", weight: 100 }, availability: "none", viewDropout: 0 },
  "synthetic:fair",
  50,
);

/** An invariant group (0, the representation) beside an environment-specific one (1); z_0 ⊥ E | Y by MMD. */
export const mibInvariant = instance(
  "mibInvariant",
  "MIB instance: invariant, an environment-invariant group (z_0 ⊥ E | Y) beside an environment-specific one",
  {
    latentGroups: 2,
    groupDim: 4,
    learnDecoderMask: false,
    decoderMask: [[1, 1]],
    encoderMask: [[1], [1]],
    independence: { attribute: "environment", given: "labels", groups: [0], weight: 3000 },
    probeGroups: [0],
    availability: "none",
    viewDropout: 0,
  },
  "synthetic:fair?envCorrs=0.8,0.6,-0.8",
  20,
);
