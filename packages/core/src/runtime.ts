/**
 * The interpreter: runs a model's sites in order through a stack of handlers (messengers),
 * in the Pyro/NumPyro style. Each site becomes a {@link Message}; handlers process it from the
 * innermost (applied first) to the outermost, the default behaviour fills in its value, then
 * handlers post-process it in the same order.
 */
import { tf } from "./tf.js";
import { broadcast } from "./math/broadcast.js";
import { Key } from "./key.js";
import { DATA_PLATE, type ModelIR, type SiteDecl, type SiteDistribution, type SiteKind } from "./ir.js";
import { SiteError, ShapeError, type PlateFrame } from "./errors.js";
import { canonicalPlates, canonicalShape, plateAxis, plateSizes, platePath, toCanonical } from "./layout.js";
import { ParamStore } from "./params.js";
import { registeredBlocks, type BlockRuntime, type SiteContext } from "./context.js";
import { scheduleValue } from "./schedule.js";
import { noteStepUse } from "./step-hook.js";
import type { Model } from "./model.js";

/** One site on its way through the handlers. */
export interface Message {
  type: SiteKind;
  name: string;
  site: SiteDecl;
  /** The site's distribution (random sites). */
  fn?: SiteDistribution;
  /** The value, in canonical layout (with a leading replica axis when replicated). */
  value?: tf.Tensor;
  /** Set by `condition`. */
  observed: boolean;
  /** Set by `do`: the value is fixed and the site contributes no density. */
  intervened: boolean;
  /** Log-density multiplier (from `scale`). */
  scale: number;
  /** Entries to keep (1) or drop (0) from the log density (from `mask`), canonical layout. */
  mask?: tf.Tensor;
  /** The key for sampling this site (from `seed`). */
  key?: Key;
  /** Set by `block`: outer handlers do not see this message. */
  stop: boolean;
  /** The site's plate path with sizes. */
  plates: PlateFrame[];
  /** The run this message belongs to. */
  state: RunState;
  /** Free-form information handlers attach (guide distributions, estimator data...). */
  infer: Record<string, unknown>;
}

/** A handler. */
export interface Messenger {
  /** Called before the default behaviour, innermost handler first. */
  process?(msg: Message): void;
  /** Called after the default behaviour, innermost handler first. */
  postprocess?(msg: Message): void;
  /** The data-plate size this handler knows from its data (e.g. `condition`), and the site it came from. */
  plateSizes?(ir: ModelIR): { data?: number; site?: string };
  /** Called once before the first site. */
  enter?(state: RunState): void;
}

/** Options of one model run. */
export interface RunOptions {
  /** Plate sizes not fixed at declaration (the data plate), if not implied by conditioned data. */
  plateSizes?: Record<string, number>;
  /** Where network weights and params live (a fresh store seeded with `paramKey` otherwise). */
  params?: ParamStore;
  /** Key for initialising a fresh parameter store (default Key.of(0)). */
  paramKey?: Key;
  /** Replica count (values carry a leading [R] axis). */
  replicas?: number;
  /** Optimiser step, for schedules. */
  step?: number;
  /** Whether this run trains (dropout etc.). */
  training?: boolean;
  /** Extra context members (the compiler supplies `posterior` and `recognition`). */
  context?: Partial<SiteContext>;
  /**
   * Leave the `.factor` sites out: their callbacks are not called and they leave no message. For
   * passes that score no objective (held-out evaluation, reconstruction, IWAE): a factor is an
   * extra term of the training objective, and one over pairs of rows costs O(rows²) memory.
   */
  skipFactors?: boolean;
}

/** The state of one run, shared by its messages. */
export interface RunState {
  ir: ModelIR;
  sizes: Record<string, number>;
  replicas: number | undefined;
  leading: number;
  values: Record<string, tf.Tensor>;
  /** Conditioned data by site (canonical layout), filled by `condition` when the run starts. */
  observed: Record<string, tf.Tensor>;
  params: ParamStore;
  step: number;
  ctx: SiteContext;
}

/** Anything that can be run: a model, or a model wrapped in handlers. */
export interface Runnable {
  readonly model: Model<any, any>;
  /** Handlers, innermost first. */
  readonly messengers: readonly Messenger[];
}

/** Normalises a model or a handled model to a {@link Runnable}. */
export function asRunnable(m: Model<any, any> | Runnable): Runnable {
  return "messengers" in m ? m : { model: m, messengers: [] };
}

/** Wraps a model (or handled model) in one more, outer, handler. */
export function withMessenger(m: Model<any, any> | Runnable, messenger: Messenger): Runnable {
  const r = asRunnable(m);
  return { model: r.model, messengers: [...r.messengers, messenger] };
}

