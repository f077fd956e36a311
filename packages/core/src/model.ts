/**
 * The typed, immutable model builder (DESIGN §2). Every call returns a new model whose static
 * type has grown by one plate or site, so site names, plates and observed shapes are checked by
 * `tsc`; callbacks receive the earlier sites. Under the hood each model is an immer-frozen IR.
 *
 * @example
 * ```ts
 * const m = model("linear-gaussian")
 *   .plate("data")
 *   .plate("factor", 2)
 *   .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
 *   .observe("x", ({ z }) => normal(z, 0.5), { plates: ["data", "factor"] });
 * ```
 */
import { produce, freeze } from "immer";
import { tf } from "./tf.js";
import { DATA_PLATE, type EstimatorSpec, type MaskInfo, type MaskValueType, type ModelIR, type PlateDecl, type SiteDecl, type SiteDistribution, type SiteKind } from "./ir.js";
import { SiteError } from "./errors.js";
import type { SiteContext } from "./context.js";
import type { ScheduleLike } from "./schedule.js";

/** Static information the builder keeps about one site (or side input, kind "side"). */
export interface SiteType<K extends SiteKind | "side" = SiteKind | "side", P extends string = string, R extends number = number> {
  kind: K;
  plates: P;
  rank: R;
}

/** The static site table of a model. */
export type SiteTable = { [name: string]: SiteType };

/** What a callback receives: every earlier site's value (canonical layout, see docs/dsl.md); side inputs are read through `ctx.observed`. */
export type SiteValues<S extends SiteTable> = { readonly [K in keyof S as S[K]["kind"] extends "side" ? never : K]: tf.Tensor };

/** Names `ctx.observed` reads: the observed sites and side inputs of a site table. */
export type DataNames<S extends SiteTable> = { [K in keyof S]: S[K]["kind"] extends "observe" | "side" ? K : never }[keyof S] & string;

/** Names `ctx.posterior` and `ctx.recognition` read: the local latents and masks (those with a guide per data point). */
export type PosteriorNames<S extends SiteTable> = { [K in keyof S]: S[K]["kind"] extends "latent" | "mask" ? ("data" extends S[K]["plates"] ? K : never) : never }[keyof S] & string;

/**
 * The context a callback receives, with its site references typed: `ctx.observed` takes the
 * observed sites and side inputs declared so far (`D`), `ctx.posterior` and `ctx.recognition` the
 * local latents and masks (`Q`); both also take the names declared ahead with `.ahead(...)` and the
 * site's own name where it makes sense (an observed site reads its own data, a latent its own guide).
 */
export type TypedContext<D extends string, Q extends string> = Omit<SiteContext, "observed" | "posterior" | "recognition"> & {
  /** The data conditioned at an observed site, or a side input's rows, in this run (else undefined). */
  observed(site: D): tf.Tensor | undefined;
  /** The guide's distribution of a local site during variational inference (else undefined). */
  posterior(site: Q): SiteDistribution | undefined;
  /** Evaluates the amortised guide of a local site at other inputs (e.g. VampPrior pseudo-inputs). */
  recognition(site: Q, inputs: tf.Tensor): SiteDistribution;
};

/** A site callback; `A` are the names declared ahead, `D` and `Q` the site's own name where it may read it. */
export type SiteFn<S extends SiteTable, R, A extends string = never, D extends string = never, Q extends string = never> = (
  sites: SiteValues<S>,
  ctx: TypedContext<DataNames<S> | A | D, PosteriorNames<S> | A | Q>,
) => R;

/** A name not yet used (a duplicate is a type error). */
export type FreshName<N extends string, Used> = N extends Used ? never : N;

type Len<T extends readonly unknown[]> = T["length"];
type Concat<A extends readonly unknown[], B extends readonly unknown[]> = [...A, ...B];

/** Global (non-data) random sites of a site table: the sites an EM hook may write. */
export type GlobalNames<S extends SiteTable> = { [K in keyof S]: S[K]["kind"] extends "global" | "latent" ? K : never }[keyof S] & string;

/** Mask sites of a site table: the sites a product-of-experts guide may read as its encoder mask. */
export type MaskNames<S extends SiteTable> = { [K in keyof S]: S[K]["kind"] extends "mask" ? K : never }[keyof S] & string;

