/**
 * Structured latent factors via a multivariate information bottleneck (Zhang, Koyama, Ishiguro,
 * ICML 2020; specs/mib-structured.md). **MIB-masked (reconstructed)**: only the paper's abstract,
 * a third-party review and the MIB formalism could be checked; the objective, the mask
 * parameterisation and the encoder below are this project's reconstruction, consistent with them.
 *
 * Latent groups Z_1..Z_m (plate `group`, `groupDim` each) and observed views X_1..X_n (plate
 * `view`, one site `x` with the views' features as its event). Two mask sites carry the structure:
 * - `Aout` (view × group): which latent groups each view's decoder reads, p(x_i | concat_j
 *   A_out[i, j] z_j) (`ctx.groupDecoder`, first layer without bias: a zero entry is no
 *   dependence). Learned by default: a global binary mask with hard concrete gates (Louizos et al.
 *   2018) under an L0 sparsity prior (`edgePenalty`), starting sparse (`edgeInit`); or fixed.
 * - `Ain` (group × view): which views each group's posterior reads, through the weighted product of
 *   Gaussian experts (`guide: { kind: "poe" }`): q(z_j | x) ∝ p(z_j) Π_i N(μ_ij, Λ_ij⁻¹)^{A_in[j,i]},
 *   so a view outside a group's row cannot change its posterior. Fixed by default (all views when
 *   A_out is learned, else A_out's transpose), or learned like A_out (`learnEncoderMask`).
 *
 * Views missing for some rows: `availability` names side data [n, views] of 0/1 that the
 * product of experts applies row by row (cross-view prediction: encode with a view switched off,
 * decode it). Observed parents of every view (`parents`: a label in a conditional model, a
 * sensitive attribute in a fair one) are appended to each view's decoder input, one-hot. An
 * independence penalty (`independence`: MMD between the codes of an attribute's values, optionally
 * given a label) enforces Z ⊥ S or Z ⊥ E | Y where a mask alone cannot.
 *
 * The objective is the MIB trade-off as the spec writes it, through the objective builder:
 * Σ_i E[−log p(x_i | z ⊙ A_out[i])] + β⁻¹ Σ_j KL(q(z_j | x) ‖ p(z_j)) (the latent's klWeight is
 * 1/β) plus the masks' prior terms. With one group, one view and β = 1 it is the VAE.
 *
 * @example
 * ```ts
 * const m = mibStructured.build({ features: 20, groups: [[...10 indices], [...10 indices]] });
 * ```
 */
import { tf, model, fixed, hardConcrete, type SiteContext } from "@sparse-dgm/core";
import { normal, bernoulli } from "@sparse-dgm/distributions";
import { independencePenalty } from "@sparse-dgm/infer";
import "@sparse-dgm/nn";
import { bool, positiveInt, positiveNumber, type ZooEntry } from "./entry.js";

/** An independence penalty on some latent groups' codes: Z ⊥ attribute (| given). */
export interface MibIndependence {
  /** The per-row attribute of the data (side data), e.g. "sensitive" or "environment". */
  attribute: string;
  /** Condition on this side data (e.g. "labels": Z ⊥ E | Y). */
  given?: string;
  /** The latent groups penalised (default: all). */
  groups?: number[];
  /** Weight of the penalty in the loss. */
  weight: number;
  /** Number of attribute / label values (default: from the data, max value + 1; a value ≥ a given count is refused). */
  levels?: number;
  givenLevels?: number;
}

