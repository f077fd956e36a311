/**
 * The inference-family interface (DESIGN §3, docs/adding-a-family.md). A family is everything the
 * compiler does for one kind of site: its guide (parameters, heads on the shared encoder trunk),
 * its draw (through the distribution's own reparameterisation or relaxation), its terms of the
 * objective (the rate through the KL registry, else a one-sample Monte Carlo estimate), closed-form
 * state updates after each optimiser step, host hooks, what `globals()` and `sample()` report, and
 * evaluation extras. The program, the objective and the guide code are generic: they call these
 * methods and name no distribution.
 *
 * A family is selected from what the site declares ({@link SiteFacts}): its kind and scope, its
 * value type, its prior and its estimator, and the guide kind it asks for. The selection is data
 * ({@link Selection}), so refusals list the supported choices and docs/inference.md's support
 * table is generated from the registry.
 */
import type { tf, Key, Message, ModelIR, ParamStore, SiteDecl, SiteDistribution, SiteKind, EstimatorSpec, MaskValueType, ScheduleLike } from "@sparse-dgm/core";
import type { Normalisation, Term } from "../objective.js";

/** The estimator kinds (`estimators.*` in @sparse-dgm/core). */
export type EstimatorKind = EstimatorSpec["kind"];

/** What selection reads of a site. */
export interface SiteFacts {
  site: SiteDecl;
  kind: SiteKind;
  /** "local": the site lives in the data plate (one value per data point); "global" otherwise. */
  scope: "local" | "global";
  /** A mask's value type; "real" for latents and globals. */
  valueType: MaskValueType;
  /** The prior's kind when known at declaration. */
  prior?: string;
  /** The prior's support when known at declaration. */
  priorSupport?: string;
  /** The estimator the site asks for (declared, or the default of its kind). */
  estimator: EstimatorSpec;
  /** The guide kind the site asks for (`guide: { kind }`), e.g. "poe". */
  guide?: string;
}

/** A family's selection rule, as data (docs table, refusals). */
export interface Selection {
  kinds: readonly SiteKind[];
  scope: "local" | "global" | "any";
  valueTypes: readonly MaskValueType[];
  /** Accepted estimator kinds. */
  estimators: readonly EstimatorKind[];
  /** Prior kinds served (omitted: any prior whose support is in `supports`, or any). */
  priors?: readonly string[];
  /** Prior supports served (omitted: any). */
  supports?: readonly string[];
  /** The guide kind the family implements; families without one serve sites that ask for none. */
  guide?: string;
}

/** Per-run noise, sizes, schedules and the other sites' guide values, as one family's draw sees them. */
export interface DrawContext {
  ir: ModelIR;
  params: ParamStore;
  replicas: number | undefined;
  /** Leading replica axes (0 or 1). */
  lead: number;
  /** Plate sizes of this run (the data plate at the batch size). */
  sizes: Record<string, number>;
  /** Noise keys, one per replica (or one). Derive a site's own with `foldIn(site.name)`. */
  keys: Key[];
  /** Draw (training, held-out sampling), or return the guide's mean (encode, reconstruct from the mean). */
  sample: boolean;
  /** Evaluation: relaxed draws at their hard limit (the `elboHard` bound). */
  hard: boolean;
  /** A training step's run (the optimiser's): training-only augmentation, e.g. a product-of-experts view dropout, applies. */
  training: boolean;
  /**
   * An evaluation run of the fitted model (encode, reconstruct, evaluate): inference beyond the
   * amortised guide, e.g. the capped code's `guide.refine`, applies. False in the training steps and
   * in the runs that track the training objective (the validation loss, the first-epoch
   * diagnostics, the data's support check), which measure the guide being trained.
   */
  evaluation: boolean;
  step: number;
  /** A schedule's value at this step. */
  scheduleAt(s: ScheduleLike | undefined): number;
  /** A schedule at this step, as a number when constant, else a per-step input tensor (step plans). */
  scheduleInput(s: ScheduleLike | undefined): number | tf.Tensor;
  /** Observed data in canonical layout, by site. */
  observed: Record<string, tf.Tensor>;
  /** Features of the shared amortised encoder on the observed data, [(R,) B, H] (computed once per run). */
  trunk(): tf.Tensor;
  /** The guide value of another site in this run (drawn on demand), canonical layout. */
  value(site: string): tf.Tensor | undefined;
  /** This site's position among the amortised sites (a legacy noise key of the capped code). */
  index: number;
}

/** One site's guide output in one run. */
export interface GuideDraw {
  /** The value the model sees (canonical layout); undefined: the model computes the site itself. */
  value?: tf.Tensor;
  /** The guide distribution (ctx.posterior, the rate). */
  q?: SiteDistribution;
  /** The guide's mean (encode, reconstruct from the mean), canonical layout. */
  mean?: tf.Tensor;
  /** Activity probabilities of a sparse code (encode), canonical layout; a deterministic 0/1 support where the code predicts one. */
  activity?: tf.Tensor;
  /** Per-unit ranking scores when they differ from `activity` (encode; e.g. index probabilities), canonical layout. */
  scores?: tf.Tensor;
}