/** `mapEm()`'s spec with its η site typed (`mapEm({ etaSite: "eta" })`). */
export type MapEmSpec<E extends string = string> = { kind: "map-em"; form?: "code" | "normalised"; etaSite?: E };

/** The estimators of a mask of site table S: an EM hook's η site must be one of S's globals. */
export type MaskEstimator<S extends SiteTable> = Exclude<EstimatorSpec, { kind: "map-em" }> | MapEmSpec<GlobalNames<S>>;

/** Guide options of an amortised local site: encoder widths, and the spike head of a spike-and-slab code. */
export interface AmortisedGuideOptions {
  /** Encoder trunk widths. */
  hidden?: readonly number[];
  /** Spike-and-slab codes: "relu" (log γ = −relu(−v), default) or "sigmoid" (γ = sigmoid(v)). */
  spikeHead?: "relu" | "sigmoid";
  /** Spike-and-slab codes: the initial inclusion γ0 of every unit, in (0, 1]. */
  inclusionInit?: number;
  /** Cardinality-capped codes: a fixed level k ≤ maxActive (a top-k code; the guide has no level head). */
  fixedLevel?: number;
  /** Cardinality-capped codes: draw the indices without replacement (|b| = L exactly; default true). */
  withoutReplacement?: boolean;
  /** Cardinality-capped codes: the slab's initial scale σ0 (its log-variance head starts at 2 log σ0). */
  slabScaleInit?: number;
}

/** A product-of-experts guide reading an encoder mask of the model (docs/inference.md). */
export interface PoeGuideOptions<S extends SiteTable> {
  kind: "poe";
  /** The mask over (a plate of this latent) × (a plate of the observed site) whose rows say which views each group reads. */
  encoderMask: MaskNames<S>;
  /** Hidden widths of every view's expert network. */
  hidden?: readonly number[];
  /**
   * Side data naming which views each row has ([n, views] of 0/1): a view a row lacks gets weight 0
   * in every group's product, as an encoder-mask entry of 0 (list it in the latent's `needs`).
   */
  availability?: string;
  /** Training steps hide each view a row has with this probability (at least one kept): every expert learns to stand alone. */
  viewDropout?: number;
}

/**
 * A full-rank Gaussian guide of a local real latent: N(loc, L Lᵀ) over each data point's values,
 * L lower triangular (docs/inference.md; the mean-field guide's ELBO favours orthogonal loadings).
 */
export interface FullRankGuideOptions {
  kind: "fullRank";
  /** Encoder trunk widths. */
  hidden?: readonly number[];
}

/**
 * How a point-estimated site starts: a standard-normal draw, a normal draw with the given SD
 * (`{ normalSd: 0.1 }`: a sparse prior then starts near its spike, so entries enter one by one as
 * their likelihood pulls them out, as on a lasso path), the data's column variances, or a constant.
 * The two draws act in the site's unconstrained space (the same as its support on a real site; on
 * a positive site, the exp of the draw: log-normal around 1); the column variances and a constant
 * are values on the support. "nmf" (a mask only, on non-negative data): the mask starts at its rows'
 * loadings in a rank-K non-negative factorisation of the training data (rows = the data's columns,
 * K = the mask's columns), each row scaled to a maximum of 1, one per replica from its own key
 * (and its own dataset): a sparse, data-aligned start where a random one can settle in another
 * mode of equal objective.
 * Unset: zeros in the unconstrained space. Any other value is refused
 * when the site's parameter is created, naming the site.
 */
export type PointInit = "standardNormal" | { normalSd: number } | "columnVariance" | "nmf" | number;

