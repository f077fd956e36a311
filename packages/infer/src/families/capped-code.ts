/**
 * Family `cappedCode`: local cardinality-capped codes (SDLGM, Xu et al.; specs/sdlgm.md). An
 * amortised guide with level logits [L0], index logits [K] and a Gaussian slab on the shared trunk,
 * drawn by the distribution's two Gumbel-Softmax relaxations (`CappedSparseCode.sampleWithSupport`,
 * straight-through when the estimator says), scored by the registered closed-form KL. `encode`
 * reports the drawn support as the code's activity.
 */
import { tf, type SiteDecl } from "@sparse-dgm/core";
import { CappedSparseCode } from "@sparse-dgm/distributions";
import { siteHeads } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import { localLayout } from "./layout.js";
import type { Family, SiteInference } from "./family.js";

function create(site: SiteDecl): SiteInference {
  return {
    site,
    family: cappedCode,
    local: true,
    draw(g) {
      const { toSite, full, width: K } = localLayout(g, site);
      const L0 = site.mask?.maxActive ?? 1;
      const { levelLogits, indexLogits, loc, logVariance } = siteHeads(g.params, g.trunk(), site.name, [["levelLogits", L0], ["indexLogits", K], ["loc", K], ["logVariance", K]]);
      const est = site.mask?.estimator;
      const temperature = est && "temperature" in est ? g.scheduleAt(est.temperature) : 0.5;
      const straightThrough = est && "straightThrough" in est ? est.straightThrough : false;
      const lead = full.slice(0, full.length - 1);
      const q = new CappedSparseCode({
        levelLogits: tf.reshape(levelLogits, [...lead, L0]),
        indexLogits: tf.reshape(indexLogits, [...lead, K]),
        loc: tf.reshape(loc, [...lead, K]),
        scale: tf.reshape(tf.exp(tf.mul(0.5, logVariance)), [...lead, K]),
        levelTemperature: temperature,
        indexTemperature: temperature,
        straightThrough,
      });
      const draw = q.sampleWithSupport(g.keys[0].foldIn(site.name).foldIn(g.index));
      return { q, value: g.sample ? draw.z : toSite(loc), mean: toSite(loc), activity: draw.support };
    },
    terms: (t) => [rateTerm(t, klOrMonteCarlo(site.name, t.draw.q!, t.msg.fn!, t.msg.value!))],
  };
}

export const cappedCode: Family = {
  name: "cappedCode",
  summary: "amortised level and index logits + Gaussian slab; two Gumbel-Softmax draws (straight-through optional), |b| ≤ L0; closed-form KL",
  selects: { kinds: ["mask"], scope: "local", valueTypes: ["cardinality-capped"], estimators: ["gumbel-softmax"], priors: ["CappedSparseCode"] },
  reads: ["klWeight", "guide.hidden"],
  create,
};