function resolveSizes(ir: ModelIR, messengers: readonly Messenger[], opts: RunOptions): Record<string, number> {
  let data = opts.plateSizes?.[DATA_PLATE];
  let from = data !== undefined ? "the plateSizes option" : "";
  for (const m of messengers) {
    const hinted = m.plateSizes?.(ir) ?? {};
    const d = hinted.data;
    if (d === undefined) continue;
    if (data !== undefined && d !== data) {
      throw new SiteError(hinted.site ?? "data", [], `the data plate has size ${d} here but ${data} from ${from}`);
    }
    data = d;
    from = `site "${hinted.site}"`;
  }
  const sizes = plateSizes(ir, data);
  for (const [k, v] of Object.entries(opts.plateSizes ?? {})) {
    if (k !== DATA_PLATE && sizes[k] !== v) throw new Error(`plate "${k}" has size ${sizes[k]}; it cannot be overridden to ${v}`);
  }
  return sizes;
}

function makeContext(state: Omit<RunState, "ctx">, training: boolean, extra: Partial<SiteContext>): SiteContext {
  const rt: BlockRuntime = { params: state.params, replicas: state.replicas, ir: state.ir, sizes: state.sizes, training };
  const ctx: Record<string, unknown> = {
    plateSize(plate: string): number {
      const s = state.sizes[plate];
      if (s === undefined) throw new Error(`plate "${plate}" has no size in this run (declared plates: ${state.ir.plates.map((p) => p.name).join(", ")})`);
      return s;
    },
    replicas: state.replicas,
    leading: state.leading,
    get step() {
      noteStepUse(Infinity, "the model's code (ctx.step)");
      return state.step;
    },
    schedule: (s: Parameters<typeof scheduleValue>[0]) => scheduleValue(s, state.step),
    posterior: () => undefined,
    recognition: (site: string) => {
      throw new Error(`ctx.recognition("${site}") is only available in a compiled program`);
    },
    param(name: string, shape: number[], init: (key: Key, shape: number[]) => tf.Tensor): tf.Tensor {
      return state.params.getOrCreate(`param/${name}`, shape, init, { group: "params" });
    },
    axis: (plate: string) => plateAxis(state.ir, plate, state.leading),
    layout(t: tf.Tensor, plates: readonly string[]): tf.Tensor {
      const site = { kind: "deterministic", name: "layout", plates: [...plates], event: [], fn: () => t, dependsOn: [], options: {} } as SiteDecl;
      return toCanonical(state.ir, site, state.sizes, t, state.leading);
    },
    observed: (site: string) => {
      if (!dataNames(state.ir).includes(site))
        throw new Error(`ctx.observed("${site}"): model "${state.ir.name}" has no observed site or side input "${site}" (${dataNames(state.ir).join(", ") || "none"})`);
      return state.observed[site];
    },
    params: state.params,
  };
  for (const [name, impl] of registeredBlocks()) {
    ctx[name] = (blockName: string, args: unknown) => impl(rt, blockName, args);
  }
  Object.assign(ctx, extra);
  return ctx as unknown as SiteContext;
}

/** The canonical shape of a site in a run, with the replica axis. */
export function runShape(state: RunState, site: SiteDecl): number[] {
  const c = canonicalShape(state.ir, site, state.sizes);
  return state.replicas === undefined ? c : [state.replicas, ...c];
}