/** Options of a latent random site (closed: a misspelled option is a type error). */
export interface LatentOptions<S extends SiteTable, P extends string, PL extends readonly P[], E extends readonly number[]> {
  /** The site's plates, e.g. ["data", "factor"]. */
  plates?: PL;
  /** Event shape after the plates (e.g. [C] for a categorical one-hot). */
  event?: E;
  /** Default: reparameterised for local latents, MAP for latents outside the data plate. */
  estimator?: EstimatorSpec;
  /** Weight of the site's rate term (a number or a schedule). */
  klWeight?: ScheduleLike;
  /**
   * How the site's KL counts per data point, whatever the objective's normalisation: "elbo", summed
   * over the point's elements (the ELBO's); "reference", averaged over them (the Sparse VAE code's
   * KL / (B·K): an effective β of 1/K). Default: the objective's normalisation.
   */
  klNormalisation?: "elbo" | "reference";
  /** The guide: encoder widths (mean-field Normal), a full-rank Normal, or a product of experts reading an encoder mask. */
  guide?: AmortisedGuideOptions | FullRankGuideOptions | PoeGuideOptions<S>;
  /** Initial value of a latent outside the data plate (point-estimated). */
  init?: PointInit;
  /** Side data the site's guide reads (e.g. a product of experts' per-row view availability). */
  needs?: readonly string[];
  /** One-line description for renders. */
  doc?: string;
  /** How renders describe a prior that depends on the run. */
  prior?: string;
}

/** Options of a global random site (closed). */
export interface GlobalOptions<P extends string, PL extends readonly P[], E extends readonly number[]> {
  plates?: PL;
  event?: E;
  /** Default: MAP; `emUpdate()` for state written by an EM hook. */
  estimator?: EstimatorSpec;
  /** Initial value of the point estimate. */
  init?: PointInit;
  /** "logSqrt": a positive value trained through half its log (x = exp(2u)). */
  parameterisation?: "logSqrt";
  doc?: string;
  prior?: string;
}

/** @deprecated the options of `latent` and `global` are now {@link LatentOptions} and {@link GlobalOptions}. */
export type RandomSiteOptions<P extends string, PL extends readonly P[], E extends readonly number[]> = GlobalOptions<P, PL, E>;

/** Options of a mask site (closed). */
export interface MaskOptions<S extends SiteTable, P extends string> {
  /** Output plate: features, feature groups, or "data" for a per-observation selection. */
  rows: P;
  /** Factor plate. */
  cols: P;
  /** Default: "local" when rows is the data plate, else "global". */
  scope?: "global" | "local";
  /** Default: "real". */
  valueType?: MaskValueType;
  /** Default: MAP for real global masks, relaxed Bernoulli for binary ones. */
  estimator?: MaskEstimator<S>;
  /** Cardinality cap (required for "cardinality-capped"). */
  maxActive?: number;
  /** The value of a fixed mask (rows x cols). */
  fixedValue?: number[][];
  /** Initial value of a point-estimated (real) mask; a hard-concrete mask's starting log α (a number). */
  init?: PointInit;
  /** A hard-concrete mask: log α is kept in [−bound, bound] after every step, so that no gate dies. */
  bound?: number;
  /** Weight of the mask's prior term (a number or a schedule). */
  priorWeight?: ScheduleLike;
  /**
   * How often one epoch counts the mask's prior, whatever the objective's normalisation: "elbo",
   * once (the prior divided by the training size N per step, as the per-data-point ELBO requires);
   * "reference", once per minibatch (divided by the batch size B: N/B times per epoch, the Sparse
   * VAE code's). Default: the objective's normalisation.
   */
  priorNormalisation?: "elbo" | "reference";
  /** Weight of a local mask's rate term. */
  klWeight?: ScheduleLike;
  /** A local mask's amortised guide. */
  guide?: AmortisedGuideOptions;
  doc?: string;
  prior?: string;
}

/** Options of an observed site (closed). */
export interface ObserveOptions<P extends string, PL extends readonly P[], E extends readonly number[]> {
  plates: PL;
  event?: E;
  /** Weight of the site's distortion term (a number or a schedule; default 1, 0: x only feeds the encoder). */
  weight?: ScheduleLike;
  /** What the encoder reads: "normalise", each row divided by its sum (counts); "log1p", log(1 + x) (large counts). */
  encoderInput?: "normalise" | "log1p";
  /** Side data the likelihood's callback reads through `ctx.observed` (e.g. a label that is a parent of the decoder). */
  needs?: readonly string[];
  doc?: string;
}

