/** `replay`: re-uses the values of another trace (a guide's) at matching sites. */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import type { Trace } from "../trace.js";
import type { Handled } from "./handled.js";

/**
 * Replays values from `guide` at every site of the same name that is not observed; the guide's
 * distribution is attached as `msg.infer.guide`.
 *
 * @example
 * ```ts
 * const q = trace(seed(guide, k1)).get(...);
 * const p = trace(replay(condition(m, { x }), q)).get();
 * ```
 */
export function replay<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, guide: Trace): Handled<S, P> {
  return withMessenger(m as Model<any, any> | Runnable, {
    process(msg) {
      if (msg.observed || msg.value !== undefined) return;
      const g = guide.sites.get(msg.name);
      if (!g) return;
      msg.value = g.value;
      msg.infer.guide = g.fn;
    },
  }) as Handled<S, P>;
}