/** Draws a site's value with the site's canonical shape, expanding the distribution over its plates. */
export function sampleSite(msg: Message): tf.Tensor {
  const d = msg.fn!;
  if (!msg.key) {
    throw new SiteError(msg.name, msg.plates, `no random key to sample this site: wrap the model in seed(model, key), or condition/substitute a value`);
  }
  const target = runShape(msg.state, msg.site);
  const batchTarget = target.slice(0, target.length - eventLayout(msg).distEvent);
  let dist: SiteDistribution = d;
  if (!sameShape(d.batchShape, batchTarget)) {
    const expand = (d as unknown as { expand?: (s: number[]) => SiteDistribution }).expand;
    if (!expand) throw new SiteError(msg.name, msg.plates, `${d.kind} cannot be expanded to batch shape [${batchTarget.join(", ")}]`);
    dist = expand.call(d, batchTarget);
  }
  return dist.sample(msg.key, []);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * How a distribution's event relates to its site: `distEvent` trailing axes of the value are the
 * distribution's own event; `summed` further trailing axes are site event axes that a scalar
 * distribution scores independently (summed in the log density, like Pyro's `to_event`). A
 * vector distribution may also take trailing plates as its event (a categorical over a plate).
 */
export function eventLayout(msg: Message): { distEvent: number; summed: number } {
  const d = msg.fn!;
  const siteEvent = msg.site.event;
  const de = d.eventShape;
  const target = runShape(msg.state, msg.site);
  if (sameShape(de, siteEvent)) return { distEvent: de.length, summed: 0 };
  if (de.length > siteEvent.length && sameShape(de, target.slice(target.length - de.length))) return { distEvent: de.length, summed: 0 };
  if (de.length < siteEvent.length && sameShape(de, siteEvent.slice(siteEvent.length - de.length))) {
    return { distEvent: de.length, summed: siteEvent.length - de.length };
  }
  throw new ShapeError(msg.name, msg.plates, siteEvent, de, `${d.kind} has event shape [${de.join(", ")}], which does not fit the site's event`);
}

/** Checks that a distribution fits its site: event shape as declared, batch shape within the plates. */
export function checkDistribution(msg: Message): void {
  const d = msg.fn!;
  const target = runShape(msg.state, msg.site);
  const { distEvent } = eventLayout(msg);
  const batchTarget = target.slice(0, target.length - distEvent);
  const b = d.batchShape;
  const ok = b.length <= batchTarget.length && b.every((x, i) => x === 1 || x === batchTarget[batchTarget.length - b.length + i]);
  if (!ok) {
    throw new ShapeError(msg.name, msg.plates, batchTarget, b, `${d.kind} has batch shape [${b.join(", ")}], which does not fit the site's plates (canonical shape`);
  }
}

function checkValueShape(msg: Message): void {
  const v = msg.value!;
  const target = runShape(msg.state, msg.site);
  if (!sameShape(v.shape, target)) {
    throw new ShapeError(msg.name, msg.plates, target, v.shape, "value has canonical shape mismatch: expected");
  }
}

function defaultProcess(msg: Message): void {
  const { site, state } = msg;
  if (msg.value !== undefined) return;
  switch (msg.type) {
    case "latent":
    case "global":
    case "observe":
      msg.value = sampleSite(msg);
      return;
    case "mask": {
      const info = site.mask!;
      if (info.valueType === "fixed" && info.fixedValue) {
        const c = fixedMaskValue(state.ir, site, state.sizes);
        msg.value = state.replicas === undefined ? c : broadcast(c, runShape(state, site));
        return;
      }
      msg.value = sampleSite(msg);
      return;
    }
    case "param": {
      const shape = canonicalShape(state.ir, site, state.sizes);
      const init = site.fn;
      // The initialiser gets a key of its own (one per replica) and may return the site layout.
      msg.value = state.params.getOrCreate(
        `site/${site.name}`,
        shape,
        (key) => {
          const v = (init as (s: unknown, c: unknown, k: Key) => tf.Tensor)(state.values, state.ctx, key);
          return v.size === shape.reduce((a, b) => a * b, 1) && v.shape.join() !== shape.join() ? toCanonical(state.ir, site, state.sizes, v) : v;
        },
        { group: "params" },
      );
      return;
    }
    case "deterministic":
    case "factor": {
      const v = site.fn(state.values, state.ctx);
      if (!(v instanceof tf.Tensor)) throw new SiteError(msg.name, msg.plates, `callback must return a tensor, got ${typeof v}`);
      msg.value = v;
      return;
    }
  }
}

function evaluateDistribution(msg: Message): void {
  const { site, state } = msg;
  let d: unknown;
  try {
    d = site.fn(state.values, state.ctx);
  } catch (e) {
    if (e instanceof SiteError) throw e;
    throw new SiteError(msg.name, msg.plates, (e as Error).message);
  }
  if (!d || typeof (d as SiteDistribution).logProb !== "function") {
    throw new SiteError(msg.name, msg.plates, `callback must return a distribution, got ${d === null ? "null" : typeof d}`);
  }
  msg.fn = d as SiteDistribution;
  checkDistribution(msg);
}

/**
 * A fixed mask's value in canonical layout: its `fixedValue` (rows × cols, site layout) moved onto
 * the model's plate order (a mask whose rows plate comes after its cols plate is transposed).
 */
export function fixedMaskValue(ir: ModelIR, site: SiteDecl, sizes: Record<string, number>): tf.Tensor {
  const fv = site.mask!.fixedValue!;
  return tf.tidy(() => toCanonical(ir, site, sizes, tf.tensor(fv.flat(), [fv.length, fv[0].length])));
}

/** The result of a run: every site's message, in order, and the values by name. */
export interface RunResult {
  messages: Message[];
  values: Record<string, tf.Tensor>;
  state: RunState;
}

/**
 * Runs a model (or handled model) once.
 *
 * @example
 * ```ts
 * const { values } = run(seed(m, Key.of(0)), { plateSizes: { data: 10 } });
 * ```
 */
export function run(m: Model<any, any> | Runnable, opts: RunOptions = {}): RunResult {
  const r = asRunnable(m);
  const ir = r.model.ir;
  const sizes = resolveSizes(ir, r.messengers, opts);
  for (const p of canonicalPlates(ir)) {
    if (sizes[p] === undefined) {
      throw new Error(`model "${ir.name}": the size of plate "${p}" is unknown; condition on data or pass plateSizes: { ${p}: n }`);
    }
  }
  const replicas = opts.replicas ?? opts.params?.replicas;
  const params = opts.params ?? new ParamStore(replicas === undefined ? (opts.paramKey ?? Key.of(0)) : (opts.paramKey ?? Key.of(0)).split(replicas), replicas);
  const partial = { ir, sizes, replicas, leading: replicas === undefined ? 0 : 1, values: {} as Record<string, tf.Tensor>, observed: {} as Record<string, tf.Tensor>, params, step: opts.step ?? 0 };
  const state: RunState = { ...partial, ctx: makeContext(partial, opts.training ?? false, opts.context ?? {}) };
  for (const h of r.messengers) h.enter?.(state);
  const messages: Message[] = [];
  for (const site of ir.sites) {
    if (opts.skipFactors && site.kind === "factor") continue;
    const msg: Message = {
      type: site.kind,
      name: site.name,
      site,
      observed: false,
      intervened: false,
      scale: 1,
      stop: false,
      plates: platePath(site, sizes),
      state,
      infer: {},
    };
    if (site.kind === "latent" || site.kind === "global" || site.kind === "mask" || site.kind === "observe") evaluateDistribution(msg);
    let reached = 0;
    for (const h of r.messengers) {
      reached++;
      h.process?.(msg);
      if (msg.stop) break;
    }
    defaultProcess(msg);
    if (msg.type !== "factor") checkValueShape(msg);
    for (let i = 0; i < reached; i++) r.messengers[i].postprocess?.(msg);
    state.values[site.name] = msg.value!;
    messages.push(msg);
  }
  return { messages, values: state.values, state };
}

/**
 * The log density of a message's value under its distribution, with `scale` and `mask` applied:
 * canonical batch shape. Masked entries are exactly 0 and carry no gradient.
 */
export function messageLogProb(msg: Message): tf.Tensor {
  if (!msg.fn) throw new SiteError(msg.name, msg.plates, `a ${msg.type} site has no density`);
  if (msg.fn.isRelaxed) {
    throw new SiteError(msg.name, msg.plates, `refusing to evaluate the log density of a relaxed distribution (${msg.fn.kind}); it is -inf at low temperature`);
  }
  return tf.tidy(() => {
    let lp = msg.fn!.logProb(msg.value!);
    const target = runShape(msg.state, msg.site);
    const { distEvent, summed } = eventLayout(msg);
    const full = target.slice(0, target.length - distEvent);
    if (!sameShape(lp.shape, full)) lp = broadcast(lp, full);
    if (summed > 0)
      lp = tf.sum(
        lp,
        Array.from({ length: summed }, (_, i) => full.length - 1 - i),
      );
    if (msg.mask) lp = tf.where(tf.cast(msg.mask, "bool"), lp, tf.zerosLike(lp));
    if (msg.scale !== 1) lp = tf.mul(lp, msg.scale);
    return lp;
  });
}

/** Canonical axis of the data plate in a run (or -1 when the model has none). */
export function dataAxis(state: RunState): number {
  return canonicalPlates(state.ir).includes(DATA_PLATE) ? plateAxis(state.ir, DATA_PLATE, state.leading) : -1;
}

/** The names `ctx.observed` reads: the observed sites and side inputs of a model. */
export function dataNames(ir: ModelIR): string[] {
  // observed sites, `.side` inputs, and the side data sites list in `needs`
  return [...new Set([...ir.sites.filter((s) => s.kind === "observe").map((s) => s.name), ...(ir.side ?? []).map((s) => s.name), ...siteNeeds(ir)])];
}

/**
 * The side data a model's sites list in `needs`, as `ctx.observed` names them (`"labels"` is read
 * as `label`), each once; `skipFactors`: not those of `.factor` terms (a pass that is no training step).
 */
export function siteNeeds(ir: ModelIR, opts: { skipFactors?: boolean } = {}): string[] {
  const sites = ir.sites.filter((s) => !(opts.skipFactors && s.kind === "factor") && Array.isArray(s.options.needs));
  return [...new Set(sites.flatMap((s) => (s.options.needs as string[]).map((k) => (k === "labels" ? "label" : k))))];
}
