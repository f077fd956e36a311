/**
 * Family `emState`: a global updated in closed form by another site's EM hook (`emUpdate()`, e.g.
 * the Sparse VAE's η, written by its spike-and-slab-lasso mask's step). A state variable
 * `state/<site>`, not trained, starting uniform on (0, 1) as in the reference (torch.rand); no
 * term. Refused when no EM hook names it.
 */
import { tf, canonicalShape, type SiteDecl } from "@sparse-dgm/core";
import type { Family, FitContext, SiteInference } from "./family.js";

/** The state variable of an `emUpdate()` site (created on first use). */
export function emStateVariable(site: SiteDecl, f: FitContext): tf.Variable {
  const shape = canonicalShape(f.ir, site, f.sizes);
  return f.params.getOrCreate(`state/${site.name}`, shape, (key, sh) => tf.clipByValue(key.uniform(sh), 1e-3, 1 - 1e-3), { group: "state", trainable: false });
}

function create(site: SiteDecl): SiteInference {
  return {
    site,
    family: emState,
    draw: (g) => ({ value: emStateVariable(site, g) }),
    report: (f) => (f.params.has(`state/${site.name}`) ? { [site.name]: f.params.get(`state/${site.name}`) } : {}),
    generative: (f) => f.params.get(`state/${site.name}`),
  };
}

export const emState: Family = {
  name: "emState",
  summary: "state updated in closed form by an EM hook (η of a spike-and-slab-lasso mask); no term",
  selects: { kinds: ["global", "latent"], scope: "global", valueTypes: ["real"], estimators: ["em-update"] },
  reads: [],
  check(f, ir) {
    const etaSites = ir.sites.map((s) => s.mask?.estimator).flatMap((e) => (e?.kind === "map-em" && e.etaSite ? [e.etaSite] : []));
    // a mask naming this site, or one naming no site at all (its own refusal says more)
    if (etaSites.some((n) => n === f.site.name || !ir.sites.some((s) => s.name === n))) return undefined;
    return `estimator emUpdate() but no EM hook updates it: name it in a mask's mapEm({ etaSite: "${f.site.name}" }), or estimate it with map()`;
  },
  create,
};