/** Every option name a site of each kind accepts (declarations from JavaScript are checked against them). */
export const SITE_OPTIONS: Record<SiteKind, readonly string[]> = {
  latent: ["plates", "event", "estimator", "klWeight", "klNormalisation", "guide", "init", "needs", "doc", "prior"],
  global: ["plates", "event", "estimator", "init", "parameterisation", "doc", "prior"],
  mask: ["rows", "cols", "scope", "valueType", "estimator", "maxActive", "fixedValue", "init", "bound", "priorWeight", "priorNormalisation", "klWeight", "guide", "doc", "prior", "plates"],
  observe: ["plates", "event", "encoderInput", "weight", "needs", "doc"],
  param: ["plates", "event", "constraint", "doc"],
  deterministic: ["plates", "event", "doc"],
  factor: ["weight", "term", "plates", "doc", "needs"],
};

/**
 * An immutable model. `S` is the site table, `P` the declared plate names.
 * Build one with {@link model}.
 */
export class Model<S extends SiteTable = {}, P extends string = never, A extends string = never> {
  /** Phantom: the static site table. */
  declare readonly _sites: S;
  /** Phantom: the declared plates. */
  declare readonly _plates: P;
  /** Phantom: names declared ahead (a parameter type, so a model with some still fits `Model<any, any>`). */
  declare readonly _ahead: (name: A) => void;

  /** @internal use {@link model}. */
  constructor(readonly ir: ModelIR) {}

  /** The model's name. */
  get name(): string {
    return this.ir.name;
  }

  /**
   * Declares a plate (a tensor axis of independent repetitions). The plate named `data` is the
   * minibatched one: its size comes from the data.
   */
  plate<const N extends string>(name: FreshName<N, P>, size?: number): Model<S, P | N, A> {
    const n = name as string;
    if (!n) throw new Error(`model "${this.ir.name}": a plate needs a name`);
    if (this.ir.plates.some((p) => p.name === n)) throw new Error(`model "${this.ir.name}": plate "${n}" declared twice`);
    if (n === DATA_PLATE) {
      if (size !== undefined) throw new Error(`plate "data": its size comes from the data; do not give one (got ${size})`);
    } else if (size === undefined || !Number.isInteger(size) || size < 1) {
      throw new Error(`plate "${n}": size must be a positive integer, got ${size}`);
    }
    const decl: PlateDecl = { name: n, size, subsample: n === DATA_PLATE };
    return new Model(produce(this.ir, (d) => void d.plates.push(decl as never)));
  }

