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
import { tf, broadcast, DATA_PLATE, messageLogProb, evaluateSchedule, scheduleInput, type Message, type ScheduleLike } from "@sparse-dgm/core";
import { kl, hasKL, Normal, SpikeSlabLasso, type Distribution } from "@sparse-dgm/distributions";
import type { LocalDraw } from "./guide.js";

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
function weighted(s: ScheduleLike | undefined, step: number): Pick<Term, "weight" | "schedule" | "weightTensor"> {
  if (s === undefined) return { weight: 1 };
  const input = scheduleInput(s, step);
  return typeof input === "number" ? { weight: input } : { weight: evaluateSchedule(s, step), schedule: s, weightTensor: input };
}

/** What the objective needs from one step's run. */
export interface StepRun {
  messages: Message[];
  locals: LocalDraw[];
  /** p* of each map-em mask (canonical layout). */
  pstar: Record<string, tf.Tensor>;
  /** Guides of relaxed global masks (their prior term is the analytic KL). */
  globalGuides: Record<string, Distribution>;
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

/** Every term of one step. */
export function buildTerms(run: StepRun, mode: Normalisation): Term[] {
  const terms: Term[] = [];
  const { leading, batchSize: B, trainSize: N } = run;
  const local = new Map(run.locals.map((l) => [l.site.name, l]));
  for (const msg of run.messages) {
    const site = msg.site;
    const dataAxis = leading + msg.state.ir.plates.findIndex((p) => p.name === DATA_PLATE);
    if (msg.type === "observe") {
      const d = msg.fn as unknown as Distribution;
      let value: tf.Tensor;
      if (mode === "reference" && d instanceof Normal) {
        const scale = broadcast(d.scale, msg.value!.shape);
        const quad = tf.square(tf.div(tf.sub(msg.value!, d.loc), scale));
        const G = elementsPerPoint(msg.value!.shape, leading, dataAxis);
        value = tf.add(tf.div(sumPerReplica(quad, leading), 2 * B * G), tf.div(sumPerReplica(tf.log(scale), leading), B));
      } else {
        value = tf.div(tf.neg(sumPerReplica(messageLogProb(msg), leading)), B);
      }
      // an observe site's optional `weight` (a number or schedule) scales its distortion, like a latent's klWeight
      terms.push({ name: `distortion:${msg.name}`, kind: "distortion", site: msg.name, value, ...weighted(site.options.weight as ScheduleLike | undefined, run.step) });
      continue;
    }
    const l = local.get(msg.name);
    if (l) {
      const p = msg.fn as unknown as Distribution;
      const q = l.q as unknown as Distribution;
      let perElem: tf.Tensor;
      if (hasKL(q, p)) perElem = kl(q, p);
      else if (!(q as { isRelaxed?: boolean }).isRelaxed && !p.isRelaxed) perElem = tf.sub(q.logProb(l.value), p.logProb(l.value));
      else throw new Error(`site "${msg.name}": no analytic KL for (${q.kind} || ${p.kind}) and relaxed densities are never evaluated`);
      const perPoint = mode === "reference" ? B * elementsPerPoint(perElem.shape, leading, dataAxis) : B;
      const kw = site.options.klWeight as ScheduleLike | undefined;
      terms.push({ name: `rate:${msg.name}`, kind: "rate", site: msg.name, value: tf.div(sumPerReplica(perElem, leading), perPoint), ...weighted(kw, run.step) });
      continue;
    }
    if ((msg.type === "global" || msg.type === "mask") && msg.fn && !msg.intervened && site.mask?.valueType !== "fixed") {
      const est = site.mask?.estimator.kind ?? (site.options.estimator as { kind?: string } | undefined)?.kind;
      if (est === "em-update") continue; // closed-form state: enters through the EM step only
      const scaleBy = mode === "reference" ? run.configuredBatchSize : N;
      const gq = run.globalGuides[msg.name];
      if (gq) {
        const klv = sumPerReplica(kl(gq, msg.fn as unknown as Distribution), leading);
        terms.push({ name: `maskPrior:${msg.name}`, kind: "maskPrior", site: msg.name, value: tf.div(klv, scaleBy), weight: 1 });
      } else if (est === "map-em") {
        const prior = msg.fn as unknown as SpikeSlabLasso;
        const ps = run.pstar[msg.name];
        const w = tf.add(tf.mul(prior.slab, ps), tf.mul(prior.spike, tf.sub(1, ps)));
        const pen = sumPerReplica(tf.mul(w, tf.abs(msg.value!)), leading);
        const pw = site.options.priorWeight as ScheduleLike | undefined;
        terms.push({ name: `maskPrior:${msg.name}`, kind: "maskPrior", site: msg.name, value: tf.div(pen, scaleBy), ...weighted(pw, run.step) });
      } else {
        const lp = sumPerReplica(messageLogProb(msg), leading);
        terms.push({ name: `prior:${msg.name}`, kind: msg.type === "mask" ? "maskPrior" : "prior", site: msg.name, value: tf.div(tf.neg(lp), scaleBy), weight: 1 });
      }
      continue;
    }
    if (msg.type === "factor") {
      const w = site.options.weight as ScheduleLike | undefined;
      const v = msg.value!;
      const value = v.rank > leading ? sumPerReplica(v, leading) : v;
      terms.push({ name: `${(site.options.term as string) ?? "auxiliary"}:${msg.name}`, kind: "auxiliary", site: msg.name, value: tf.neg(value), ...weighted(w, run.step) });
    }
  }
  return terms;
}

/** Σ weight · term (per replica: scalar or [R]). */
export function totalLoss(terms: Term[]): tf.Tensor {
  return tf.addN(terms.map((t) => (t.weightTensor ? tf.mul(t.value, t.weightTensor) : t.weight === 1 ? t.value : tf.mul(t.value, t.weight))));
}
