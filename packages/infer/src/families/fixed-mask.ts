/**
 * Family `fixedMask`: a mask declared with its value (`valueType: "fixed"`, `fixedValue`): an
 * inductive bias, not inferred. Its value (canonical layout) is what the model and any guide that
 * reads it (a product-of-experts encoder mask) see; no term.
 */
import { tf, broadcast, fixedMaskValue } from "@sparse-dgm/core";
import type { Family } from "./family.js";

export const fixedMask: Family = {
  name: "fixedMask",
  summary: "the declared value (`fixedValue`); no guide, no term",
  selects: { kinds: ["mask"], scope: "any", valueTypes: ["fixed"], estimators: ["fixed"] },
  reads: [],
  create: (site) => ({
    site,
    family: fixedMask,
    draw(g) {
      const v = fixedMaskValue(g.ir, site, g.sizes);
      return { value: g.lead ? broadcast(tf.expandDims(v, 0), [g.replicas!, ...v.shape]) : v };
    },
  }),
};
