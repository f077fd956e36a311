/**
 * Automatic guides derived from the IR (DESIGN §3):
 * - local latents and local masks (sites in the `data` plate) get an **amortised encoder**: an MLP
 *   on the observed sites, with heads that follow the prior's family (Normal -> loc and
 *   log-variance; spike-and-slab -> (γ, μ, σ) with log γ = −relu(−v); capped code -> level and
 *   index logits plus a Gaussian slab);
 * - globals, real masks and params get **point-mass** guides through their support's bijector;
 * - sites updated in closed form (EM) are state, not trained.
 */
import { tf, Key, DATA_PLATE, canonicalShape, stepSource, type ModelIR, type ParamStore, type SiteDecl, type SiteDistribution } from "@sparse-dgm/core";
import { Normal, SpikeAndSlab, CappedSparseCode } from "@sparse-dgm/distributions";
import { denseActivation, denseParams, mlpForward, flattenFeatures } from "@sparse-dgm/nn";

/** The guide's family for one local site. */
export type LocalFamily = "normal" | "spikeAndSlab" | "cappedCode";

/** How the guide treats each site. */
export interface GuidePlan {
  locals: Array<{ site: SiteDecl; family: LocalFamily; width: number }>;
  /** Point-estimated sites (trained) with their constraint name. */
  points: Array<{ site: SiteDecl; constraint: string }>;
  /** Sites updated in closed form after each step (EM). */
  state: SiteDecl[];
  /**
   * Global binary masks with a relaxed estimator: a mean-field Bernoulli guide over the mask
   * (one logit per entry), sampled with the binary Concrete relaxation each step and scored with
   * the analytic Bernoulli KL to the prior.
   */
  relaxed: SiteDecl[];
  /** Observed sites feeding the encoder. */
  observed: SiteDecl[];
  /** Encoder trunk widths. */
  hidden: number[];
}

/** The guide's family for a prior kind (throws naming the site when there is none). */
export function localFamily(site: SiteDecl, priorKind: string | undefined): LocalFamily {
  if (priorKind === "SpikeAndSlab" || priorKind === "PseudoInputSpikeSlab") return "spikeAndSlab";
  // a local binary code relaxed by the threshold sigmoid (VSC) whose prior is given by name only
  if (site.mask?.valueType === "binary" && site.mask.estimator.kind === "threshold-sigmoid") return "spikeAndSlab";
  if (priorKind === "CappedSparseCode") return "cappedCode";
  if (priorKind === "Normal" || priorKind === undefined) return "normal";
  throw new Error(`site "${site.name}": no automatic amortised guide for a ${priorKind} prior; supply a guide override`);
}

/** Derives the guide plan from the IR. */
export function planGuide(ir: ModelIR, sizes: Record<string, number>, hiddenDefault: number[]): GuidePlan {
  const plan: GuidePlan = { locals: [], points: [], state: [], relaxed: [], observed: [], hidden: hiddenDefault };
  for (const s of ir.sites) {
    if (s.kind === "observe") plan.observed.push(s);
    const isLocal = s.plates.includes(DATA_PLATE);
    if (s.kind === "latent" || (s.kind === "mask" && isLocal)) {
      if (!isLocal) {
        plan.points.push({ site: s, constraint: "real" });
        continue;
      }
      const width = s.plates.filter((p) => p !== DATA_PLATE).reduce((a, p) => a * sizes[p], 1) * s.event.reduce((a, b) => a * b, 1);
      plan.locals.push({ site: s, family: localFamily(s, s.prior?.kind), width });
      const g = s.options.guide as { hidden?: number[] } | undefined;
      if (g?.hidden) plan.hidden = g.hidden;
    } else if (s.kind === "global" || s.kind === "mask") {
      if (s.mask?.valueType === "fixed") continue;
      const est = (s.options.estimator as { kind?: string } | undefined)?.kind ?? s.mask?.estimator.kind;
      if (est === "em-update") plan.state.push(s);
      else if (s.mask?.valueType === "binary" && (est === "relaxed-bernoulli" || est === "gumbel-softmax")) plan.relaxed.push(s);
      else plan.points.push({ site: s, constraint: supportOf(s) });
    }
  }
  return plan;
}

