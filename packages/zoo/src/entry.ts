/**
 * What a zoo entry is: a DSL model factory with the spec's defaults, its reference, and the data
 * and training settings its reproduction uses.
 */
import { checkPositiveSchedule, type Model, type ScheduleLike } from "@sparse-dgm/core";

/** Sizes a model takes from the data it is fitted on. */
export interface DataShape {
  /** Number of observed features per data point (G). */
  features: number;
  /** Feature groups (views/modalities) when the data has them. */
  groups?: number[][];
  /**
   * Data statistics some priors are calibrated on (the Sparse VAE's noise-prior scale; the median
   * library size l̄ of count data, for the negative binomial's library-size offset; multi-label
   * data's tag counts).
   */
  stats?: {
    columnSds?: number[];
    sigmaPriorScale?: number;
    librarySize?: number;
    /** Multi-label data: the number of tags T. */
    tags?: number;
    /** Multi-label data: the share of training rows with 0, 1, 2, ... tags. */
    tagCountDistribution?: number[];
  };
  /**
   * What the data's entries are (`real`, `binary` 0/1, `counts`): an entry whose likelihood is not
   * set takes the one that fits (Gaussian, Bernoulli, a count likelihood).
   */
  /** Number of classes of the data's labels (largest label + 1), when it has labels. */
  classes?: number;
  kind?: "real" | "binary" | "counts";
  /**
   * The run the model is built for: its total optimiser steps. Warm-ups given as fractions of the
   * run (`klWarmup`, `priorWarmup`) are resolved against it, so that they finish on small data
   * (without it: the synthetic study's 1,200 steps).
   */
  run?: { steps: number };
}

/**
 * The default likelihood of an entry for data of `kind` (real data when unknown): the choice the
 * entry lists for that kind.
 *
 * @example
 * ```ts
 * likelihoodFor("binary", { real: "gaussian", binary: "bernoulli", counts: "poisson" }); // "bernoulli"
 * ```
 */
export function likelihoodFor<T extends string>(kind: DataShape["kind"], choices: { real: T; binary: T; counts: T }): T {
  return choices[kind ?? "real"];
}

/** The run length warm-up fractions resolve against when the build is not told (the Sparse VAE's synthetic study: 200 epochs × 6 steps). */
export const DEFAULT_RUN_STEPS = 1200;

/**
 * A warm-up's length in steps: `steps` when given, else the `fraction` given (or `fallback`, the
 * entry's default fraction) of the run's steps (rounded), validated, naming the model and options.
 * Giving both the fraction and its `...Steps` option is refused (one of them would be ignored), and
 * a fraction above 1 (a count of steps) is refused naming the `...Steps` option.
 * Entries record only the resolved steps in their config (`<option>Steps`): that is what acted, and
 * a build from the recorded config gives the same model whatever run it is told.
 *
 * @example
 * ```ts
 * warmupSteps("sparseVae", "klWarmup", 0.25, undefined, { steps: 200 }); // 50
 * warmupSteps("sparseVae", "klWarmup", undefined, 30, { steps: 200 }, 0.25); // 30
 * warmupSteps("sparseVae", "klWarmup", 0.25, 30); // throws: sparseVae: klWarmup (0.25) and klWarmupSteps (30) are both given; give one (a fraction of the run, or a number of steps)
 * ```
 */
export function warmupSteps(model: string, option: string, fraction: number | undefined, steps: number | undefined, run?: { steps: number }, fallback = 0): number {
  if (steps !== undefined) {
    if (fraction !== undefined) throw new Error(`${model}: ${option} (${JSON.stringify(fraction)}) and ${option}Steps (${JSON.stringify(steps)}) are both given; give one (a fraction of the run, or a number of steps)`);
    if (!(typeof steps === "number" && Number.isFinite(steps) && steps >= 0)) throw new Error(`${model}: ${option}Steps must be >= 0, got ${JSON.stringify(steps)}`);
    return steps;
  }
  const f = fraction ?? fallback;
  // a value above 1 is most likely a count of steps (what several of these options took before): say which option takes one
  if (typeof f === "number" && f > 1) throw new Error(`${model}: ${option} is a fraction of the run in [0, 1], got ${f}; give a number of steps as ${option}Steps`);
  if (!(typeof f === "number" && Number.isFinite(f) && f >= 0)) throw new Error(`${model}: ${option} must be a fraction of the run in [0, 1], got ${JSON.stringify(f)}`);
  return Math.round(f * (run?.steps ?? DEFAULT_RUN_STEPS));
}

/**
 * Whether {@link warmupSteps} resolves a warm-up against the run's length: no `...Steps` given and a
 * fraction (given, else the entry's `fallback`) above 0. An entry with such a warm-up records
 * {@link runMeta}.
 *
 * @example
 * ```ts
 * warmupFromRun(undefined, undefined, 0.5); // true: the default fraction of the run
 * warmupFromRun(undefined, 300, 0.5);       // false: given in steps
 * ```
 */
export function warmupFromRun(fraction: number | undefined, steps: number | undefined, fallback: number): boolean {
  return steps === undefined && (fraction ?? fallback) > 0;
}

/**
 * The model metadata that says which run length an entry resolved its run-relative schedules
 * (warm-ups as fractions of the run, a schedule spread over the run) against: `run.steps`, and
 * `run.told` (false: the build was not told and assumed `assumed` steps). A compiled program's
 * `fit` warns when its own length is more than 1.5x away (packages/infer, `Program.checkRunLength`),
 * so a model built without `run` and fitted for another length is never silently trained on a
 * schedule that does not finish (or starts late).
 *
 * @example
 * ```ts
 * model("m").meta(runMeta(c.run, DEFAULT_RUN_STEPS)); // { run: { steps: 1200, told: false } } without c.run
 * ```
 */