  /**
   * Declares a latent random variable (local when its plates include `data`, else global). Its
   * guide is derived by the compiler from the prior's family.
   */
  latent<const N extends string, const PL extends readonly P[] = [], const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    prior: SiteFn<S, SiteDistribution, A, never, N>,
    options?: LatentOptions<S, P, PL, E>,
  ): Model<S & { [K in N]: SiteType<"latent", PL[number], Len<Concat<PL, E>>> }, P, A> {
    return this.addSite("latent", name, prior, (options ?? {}) as Record<string, unknown>) as never;
  }

  /** Declares a model-level random variable, point-estimated (MAP) by default. */
  global<const N extends string, const PL extends readonly P[] = [], const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    prior: SiteFn<S, SiteDistribution, A>,
    options?: GlobalOptions<P, PL, E>,
  ): Model<S & { [K in N]: SiteType<"global", PL[number], Len<Concat<PL, E>>> }, P, A> {
    const plates = (options?.plates ?? []) as readonly string[];
    if (plates.includes(DATA_PLATE)) {
      throw new SiteError(name as string, [], `a global cannot live in the data plate; use latent() for local variables`);
    }
    return this.addSite("global", name, prior, (options ?? {}) as Record<string, unknown>) as never;
  }

  /**
   * Declares a mask variable: which factors (`cols`) reach which outputs (`rows`). The IR
   * records its scope, value type, prior and estimator, so renders, support metrics and the
   * anchor check read the structure from the model.
   */
  mask<const N extends string, const O extends MaskOptions<S, P>>(
    name: FreshName<N, keyof S>,
    prior: SiteFn<S, SiteDistribution, A, never, N>,
    options: O & { [K in Exclude<keyof O, keyof MaskOptions<S, P>>]: never },
  ): Model<
    S & {
      [K in N]: SiteType<
        "mask",
        O["rows"] | O["cols"] | (O["rows"] extends "data" ? never : O["scope"] extends "local" ? "data" : never),
        O["rows"] extends "data" ? 2 : O["scope"] extends "local" ? 3 : 2
      >;
    },
    P,
    A
  > {
    const n = name as string;
    const { rows, cols } = options;
    for (const [role, p] of [
      ["rows", rows],
      ["cols", cols],
    ] as const) {
      if (!this.ir.plates.some((x) => x.name === p)) {
        throw new SiteError(n, [], `mask ${role} plate "${p}" is not declared; declared plates: ${this.plateNames().join(", ")}`);
      }
    }
    if (rows === cols) throw new SiteError(n, [], `mask rows and cols must be different plates, got "${rows}" twice`);
    if (cols === DATA_PLATE) throw new SiteError(n, [], `mask cols must be a factor plate, not "data"`);
    const scope = options.scope ?? (rows === DATA_PLATE ? "local" : "global");
    if (rows === DATA_PLATE && scope !== "local") throw new SiteError(n, [], `a mask with rows "data" is local`);
    const valueType = options.valueType ?? "real";
    if (valueType === "cardinality-capped") {
      const m = options.maxActive;
      const k = this.ir.plates.find((p) => p.name === cols)?.size ?? Infinity;
      if (m === undefined || !Number.isInteger(m) || m < 1 || m > k) {
        throw new SiteError(n, [], `a cardinality-capped mask needs maxActive, an integer in [1, ${k}] (the size of "${cols}"), got ${m}`);
      }
    }
    if (valueType === "fixed" && !options.fixedValue) throw new SiteError(n, [], `a fixed mask needs fixedValue`);
    const plates = scope === "global" ? [rows, cols] : rows === DATA_PLATE ? [rows, cols] : [DATA_PLATE, rows, cols];
    if (scope === "local" && !this.ir.plates.some((p) => p.name === DATA_PLATE)) {
      throw new SiteError(n, [], `a local mask needs the "data" plate; declare .plate("data") first`);
    }
    const estimator: EstimatorSpec =
      options.estimator ??
      (valueType === "fixed"
        ? { kind: "fixed" }
        : valueType === "real"
          ? { kind: "map" }
          : valueType === "binary"
            ? { kind: "relaxed-bernoulli", temperature: 0.5, straightThrough: false }
            : { kind: "gumbel-softmax", temperature: 0.5, straightThrough: true });
    const mask: MaskInfo = { rows, cols, scope, valueType, estimator };
    if (options.maxActive !== undefined) mask.maxActive = options.maxActive;
    if (options.fixedValue) {
      const rs = this.ir.plates.find((p) => p.name === rows)?.size;
      const cs = this.ir.plates.find((p) => p.name === cols)?.size;
      const fv = options.fixedValue;
      if (fv.length !== rs || fv.some((r) => r.length !== cs)) {
        throw new SiteError(n, [], `fixedValue must be ${rs} x ${cs} (plates ${rows} x ${cols})`);
      }
      mask.fixedValue = fv.map((r) => r.slice());
    }
    return this.addSite("mask", name, prior, { ...options, plates } as unknown as Record<string, unknown>, mask) as never;
  }

  /** Declares an observed site; `condition` (or the compiler) supplies its data. */
  observe<const N extends string, const PL extends readonly P[], const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    likelihood: SiteFn<S, SiteDistribution, A, N>,
    options: ObserveOptions<P, PL, E>,
  ): Model<S & { [K in N]: SiteType<"observe", PL[number], Len<Concat<PL, E>>> }, P, A> {
    return this.addSite("observe", name, likelihood, options as unknown as Record<string, unknown>) as never;
  }

  /** Declares a learnable parameter (not random), initialised by `init`. */
  param<const N extends string, const PL extends readonly P[] = [], const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    init: SiteFn<S, tf.Tensor, A>,
    options?: { plates?: PL; event?: E; constraint?: string; doc?: string },
  ): Model<S & { [K in N]: SiteType<"param", PL[number], Len<Concat<PL, E>>> }, P, A> {
    return this.addSite("param", name, init, options ?? {}) as never;
  }

  /** Declares a deterministic function of earlier sites (recorded in traces). */
  deterministic<const N extends string, const PL extends readonly P[] = [], const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    fn: SiteFn<S, tf.Tensor, A>,
    options?: { plates?: PL; event?: E; doc?: string },
  ): Model<S & { [K in N]: SiteType<"deterministic", PL[number], Len<Concat<PL, E>>> }, P, A> {
    return this.addSite("deterministic", name, fn, options ?? {}) as never;
  }

  /**
   * Adds an extra log-density term (a tensor summed into the objective). `weight` is a schedule;
   * `term` names the objective term kind ("auxiliary" by default).
   */
  factor<const N extends string>(
    name: FreshName<N, keyof S>,
    logFactor: SiteFn<S, tf.Tensor, A>,
    options?: { weight?: ScheduleLike; term?: string; plates?: readonly P[]; doc?: string; needs?: readonly string[] },
  ): Model<S & { [K in N]: SiteType<"factor", never, 0> }, P, A> {
    return this.addSite("factor", name, logFactor, options ?? {}) as never;
  }

  /**
   * Declares a side input: data given to `fit` beside the observed site (`fit({ x, label })`), one
   * row per data point ([N, ...event]), not modelled. Callbacks read it with `ctx.observed(name)`
   * as the minibatch's rows [(R,) B, ...event] (undefined where no data is given: `sample`,
   * `evaluate`); `fit` refuses data without it, naming it.
   *
   * @example
   * ```ts
   * .side("label", { doc: "class label per row" })
   * .factor("classTerm", (_s, ctx) => classLoss(ctx.posterior("z"), ctx.observed("label")))
   * ```
   */
  side<const N extends string, const E extends readonly number[] = []>(
    name: FreshName<N, keyof S>,
    options?: { event?: E; doc?: string },
  ): Model<S & { [K in N]: SiteType<"side", "data", Len<Concat<["data"], E>>> }, P, A> {
    const n = name as string;
    this.checkFreshName(n);
    if (!this.ir.plates.some((p) => p.name === DATA_PLATE)) throw new SiteError(n, [], `a side input has one row per data point; declare .plate("data") first`);
    const unknown = Object.keys(options ?? {}).filter((k) => k !== "event" && k !== "doc");
    if (unknown.length) throw new SiteError(n, [], `unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}; options of a side input: event, doc`);
    const event = ((options?.event as readonly number[] | undefined) ?? []).slice();
    if (event.some((e) => !Number.isInteger(e) || e < 1)) throw new SiteError(n, [], `event sizes must be positive integers, got [${event.join(", ")}]`);
    const decl = { name: n, event, ...(options?.doc ? { doc: options.doc } : {}) };
    return new Model(produce(this.ir, (d) => void (d.side ??= []).push(decl))) as never;
  }

  /**
   * Declares names that callbacks read before the site is declared (a prior reading the observed
   * data, as the VampPrior's selector does: `.ahead("x")` ... `ctx.observed("x")` ... `.observe("x", ...)`).
   * `compile` refuses a model where such a name is never declared (a type error, and at run time).
   */
  ahead<const N extends string>(...names: N[]): Model<S, P, A | N> {
    for (const n of names) if (typeof n !== "string" || !n) throw new Error(`model "${this.ir.name}": ahead() takes site names, got ${JSON.stringify(n)}`);
    return new Model(produce(this.ir, (d) => void (d.ahead ??= []).push(...names.filter((n) => !d.ahead!.includes(n))))) as never;
  }

  /** Attaches metadata (references, defaults, data requirements). */
  meta(entries: Record<string, unknown>): Model<S, P, A> {
    return new Model(produce(this.ir, (d) => void Object.assign(d.meta, entries)));
  }

  /** The declared plate names. */
  plateNames(): string[] {
    return this.ir.plates.map((p) => p.name);
  }

  /** The IR entry of a site (throws naming the known sites). */
  site(name: string): SiteDecl {
    const s = this.ir.sites.find((x) => x.name === name);
    if (!s) throw new Error(`model "${this.ir.name}" has no site "${name}"; sites: ${this.ir.sites.map((x) => x.name).join(", ")}`);
    return s;
  }

  /** Every mask site. */
  masks(): SiteDecl[] {
    return this.ir.sites.filter((s) => s.kind === "mask");
  }

  /** Refuses a name already used by a site or side input. */
  private checkFreshName(name: string): void {
    if (this.ir.sites.some((s) => s.name === name) || this.ir.side?.some((s) => s.name === name)) throw new SiteError(name, [], `site declared twice`);
  }

  private addSite(kind: SiteKind, nameArg: string, fn: (values: any, ctx: any) => unknown, options: Record<string, unknown>, mask?: MaskInfo): Model<any, any> {
    const name = nameArg as string;
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`model "${this.ir.name}": site names must be identifiers, got ${JSON.stringify(name)}`);
    }
    this.checkFreshName(name);
    if (typeof fn !== "function") throw new SiteError(name, [], `expected a callback, got ${typeof fn}`);
    const known = SITE_OPTIONS[kind];
    const unknown = Object.keys(options).filter((k) => !known.includes(k));
    if (unknown.length) throw new SiteError(name, [], `unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}; options of a ${kind} site: ${known.join(", ")}`);
    const plates = ((options.plates as string[] | undefined) ?? []).slice();
    for (const p of plates) {
      if (!this.ir.plates.some((x) => x.name === p)) {
        throw new SiteError(name, [], `plate "${p}" is not declared; declared plates: ${this.plateNames().join(", ") || "(none)"}`);
      }
    }
    if (new Set(plates).size !== plates.length) throw new SiteError(name, [], `plate listed twice in [${plates.join(", ")}]`);
    if (kind === "observe" && !plates.includes(DATA_PLATE) && this.ir.plates.some((p) => p.name === DATA_PLATE)) {
      throw new SiteError(name, [], `an observed site must live in the "data" plate`);
    }
    const event = ((options.event as number[] | undefined) ?? []).slice();
    for (const e of event) {
      if (!Number.isInteger(e) || e < 1) throw new SiteError(name, [], `event sizes must be positive integers, got [${event.join(", ")}]`);
    }
    const decl: SiteDecl = {
      kind,
      name,
      plates,
      event,
      fn,
      dependsOn: callbackDependencies(
        fn,
        this.ir.sites.map((s) => s.name),
      ),
      options: { ...options },
    };
    if (mask) decl.mask = mask;
    if (kind === "latent" || kind === "global" || kind === "mask") {
      decl.prior = fn.length === 0 ? evaluatePriorAtDeclaration(name, fn as () => unknown) : describeDependentPrior(fn);
    }
    return new Model(produce(this.ir, (d) => void d.sites.push(freeze(decl, true) as never)));
  }
}

