/**
 * The narrow hook between core and a speed layer (`@sparse-dgm/speed`, a separate package that
 * core never imports). Core calls these functions where a training step takes values from outside
 * its tensors (a key's noise, a schedule, the interpreter's `ctx.step`) and when a backend becomes
 * ready; compiled programs run each recurring function (a training step, an EM update) through
 * {@link recurringStep}. With no speed layer installed (or with it switched off) every call here is
 * a no-op and every step runs through TF.js's engine: the numbers are the same either way.
 *
 * Core patches nothing in TF.js; whatever a speed layer does to kernels it does from its own
 * package, through TF.js's public kernel registry.
 */
import type { tf } from "./tf.js";
import type { Key } from "./key.js";

/** What a recurring step takes from the caller on every run: its number, its keys and its per-step host inputs. */
export interface StepContext {
  /** The optimiser step. */
  step: number;
  /** The step's root keys (one per replica); its noise derives from them. */
  roots: Key[];
  /** Named per-step host values (minibatch indices, ...). */
  inputs: Record<string, Float32Array | Int32Array>;
  /**
   * How many calls that may run from a plan are left in this run, this one included (a fit's full
   * minibatches still to come), when the caller knows: a plan that could run only once or twice
   * does not repay its proof, which runs one call again.
   */
  remaining?: number;
}

/** Makes a per-step input's values for a step. */
export type SourceProducer = (ctx: StepContext) => Float32Array | Int32Array;

/** What listens while a step is being captured (installed by a speed layer for the capture's length). */
export interface StepListener {
  /** `t` (made from host values inside the step) is a per-step input that `producer` remakes. */
  source(t: tf.Tensor, producer: SourceProducer): void;
  /** The step read a step-dependent value that is constant from `constantFrom` on (Infinity: never). */
  stepUse(constantFrom: number, what: string): void;
}

/** A tensor from outside a step that the step may read: a variable (its data id changes as it is assigned) or fixed data. */
export interface OutsideTensor {
  /** Its data id now. */
  dataId(): object;
  /** Its name (the same outside tensor has the same name on every step). */
  name: string;
}

/** The outside tensors a step may read, by their data id at the time of the call. */
export type OutsideTensors = Map<object, OutsideTensor>;

/** Whether a recurring step runs a faster way than the engine, and why not if it does not. */
export interface RecurringStatus {
  active: boolean;
  reason?: string;
  /** Kernels per run when active. */
  kernels?: number;
}

/** One recurring function (a training step, an EM update) run by a speed layer or by the engine. */
export interface RecurringStep {
  /**
   * One call. `usable: false` (a partial batch) runs `fn` through the engine; `signature`
   * describes the call's host-side result, which must not change between calls for a faster run
   * to replace `fn`. `fast` says whether the outputs came from the faster path.
   */
  run(ctx: StepContext, usable: boolean, fn: () => tf.Tensor[], signature?: () => string): { outputs: tf.Tensor[]; fast: boolean };
  status(): RecurringStatus;
  /** Frees whatever the runner holds (call it before the outside tensors change, e.g. a new fit). */
  dispose(): void;
}

/** What a speed layer installs. */
export interface SpeedHook {
  /** Its name (for status messages). */
  name: string;
  /** A runner for one recurring function that may read `outside()` (evaluated at capture time). */
  recurring(outside: () => OutsideTensors): RecurringStep;
  /** Called when a backend has been initialised (and at install time for the one in use). */
  backendReady?(backend: string): void;
}

let listener: StepListener | undefined;
let hook: SpeedHook | undefined;
let readyBackend: string | undefined;

/** Sets (or clears) the listener of the step being captured. For a speed layer. */
export function setStepListener(l: StepListener | undefined): void {
  listener = l;
}

/** Whether a step is being captured now (code making per-step tensors should declare them). */
export function capturingStep(): boolean {
  return listener !== undefined;
}

/**
 * Declares a tensor created from host values inside a step as a per-step input that `producer`
 * remakes for later steps. Returns `t`; outside a capture it does nothing.
 */
export function stepSource<T extends tf.Tensor>(t: T, producer: SourceProducer): T {
  listener?.source(t, producer);
  return t;
}

/**
 * Notes that the step's code read a step-dependent value that stays constant from `constantFrom`
 * on (Infinity: never). Outside a capture it does nothing.
 */
export function noteStepUse(constantFrom: number, what: string): void {
  listener?.stepUse(constantFrom, what);
}

/** Installs (or, with undefined, removes) the speed layer. For a speed layer. */
export function setSpeedHook(h: SpeedHook | undefined): void {
  hook = h;
  if (h && readyBackend !== undefined) h.backendReady?.(readyBackend);
}

/** The installed speed layer's name, if one is installed. */
export function speedHookName(): string | undefined {
  return hook?.name;
}

/** Tells the speed layer (if any) that `backend` is ready. Called by `initBackend`. */
export function announceBackend(backend: string): void {
  readyBackend = backend;
  hook?.backendReady?.(backend);
}

/**
 * The runner of one recurring function: the speed layer's when one is installed, else one that
 * runs every call through the engine.
 */
export function recurringStep(outside: () => OutsideTensors): RecurringStep {
  return hook ? hook.recurring(outside) : engineStep("no speed layer is installed");
}

/** A runner that always calls the function (through TF.js's engine), reporting `reason`. */
export function engineStep(reason: string): RecurringStep {
  return {
    run: (_ctx, _usable, fn) => ({ outputs: fn(), fast: false }),
    status: () => ({ active: false, reason }),
    dispose: () => {},
  };
}
