/** `mask`: drops entries from log densities (missing data, padding). */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import { tf } from "../tf.js";
import { broadcast } from "../math/broadcast.js";
import type { Handled } from "./handled.js";
import { canonicalIn, safeFill, siteFor, toTensor, type UserValue } from "./values.js";

/**
 * Masks log densities: `masks[site]` is 1 where an entry counts and 0 where it does not (site
 * layout, without the event shape). Masked entries contribute exactly 0 to the log density and
 * to its gradient: observed values there are replaced by a value inside the support before any
 * density is evaluated, so a NaN marking a missing value never reaches a gradient.
 *
 * @example
 * ```ts
 * mask(condition(m, { x }), { x: observedEntries });
 * ```
 */
export function mask<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, masks: { [K in keyof S]?: UserValue }): Handled<S, P> {
  const r = m as Model<any, any> | Runnable;
  const ir = ("messengers" in r ? r.model : r).ir;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, v] of Object.entries(masks as Record<string, UserValue | undefined>)) {
    if (v === undefined) continue;
    siteFor(ir, name, (s) => s.kind !== "factor" && s.kind !== "deterministic" && s.kind !== "param", "random site");
    tensors.set(name, tf.keep(toTensor(name, v)));
  }
  return withMessenger(r, {
    process(msg) {
      const t = tensors.get(msg.name);
      if (!t) return;
      const site = { ...msg.site, event: [] };
      const mk = canonicalIn(msg.state, site, t);
      msg.mask = msg.mask ? tf.mul(msg.mask, mk) : mk;
      if (msg.value !== undefined) {
        const keep = tf.cast(msg.mask, "bool");
        const k = msg.site.event.length ? tf.reshape(keep, [...keep.shape, ...msg.site.event.map(() => 1)]) : keep;
        const kb = broadcast(k, msg.value.shape);
        const fill = safeFill(msg.fn?.support.name ?? "real");
        msg.value = tf.where(kb, tf.where(tf.isFinite(msg.value), msg.value, tf.fill(msg.value.shape, fill)), tf.fill(msg.value.shape, fill));
      }
    },
  }) as Handled<S, P>;
}