/** Hyperparameters of the MIB-structured model. */
export interface MibConfig {
  /** Latent groups m (e.g. shared + one private per view = 3). */
  latentGroups: number;
  /** Dimension of each latent group. */
  groupDim: number;
  /** β of the MIB objective (loss = distortion + rate / β). */
  beta: number;
  /** Learn A_out (hard concrete gates with a sparsity prior) or fix it to `decoderMask` (default: false when `decoderMask` is given, else true; true with a `decoderMask` is refused). */
  learnDecoderMask: boolean;
  /** Learn A_in like A_out, or fix it to `encoderMask` (true with an `encoderMask` is refused). */
  learnEncoderMask: boolean;
  /** Fixed decoder mask (views × groups); default shared/private [[1,1,0],[1,0,1]]. */
  decoderMask?: number[][];
  /** Fixed encoder mask (groups × views); default every view when A_out is learned, else A_out's transpose. */
  encoderMask?: number[][];
  /**
   * The sparsity prior of learned edges: an L0 penalty λ per open gate and data point (Louizos et
   * al. 2018's λ E[L0] on the per-data-point loss; a Bernoulli prior with log-odds −λN per edge over
   * N rows). 0: no sparsity pressure.
   */
  edgePenalty: number;
  /** The learned gates' starting log α (0: P(open) ≈ 0.83; −3: ≈ 0.2, start sparse and let the data open edges). */
  edgeInit: number;
  /** Keep the gates' log α in [−edgeBound, edgeBound] after every step, so that no gate dies (see the hardConcrete family). */
  edgeBound: number;
  /** Hidden width of each view's decoder (and of the experts' two layers). */
  hidden: number;
  noiseScale: number;
  /** Side data every view's decoder reads, one-hot ("labels" = the class labels; else a per-row attribute). */
  parents?: string[];
  /** Number of values of each parent (default: the data's classes for "labels", else 2). */
  parentLevels?: number[];
  /** An MMD independence penalty on latent groups' codes. */
  independence?: MibIndependence;
  /**
   * Side data holding each row's available views ([n, views] of 0/1; default "views": the data's
   * view mask, or every view). "none": every row has every view, no side data read.
   */
  availability: string;
  /**
   * Training steps hide each view a row has from the posterior with this probability (at least one
   * kept) while every view is still reconstructed: each expert learns to stand alone, which is what
   * cross-view prediction asks of it (Wu & Goodman 2018's sub-sampled objective). Default 0.
   */
  viewDropout: number;
  /** The latent groups a probe reads as the representation (fairness and environment metrics; default all). */
  probeGroups?: number[];
}

/** The learned gates' options' defaults (also the instances' listed defaults). */
export const EDGE_DEFAULTS = { edgePenalty: 15, edgeInit: -3, edgeBound: 3 } as const;

/** The shared/private pattern: group 0 shared, group v + 1 private to view v (when there are enough groups). */
export function sharedPrivate(views: number, groups: number): number[][] {
  return Array.from({ length: views }, (_, v) => Array.from({ length: groups }, (_, g) => (g === 0 || g === v + 1 ? 1 : 0)));
}

function checkMask(name: string, option: string, m: number[][], rows: number, cols: number, dims: string): number[][] {
  if (!Array.isArray(m) || m.some((r) => !Array.isArray(r))) throw new Error(`${name}: ${option} must be a ${rows} × ${cols} matrix of 0/1 (a list of rows, e.g. --set ${option}=[[1,0],[0,1]]), got ${JSON.stringify(m)}`);
  if (m.length !== rows || m.some((r) => r.length !== cols)) throw new Error(`${name}: ${option} must be ${rows} × ${cols} (${dims}), got ${m.length} × ${m[0]?.length ?? 0}`);
  m.forEach((r, i) =>
    r.forEach((v, j) => {
      if (v !== 0 && v !== 1) throw new Error(`${name}: ${option}[${i}][${j}] is ${v}, expected 0 or 1`);
    }),
  );
  return m;
}

function groupList(name: string, option: string, gs: number[] | undefined, m: number): number[] | undefined {
  if (gs === undefined) return undefined;
  if (!gs.length || gs.some((g) => !Number.isInteger(g) || g < 0 || g >= m)) throw new Error(`${name}: ${option} must list latent groups in [0, ${m - 1}], got ${JSON.stringify(gs)}`);
  return gs;
}

