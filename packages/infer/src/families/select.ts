/**
 * Family selection: the facts of a site, the first registered family whose {@link Selection}
 * serves them (a family that names the site's prior explicitly before one that takes any prior),
 * and the one-line refusal, naming the site, what it asked for and the supported choices, when
 * none does.
 */
import { DATA_PLATE, SiteError, type EstimatorSpec, type ModelIR, type SiteDecl } from "@sparse-dgm/core";
import type { EstimatorKind, Family, SiteFacts } from "./family.js";

/** The `estimators.*` factory of each estimator kind, as users write it. */
export const ESTIMATOR_NAMES: Record<EstimatorKind, string> = {
  reparameterised: "reparameterised()",
  map: "map()",
  "map-em": "mapEm()",
  "relaxed-bernoulli": "relaxedBernoulli()",
  "gumbel-softmax": "gumbelSoftmax()",
  "threshold-sigmoid": "thresholdSigmoid()",
  "score-function": "scoreFunction()",
  fixed: "fixed()",
  "em-update": "emUpdate()",
  "hard-concrete": "hardConcrete()",
};

/** The site kinds families serve (params, deterministic and factor sites need no inference). */
export function needsFamily(site: SiteDecl): boolean {
  return site.kind === "latent" || site.kind === "global" || site.kind === "mask" || site.kind === "observe";
}

/** What selection reads of a site. */
export function siteFacts(site: SiteDecl): SiteFacts {
  const scope = site.plates.includes(DATA_PLATE) ? "local" : "global";
  const declared = site.mask?.estimator ?? (site.options.estimator as EstimatorSpec | undefined);
  const estimator: EstimatorSpec = declared ?? (site.kind === "latent" && scope === "local" ? { kind: "reparameterised" } : site.kind === "observe" ? { kind: "fixed" } : { kind: "map" });
  const guide = (site.options.guide as { kind?: string } | undefined)?.kind;
  return {
    site,
    kind: site.kind,
    scope,
    valueType: site.mask?.valueType ?? "real",
    ...(site.prior ? { prior: site.prior.kind } : {}),
    ...(site.prior?.support ? { priorSupport: site.prior.support } : {}),
    estimator,
    ...(guide ? { guide } : {}),
  };
}

/** Whether a family's selection serves the facts (an unknown prior is accepted here and checked at the first run). */
export function serves(family: Family, f: SiteFacts): boolean {
  const s = family.selects;
  if (!s.kinds.includes(f.kind)) return false;
  if (s.scope !== "any" && s.scope !== f.scope) return false;
  if (!s.valueTypes.includes(f.valueType)) return false;
  if (f.kind !== "observe" && !s.estimators.includes(f.estimator.kind)) return false;
  if ((s.guide ?? undefined) !== f.guide) return false;
  if (s.priors && f.prior !== undefined && !s.priors.includes(f.prior)) return false;
  if (s.supports && f.priorSupport !== undefined && !s.supports.includes(f.priorSupport)) return false;
  return true;
}

/** A site as users declare it: "global binary mask", "local real latent". */
export function describeSite(f: SiteFacts): string {
  if (f.kind === "observe") return "observed site";
  if (f.kind === "mask") return `${f.scope} ${f.valueType} mask`;
  return `${f.scope} ${f.kind}`;
}

/** One family's choices, as a refusal lists them. */
function choice(family: Family): string {
  const s = family.selects;
  const parts = [s.estimators.map((e) => ESTIMATOR_NAMES[e]).join(" | ")];
  if (s.priors) parts.push(`prior ${s.priors.join(" | ")}`);
  else if (s.supports) parts.push(`a prior on ${s.supports.join(" | ")}`);
  if (s.guide) parts.push(`guide: { kind: "${s.guide}" }`);
  return `${family.name} (${parts.join("; ")})`;
}

/**
 * The family of a site: the first in `registry` that serves it, preferring one that names the
 * site's prior; a refusal (SiteError) naming the site, what it asked for and the choices otherwise.
 */
export function selectFamily(registry: readonly Family[], f: SiteFacts, ir: ModelIR): Family {
  const matching = registry.filter((fam) => serves(fam, f));
  const named = matching.find((fam) => f.prior !== undefined && fam.selects.priors?.includes(f.prior));
  const family = named ?? matching[0];
  if (family) {
    const reason = family.check?.(f, ir);
    if (reason) throw new SiteError(f.site.name, [], reason);
    return family;
  }
  const sameKind = registry.filter((fam) => fam.selects.kinds.includes(f.kind) && (fam.selects.scope === "any" || fam.selects.scope === f.scope) && fam.selects.valueTypes.includes(f.valueType));
  const asked = [`estimator ${ESTIMATOR_NAMES[f.estimator.kind]}`, f.prior ? `prior ${f.prior}` : "", f.guide ? `guide "${f.guide}"` : ""].filter(Boolean).join(", ");
  const choices = sameKind.length ? sameKind.map(choice).join("; ") : "none (no family serves this kind of site)";
  throw new SiteError(f.site.name, [], `no inference family serves a ${describeSite(f)} with ${asked}; supported for a ${describeSite(f)}: ${choices}`);
}
