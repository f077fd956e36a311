/** `substitute`: fixes the values of sites (latent, global, mask, param) without observing them. */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import { tf } from "../tf.js";
import type { Handled } from "./handled.js";
import { canonicalIn, siteFor, toTensor, type UserValue } from "./values.js";

/** Values keyed by site name, in each site's own layout. */
export type SiteValuesInput<S extends SiteTable> = { [K in keyof S]?: UserValue };

/**
 * Substitutes values for sites: they keep their densities (unlike `do`) but are not sampled.
 * Used to run a model forward with known globals (data from a known truth).
 *
 * @example
 * ```ts
 * trace(seed(substitute(m, { W: trueW }), key)).get({ plateSizes: { data: 500 } });
 * ```
 */
export function substitute<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, values: SiteValuesInput<S>): Handled<S, P> {
  const r = m as Model<any, any> | Runnable;
  const ir = ("messengers" in r ? r.model : r).ir;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, v] of Object.entries(values as Record<string, UserValue | undefined>)) {
    if (v === undefined) continue;
    siteFor(ir, name, (s) => s.kind !== "observe" && s.kind !== "factor", "substitutable site");
    tensors.set(name, tf.keep(toTensor(name, v)));
  }
  return withMessenger(r, {
    process(msg) {
      const t = tensors.get(msg.name);
      if (t && msg.value === undefined) msg.value = canonicalIn(msg.state, msg.site, t);
    },
  }) as Handled<S, P>;
}