/** The one-hot observed parents [(R,) B, Σ levels] of the decoder, from side data. */
function parentInputs(name: string, parents: string[], levels: number[], ctx: SiteContext, B: number): tf.Tensor {
  const parts = parents.map((p, i) => {
    const key = p === "labels" ? "label" : p;
    const v = ctx.observed(key);
    if (!v) throw new Error(`${name}: the decoder reads "${p}" as a parent; pass it as side data "${key}" (fit({ x, ${key} }), evaluate(x, { side: { ${key} } }))`);
    return tf.oneHot(tf.cast(tf.reshape(v, [...v.shape.slice(0, ctx.leading), B]), "int32"), levels[i]).toFloat();
  });
  return parts.length === 1 ? parts[0] : tf.concat(parts, -1);
}

/** The MIB-structured DSL model. */
export function buildMibStructured(c: Partial<MibConfig> & { features: number; groups?: number[][]; classes?: number }, name = "mibStructured") {
  const groups = c.groups ?? [Array.from({ length: c.features }, (_, i) => i)];
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => !Array.isArray(g) || g.length === 0 || g.some((j) => !Number.isInteger(j) || j < 0 || j >= c.features))) {
    throw new Error(`${name}: groups must be a non-empty list of views, each a non-empty list of feature indices in [0, ${c.features}), e.g. --set groups=[[0,1],[2,3]]; got ${JSON.stringify(groups)}`);
  }
  const n = groups.length;
  const viewDim = groups[0].length;
  if (groups.some((g) => g.length !== viewDim)) throw new Error(`${name}: every view must have the same number of features`);
  const m = positiveInt(name, "latentGroups", c.latentGroups ?? (n === 1 ? 1 : n + 1));
  const d = positiveInt(name, "groupDim", c.groupDim ?? 2);
  const beta = positiveNumber(name, "beta", c.beta ?? 1);
  const H = positiveInt(name, "hidden", c.hidden ?? 64);
  const noise = positiveNumber(name, "noiseScale", c.noiseScale ?? 0.1);
  const edgePenalty = c.edgePenalty ?? EDGE_DEFAULTS.edgePenalty;
  if (!(edgePenalty >= 0 && Number.isFinite(edgePenalty))) throw new Error(`${name}: edgePenalty must be a number >= 0, got ${edgePenalty}`);
  // a given mask is used, fixed: it implies learn*Mask = false, and asking to learn it too is refused
  const learnOut = bool(name, "learnDecoderMask", c.learnDecoderMask ?? c.decoderMask === undefined);
  const learnIn = bool(name, "learnEncoderMask", c.learnEncoderMask ?? false);
  if (learnOut && c.decoderMask !== undefined) throw new Error(`${name}: decoderMask is a fixed A_out, but learnDecoderMask is true (the mask would be learned and decoderMask ignored): set learnDecoderMask=false, or drop decoderMask to learn A_out`);
  if (learnIn && c.encoderMask !== undefined) throw new Error(`${name}: encoderMask is a fixed A_in, but learnEncoderMask is true (the mask would be learned and encoderMask ignored): set learnEncoderMask=false, or drop encoderMask to learn A_in`);
  if (!learnOut && !learnIn) {
    // a default value is harmless (a checkpoint's recorded config carries them); another would be ignored
    const edge = (["edgePenalty", "edgeInit", "edgeBound"] as const).filter((k) => c[k] !== undefined && c[k] !== EDGE_DEFAULTS[k]);
    if (edge.length) throw new Error(`${name}: ${edge.join(", ")} ${edge.length > 1 ? "apply" : "applies"} to a learned mask, and neither decoderMask nor encoderMask is learned (learnDecoderMask=false, learnEncoderMask=false)`);
  }
  const Aout = checkMask(name, "decoderMask", c.decoderMask ?? sharedPrivate(n, m), n, m, "views × latentGroups");
  const Ain = checkMask(name, "encoderMask", c.encoderMask ?? (learnOut ? Array.from({ length: m }, () => new Array(n).fill(1)) : Aout[0].map((_, g) => Aout.map((row) => row[g]))), m, n, "latentGroups × views");
  const parents = c.parents ?? [];
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== "string" || !p)) throw new Error(`${name}: parents must be a list of side-data names (e.g. ["labels"]), got ${JSON.stringify(parents)}`);
  if (c.parentLevels !== undefined && !Array.isArray(c.parentLevels)) throw new Error(`${name}: parentLevels must be a list of integers, one per parent, got ${JSON.stringify(c.parentLevels)}`);
  const levels = parents.map((p, i) => positiveInt(name, `parentLevels[${i}]`, c.parentLevels?.[i] ?? (p === "labels" ? (c.classes ?? 2) : 2)));
  const ind = c.independence;
  if (ind !== undefined && (typeof ind !== "object" || ind === null || Array.isArray(ind))) throw new Error(`${name}: independence must be { attribute, weight, groups? }, got ${JSON.stringify(ind)}`);
  if (ind) {
    if (!ind.attribute) throw new Error(`${name}: independence.attribute must name side data`);
    if (!(ind.weight >= 0 && Number.isFinite(ind.weight))) throw new Error(`${name}: independence.weight must be a number >= 0, got ${ind.weight}`);
    groupList(name, "independence.groups", ind.groups, m);
  }
  const probeGroups = groupList(name, "probeGroups", c.probeGroups, m);
  const availability = c.availability ?? "views";
  if (typeof availability !== "string" || !availability) throw new Error(`${name}: availability must name side data of per-row view availability ("views"), or be "none"; got ${JSON.stringify(availability)}`);
  const viewDropout = c.viewDropout ?? 0;
  if (!(viewDropout >= 0 && viewDropout < 1)) throw new Error(`${name}: viewDropout must be a probability in [0, 1), got ${viewDropout}`);
  const avail = availability === "none" ? undefined : availability;
  const edgeInit = c.edgeInit ?? EDGE_DEFAULTS.edgeInit;
  if (!Number.isFinite(edgeInit)) throw new Error(`${name}: edgeInit must be a number (the gates' starting log α), got ${edgeInit}`);
  const edgeBound = positiveNumber(name, "edgeBound", c.edgeBound ?? EDGE_DEFAULTS.edgeBound);
  const learned = { valueType: "binary" as const, estimator: hardConcrete({ penalty: edgePenalty }), init: edgeInit, bound: edgeBound };
  const config = {
    features: c.features,
    groups,
    views: n,
    viewDim,
    latentGroups: m,
    groupDim: d,
    beta,
    hidden: H,
    noiseScale: noise,
    edgePenalty,
    edgeInit,
    edgeBound,
    learnDecoderMask: learnOut,
    learnEncoderMask: learnIn,
    ...(learnOut ? {} : { decoderMask: Aout }),
    ...(learnIn ? {} : { encoderMask: Ain }),
    ...(parents.length ? { parents, parentLevels: levels } : {}),
    ...(ind ? { independence: ind } : {}),
    availability,
    ...(viewDropout ? { viewDropout } : {}),
    ...(probeGroups ? { probeGroups } : {}),
  };
  const base = model(name)
    .meta({
      reference: "Zhang, Koyama, Ishiguro. ICML 2020 (MIB-masked, reconstructed)",
      beta,
      config,
      ...(probeGroups ? { representation: { columns: probeGroups.flatMap((g) => Array.from({ length: d }, (_, k) => g * d + k)), groups: probeGroups } } : {}),
      // evaluation predicts each view from the others through this side data (metrics: crossViewMse)
      ...(avail && n > 1 ? { crossView: { availability: avail, plate: "view" } } : {}),
    })
    .plate("data")
    .plate("view", n)
    .plate("group", m)
    .plate("dim", d)
    .mask("Ain", () => bernoulli({ probs: 0.5 }), {
      rows: "group",
      cols: "view",
      ...(learnIn ? learned : { valueType: "fixed" as const, fixedValue: Ain, estimator: fixed() }),
      doc: "encoder mask: which views each latent group's product-of-experts posterior reads (learned: the L0 penalty edgePenalty is its sparsity prior)",
    })
    .mask("Aout", () => bernoulli({ probs: 0.5 }), {
      rows: "view",
      cols: "group",
      ...(learnOut ? learned : { valueType: "fixed" as const, fixedValue: Aout, estimator: fixed() }),
      doc: "decoder mask: which latent groups each view depends on (learned: the L0 penalty edgePenalty is its sparsity prior)",
    })
    .latent("z", () => normal(0, 1), {
      plates: ["data", "group", "dim"],
      klWeight: 1 / beta,
      guide: { kind: "poe", encoderMask: "Ain", hidden: [H, H], ...(avail ? { availability: avail } : {}), ...(viewDropout ? { viewDropout } : {}) },
      ...(avail ? { needs: [avail] } : {}),
    })
    .observe(
      "x",
      ({ z, Aout }, ctx) => {
        const B = z.shape[ctx.leading];
        const condition = parents.length ? parentInputs(name, parents, levels, ctx, B) : undefined;
        return normal(ctx.groupDecoder("decoder", { input: z, mask: Aout, hidden: [H], outputs: viewDim, ...(condition ? { condition } : {}) }), noise);
      },
      { plates: ["data", "view"], event: [viewDim], ...(parents.length ? { needs: parents } : {}) },
    );
  if (!ind) return base;
  const given = ind.given === undefined ? undefined : ind.given === "labels" ? "label" : ind.given;
  return base.factor(
    "independence",
    independencePenalty({
      codes: "z",
      attribute: ind.attribute,
      ...(given ? { given } : {}),
      levels: ind.levels,
      givenLevels: ind.givenLevels,
      ...(ind.groups ? { select: { plate: "group", indices: ind.groups } } : {}),
      use: "mean",
    }),
    { weight: ind.weight, needs: [ind.attribute, ...(ind.given ? [ind.given] : [])], doc: `MMD independence: z${ind.groups ? `[groups ${ind.groups.join(", ")}]` : ""} ⊥ ${ind.attribute}${ind.given ? ` | ${ind.given}` : ""}` },
  );
}

