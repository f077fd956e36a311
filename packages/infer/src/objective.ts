/**
 * The objective builder (DESIGN §3): loss = Σ_terms weight(step) · term, with term kinds
 * distortion (per observed site), rate (per local latent), prior (per point-estimated global),
 * mask prior (the EM surrogate of a spike-and-slab-lasso mask) and auxiliary (factor sites).
 *
 * Two normalisations:
 * - `"elbo"`: the negative ELBO per data point: distortion and rate averaged over the batch,
 *   global priors scaled by 1/N (N = training size), so one epoch sees each prior once.
 * - `"reference"`: the Sparse VAE code's scaling, reproduced exactly (specs/sparse-vae.md §2.2):
 *   Gaussian recon Σ((x − x̂)/σ)²/(2·B·G) + Σ_j log σ_j, other likelihoods −Σ log p / B,
 *   KL / (B·K), priors and the mask penalty / B_configured (the configured batch size, also for
 *   the last partial batch, as the released code does).
 */
import { tf, DATA_PLATE, evaluateSchedule, scheduleInput, type Message, type ScheduleLike } from "@sparse-dgm/core";
import type { GuideDraw, SiteInference, TermContext } from "./families/family.js";

/** Normalisation modes. */
export type Normalisation = "elbo" | "reference";

/** One term of the objective: its kind, the site it belongs to, its value per replica. */
export interface Term {
  name: string;
  kind: "distortion" | "rate" | "prior" | "maskPrior" | "auxiliary";
  site: string;
  /** Value (scalar, or [R] with replicas), already normalised. */
  value: tf.Tensor;
  /** Weight at this step. */
  weight: number;
  /** The weight's schedule, when it has one: the loss then multiplies by it as a per-step input tensor. */
  schedule?: ScheduleLike;
  /** The weight as a tensor (scheduled weights). */
  weightTensor?: tf.Tensor;
}

/** A term's weight: a plain number, or a schedule evaluated at `step` and kept as a per-step input. */
export function weighted(s: ScheduleLike | undefined, step: number): Pick<Term, "weight" | "schedule" | "weightTensor"> {
  if (s === undefined) return { weight: 1 };
  const input = scheduleInput(s, step);
  return typeof input === "number" ? { weight: input } : { weight: evaluateSchedule(s, step), schedule: s, weightTensor: input };
}

/** What the objective needs from one step's run. */
export interface StepRun {
  messages: Message[];
  /** Each site's inference (its family's terms) and its draw of this run. */
  sites: Map<string, { inference: SiteInference; draw: GuideDraw }>;
  batchSize: number;
  /** The configured minibatch size (the reference code divides its priors by it, also for the last, partial batch). */
  configuredBatchSize: number;
  trainSize: number;
  leading: number;
  step: number;
}

/** Sums a tensor over every axis but the leading replica axis. */
export function sumPerReplica(t: tf.Tensor, leading: number): tf.Tensor {
  const axes = Array.from({ length: t.rank - leading }, (_, i) => i + leading);
  return axes.length ? tf.sum(t, axes) : t;
}

function elementsPerPoint(shape: number[], leading: number, dataAxis: number): number {
  return shape.reduce((a, d, i) => (i < leading || i === dataAxis ? a : a * d), 1);
}

/** The canonical axis of the data plate in a message's run (after the replica axis). */
function dataAxisOf(msg: Message, leading: number): number {
  return leading + msg.state.ir.plates.findIndex((p) => p.name === DATA_PLATE);
}

/**
 * A local site's rate term `rate:site` from its elementwise KL (or log q − log p): summed per
 * replica and divided by B ("elbo") or by B times the site's elements per data point ("reference");
 * the site's `klNormalisation` option overrides the objective's mode. Weighted by the site's `klWeight`.
 */
export function rateTerm(t: TermContext, perElem: tf.Tensor): Term {
  const mode = (t.msg.site.options.klNormalisation as Normalisation | undefined) ?? t.mode;
  const perPoint = mode === "reference" ? t.batchSize * elementsPerPoint(perElem.shape, t.leading, dataAxisOf(t.msg, t.leading)) : t.batchSize;
  const kw = t.msg.site.options.klWeight as ScheduleLike | undefined;
  return { name: `rate:${t.msg.name}`, kind: "rate", site: t.msg.name, value: tf.div(sumPerReplica(perElem, t.leading), perPoint), ...weighted(kw, t.step) };
}

/**
 * A global site's prior term: `total` (its negative log prior, or a penalty, per replica) divided by
 * the training size N ("elbo": one epoch sees each prior once) or by the configured batch size
 * ("reference"); a mask's `priorNormalisation` option overrides the objective's mode for its own
 * prior. `name` is the term's prefix ("prior" or "maskPrior"); `weight` its schedule.
 */
export function globalTerm(t: TermContext, total: tf.Tensor, name: "prior" | "maskPrior", kind: "prior" | "maskPrior", weight?: ScheduleLike): Term {
  const mode = (t.msg.site.kind === "mask" ? (t.msg.site.options.priorNormalisation as Normalisation | undefined) : undefined) ?? t.mode;
  const scaleBy = mode === "reference" ? t.configuredBatchSize : t.trainSize;
  return { name: `${name}:${t.msg.name}`, kind, site: t.msg.name, value: tf.div(total, scaleBy), ...weighted(weight, t.step) };
}

/** A factor site's term: −(log factor), weighted by its `weight`, named `term:site` (default "auxiliary"). */
function factorTerm(msg: Message, leading: number, step: number): Term {
  const w = msg.site.options.weight as ScheduleLike | undefined;
  const v = msg.value!;
  const value = v.rank > leading ? sumPerReplica(v, leading) : v;
  return { name: `${(msg.site.options.term as string) ?? "auxiliary"}:${msg.name}`, kind: "auxiliary", site: msg.name, value: tf.neg(value), ...weighted(w, step) };
}

/**
 * Every term of one step: each site's family's terms, in site order, and the factors'; then the
 * surrogate terms of families that need the rest of the objective (score-function estimators).
 */
export function buildTerms(run: StepRun, mode: Normalisation): Term[] {
  const terms: Term[] = [];
  const contexts: Array<[SiteInference, TermContext]> = [];
  for (const msg of run.messages) {
    if (msg.type === "factor") {
      terms.push(factorTerm(msg, run.leading, run.step));
      continue;
    }
    const entry = run.sites.get(msg.name);
    if (!entry?.inference.terms) continue;
    // a site fixed by `do` contributes no density (local guides keep their rate)
    if (msg.intervened && msg.type !== "observe" && !entry.inference.local) continue;
    const ctx: TermContext = {
      msg,
      draw: entry.draw,
      messages: run.messages,
      mode,
      batchSize: run.batchSize,
      configuredBatchSize: run.configuredBatchSize,
      trainSize: run.trainSize,
      leading: run.leading,
      step: run.step,
    };
    terms.push(...entry.inference.terms(ctx));
    contexts.push([entry.inference, ctx]);
  }
  const surrogates = contexts.filter(([inf]) => inf.surrogate);
  if (surrogates.length) {
    const loss = totalLoss(terms);
    for (const [inf, ctx] of surrogates) terms.push(...inf.surrogate!(ctx, loss));
  }
  return terms;
}

/** Σ weight · term (per replica: scalar or [R]). */
export function totalLoss(terms: Term[]): tf.Tensor {
  return tf.addN(terms.map((t) => (t.weightTensor ? tf.mul(t.value, t.weightTensor) : t.weight === 1 ? t.value : tf.mul(t.value, t.weight))));
}
