/** `condition`: observes data at observed sites. */
import type { Model, CheckedData, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import { tf } from "../tf.js";
import type { Handled } from "./handled.js";
import { canonicalIn, checkFinite, dataSizeOf, siteFor, toTensor, type UserValue } from "./values.js";

/**
 * Conditions observed sites on data. Typed: only observed sites, each with its static rank; the
 * exact shape (plates ++ event) is checked when the model runs, and non-finite values are refused
 * here, naming the site and the entry.
 *
 * @example
 * ```ts
 * const tr = trace(seed(condition(m, { x: xTrain }), key)).get();
 * ```
 */
export function condition<S extends SiteTable, P extends string, const D extends Record<string, unknown>>(m: Model<S, P> | Handled<S, P>, data: D & CheckedData<S, D>): Handled<S, P> {
  const r = m as Model<any, any> | Runnable;
  const ir = ("messengers" in r ? r.model : r).ir;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, v] of Object.entries(data as Record<string, UserValue | undefined>)) {
    if (v === undefined) continue;
    const site = siteFor(ir, name, (s) => s.kind === "observe", "observed site");
    const t = tf.keep(toTensor(name, v));
    checkFinite(name, t, [...site.plates, ...site.event.map((_, i) => `event axis ${i}`)]);
    tensors.set(name, t);
  }
  return withMessenger(r, {
    plateSizes(ir) {
      for (const [name, t] of tensors) {
        const n = dataSizeOf(
          ir,
          ir.sites.find((s) => s.name === name)!,
          t,
        );
        if (n !== undefined) return { data: n, site: name };
      }
      return {};
    },
    enter(state) {
      for (const [name, t] of tensors) {
        const site = state.ir.sites.find((s) => s.name === name)!;
        state.observed[name] = canonicalIn(state, site, t);
      }
    },
    process(msg) {
      const t = tensors.get(msg.name);
      if (!t) return;
      msg.value = msg.state.observed[msg.name] ?? canonicalIn(msg.state, msg.site, t);
      msg.observed = true;
    },
  }) as Handled<S, P>;
}
