/**
 * The generic parts of automatic guides (DESIGN §3): the **amortised encoder** every local site's
 * family reads (one MLP trunk on the observed sites, shared), the guide heads of a site as one dense
 * layer on that trunk, and per-replica noise streams. What a site's guide *is* (its heads, its draw,
 * its rate) belongs to its inference family (`families/`); nothing here names a distribution.
 */
import { tf, Key, DATA_PLATE, stepSource, scheduleValue, scheduleInput, type ParamStore, type ScheduleLike, type SiteDecl } from "@sparse-dgm/core";
import { denseActivation, denseParams, mlpForward, flattenFeatures } from "@sparse-dgm/nn";
import type { DrawContext, GuideDraw, SiteInference } from "./families/family.js";

/** Standard normal noise of `shape`, one independent stream per replica, as one tensor. */
export function replicaNormal(keys: Key[], replicas: number | undefined, shape: number[]): tf.Tensor {
  if (replicas === undefined) return keys[0].normal(shape);
  const n = shape.reduce((a, b) => a * b, 1);
  return stacked(keys, replicas, shape, (k) => k.normalArray(n));
}

/** One tensor of per-replica draws [replicas, ...shape], declared as a per-step source when recording. */
function stacked(keys: Key[], replicas: number, shape: number[], draw: (k: Key) => Float64Array): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const make = (ks: readonly Key[]) => {
    const buf = new Float32Array(n * replicas);
    ks.forEach((k, r) => buf.set(draw(k), r * n));
    return buf;
  };
  return stepSource(tf.tensor(make(keys), [replicas, ...shape]), (ctx) => make(keys.map((k) => k.rederive(ctx.roots))));
}

/** Uniform(0, 1) noise, one stream per replica. */
export function replicaUniform(keys: Key[], replicas: number | undefined, shape: number[]): tf.Tensor {
  if (replicas === undefined) return keys[0].uniform(shape);
  const n = shape.reduce((a, b) => a * b, 1);
  return stacked(keys, replicas, shape, (k) => k.uniformArray(n));
}

/** One head of a site's guide: its name, width, and optionally the value its bias starts at. */
export type HeadSpec = [name: string, width: number, biasInit?: number];

/**
 * The guide's heads of one site as **one** dense layer (kernel [H, Σ widths], one parameter) whose
 * output is split by columns: one matMul forward and three backward instead of one per head.
 */
export function siteHeads(params: ParamStore, h: tf.Tensor, siteName: string, heads: HeadSpec[]): Record<string, tf.Tensor> {
  const H = h.shape[h.rank - 1];
  const total = heads.reduce((a, [, w]) => a + w, 0);
  // A head given a bias value starts there (its weights keep the default initialisation).
  const fixed = heads.some(([, , b]) => b !== undefined);
  const biasInit = fixed
    ? (key: Key, shape: number[]) =>
        tf.tidy(() => {
          const bound = 1 / Math.sqrt(H);
          const random = tf.sub(tf.mul(key.uniform(shape), 2 * bound), bound);
          const parts = tf.split(
            random,
            heads.map(([, w]) => w),
            -1,
          );
          return tf.concat(
            heads.map(([, w, b], i) => (b === undefined ? parts[i] : tf.fill([w], b))),
            -1,
          );
        })
    : undefined;
  const p = denseParams(params, { name: `guide/${siteName}/heads`, inputs: H, units: total, biasInit });
  const out = denseActivation(h, p.kernel, p.bias!, "linear");
  const parts =
    heads.length === 1
      ? [out]
      : tf.split(
          out,
          heads.map(([, w]) => w),
          -1,
        );
  return Object.fromEntries(heads.map(([name], i) => [name, parts[i]]));
}

/** The encoder's input features per data point: every observed site's non-data entries, concatenated. */
export function encoderInputWidth(observedSites: readonly SiteDecl[], sizes: Record<string, number>): number {
  return observedSites.reduce((a, s) => a + s.plates.filter((p) => p !== DATA_PLATE).reduce((b, p) => b * sizes[p], 1) * s.event.reduce((b, e) => b * e, 1), 0);
}

/**
 * The shared amortised encoder's trunk on the observed data (canonical layout, by site): each
 * observed site flattened per data point (divided by its row sum with the site option
 * `encoderInput: "normalise"`), concatenated, through the MLP `guide/encoder`. Returns [(R,) B, H].
 */