/** A prior's summary for the IR: its `describe()` and the name of its support. */
function summarise(d: SiteDistribution): NonNullable<SiteDecl["prior"]> {
  const s = d.describe();
  return d.support?.name ? { ...s, support: d.support.name } : s;
}

/** Calls a dependency-free prior once, so bad hyperparameters fail where they are declared. */
function evaluatePriorAtDeclaration(site: string, fn: () => unknown): SiteDecl["prior"] {
  let summary: SiteDecl["prior"];
  tf.tidy(() => {
    let d: unknown;
    try {
      d = fn();
    } catch (e) {
      throw new SiteError(site, [], (e as Error).message);
    }
    if (d && typeof (d as SiteDistribution).describe === "function") summary = summarise(d as SiteDistribution);
  });
  return summary;
}

/**
 * The sites a callback reads: the names destructured in its first parameter
 * (`({ z, W }) => ...`), or every earlier site when the source does not destructure.
 */
export function callbackDependencies(fn: (...args: any[]) => unknown, earlier: string[]): string[] {
  if (fn.length === 0) return [];
  const src = fn.toString();
  const m = /^\s*(?:async\s*)?(?:function\s*[\w$]*\s*)?\(\s*\{([^}]*)\}/.exec(src);
  if (!m) return earlier.slice();
  const names = m[1]
    .split(",")
    .map((part) => part.split(/[:=]/)[0].trim())
    .filter((n) => n && !n.startsWith("..."));
  return names.filter((n) => earlier.includes(n));
}