export function runMeta(run: { steps: number } | undefined, assumed: number): { run: { steps: number; told: boolean } } {
  return { run: run ? { steps: run.steps, told: true } : { steps: assumed, told: false } };
}

/** Training settings of an entry's reproduction (the spec's). */
export interface TrainingDefaults {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Normalisation of the objective: the paper code's ("reference") or the per-data-point ELBO. */
  normalisation: "reference" | "elbo";
  /** Class-balanced minibatches by this side data (the labels), at least two members per class. */
  balanceBy?: string;
  /**
   * Learning rates of parameter groups (`globals`: point estimates and mask gates; `network`) that
   * differ from `learningRate`; used unless a learning rate is given on the command line.
   */
  groupLearningRates?: Record<string, number>;
}

/** A zoo entry: config C, and the model type M its `build` returns (its site table and plates kept). */
export interface ZooEntry<C extends object = Record<string, unknown>, M extends Model<any, any> = Model<any, any>> {
  /** The name used on the command line (`sdgm fit sparseVae`). */
  name: string;
  /** One-line description. */
  title: string;
  /** The paper. */
  reference: string;
  /** The spec file in shared/specs (and its section). */
  spec: string;
  /** The model's hyperparameters at their spec defaults. */
  defaults: C;
  /** Hyperparameters it also accepts that have no default (unset unless given). */
  optional?: readonly (keyof (C & DataShape) & string)[];
  /** Builds the DSL model for data of the given shape. Hyperparameters are validated here. */
  build(config: Partial<C> & DataShape): M;
  /** A data source it is meant for (used by renders and the main job). */
  defaultData: string;
  /** The data shape used to render the model without data. */
  renderShape: DataShape;
  /** Training settings of the reproduction. */
  training: TrainingDefaults;
}

/** The largest integer hyperparameter (a width, a count of latents or groups) a model accepts. */
export const MAX_SIZE = 1_000_000;

/** Validates an integer hyperparameter (1 to {@link MAX_SIZE}), naming the model and the option. */
export function positiveInt(model: string, option: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > MAX_SIZE) throw new Error(`${model}: ${option} must be a positive integer up to ${MAX_SIZE}, got ${JSON.stringify(v)}`);
  return v;
}

/** Validates a list of positive integers (layer widths), naming the model and the option. */
export function positiveIntList(model: string, option: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new Error(`${model}: ${option} must be a list of positive integers (e.g. [512, 256]), got ${JSON.stringify(v)}`);
  return v.map((h) => positiveInt(model, option, h));
}

/**
 * Validates a positive finite number, naming the model and the option; the refused value is quoted
 * as given (`--set` passes a non-number through as its string).
 *
 * @example
 * ```ts
 * positiveNumber("sparseVae", "maskInitSd", "abc" as never); // throws: sparseVae: maskInitSd must be a positive number, got "abc"
 * ```
 */
export function positiveNumber(model: string, option: string, v: number): number {
  if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new Error(`${model}: ${option} must be a positive number, got ${typeof v === "number" ? String(v) : JSON.stringify(v)}`);
  return v;
}

/**
 * A positive number, or a schedule whose values stay positive and finite: checked at its start, at
 * its end (the step from which it no longer changes, else step 10^9) and, for a cyclical one, at
 * its minimum. A temperature or sharpness that reaches 0 or grows without bound (an exponential
 * "decay" with a negative rate and no cap) is refused here, naming the model and the option, not
 * found as a NaN loss later.
 *
 * @example
 * ```ts
 * positiveSchedule("sdlgm", "temperature", { kind: "exponentialDecay", initial: 5, rate: -1 });
 * // throws: sdlgm: temperature (a exponentialDecay schedule, at step 1000000000) must be positive, got Infinity
 * ```
 */
export function positiveSchedule(model: string, option: string, s: ScheduleLike): ScheduleLike {
  return checkPositiveSchedule(s, option, `${model}: `);
}

/** Validates a probability in the open interval (0, 1). */
export function openUnit(model: string, option: string, v: number): number {
  if (!(v > 0 && v < 1)) throw new Error(`${model}: ${option} must be in (0, 1), got ${v}`);
  return v;
}

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

/**
 * Validates a boolean option: true/false, or (as `--set` and JSON configs give them) 1/0 and the
 * strings true/false, yes/no, on/off, 1/0 in any case; anything else is refused naming the model
 * and the option (a truthy string such as "no" must never switch an option on).
 *
 * @example
 * ```ts
 * bool("sdlgm", "straightThrough", "no"); // false
 * bool("sdlgm", "straightThrough", "abc"); // throws: sdlgm: straightThrough must be true or false (or yes/no, on/off, 1/0), got "abc"
 * ```
 */
export function bool(model: string, option: string, v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === "string" && TRUE.has(v.trim().toLowerCase())) return true;
  if (typeof v === "string" && FALSE.has(v.trim().toLowerCase())) return false;
  throw new Error(`${model}: ${option} must be true or false (or yes/no, on/off, 1/0), got ${JSON.stringify(v)}`);
}

/** Validates one of a set of choices. */
export function oneOf<T extends string>(model: string, option: string, v: T, choices: readonly T[]): T {
  if (!choices.includes(v)) throw new Error(`${model}: ${option} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Every hyperparameter an entry accepts: its defaults' keys and its optional ones (the data-shape
 * keys `features`, `stats` and `kind` come from the data; `groups` too, unless an entry lists it as
 * optional for data that does not define them).
 */
export function entryOptions(entry: Pick<ZooEntry<any>, "defaults" | "optional">): string[] {
  return [...Object.keys(entry.defaults as object), ...(entry.optional ?? [])];
}
