/** `seed`: gives every random site a key derived from one key and the site name. */
import type { Model, SiteTable } from "../model.js";
import type { Key } from "../key.js";
import { withMessenger, type Runnable } from "../runtime.js";
import type { Handled } from "./handled.js";

/**
 * Seeds the random sites: site `s` gets `key.foldIn(s)`, so the same key gives the same trace,
 * independent of which other sites exist.
 *
 * @example
 * ```ts
 * trace(seed(m, Key.of(0))).get({ plateSizes: { data: 3 } });
 * ```
 */
export function seed<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, key: Key): Handled<S, P> {
  return withMessenger(m as Model<any, any> | Runnable, {
    process(msg) {
      if (msg.key === undefined) msg.key = key.foldIn(msg.name);
    },
  }) as Handled<S, P>;
}