/** What a family's terms see: its message of the model run, its draw, and the normalisation. */
export interface TermContext<D extends GuideDraw = GuideDraw> {
  /** The site's message (its prior is `msg.fn`, its value `msg.value`). */
  msg: Message;
  draw: D;
  /** Every message of the run (another site's prior, e.g. η's Beta). */
  messages: Message[];
  mode: Normalisation;
  batchSize: number;
  /** The configured minibatch size (the reference normalisation divides priors by it). */
  configuredBatchSize: number;
  trainSize: number;
  /** Leading replica axes. */
  leading: number;
  step: number;
}

/** A closed-form update of state variables after each optimiser step (outside the tape; run from a step plan once proven). */
export interface StateUpdate {
  /** The variables written, in the order of `compute`'s outputs. */
  targets: tf.Variable[];
  /** The new values (pure tensor computation). */
  compute(): tf.Tensor[];
}

/** What `globals()`, `sample()` and updates see: the store and the sizes of the fit. */
export interface FitContext {
  ir: ModelIR;
  params: ParamStore;
  replicas: number | undefined;
  lead: number;
  /** Plate sizes of the fit (the data plate at the training size). */
  sizes: Record<string, number>;
  /** Optimiser steps taken (schedules read at this step). */
  step: number;
}

/** The compiler's per-site object made by a family. Only `draw` is required. */
export interface SiteInference<D extends GuideDraw = GuideDraw> {
  readonly site: SiteDecl;
  readonly family: Family;
  /** Drawn per data point from the observed data (encode returns its mean and activity). */
  readonly local?: boolean;
  /** Its guide has a density for `iwae` (log q of its draws). */
  readonly density?: boolean;
  /** `evaluate` also reports `elboHard`, with this site's draw at its hard limit. */
  readonly hardLimit?: boolean;
  /** The guide's output in one run. */
  draw(g: DrawContext): D;
  /** Its terms of the objective (rate, prior, mask prior); none when omitted. */
  terms?(t: TermContext<D>): Term[];
  /** A closed-form state update after each optimiser step. */
  update?(f: FitContext): StateUpdate | undefined;
  /**
   * Terms that need the rest of the objective (per-replica loss `loss`, weights applied): a
   * score-function surrogate (value 0, gradient (f − b) ∇ log q).
   */
  surrogate?(t: TermContext<D>, loss: tf.Tensor): Term[];
  /** A host hook after each applied step, with the per-replica losses (e.g. a running baseline). */
  afterStep?(losses: number[], f: FitContext): void;
  /** Values `globals()` reports, canonical layout of this site, by output name (e.g. { W, "W.pstar" }). */
  report?(f: FitContext): Record<string, tf.Tensor>;
  /** The value `sample()` uses for this site (canonical); undefined: the model draws it from its prior. */
  generative?(f: FitContext): tf.Tensor | undefined;
  /** The guide at other encoder inputs (`ctx.recognition`), from trunk features h [(R,) P, H]. */
  recognise?(h: tf.Tensor, g: DrawContext): SiteDistribution;
  /** Warnings after the first epoch (e.g. a saturated spike head), each naming the site. */
  diagnose?(g: DrawContext): string[];
  /** Observed sites: the held-out NLL of the model's message (one number per replica). */
  heldoutNll?(msg: Message, rows: number, lead: number): number[];
}

/** Statistics of the training data that a site's `init` reads, computed once per fit (and kept in checkpoints). */
export interface DataStats {
  /** Per-column variance (`init: "columnVariance"`). */
  columnVariance?: number[];
  /**
   * Per `init: "nmf"` mask site, one entry per replica (one without replicas): that replica's NMF
   * loadings of its rows (from its own key and, for per-replica data, its own dataset's training
   * rows), rows × factors row-major, each row's maximum 1.
   */
  nmf?: Record<string, number[][]>;
}

/** What a family's `create` gets. */
export interface FamilyEnv extends FitContext {
  /** Encoder trunk widths (compile option or a site's `guide.hidden`). */
  encoderHidden: number[];
  /** Data statistics of the fit (for `init: "columnVariance"` and `init: "nmf"`), once computed. */
  stats(): DataStats;
  /** Another site's inference (an EM hook writes its η site's state). */
  inference(site: string): SiteInference | undefined;
}

/** An inference family: one file in packages/infer/src/families/, one line in the registry. */
export interface Family {
  /** Registry name, shown in refusals, docs and the support table. */
  readonly name: string;
  /** One line: what the compiler does for such a site. */
  readonly summary: string;
  /** Which sites it serves. */
  readonly selects: Selection;
  /** The site options it reads (others set on the site draw an unused-option warning). */
  readonly reads: readonly string[];
  /** Compile-time checks beyond selection; return a refusal reason (the site is named by the caller). */
  check?(f: SiteFacts, ir: ModelIR): string | undefined;
  /** Other sites this family reads for the site beyond the model's own dependencies (e.g. a guide's encoder mask), so that the planner does not call them unread. */
  readsSites?(site: SiteDecl): readonly string[];
  /** The per-site inference of one program. */
  create(site: SiteDecl, env: FamilyEnv): SiteInference;
}
