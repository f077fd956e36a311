/**
 * The model IR: a plain, immutable record of every plate and site of a model. Renders, the
 * compiler, the support metrics and the anchor-feature check all read the model from here.
 */
import type { tf } from "./tf.js";
import type { Key } from "./key.js";
import type { ScheduleLike } from "./schedule.js";

/** The kinds of site (DESIGN §2). */
export type SiteKind = "latent" | "global" | "mask" | "observe" | "param" | "deterministic" | "factor";

/** The name of the minibatched plate whose size comes from the data. */
export const DATA_PLATE = "data";

/**
 * What the runtime needs of a distribution (structural, so that core does not depend on
 * `@sparse-dgm/distributions`; every `Distribution` there satisfies it).
 */
export interface SiteDistribution {
  readonly kind: string;
  readonly batchShape: number[];
  readonly eventShape: number[];
  readonly hasRsample: boolean;
  readonly isRelaxed?: boolean;
  readonly support: { name: string; check(x: tf.Tensor): tf.Tensor };
  logProb(x: tf.Tensor): tf.Tensor;
  sample(key: Key, sampleShape?: number[]): tf.Tensor;
  describe(): { kind: string; params: Record<string, number | string | boolean> };
}

/** A plate: a named tensor axis of independent repetitions. */
export interface PlateDecl {
  name: string;
  /** Fixed size, or undefined for the data plate (its size comes from the data). */
  size?: number;
  /** Whether it is the minibatched data plate. */
  subsample: boolean;
}

/** How a mask's value is represented. */
export type MaskValueType = "real" | "binary" | "cardinality-capped" | "fixed";

/** How gradients (or updates) reach a site. Plain data, recorded in the IR. */
export type EstimatorSpec =
  | { kind: "reparameterised" }
  | { kind: "map" }
  | { kind: "map-em"; form?: "code" | "normalised"; etaSite?: string }
  | { kind: "relaxed-bernoulli"; temperature: ScheduleLike; straightThrough: boolean }
  | { kind: "gumbel-softmax"; temperature: ScheduleLike; straightThrough: boolean }
  | { kind: "threshold-sigmoid"; sharpness: ScheduleLike; slabWarmup: ScheduleLike }
  | { kind: "score-function"; baseline: "running-average" | "none"; decay: number }
  | { kind: "hard-concrete"; temperature: ScheduleLike; stretch: [number, number]; penalty?: number }
  | { kind: "fixed" }
  | { kind: "em-update" };

/** Mask metadata: which factors reach which outputs, and how (DESIGN §2, "Mask sites"). */
export interface MaskInfo {
  /** Output plate (features, feature groups, or `data` for per-observation factor selection). */
  rows: string;
  /** Factor plate. */
  cols: string;
  /** global: one rows x cols matrix; local: one mask per observation. */
  scope: "global" | "local";
  valueType: MaskValueType;
  estimator: EstimatorSpec;
  /** Cap on the number of active factors per row (cardinality-capped masks). */
  maxActive?: number;
  /** A fixed mask's value (rows x cols, row-major), for fixed masks. */
  fixedValue?: number[][];
}

/** Options common to every site. */
export interface SiteOptionsBase {
  /** One-line description, shown in renders. */
  doc?: string;
}

/** One site of the IR. */
export interface SiteDecl {
  kind: SiteKind;
  name: string;
  /** The site's plates, in the order its values are laid out for users. */
  plates: string[];
  /** Event shape (after the plates). */
  event: number[];
  /** The site's callback: distribution (random sites), tensor (deterministic, param init) or log-factor. */
  fn: (values: Record<string, tf.Tensor>, ctx: any) => unknown;
  /** Names of the sites its callback may read (all earlier sites; recorded for renders). */
  dependsOn: string[];
  mask?: MaskInfo;
  /** Per-site options (guide, init, constraint, weight, estimator...), kept as given. */
  options: Record<string, unknown>;
  /**
   * Summary of the prior when it could be evaluated at declaration: its kind, scalar parameters and
   * the name of its support (the compiler picks families and bijectors from them).
   */
  prior?: { kind: string; params: Record<string, number | string | boolean>; support?: string };
}

/**
 * A side input (`.side(name, { event })`): data given to `fit` beside the observed site, one row per
 * data point ([N, ...event]), not modelled; callbacks read it with `ctx.observed(name)` as
 * [(R,) B, ...event] rows of the minibatch (e.g. class labels of a class-consistency term).
 */
export interface SideDecl {
  name: string;
  event: number[];
  doc?: string;
}

/** The whole model. */
export interface ModelIR {
  name: string;
  plates: PlateDecl[];
  sites: SiteDecl[];
  /** Side inputs (absent when none are declared). */
  side?: SideDecl[];
  /** Names callbacks may read before their declaration (`.ahead(...)`), checked by `compile` (absent when none). */
  ahead?: string[];
  /** Free-form metadata (references, defaults) set by `.meta()`. */
  meta: Record<string, unknown>;
}
