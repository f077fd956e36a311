/** `do`: intervenes on sites (Pearl's do-operator). */
import type { Model, SiteTable } from "../model.js";
import { withMessenger, type Runnable } from "../runtime.js";
import { tf } from "../tf.js";
import type { Handled } from "./handled.js";
import type { SiteValuesInput } from "./substitute.js";
import { canonicalIn, siteFor, toTensor, type UserValue } from "./values.js";

/**
 * Sets sites to fixed values and cuts them from the joint density: downstream sites see the
 * value, the intervened site contributes no log density.
 *
 * @example
 * ```ts
 * trace(seed(intervene(m, { z: zeros }), key)).get({ plateSizes: { data: 5 } });
 * ```
 */
export function intervene<S extends SiteTable, P extends string>(m: Model<S, P> | Handled<S, P>, values: SiteValuesInput<S>): Handled<S, P> {
  const r = m as Model<any, any> | Runnable;
  const ir = ("messengers" in r ? r.model : r).ir;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, v] of Object.entries(values as Record<string, UserValue | undefined>)) {
    if (v === undefined) continue;
    siteFor(ir, name, (s) => s.kind !== "factor", "site");
    tensors.set(name, tf.keep(toTensor(name, v)));
  }
  return withMessenger(r, {
    process(msg) {
      const t = tensors.get(msg.name);
      if (!t) return;
      msg.value = canonicalIn(msg.state, msg.site, t);
      msg.intervened = true;
    },
  }) as Handled<S, P>;
}

/** Alias of {@link intervene} under Pyro's name (`do` is a reserved word in JavaScript). */
export { intervene as do_ };
