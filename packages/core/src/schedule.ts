/**
 * Schedules: step-indexed weights (KL warm-up, temperatures, the slab warm-up of VSC). They are
 * plain data, so the model IR and checkpoints can record them, and `scheduleValue` evaluates them.
 *
 * @example
 * ```ts
 * const beta = warmup({ from: 0, to: 1, start: 1000, end: 5000 });
 * scheduleValue(beta, 3000);   // 0.5
 * ```
 */
import { tf } from "./tf.js";
import { capturingStep, noteStepUse, stepSource } from "./step-hook.js";

/** A step-indexed weight. */
export type Schedule =
  | { kind: "constant"; value: number }
  | { kind: "linear"; from: number; to: number; steps: number }
  | { kind: "exponentialDecay"; initial: number; rate: number; every: number; min?: number }
  | { kind: "warmup"; from: number; to: number; start: number; end: number }
  | { kind: "cyclical"; min: number; max: number; period: number; rampFraction: number };

/** A number is shorthand for a constant schedule. */
export type ScheduleLike = number | Schedule;

/** A constant weight. */
export function constant(value: number): Schedule {
  return { kind: "constant", value };
}

/** Linear from `from` (step 0) to `to` (step `steps`), constant afterwards. */
export function linear(args: { from: number; to: number; steps: number }): Schedule {
  if (!(args.steps > 0)) throw new Error(`linear schedule: steps must be positive, got ${args.steps}`);
  return { kind: "linear", ...args };
}

/** initial * exp(-rate * floor(step / every) * every), floored at `min` (Jang et al. 2017's temperature). */
export function exponentialDecay(args: { initial: number; rate: number; every?: number; min?: number }): Schedule {
  return { kind: "exponentialDecay", initial: args.initial, rate: args.rate, every: args.every ?? 1, min: args.min };
}

/** `from` until step `start`, linear to `to` at step `end`, then `to` (VSC's slab warm-up). */
export function warmup(args: { from?: number; to?: number; start: number; end: number }): Schedule {
  if (args.end < args.start) throw new Error(`warmup schedule: end (${args.end}) must be >= start (${args.start})`);
  return { kind: "warmup", from: args.from ?? 0, to: args.to ?? 1, start: args.start, end: args.end };
}

/** Cyclical annealing (Fu et al. 2019): within each period, ramp min -> max over `rampFraction`, then hold. */
export function cyclical(args: { min?: number; max?: number; period: number; rampFraction?: number }): Schedule {
  return { kind: "cyclical", min: args.min ?? 0, max: args.max ?? 1, period: args.period, rampFraction: args.rampFraction ?? 0.5 };
}

/** The numeric fields each kind of schedule needs, and those it may have. */
const FIELDS: Record<Schedule["kind"], { needs: string[]; may?: string[] }> = {
  constant: { needs: ["value"] },
  linear: { needs: ["from", "to", "steps"] },
  exponentialDecay: { needs: ["initial", "rate"], may: ["every", "min"] },
  warmup: { needs: ["start", "end"], may: ["from", "to"] },
  cyclical: { needs: ["period"], may: ["min", "max", "rampFraction"] },
};

/** Normalises a number or a schedule to a schedule (no checks: see {@link parseSchedule}). */
export function asSchedule(s: ScheduleLike): Schedule {
  return typeof s === "number" ? constant(s) : s;
}

/**
 * A schedule given as plain data (JSON from the command line, a saved config), checked: a number,
 * or a known `kind` with every field it needs a finite number. It is rebuilt through its
 * constructor, so optional fields get their defaults and the constructor's own checks run. `what`
 * names the option in the error (`vsc: sharpness`).
 *
 * @example
 * ```ts
 * parseSchedule({ kind: "linear", from: 50, to: 200, steps: 9375 }, "sharpness"); // a linear schedule
 * parseSchedule({ kind: "linear", from: 50 }, "sharpness");
 * // throws: sharpness: a linear schedule needs numbers from, to, steps; to, steps are missing or not finite in {"kind":"linear","from":50}
 * ```
 */
