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

/** Normalises a number or a schedule to a schedule. */
export function asSchedule(s: ScheduleLike): Schedule {
  return typeof s === "number" ? constant(s) : s;
}

/** The value of a schedule at `step` (0-based optimiser steps). */
export function scheduleValue(s: ScheduleLike, step: number): number {
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