export function encoderTrunk(params: ParamStore, observedSites: readonly SiteDecl[], observed: Record<string, tf.Tensor>, lead: number, hidden: number[]): tf.Tensor {
  const inputs = observedSites.map((s) => {
    const x = observed[s.name];
    if (!x) throw new Error(`the guide needs observed site "${s.name}"`);
    const enc = s.options.encoderInput as "normalise" | "log1p" | undefined;
    const flat = flattenFeatures(x, lead + 1);
    // what the encoder sees (the likelihood still scores x): rows scaled to sum 1, or log(1 + x)
    return enc === "normalise" ? tf.div(flat, tf.maximum(tf.sum(flat, -1, true), 1e-8)) : enc === "log1p" ? tf.log1p(flat) : flat;
  });
  const input = inputs.length === 1 ? inputs[0] : tf.concat(inputs, -1);
  return mlpForward(params, "guide/encoder", input, { hidden, inputGrad: false });
}

/**
 * The trunk at other inputs (`ctx.recognition`, e.g. VSC's pseudo-inputs u [P, D]: any layout whose
 * size is P times the encoder's input width, with a leading replica axis when replicated). The
 * gradient flows into the inputs, so pseudo-inputs learn. Returns [(R,) P, H].
 */
export function recognitionTrunk(params: ParamStore, siteName: string, inputs: tf.Tensor, inWidth: number, replicas: number | undefined, hidden: number[]): tf.Tensor {
  if (inputs.size % ((replicas ?? 1) * inWidth) !== 0) {
    throw new Error(`ctx.recognition("${siteName}"): inputs of shape [${inputs.shape.join(", ")}] do not hold rows of the encoder's ${inWidth} input features`);
  }
  const x = tf.reshape(inputs, [...(replicas === undefined ? [] : [replicas]), -1, inWidth]);
  return mlpForward(params, "guide/encoder", x, { hidden });
}

/** What one run of the guide needs besides the site inferences: the draw context's run-wide parts (`training`: an optimiser step's run, where training-only augmentation applies; `evaluation`: a run of the fitted model, where evaluation-only inference applies), the encoder's inputs and widths. */
export type GuideRunArgs = Pick<DrawContext, "ir" | "params" | "replicas" | "lead" | "sizes" | "keys" | "sample" | "hard" | "training" | "evaluation" | "step" | "observed"> & {
  /** The observed sites the encoder reads, and its trunk widths. */
  observedSites: readonly SiteDecl[];
  hidden: number[];
};

/**
 * One run of the guide: every site's draw, made on demand and once (a product-of-experts guide
 * reads its encoder mask's value, drawn first), and the shared encoder trunk, computed once.
 */
export class GuideRun {
  private readonly draws = new Map<string, GuideDraw>();
  private readonly drawing = new Set<string>();
  private h?: tf.Tensor;
  private readonly localIndex = new Map<string, number>();

  constructor(
    private readonly sites: ReadonlyMap<string, SiteInference>,
    readonly args: GuideRunArgs,
  ) {
    let i = 0;
    for (const inf of sites.values()) if (inf.local) this.localIndex.set(inf.site.name, i++);
  }

  /** The shared encoder trunk on this run's observed data. */
  trunk(): tf.Tensor {
    const a = this.args;
    this.h ??= encoderTrunk(a.params, a.observedSites, a.observed, a.lead, a.hidden);
    return this.h;
  }

  /** The draw context of one site. */
  context(site: string): DrawContext {
    const a = this.args;
    return {
      ir: a.ir,
      params: a.params,
      replicas: a.replicas,
      lead: a.lead,
      sizes: a.sizes,
      keys: a.keys,
      sample: a.sample,
      hard: a.hard,
      training: a.training,
      evaluation: a.evaluation,
      step: a.step,
      scheduleAt: (s) => scheduleValue(s as never, a.step),
      scheduleInput: (s) => scheduleInput(s as ScheduleLike, a.step),
      observed: a.observed,
      trunk: () => this.trunk(),
      value: (other) => this.draw(other).value,
      index: this.localIndex.get(site) ?? 0,
    };
  }

  /** A site's draw (made once per run). */
  draw(site: string): GuideDraw {
    const done = this.draws.get(site);
    if (done) return done;
    const inf = this.sites.get(site);
    if (!inf) return {};
    if (this.drawing.has(site)) throw new Error(`site "${site}": its guide reads its own value (a cycle through guide options)`);
    this.drawing.add(site);
    const d = inf.draw(this.context(site));
    this.drawing.delete(site);
    this.draws.set(site, d);
    return d;
  }

  /** Draws every site (or the local ones), in site order. */
  drawAll(localOnly = false): Map<string, GuideDraw> {
    for (const inf of this.sites.values()) if (!localOnly || inf.local) this.draw(inf.site.name);
    return this.draws;
  }
}
