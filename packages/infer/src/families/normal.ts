/**
 * Family `normal`: reparameterised local latents (and real local masks). An amortised diagonal
 * Normal on the shared encoder trunk (heads loc and log-variance), pushed through the bijector of
 * the prior's support when it is not the real line (a Gamma prior gets a log-normal guide), drawn
 * pathwise (`Normal.reparameterise`). Rate: the KL registry, else log q − log p at the draw.
 */
import { tf, type SiteDecl, type SiteDistribution } from "@sparse-dgm/core";
import { Normal, TransformedDistribution, bijectTo, registeredBijectors, type Bijector, type Distribution } from "@sparse-dgm/distributions";
import { replicaNormal, siteHeads } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import { localLayout } from "./layout.js";
import type { Family, GuideDraw, SiteInference } from "./family.js";

interface NormalDraw extends GuideDraw {
  /** The unconstrained draw (constrained supports), for log q. */
  u?: tf.Tensor;
}

function create(site: SiteDecl): SiteInference<NormalDraw> {
  const support = site.prior?.support ?? "real";
  const bijector: Bijector | undefined = support === "real" ? undefined : bijectTo(support);
  const heads = ["loc", "logVariance"] as const;
  return {
    site,
    family: normal,
    local: true,
    density: true,
    draw(g) {
      const { toSite, width, rows } = localLayout(g, site);
      const { loc, logVariance } = siteHeads(
        g.params,
        g.trunk(),
        site.name,
        heads.map((h) => [h, width]),
      );
      const scale = tf.exp(tf.mul(0.5, logVariance));
      const base = new Normal(toSite(loc), toSite(scale));
      const q: SiteDistribution = bijector ? new TransformedDistribution(base, bijector) : base;
      const mean = bijector ? bijector.forward(base.loc) : base.loc;
      if (!g.sample) return { q, value: mean, mean };
      const eps = replicaNormal(
        g.keys.map((k) => k.foldIn(site.name).foldIn(0)),
        g.replicas,
        [rows, width],
      );
      const u = toSite(new Normal(loc, scale).reparameterise(eps));
      return bijector ? { q, value: bijector.forward(u), mean, u } : { q, value: u, mean };
    },
    terms(t) {
      const { msg, draw } = t;
      if (draw.u && draw.q instanceof TransformedDistribution) {
        return [rateTerm(t, tf.sub(draw.q.logProbAt(draw.u), (msg.fn as unknown as Distribution).logProb(msg.value!)))];
      }
      return [rateTerm(t, klOrMonteCarlo(site.name, draw.q!, msg.fn!, msg.value!))];
    },
    recognise(h, g) {
      const { width } = localLayout(g, site);
      const hd = siteHeads(
        g.params,
        h,
        site.name,
        heads.map((n) => [n, width]),
      );
      const base = new Normal(hd.loc, tf.exp(tf.mul(0.5, hd.logVariance)));
      return bijector ? new TransformedDistribution(base, bijector) : base;
    },
  };
}

export const normal: Family = {
  name: "normal",
  summary: "amortised diagonal Normal, pushed through the bijector of the prior's support; drawn pathwise; rate by the KL registry, else one-sample log q − log p",
  selects: {
    kinds: ["latent", "mask"],
    scope: "local",
    valueTypes: ["real"],
    estimators: ["reparameterised"],
    // every support with a bijector (registerBijector); read when selecting, so later registrations count
    get supports() {
      return registeredBijectors().filter((s) => !s.includes(":"));
    },
  },
  reads: ["klWeight", "klNormalisation", "guide.hidden"],
  create,
};
