/**
 * The speed layer's one switch: on by default, off with `SDGM_SPEED=0` (or `off`, `false`) in the
 * environment or {@link setSpeed}`(false)`. Off, every step runs through TF.js's engine, the
 * backend's own kernels run (no lean replacements) and the SIMD ops run their scalar twins: the
 * same numbers bit for bit, only slower (test/backends/step-plan.test.ts trains both ways).
 */
const OFF = new Set(["0", "off", "false", "no"]);

let enabled = !OFF.has((typeof process !== "undefined" ? (process.env.SDGM_SPEED ?? "") : "").trim().toLowerCase());
const listeners: Array<(on: boolean) => void> = [];

/** Whether the speed layer is on. */
export function speedEnabled(): boolean {
  return enabled;
}

/** Switches the speed layer on or off for the whole process (step plans, lean kernels, SIMD). */
export function setSpeed(on: boolean): void {
  if (on === enabled) return;
  enabled = on;
  for (const l of listeners) l(on);
}

/** Runs `l` whenever the switch changes. */
export function onSpeedChange(l: (on: boolean) => void): void {
  listeners.push(l);
}
