/**
 * Family `binaryConcrete`: a global binary mask with `relaxedBernoulli()` (or `gumbelSoftmax()`,
 * its two-class form). A mean-field Bernoulli guide, one logit per entry (`global/<site>/logits`,
 * starting at 0), drawn each step by the binary Concrete relaxation (Maddison et al. 2017) through
 * `RelaxedBernoulli.relax`, straight-through when the estimator says (hard 0/1 forward, soft
 * gradient); the probabilities when not sampling. Term: KL(Bernoulli(q) ‖ prior) from the KL
 * registry (a prior on {0, 1}), weighted by `priorWeight`. Evaluation extra: the draw at its
 * zero-temperature limit (`elboHard`). `globals()` reports q(M = 1); `sample()` uses 1[q > ½].
 */
import { tf, canonicalShape, SiteError, type SiteDecl, type ScheduleLike } from "@sparse-dgm/core";
import { Bernoulli, RelaxedBernoulli, kl, hasKL, type Distribution } from "@sparse-dgm/distributions";
import { replicaUniform } from "../guide.js";
import { globalTerm, sumPerReplica } from "../objective.js";
import type { DrawContext, Family, FitContext, SiteInference } from "./family.js";

/** The logits of a binary mask's guide (created on first use). */
export function maskLogits(site: SiteDecl, f: FitContext, name = "logits", init = 0): tf.Variable {
  return f.params.getOrCreate(`global/${site.name}/${name}`, canonicalShape(f.ir, site, f.sizes), (_k, sh) => tf.fill(sh, init), { group: "globals" });
}

/** The relaxation of the site's estimator at this step. */
function relaxation(site: SiteDecl, g: DrawContext, logits: tf.Tensor): RelaxedBernoulli {
  const est = site.mask!.estimator;
  const temperature = "temperature" in est ? g.scheduleAt(est.temperature as ScheduleLike) : 0.5;
  const straightThrough = "straightThrough" in est && est.straightThrough;
  return new RelaxedBernoulli({ temperature, logits, straightThrough });
}

/** The analytic KL of the Bernoulli guide to the prior, summed per replica; refused (naming the site) without a registered closed form. */
export function bernoulliRate(site: string, q: Bernoulli, prior: Distribution, leading: number): tf.Tensor {
  if (!hasKL(q, prior)) {
    throw new SiteError(
      site,
      [],
      `a binary mask needs a prior on {0, 1} with a closed-form KL from its Bernoulli guide; no KL is registered for (Bernoulli || ${prior.kind}) (use bernoulli({ probs }))`,
    );
  }
  return sumPerReplica(kl(q, prior), leading);
}

function create(site: SiteDecl): SiteInference {
  return {
    site,
    family: binaryConcrete,
    hardLimit: true,
    draw(g) {
      const logits = maskLogits(site, g);
      const q = new Bernoulli({ logits });
      if (!g.sample) return { q, value: tf.sigmoid(logits) };
      const u = replicaUniform(
        g.keys.map((k) => k.foldIn(site.name)),
        g.replicas,
        canonicalShape(g.ir, site, g.sizes),
      );
      const relaxed = relaxation(site, g, logits);
      return { q, value: g.hard ? relaxed.hard(u) : relaxed.relax(u) };
    },
    terms: (t) => [
      globalTerm(t, bernoulliRate(site.name, t.draw.q as Bernoulli, t.msg.fn as unknown as Distribution, t.leading), "maskPrior", "maskPrior", site.options.priorWeight as ScheduleLike | undefined),
    ],
    ...bernoulliMaskReports(site),
  };
}

/** What `globals()` and `sample()` use of a Bernoulli-guided mask: q(M = 1), and 1[q > ½]. */
export function bernoulliMaskReports(site: SiteDecl): Pick<SiteInference, "report" | "generative"> {
  const name = `global/${site.name}/logits`;
  return {
    report: (f) => (f.params.has(name) ? { [site.name]: tf.sigmoid(f.params.get(name)) } : {}),
    generative: (f) => tf.cast(tf.greater(f.params.get(name), 0), "float32"),
  };
}

export const binaryConcrete: Family = {
  name: "binaryConcrete",
  summary: "mean-field Bernoulli logits; binary Concrete draw (straight-through optional); analytic KL to the Bernoulli prior; elboHard at the zero-temperature limit",
  selects: { kinds: ["mask"], scope: "global", valueTypes: ["binary"], estimators: ["relaxed-bernoulli", "gumbel-softmax"], supports: ["boolean"] },
  reads: ["priorWeight", "priorNormalisation"],
  create,
};