export function parseSchedule(s: unknown, what = "schedule"): Schedule {
  if (typeof s === "number") return constant(s);
  const kind = (s as { kind?: unknown } | null)?.kind as Schedule["kind"];
  const spec = typeof kind === "string" && Object.hasOwn(FIELDS, kind) ? FIELDS[kind] : undefined;
  if (!spec) throw new Error(`${what}: expected a number or a schedule with kind ${Object.keys(FIELDS).join(", ")}; got ${JSON.stringify(s)}`);
  const o = s as unknown as Record<string, unknown>;
  const bad = [
    ...spec.needs.filter((f) => !(typeof o[f] === "number" && Number.isFinite(o[f]))),
    ...(spec.may ?? []).filter((f) => o[f] !== undefined && !(typeof o[f] === "number" && Number.isFinite(o[f]))),
  ];
  if (bad.length) {
    const all = [...spec.needs, ...(spec.may ?? []).map((f) => `${f}?`)].join(", ");
    throw new Error(`${what}: a ${kind} schedule needs numbers ${all}; ${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} missing or not finite in ${JSON.stringify(s)}`);
  }
  const n = (f: string) => o[f] as number;
  const opt = (f: string) => o[f] as number | undefined;
  try {
    switch (kind) {
      case "constant":
        return constant(n("value"));
      case "linear":
        return linear({ from: n("from"), to: n("to"), steps: n("steps") });
      case "exponentialDecay":
        return exponentialDecay({ initial: n("initial"), rate: n("rate"), every: opt("every"), min: opt("min") });
      case "warmup":
        return warmup({ from: opt("from"), to: opt("to"), start: n("start"), end: n("end") });
      case "cyclical":
        return cyclical({ min: opt("min"), max: opt("max"), period: n("period"), rampFraction: opt("rampFraction") });
    }
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/**
 * A number or a schedule (checked as {@link parseSchedule} does) whose values stay in [0, 1]: every
 * kind is monotone between step 0 and the step it turns constant, or cycles between its min and
 * max, so those are the values checked. `what` names the option in the error.
 *
 * @example
 * ```ts
 * unitIntervalSchedule({ kind: "warmup", start: 100, end: 200 }, "hardness"); // a warmup 0 → 1
 * unitIntervalSchedule(1.5, "hardness"); // throws: hardness must be in [0, 1], got 1.5
 * ```
 */
export function unitIntervalSchedule(s: unknown, what = "schedule"): ScheduleLike {
  const check = (v: number, where: string) => {
    if (!(v >= 0 && v <= 1)) throw new Error(`${what}${where} must be in [0, 1], got ${v}`);
  };
  if (typeof s === "number") {
    check(s, "");
    return s;
  }
  const x = parseSchedule(s, what);
  const end = constantFrom(x);
  for (const step of [0, Number.isFinite(end) ? end : 1e9]) check(evaluateSchedule(x, step), ` (a ${x.kind} schedule, at step ${step})`);
  if (x.kind === "cyclical") [x.min, x.max].forEach((v) => check(v, " (a cyclical schedule's min and max)"));
  return x;
}

/**
 * The first step from which a schedule's value no longer changes (Infinity: it changes forever).
 * Step plans (a speed layer, through step-hook.ts) use it to know when a captured step stays valid.
 */
export function constantFrom(s: ScheduleLike): number {
  const x = asSchedule(s);
  switch (x.kind) {
    case "constant":
      return 0;
    case "linear":
      return x.from === x.to ? 0 : x.steps;
    case "exponentialDecay":
      if (x.rate === 0) return 0;
      if (x.min === undefined || x.rate < 0 || x.initial <= x.min) return x.initial <= (x.min ?? -Infinity) ? 0 : Infinity;
      // initial·exp(−rate·k·every) ≤ min from k = ceil(log(initial/min) / (rate·every)).
      return Math.ceil(Math.log(x.initial / x.min) / (x.rate * x.every)) * x.every;
    case "warmup":
      return x.from === x.to ? 0 : x.end;
    case "cyclical":
      return x.min === x.max ? 0 : Infinity;
  }
}

/**
 * The value of a schedule at `step` (0-based optimiser steps). Inside a captured training step
 * (step-hook.ts) the value counts as fixed from the schedule's end on; {@link scheduleScalar} makes
 * it a per-step input instead.
 */
export function scheduleValue(s: ScheduleLike, step: number): number {
  const x = asSchedule(s);
  if (capturingStep() && x.kind !== "constant") noteStepUse(constantFrom(x), `a ${x.kind} schedule`);
  return evaluateSchedule(x, step);
}

/**
 * A schedule's value at `step` as a scalar tensor that a step plan recomputes every step
 * (a declared per-step source), so a warm-up does not hold step plans back.
 */
export function scheduleScalar(s: ScheduleLike, step: number): tf.Scalar {
  return stepSource(tf.scalar(evaluateSchedule(s, step)), (ctx) => Float32Array.of(evaluateSchedule(s, ctx.step)));
}

/**
 * A schedule at `step` as an op input: a number when it is constant, else {@link scheduleScalar}
 * (so a step plan recomputes it every step).
 */
export function scheduleInput(s: ScheduleLike, step: number): number | tf.Scalar {
  return typeof s === "number" || s.kind === "constant" ? evaluateSchedule(s, step) : scheduleScalar(s, step);
}

/** A schedule's value at `step`, without the bookkeeping of {@link scheduleValue}. */
export function evaluateSchedule(s: ScheduleLike, step: number): number {
  const x = asSchedule(s);
  switch (x.kind) {
    case "constant":
      return x.value;
    case "linear":
      return step >= x.steps ? x.to : x.from + ((x.to - x.from) * step) / x.steps;
    case "exponentialDecay": {
      const v = x.initial * Math.exp(-x.rate * Math.floor(step / x.every) * x.every);
      return x.min !== undefined ? Math.max(x.min, v) : v;
    }
    case "warmup":
      if (step <= x.start) return x.from;
      if (step >= x.end) return x.to;
      return x.from + ((x.to - x.from) * (step - x.start)) / (x.end - x.start);
    case "cyclical": {
      const t = (step % x.period) / x.period;
      const r = Math.min(1, t / x.rampFraction);
      return x.min + (x.max - x.min) * r;
    }
  }
}

/**
 * A positive number, or a schedule whose values stay positive and finite: checked at its start, at
 * its end (the step from which it no longer changes, else step 10^9) and, for a cyclical one, at
 * its minimum (a temperature or sharpness that reaches 0 or grows without bound is refused where it
 * is declared or compiled, not found as a NaN loss later). Throws `${prefix}${option} ... must be
 * positive, got v`; returns the number or the parsed schedule.
 *
 * @example
 * ```ts
 * checkPositiveSchedule({ kind: "exponentialDecay", initial: 5, rate: -1 }, "temperature", "sdlgm: ");
 * // throws: sdlgm: temperature (a exponentialDecay schedule, at step 1000000000) must be positive, got Infinity
 * ```
 */
export function checkPositiveSchedule(s: unknown, option: string, prefix = ""): ScheduleLike {
  const check = (where: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${prefix}${option}${where} must be positive, got ${v}`);
  };
  if (typeof s === "number") {
    check("", s);
    return s;
  }
  const x = parseSchedule(s, `${prefix}${option}`);
  const end = constantFrom(x);
  for (const step of [0, Number.isFinite(end) ? end : 1e9]) check(` (a ${x.kind} schedule, at step ${step})`, evaluateSchedule(x, step));
  if (x.kind === "cyclical") check(" (a cyclical schedule's min)", x.min);
  return x;
}
