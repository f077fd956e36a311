/** `scale`: multiplies log densities (e.g. N/B for minibatches). */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import type { Handled } from "./handled.js";

/**
 * Multiplies the log density of every site (or of the named ones) by `factor`.
 *
 * @example
 * ```ts
 * scale(condition(m, { x: batch }), N / B);
 * ```
 */
export function scale<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, factor: number, sites?: ReadonlyArray<keyof S & string>): Handled<S, P> {
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`scale: factor must be a positive finite number, got ${factor}`);
  const only = sites ? new Set<string>(sites) : undefined;
  return withMessenger(m as Model<any, any> | Runnable, {
    process(msg) {
      if (!only || only.has(msg.name)) msg.scale *= factor;
    },
  }) as Handled<S, P>;
}