function supportOf(s: SiteDecl): string {
  switch (s.prior?.kind) {
    case "InverseGamma":
    case "Gamma":
      return "positive";
    case "Beta":
      return "unitInterval";
    default:
      return "real";
  }
}

/** Per-step guide output for one local site. */
export interface LocalDraw {
  site: SiteDecl;
  /** The guide distribution (for the KL). */
  q: SiteDistribution;
  /** A reparameterised (or relaxed) sample, canonical layout. */
  value: tf.Tensor;
  /** The guide's mean, canonical layout (for reconstruction from the mean and for codes). */
  mean: tf.Tensor;
  /** Activity probabilities γ (sparse codes), canonical layout. */
  activity?: tf.Tensor;
}

/** Options of one guide evaluation. */
export interface GuideRun {
  ir: ModelIR;
  sizes: Record<string, number>;
  params: ParamStore;
  replicas: number | undefined;
  /** Observed inputs in canonical layout, by site. */
  observed: Record<string, tf.Tensor>;
  /** Noise keys, one per replica (or one). */
  keys: Key[];
  /** Schedule values at this step (threshold sharpness, slab warm-up, temperatures). */
  scheduleAt: (s: unknown) => number;
  /** A schedule at this step as a number when constant, else as a per-step scalar input (step plans: core step-hook.ts). */
  scheduleInput?: (s: unknown) => number | tf.Tensor;
  /** Whether to sample (else return the mean as the value). */
  sample: boolean;
  /**
   * Draw relaxed binary codes at their hard limit: VSC's gate 1[u > 1 − γ] instead of
   * sigmoid(c (u − 1 + γ)), i.e. a sample of the spike-and-slab the relaxation stands for.
   * Evaluation only (no gradient flows to γ through a step function).
   */
  hardGates?: boolean;
}

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

/**
 * The guide's heads of one site as **one** dense layer (kernel [H, Σ widths], one parameter) whose
 * output is split by columns: one matMul forward and three backward instead of one per head.
 */
function siteHeads(params: ParamStore, h: tf.Tensor, siteName: string, heads: Array<[string, number, number?]>): Record<string, tf.Tensor> {
  const H = h.shape[h.rank - 1];
  const total = heads.reduce((a, [, w]) => a + w, 0);
  // A head given a bias value starts there (its weights keep the default initialisation).
  const fixed = heads.some(([, , b]) => b !== undefined);
  const biasInit = fixed
    ? (key: Key, shape: number[]) =>
        tf.tidy(() => {
          const bound = 1 / Math.sqrt(H);
          const random = tf.sub(tf.mul(key.uniform(shape), 2 * bound), bound);
          const parts = tf.split(random, heads.map(([, w]) => w), -1);
          return tf.concat(heads.map(([, w, b], i) => (b === undefined ? parts[i] : tf.fill([w], b))), -1);
        })
    : undefined;
  const p = denseParams(params, { name: `guide/${siteName}/heads`, inputs: H, units: total, biasInit });
  const out = denseActivation(h, p.kernel, p.bias!, "linear");
  const parts = heads.length === 1 ? [out] : tf.split(out, heads.map(([, w]) => w), -1);
  return Object.fromEntries(heads.map(([name], i) => [name, parts[i]]));
}

/**
 * The heads of a spike-and-slab guide: v (log γ = −relu(−v)), μ, log σ². With the site option
 * `guide: { inclusionInit: γ0 }` the v head's bias starts at log γ0, so every unit starts at
 * γ ≈ γ0 < 1 where its gradient flows, instead of half the units at γ = 1 (v ≥ 0), where
 * −relu(−v) passes no gradient.
 */
function spikeSlabHeads(site: SiteDecl, width: number): Array<[string, number, number?]> {
  const g0 = (site.options.guide as { inclusionInit?: number } | undefined)?.inclusionInit;
  if (g0 !== undefined && !(g0 > 0 && g0 <= 1)) throw new Error(`site "${site.name}": guide.inclusionInit must be in (0, 1], got ${g0}`);
  const v0 = g0 === undefined ? undefined : spikeHeadOf(site) === "sigmoid" ? Math.log(g0 / (1 - g0)) : Math.log(g0);
  return [["logit", width, v0], ["loc", width], ["logVariance", width]];
}