/** The zoo entry. */
export const mibStructured: ZooEntry<MibConfig, ReturnType<typeof buildMibStructured>> = {
  name: "mibStructured",
  title: "Structured latent groups: learned decoder mask, product-of-experts encoder, MIB objective (reconstructed)",
  reference:
    "Zhang, Koyama, Ishiguro. Learning Structured Latent Factors from Dependent Data: A Generative Model Framework from Information-Theoretic Perspective. ICML 2020.",
  spec: "specs/mib-structured.md",
  defaults: { latentGroups: 3, groupDim: 2, beta: 1, learnDecoderMask: true, learnEncoderMask: false, edgePenalty: 15, edgeInit: -3, edgeBound: 3, hidden: 64, noiseScale: 0.1, availability: "views", viewDropout: 0 },
  // groups: the views of data whose source does not define them (csv), e.g. --set 'groups=[[0,1,2],[3,4,5]]'
  optional: ["decoderMask", "encoderMask", "groups", "parents", "parentLevels", "independence", "probeGroups"],
  build: (c) => buildMibStructured(c),
  defaultData: "synthetic:two-view",
  renderShape: {
    features: 20,
    groups: [Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => 10 + i)],
  },
  // the gates learn at 10× the networks' rate: edges settle while the groups' contents form
  training: { epochs: 100, batchSize: 128, learningRate: 3e-3, groupLearningRates: { globals: 3e-2 }, normalisation: "elbo" },
};
