/**
 * Family `point`: point-mass (MAP) guides for globals, real masks and non-local latents. One
 * unconstrained parameter `global/<site>` mapped onto the prior's support by its registered
 * bijector (`bijectTo`, Pyro's `biject_to`; `parameterisation: "logSqrt"` trains a positive value
 * through half its log). Term: the negative log prior, divided by N ("elbo") or the configured
 * batch size ("reference"), weighted by `priorWeight` on masks. `init` sets the starting value.
 */
import { tf, messageLogProb, canonicalShape, canonicalPlates, type SiteDecl, type ScheduleLike, type Key } from "@sparse-dgm/core";
import { bijectTo, registeredBijectors, type Bijector } from "@sparse-dgm/distributions";
import { globalTerm, sumPerReplica } from "../objective.js";
import type { Family, FamilyEnv, FitContext, SiteInference } from "./family.js";

/** A point-estimated site's parameter and bijector (shared with the EM family, whose mask is a point too). */
export interface PointParam {
  /** Its variable (created on first use), unconstrained. */
  variable(f: FitContext): tf.Variable;
  /** Its value on the support. */
  value(f: FitContext): tf.Tensor;
  readonly bijector: Bijector;
}

/** The bijector of a point site: its prior's support (real when unknown), with the site's `parameterisation` variant. */
function pointBijector(site: SiteDecl): Bijector {
  const support = site.prior?.support ?? "real";
  const variant = site.options.parameterisation as string | undefined;
  return variant && support === "positive" ? bijectTo(support, variant) : bijectTo(support);
}

/** The forms a point site's `init` accepts, for the refusal of any other. */
const INIT_FORMS = `"standardNormal", { normalSd: <number > 0> }, "columnVariance", "nmf" (a mask), a number, or unset (zeros)`;

/**
 * The initial unconstrained value of one replica from the site's `init` option. A number and
 * "columnVariance" are values on the site's support (mapped through the bijector's inverse), as
 * is "nmf" (a mask: its rows' loadings in a rank-K NMF of the replica's training data from the
 * replica's key, nmf.ts);
 * "standardNormal" and `{ normalSd }` are draws in the unconstrained space (on a positive site,
 * a log-normal start around 1). Anything else (a misspelled string or key) is refused naming the
 * site and these forms, as a JS or JSON caller is not protected by the types.
 */
function initialValue(site: SiteDecl, b: Bijector, env: FamilyEnv, key: Key, s: number[], replica: number): tf.Tensor {
  const init = site.options.init;
  if (init === undefined) return tf.zeros(s);
  if (init === "standardNormal") return key.normal(s);
  if (typeof init === "object" && init !== null && !Array.isArray(init) && Object.keys(init).length === 1 && "normalSd" in init) {
    const sd = (init as { normalSd: unknown }).normalSd;
    if (typeof sd !== "number" || !(Number.isFinite(sd) && sd > 0)) throw new Error(`site "${site.name}": init normalSd must be a number > 0, got ${JSON.stringify(sd)}`);
    return tf.mul(key.normal(s), sd);
  }
  if (init === "columnVariance") {
    const v = env.stats().columnVariance;
    if (!v || v.length !== s.reduce((a, c) => a * c, 1)) throw new Error(`site "${site.name}": init "columnVariance" needs one value per feature`);
    return b.inverse(tf.reshape(tf.tensor(v.map((x) => Math.max(x, 1e-6))), s));
  }
  if (init === "nmf") {
    const v = env.stats().nmf?.[site.name]?.[replica];
    if (!site.mask || !v || v.length !== s.reduce((a, c) => a * c, 1)) throw new Error(`site "${site.name}": init "nmf" needs a mask whose rows are the data's columns (computed when the fit starts)`);
    // the loadings are rows × factors; the canonical layout orders the two plates as the model declared them
    const order = canonicalPlates(env.ir).filter((p) => p === site.mask!.rows || p === site.mask!.cols);
    const m = tf.tensor2d(v, [env.sizes[site.mask.rows], env.sizes[site.mask.cols]]);
    return b.inverse(tf.reshape(order[0] === site.mask.rows ? m : tf.transpose(m), s));
  }
  if (typeof init === "number" && Number.isFinite(init)) return b.inverse(tf.fill(s, init));
  throw new Error(`site "${site.name}": init must be one of ${INIT_FORMS}; got ${JSON.stringify(init)}`);
}

/** The parameter of a point-estimated site. */
export function pointParam(site: SiteDecl, env: FamilyEnv): PointParam {
  const bijector = pointBijector(site);
  const name = `global/${site.name}`;
  const variable = (f: FitContext) => f.params.getOrCreate(name, canonicalShape(f.ir, site, f.sizes), (key, s, r) => tf.tidy(() => initialValue(site, bijector, env, key, s, r)), { group: "globals" });
  return { bijector, variable, value: (f) => bijector.forward(variable(f)) };
}

function create(site: SiteDecl, env: FamilyEnv): SiteInference {
  const p = pointParam(site, env);
  const kind = site.kind === "mask" ? "maskPrior" : "prior";
  return {
    site,
    family: point,
    draw: (g) => ({ value: p.value(g) }),
    terms: (t) => [globalTerm(t, tf.neg(sumPerReplica(messageLogProb(t.msg), t.leading)), "prior", kind, site.kind === "mask" ? (site.options.priorWeight as ScheduleLike | undefined) : undefined)],
    report: (f) => (f.params.has(`global/${site.name}`) ? { [site.name]: p.value(f) } : {}),
    generative: (f) => p.bijector.forward(f.params.get(`global/${site.name}`)),
  };
}

export const point: Family = {
  name: "point",
  summary: "point mass (MAP) through the bijector of the prior's support; term −log p(value) / N",
  selects: {
    kinds: ["global", "latent", "mask"],
    scope: "global",
    valueTypes: ["real"],
    estimators: ["map"],
    get supports() {
      return registeredBijectors().filter((s) => !s.includes(":"));
    },
  },
  reads: ["init", "parameterisation", "priorWeight", "priorNormalisation"],
  create,
};