/** The spike head's link: "relu" (VSC's log γ = −relu(−v), the default) or "sigmoid" (γ = sigmoid(v)). */
function spikeHeadOf(site: SiteDecl): "relu" | "sigmoid" {
  const h = (site.options.guide as { spikeHead?: string } | undefined)?.spikeHead ?? "relu";
  if (h !== "relu" && h !== "sigmoid") throw new Error(`site "${site.name}": guide.spikeHead must be "relu" or "sigmoid", got ${JSON.stringify(h)}`);
  return h;
}

/**
 * γ from the spike head's output v. "relu": log γ = −relu(−v) (Tonolini et al.; 0 < γ ≤ 1, and
 * γ = 1 with no gradient in v once v ≥ 0, so a unit switched fully on stays on). "sigmoid":
 * γ = sigmoid(v), with a gradient everywhere (0 < γ < 1).
 */
function spikeProbability(site: SiteDecl, v: tf.Tensor): tf.Tensor {
  return spikeHeadOf(site) === "sigmoid" ? tf.sigmoid(v) : tf.exp(tf.neg(tf.relu(tf.neg(v))));
}

/**
 * The guide's distribution for a local site evaluated at other inputs: `ctx.recognition(site, u)`,
 * e.g. VSC's pseudo-inputs u [P, D] (any layout whose size is P·D, with a leading replica axis
 * when replicated). The encoder and heads are the guide's own (shared weights); the gradient flows
 * into the inputs, so pseudo-inputs learn. Returns batch [P, width] (or [R, P, width]).
 */
export function recognise(plan: GuidePlan, g: GuideRun, siteName: string, inputs: tf.Tensor): Normal | SpikeAndSlab {
  const entry = plan.locals.find((l) => l.site.name === siteName);
  if (!entry) throw new Error(`ctx.recognition("${siteName}"): "${siteName}" is not a local site with an amortised guide`);
  const lead = g.replicas === undefined ? 0 : 1;
  const inWidth = plan.observed.reduce((a, s) => a + s.plates.filter((p) => p !== DATA_PLATE).reduce((b, p) => b * g.sizes[p], 1) * s.event.reduce((b, e) => b * e, 1), 0);
  if (inputs.size % ((g.replicas ?? 1) * inWidth) !== 0) {
    throw new Error(`ctx.recognition("${siteName}"): inputs of shape [${inputs.shape.join(", ")}] do not hold rows of the encoder's ${inWidth} input features`);
  }
  const x = tf.reshape(inputs, [...(lead ? [g.replicas!] : []), -1, inWidth]);
  const h = mlpForward(g.params, "guide/encoder", x, { hidden: plan.hidden });
  const { site, family, width } = entry;
  if (family === "normal") {
    const hd = siteHeads(g.params, h, site.name, [["loc", width], ["logVariance", width]]);
    return new Normal(hd.loc, tf.exp(tf.mul(0.5, hd.logVariance)));
  }
  if (family === "spikeAndSlab") {
    const hd = siteHeads(g.params, h, site.name, spikeSlabHeads(site, width));
    const gamma = spikeProbability(site, hd.logit);
    return new SpikeAndSlab({ inclusion: gamma, loc: hd.loc, scale: tf.exp(tf.mul(0.5, hd.logVariance)) });
  }
  throw new Error(`ctx.recognition("${siteName}"): not available for a ${family} guide`);
}

/**
 * Runs the amortised encoder on the observed inputs and draws every local site.
 */
