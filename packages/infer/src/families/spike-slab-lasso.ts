/**
 * Family `spikeSlabLassoEm`: a real global mask with a spike-and-slab-lasso prior and `mapEm()`
 * (the Sparse VAE, Moran et al. 2022; specs/sparse-vae.md §2.4). The mask is a point mass (as the
 * `point` family); its term is the EM surrogate Σ (λ1 p* + λ0 (1 − p*)) |W| weighted by
 * `priorWeight`; after every optimiser step, outside the tape, the closed-form E-step p* = P(γ = 1 | W)
 * and, with `mapEm({ etaSite })`, the η update η_k = (Σ_j p*_jk + a − 1)/(a + b + G − 2) of the
 * η site's Beta(a, b) prior. `globals()` reports W and `W.pstar`.
 */
import { tf, canonicalShape, SiteError, type SiteDecl, type Message, type ScheduleLike } from "@sparse-dgm/core";
import { SpikeSlabLasso, type Distribution } from "@sparse-dgm/distributions";
import { globalTerm, sumPerReplica } from "../objective.js";
import { pointParam } from "./point.js";
import { emStateVariable } from "./em-state.js";
import type { Family, FamilyEnv, FitContext, GuideDraw, SiteInference, StateUpdate } from "./family.js";

interface EmDraw extends GuideDraw {
  /** p* (state, canonical layout of the mask). */
  pstar: tf.Tensor;
}

/** What the E-step needs of the prior, captured at the first run. */
interface EmPrior {
  spike: number;
  slab: number;
  form: "code" | "normalised";
  /** The η site and its Beta(a, b) prior (a = b = 1 when it has none). */
  eta?: { site: SiteDecl; a: number; b: number };
}

/** Reads the prior's rates and the η site's Beta parameters (host values: once, at the first run). */
function capture(msg: Message, messages: Message[], etaSite: SiteDecl | undefined): EmPrior {
  const prior = msg.fn as unknown as SpikeSlabLasso;
  if (!(prior instanceof SpikeSlabLasso)) throw new SiteError(msg.name, [], `mapEm() needs a spikeSlabLasso prior, got ${msg.fn!.kind}`);
  let a = 1;
  let b = 1;
  if (etaSite) {
    const p = (messages.find((x) => x.name === etaSite.name)?.fn as unknown as Distribution | undefined)?.params();
    if (p?.concentration1 && p?.concentration0) {
      a = p.concentration1.dataSync()[0];
      b = p.concentration0.dataSync()[0];
    }
  }
  return { spike: prior.spike, slab: prior.slab, form: prior.form, ...(etaSite ? { eta: { site: etaSite, a, b } } : {}) };
}

/** The closed-form update of p* (and η): one pass, outside the tape. */
function emUpdate(site: SiteDecl, pr: EmPrior, w: () => tf.Tensor, f: FitContext): StateUpdate {
  const pstar = f.params.get(`state/${site.name}/pstar`);
  const etaVar = pr.eta ? emStateVariable(pr.eta.site, f) : undefined;
  const compute = () => {
    const prior = new SpikeSlabLasso({ spike: pr.spike, slab: pr.slab, inclusion: etaVar ?? tf.scalar(0.5), form: pr.form });
    const p = prior.inclusionProbability(w());
    if (!etaVar || !pr.eta) return [p];
    const rowsAxis = f.lead + f.ir.plates.findIndex((x) => x.name === site.mask!.rows);
    const G = f.sizes[site.mask!.rows];
    const eta = tf.div(tf.add(tf.sum(p, rowsAxis, true), pr.eta.a - 1), pr.eta.a + pr.eta.b + G - 2);
    const clamped = tf.where(tf.less(eta, 0), tf.fill(eta.shape, 1e-10), eta);
    return [p, tf.reshape(clamped, etaVar.shape)];
  };
  return { targets: etaVar ? [pstar, etaVar] : [pstar], compute };
}

function create(site: SiteDecl, env: FamilyEnv): SiteInference<EmDraw> {
  const est = site.mask!.estimator as { kind: "map-em"; etaSite?: string };
  const etaSite = est.etaSite ? env.ir.sites.find((s) => s.name === est.etaSite) : undefined;
  const w = pointParam(site, env);
  const pstarVar = (f: FitContext) => f.params.getOrCreate(`state/${site.name}/pstar`, canonicalShape(f.ir, site, f.sizes), (_k, sh) => tf.fill(sh, 0.5), { group: "state", trainable: false });
  let prior: EmPrior | undefined;
  return {
    site,
    family: spikeSlabLassoEm,
    draw: (g) => ({ value: w.value(g), pstar: pstarVar(g) }),
    terms(t) {
      prior ??= capture(t.msg, t.messages, etaSite);
      const sl = t.msg.fn as unknown as SpikeSlabLasso;
      const ps = t.draw.pstar;
      const weight = tf.add(tf.mul(sl.slab, ps), tf.mul(sl.spike, tf.sub(1, ps)));
      const pen = sumPerReplica(tf.mul(weight, tf.abs(t.msg.value!)), t.leading);
      return [globalTerm(t, pen, "maskPrior", "maskPrior", site.options.priorWeight as ScheduleLike | undefined)];
    },
    update: (f) => (prior ? emUpdate(site, prior, () => w.value(f), f) : undefined),
    report(f) {
      const out: Record<string, tf.Tensor> = {};
      if (f.params.has(`global/${site.name}`)) out[site.name] = w.value(f);
      if (f.params.has(`state/${site.name}/pstar`)) out[`${site.name}.pstar`] = f.params.get(`state/${site.name}/pstar`);
      return out;
    },
    generative: (f) => w.bijector.forward(f.params.get(`global/${site.name}`)),
  };
}

export const spikeSlabLassoEm: Family = {
  name: "spikeSlabLassoEm",
  summary: "point mass + the EM surrogate Σ (λ1 p* + λ0 (1 − p*)) |W|; closed-form p* and η update after each step (run from a step plan)",
  selects: { kinds: ["mask"], scope: "global", valueTypes: ["real"], estimators: ["map-em"], priors: ["SpikeSlabLasso"] },
  reads: ["init", "priorWeight", "priorNormalisation"],
  check(f, ir) {
    const est = f.estimator as { etaSite?: string };
    if (!est.etaSite) return undefined;
    const eta = ir.sites.find((s) => s.name === est.etaSite);
    const emSites = ir.sites.filter((s) => (s.options.estimator as { kind?: string } | undefined)?.kind === "em-update").map((s) => s.name);
    if (!eta) return `mapEm({ etaSite: "${est.etaSite}" }) names no site of the model; emUpdate() globals: ${emSites.join(", ") || "none"}`;
    if ((eta.options.estimator as { kind?: string } | undefined)?.kind !== "em-update") {
      return `mapEm({ etaSite: "${est.etaSite}" }) names a site that is not updated in closed form; declare it with estimator: emUpdate() (emUpdate() globals: ${emSites.join(", ") || "none"})`;
    }
    return undefined;
  },
  create,
};
