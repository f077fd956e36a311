// Schedules: values at known steps, the step from which they stay constant, and schedules given
// as plain data (JSON on the command line) checked with a message that names what is missing.
import { describe, it, expect } from "vitest";
import { constant, linear, warmup, exponentialDecay, cyclical, scheduleValue, constantFrom, parseSchedule, unitIntervalSchedule } from "./schedule.js";

describe("schedules", () => {
  it("take their closed-form values", () => {
    expect(scheduleValue(linear({ from: 50, to: 200, steps: 100 }), 50)).toBeCloseTo(125, 10);
    expect(scheduleValue(linear({ from: 50, to: 200, steps: 100 }), 500)).toBe(200);
    const w = warmup({ from: 0, to: 1, start: 1000, end: 5000 });
    expect([0, 1000, 3000, 5000, 9000].map((s) => scheduleValue(w, s))).toEqual([0, 0, 0.5, 1, 1]);
    expect(scheduleValue(exponentialDecay({ initial: 1, rate: 0.1, every: 10, min: 0.1 }), 15)).toBeCloseTo(Math.exp(-1), 6); // floor(15 / 10) · 10 = 10 steps of decay
    expect(scheduleValue(exponentialDecay({ initial: 1, rate: 0.1, every: 10, min: 0.5 }), 1000)).toBe(0.5);
    expect(scheduleValue(constant(3), 7)).toBe(3);
    expect(scheduleValue(4, 7)).toBe(4);
  });

  it("know the step from which they stay constant", () => {
    expect(constantFrom(linear({ from: 50, to: 200, steps: 100 }))).toBe(100);
    expect(constantFrom(warmup({ start: 10, end: 20 }))).toBe(20);
    // 0.5 = exp(-0.1 · k · 10) from k = ceil(log 2) = 1 → step 10
    expect(constantFrom(exponentialDecay({ initial: 1, rate: 0.1, every: 10, min: 0.5 }))).toBe(10);
    expect(constantFrom(cyclical({ period: 100 }))).toBe(Infinity);
  });

  it("unitIntervalSchedule keeps schedules whose values stay in [0, 1] and names the step where one leaves it", () => {
    expect(unitIntervalSchedule(0.5, "h")).toBe(0.5);
    expect(unitIntervalSchedule({ kind: "warmup", start: 10, end: 20 }, "h")).toEqual(warmup({ start: 10, end: 20 }));
    expect(() => unitIntervalSchedule(-0.1, "h")).toThrow("h must be in [0, 1], got -0.1");
    expect(() => unitIntervalSchedule({ kind: "linear", from: 0, to: 2, steps: 5 }, "h")).toThrow("h (a linear schedule, at step 5) must be in [0, 1], got 2");
    expect(() => unitIntervalSchedule({ kind: "cyclical", min: 0, max: 3, period: 10 }, "h")).toThrow(/h \(a cyclical schedule.* must be in \[0, 1\]/);
    expect(() => unitIntervalSchedule({ kind: "ramp" }, "h")).toThrow(/^h: expected a number or a schedule/);
  });

  it("parseSchedule rebuilds plain data through the constructors and names what is missing", () => {
    expect(parseSchedule({ kind: "linear", from: 50, to: 200, steps: 9375 }, "sharpness")).toEqual(linear({ from: 50, to: 200, steps: 9375 }));
    expect(parseSchedule({ kind: "warmup", start: 5, end: 10 })).toEqual({ kind: "warmup", from: 0, to: 1, start: 5, end: 10 }); // defaults filled in
    expect(parseSchedule(7)).toEqual(constant(7));
    expect(() => parseSchedule({ kind: "linear", from: 50 }, "vsc: sharpness")).toThrow(
      'vsc: sharpness: a linear schedule needs numbers from, to, steps; to, steps are missing or not finite in {"kind":"linear","from":50}',
    );
    expect(() => parseSchedule({ kind: "warmup", start: 1, end: 2, to: "1" }, "w")).toThrow("w: a warmup schedule needs numbers start, end, from?, to?; to is missing or not finite");
    expect(() => parseSchedule({ kind: "ramp", from: 1 }, "c")).toThrow(
      'c: expected a number or a schedule with kind constant, linear, exponentialDecay, warmup, cyclical; got {"kind":"ramp","from":1}',
    );
    expect(() => parseSchedule({ kind: "linear", from: 1, to: 2, steps: 0 }, "c")).toThrow("c: linear schedule: steps must be positive, got 0");
    expect(() => parseSchedule({ kind: "constructor" }, "c")).toThrow("c: expected a number or a schedule with kind constant,"); // not a prototype key
    expect(() => parseSchedule(null, "c")).toThrow("c: expected a number or a schedule");
  });
});