export function runLocalGuide(plan: GuidePlan, g: GuideRun): LocalDraw[] {
  if (!plan.locals.length) return [];
  const lead = g.replicas === undefined ? 0 : 1;
  const inputs = plan.observed.map((s) => {
    const x = g.observed[s.name];
    if (!x) throw new Error(`the guide needs observed site "${s.name}"`);
    const enc = s.options.encoderInput as "normalise" | undefined;
    const flat = flattenFeatures(x, lead + 1);
    return enc === "normalise" ? tf.div(flat, tf.maximum(tf.sum(flat, -1, true), 1e-8)) : flat;
  });
  const input = inputs.length === 1 ? inputs[0] : tf.concat(inputs, -1);
  const h = mlpForward(g.params, "guide/encoder", input, { hidden: plan.hidden, inputGrad: false });
  const B = input.shape[lead] as number;
  return plan.locals.map(({ site, family, width }, i) => {
    const shape = canonicalShape(g.ir, site, g.sizes);
    const full = lead ? [g.replicas!, ...shape] : shape;
    const toSite = (t: tf.Tensor) => tf.reshape(t, full);
    const key = (j: number) => g.keys.map((k) => k.foldIn(site.name).foldIn(j));
    const flatShape: number[] = lead ? [g.replicas!, B, width] : [B, width];
    if (family === "normal") {
      const { loc, logVariance: logVar } = siteHeads(g.params, h, site.name, [["loc", width], ["logVariance", width]]);
      const scale = tf.exp(tf.mul(0.5, logVar));
      const q = new Normal(toSite(loc), toSite(scale));
      const value = g.sample ? toSite(tf.add(loc, tf.mul(scale, replicaNormal(key(0), g.replicas, flatShape.slice(lead))))) : q.loc;
      return { site, q, value, mean: q.loc };
    }
    if (family === "spikeAndSlab") {
      const { logit: v, loc, logVariance: logVar } = siteHeads(g.params, h, site.name, spikeSlabHeads(site, width));
      const gamma = spikeProbability(site, v);
      const scale = tf.exp(tf.mul(0.5, logVar));
      const est = site.mask?.estimator;
      const at = g.scheduleInput ?? g.scheduleAt;
      const sharpness = est?.kind === "threshold-sigmoid" ? at(est.sharpness) : 100;
      const slabWarmup = est?.kind === "threshold-sigmoid" ? at(est.slabWarmup) : 1;
      const q = new SpikeAndSlab({ inclusion: toSite(gamma), loc: toSite(loc), scale: toSite(scale) });
      const mean = toSite(tf.mul(gamma, loc));
      if (!g.sample) return { site, q, value: mean, mean, activity: q.inclusion };
      const u = replicaUniform(key(0), g.replicas, flatShape.slice(lead));
      const eps = replicaNormal(key(1), g.replicas, flatShape.slice(lead));
      // z = sigmoid(c (u − 1 + γ)) ⊙ (λ μ + σ^λ ε)   (VSC's threshold-sigmoid draw with slab warm-up)
      const gate = g.hardGates ? tf.cast(tf.greater(tf.add(tf.sub(u, 1), gamma), 0), "float32") : tf.sigmoid(tf.mul(sharpness, tf.add(tf.sub(u, 1), gamma)));
      const halfWarmup = typeof slabWarmup === "number" ? 0.5 * slabWarmup : tf.mul(0.5, slabWarmup);
      const slab = tf.add(tf.mul(slabWarmup, loc), tf.mul(tf.exp(tf.mul(halfWarmup, logVar)), eps));
      return { site, q, value: toSite(tf.mul(gate, slab)), mean, activity: toSite(gamma) };
    }
    // cardinality-capped code: level logits [L0], index logits [K], Gaussian slab
    const L0 = site.mask?.maxActive ?? 1;
    const K = width;
    const { levelLogits, indexLogits, loc, logVariance: logVar } = siteHeads(g.params, h, site.name, [["levelLogits", L0], ["indexLogits", K], ["loc", K], ["logVariance", K]]);
    const est = site.mask?.estimator;
    const temperature = est && "temperature" in est ? g.scheduleAt(est.temperature) : 0.5;
    const straightThrough = est && "straightThrough" in est ? est.straightThrough : false;
    const lead2 = full.slice(0, full.length - 1);
    const q = new CappedSparseCode({
      levelLogits: tf.reshape(levelLogits, [...lead2, L0]),
      indexLogits: tf.reshape(indexLogits, [...lead2, K]),
      loc: tf.reshape(loc, [...lead2, K]),
      scale: tf.reshape(tf.exp(tf.mul(0.5, logVar)), [...lead2, K]),
      levelTemperature: temperature,
      indexTemperature: temperature,
      straightThrough,
    } as never);
    const draw = q.sampleWithSupport(g.keys[0].foldIn(site.name).foldIn(i));
    return { site, q, value: g.sample ? draw.z : toSite(loc), mean: toSite(loc), activity: draw.support };
  });
}
