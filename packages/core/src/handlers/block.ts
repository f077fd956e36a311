/** `block`: hides sites from the handlers outside it. */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import type { Handled } from "./handled.js";

/**
 * Hides sites from outer handlers (an outer `trace` does not record them). Give `hide` (the
 * sites to hide) or `expose` (hide all others); with neither, every site is hidden.
 *
 * @example
 * ```ts
 * trace(block(seed(m, key), { hide: ["z"] })).get(...);   // no "z" in the trace
 * ```
 */
export function block<S extends SiteTable, P extends string>(
  m: Model<S, P> | Handled<S, P>,
  opts: { hide?: ReadonlyArray<keyof S & string>; expose?: ReadonlyArray<keyof S & string> } = {},
): Handled<S, P> {
  const hide = opts.hide ? new Set<string>(opts.hide) : undefined;
  const expose = opts.expose ? new Set<string>(opts.expose) : undefined;
  return withMessenger(m as Model<any, any> | Runnable, {
    process(msg) {
      const hidden = hide ? hide.has(msg.name) : expose ? !expose.has(msg.name) : true;
      if (hidden) msg.stop = true;
    },
  }) as Handled<S, P>;
}
