/**
 * Family `cappedCode`: local cardinality-capped codes (SDLGM, Xu et al.; specs/sdlgm.md). An
 * amortised guide with level logits [L0] (none for a fixed level, `guide.fixedLevel`: a top-k code),
 * index logits [K] and a Gaussian slab on the shared trunk, drawn by the distribution's two
 * Gumbel-Softmax relaxations (`CappedSparseCode.sampleWithSupport`, indices without replacement
 * unless `guide.withoutReplacement` is false, straight-through when the estimator says), one noise
 * stream per replica, scored by the registered closed-form KL. The temperature is read as a per-step
 * input, so a step plan replays it. `encode` reports the distribution's deterministic prediction
 * (`predict()`: L̂ = argmax q(L), the top-L̂ indices): mean b̂ ⊙ μ, activity the 0/1 support b̂, and
 * the index probabilities as per-unit scores.
 */
import { tf, type SiteDecl } from "@sparse-dgm/core";
import { CappedSparseCode, cappedFixedLevel } from "@sparse-dgm/distributions";
import { siteHeads, type HeadSpec } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import { localLayout } from "./layout.js";
import type { DrawContext, Family, GuideDraw, SiteInference } from "./family.js";

/** The capped code's guide options (`guide: { ... }` on the mask site). */
interface CappedGuideOptions {
  fixedLevel?: number;
  withoutReplacement?: boolean;
  slabScaleInit?: number;
  indexFromSlab?: number;
}

/** The site's guide options, checked (a bad value names the site). */
function cappedOptions(site: SiteDecl): CappedGuideOptions {
  const o = (site.options.guide ?? {}) as CappedGuideOptions;
  const L0 = site.mask?.maxActive ?? 1;
  if (o.fixedLevel !== undefined && !(Number.isInteger(o.fixedLevel) && o.fixedLevel >= 1 && o.fixedLevel <= L0)) {
    throw new Error(`site "${site.name}": guide.fixedLevel must be an integer in [1, maxActive = ${L0}], got ${o.fixedLevel}`);
  }
  if (o.slabScaleInit !== undefined && !(o.slabScaleInit > 0 && Number.isFinite(o.slabScaleInit))) {
    throw new Error(`site "${site.name}": guide.slabScaleInit must be a positive number, got ${o.slabScaleInit}`);
  }
  if (o.indexFromSlab !== undefined && !(o.indexFromSlab >= 0 && Number.isFinite(o.indexFromSlab))) {
    throw new Error(`site "${site.name}": guide.indexFromSlab must be a number >= 0, got ${o.indexFromSlab}`);
  }
  return o;
}

/** The heads: level logits (unless the level is fixed), index logits, slab mean and log-variance (its bias at 2 log σ0 with `slabScaleInit`). */
function cappedHeads(o: CappedGuideOptions, L0: number, K: number): HeadSpec[] {
  const logVar0 = o.slabScaleInit === undefined ? undefined : 2 * Math.log(o.slabScaleInit);
  const level: HeadSpec[] = o.fixedLevel ? [] : [["levelLogits", L0]];
  return [...level, ["indexLogits", K], ["loc", K], ["logVariance", K, logVar0]];
}

function create(site: SiteDecl): SiteInference {
  const o = cappedOptions(site);
  const guide = (h: tf.Tensor, g: DrawContext): CappedSparseCode => {
    const { full, width: K } = localLayout(g, site);
    const L0 = site.mask?.maxActive ?? 1;
    const hd = siteHeads(g.params, h, site.name, cappedHeads(o, L0, K));
    const est = site.mask?.estimator;
    const temperature = est && "temperature" in est ? g.scheduleInput(est.temperature) : 0.5;
    const lead = full.slice(0, full.length - 1);
    return new CappedSparseCode({
      levelLogits: o.fixedLevel ? cappedFixedLevel(o.fixedLevel, L0, lead) : tf.reshape(hd.levelLogits, [...lead, L0]),
      // guide.indexFromSlab = w couples the selection to the slab's magnitude, logits + w·|μ| (as a k-sparse autoencoder selects its largest activations)
      indexLogits: tf.reshape(o.indexFromSlab ? tf.add(hd.indexLogits, tf.mul(o.indexFromSlab, tf.abs(hd.loc))) : hd.indexLogits, [...lead, K]),
      loc: tf.reshape(hd.loc, [...lead, K]),
      scale: tf.reshape(tf.exp(tf.mul(0.5, hd.logVariance)), [...lead, K]),
      levelTemperature: temperature,
      indexTemperature: temperature,
      straightThrough: est && "straightThrough" in est ? est.straightThrough : false,
      withoutReplacement: o.withoutReplacement ?? true,
    });
  };
  return {
    site,
    family: cappedCode,
    local: true,
    draw(g): GuideDraw {
      const q = guide(g.trunk(), g);
      const pred = q.predict();
      const scores = tf.exp(q.indexLogits);
      if (!g.sample) return { q, value: pred.z, mean: pred.z, activity: pred.support, scores };
      // one noise stream per replica (replica r's draw uses keys[r] alone)
      const keys = g.keys.map((k) => k.foldIn(site.name).foldIn(g.index));
      const draw = q.sampleWithSupport(g.replicas === undefined ? keys[0] : keys);
      return { q, value: draw.z, mean: pred.z, activity: pred.support, scores };
    },
    terms: (t) => [rateTerm(t, klOrMonteCarlo(site.name, t.draw.q!, t.msg.fn!, t.msg.value!))],
  };
}

export const cappedCode: Family = {
  name: "cappedCode",
  summary:
    "amortised level and index logits + Gaussian slab; two Gumbel-Softmax draws (without replacement by default, straight-through optional), |b| ≤ L0; closed-form KL; encode predicts L̂ = argmax q(L) and the top-L̂ indices",
  selects: { kinds: ["mask"], scope: "local", valueTypes: ["cardinality-capped"], estimators: ["gumbel-softmax"], priors: ["CappedSparseCode"] },
  reads: ["klWeight", "klNormalisation", "guide.hidden", "guide.fixedLevel", "guide.withoutReplacement", "guide.slabScaleInit", "guide.indexFromSlab"],
  create,
};