/**
 * Describes a prior that depends on earlier sites by evaluating it twice on placeholder values
 * (0.25 and 0.75): parameters that agree are constants of the declaration; the others are shown
 * as depending on sites. Returns undefined when the callback needs more than site values.
 */
function describeDependentPrior(fn: (values: any, ctx: any) => unknown): SiteDecl["prior"] {
  const attempt = (v: number) =>
    tf.tidy(() => {
      const values = new Proxy({}, { get: (_t, key) => (typeof key === "string" ? tf.scalar(v) : undefined) });
      const ctx = new Proxy(
        {},
        {
          get: () => {
            throw new Error("needs the run context");
          },
        },
      );
      const d = fn(values, ctx) as SiteDistribution | undefined;
      return d && typeof d.describe === "function" ? summarise(d) : undefined;
    });
  try {
    const a = attempt(0.25);
    const b = attempt(0.75);
    if (!a || !b || a.kind !== b.kind) return undefined;
    const params: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(a.params)) params[k] = v === b.params[k] ? v : "(from sites)";
    return { kind: a.kind, params, ...(a.support ? { support: a.support } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Starts a model.
 *
 * @param name - shown in renders, errors and checkpoints.
 */
export function model(name: string): Model<{}, never> {
  if (!name) throw new Error("model(): a model needs a name");
  return new Model(freeze({ name, plates: [], sites: [], meta: {} }, true));
}

/** The site table of a model type. */
export type SitesOf<M> = M extends { readonly _sites: infer S extends SiteTable } ? S : never;

/** Names a model declared ahead (`.ahead`) but never declared. */
export type UndeclaredAhead<M> = M extends { readonly _sites: infer S; readonly _ahead: (name: infer A) => void } ? Exclude<A, keyof S> : never;

/** `compile`'s check that every name declared ahead was declared: `unknown`, or an object type naming each missing one (a type error). */
export type AheadDeclared<M> = [UndeclaredAhead<M>] extends [never] ? unknown : { [K in UndeclaredAhead<M> & string]: `read ahead (.ahead("${K}")) but never declared in the model` };
/** The plate names of a model type. */
export type PlatesOf<M> = M extends { readonly _plates: infer P } ? P : never;

/** Observed-site names of a site table. */
export type ObserveNames<S extends SiteTable> = { [K in keyof S]: S[K]["kind"] extends "observe" ? K : never }[keyof S] & string;

/** Latent, global and mask site names (the ones a guide must cover). */
export type LatentNames<S extends SiteTable> = {
  [K in keyof S]: S[K]["kind"] extends "latent" | "global" | "mask" ? K : never;
}[keyof S] &
  string;

/** An observed value of rank R: a tensor of that rank, or nested arrays of that depth. */
export type ObservedValue<R extends number> = R extends 0
  ? number | tf.Scalar
  : R extends 1
    ? tf.Tensor1D | number[] | Float32Array
    : R extends 2
      ? tf.Tensor2D | number[][]
      : R extends 3
        ? tf.Tensor3D | number[][][]
        : R extends 4
          ? tf.Tensor4D | number[][][][]
          : tf.Tensor;

/** Data for the observed sites of a model: each keyed by site name, with its static rank. */
export type ObservedData<S extends SiteTable> = { [K in ObserveNames<S>]?: ObservedValue<S[K]["rank"]> | tf.Tensor };

type RankName<R extends number> = R extends 0
  ? tf.Rank.R0
  : R extends 1
    ? tf.Rank.R1
    : R extends 2
      ? tf.Rank.R2
      : R extends 3
        ? tf.Rank.R3
        : R extends 4
          ? tf.Rank.R4
          : R extends 5
            ? tf.Rank.R5
            : tf.Rank.R6;

/**
 * A value accepted for a site of static rank R: a tensor of that rank, a tensor whose rank is not
 * known statically (`tf.Tensor`), or nested arrays of that depth. Anything else is `never`.
 */
export type RankChecked<V, R extends number> = V extends tf.Tensor<infer TR> ? (tf.Rank extends TR ? V : TR extends RankName<R> ? V : never) : V extends ObservedValue<R> ? V : never;

/** Checks data keyed by observed site: unknown names and wrong ranks become `never` (type errors). */
export type CheckedData<S extends SiteTable, D> = {
  [K in keyof D]: K extends ObserveNames<S> ? RankChecked<D[K], S[K]["rank"]> : `no observed site "${K & string}"; observed sites: ${ObserveNames<S>}`;
};
