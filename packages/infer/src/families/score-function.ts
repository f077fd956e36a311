/**
 * Family `scoreFunction`: a global binary mask with `scoreFunction()` (REINFORCE, Williams 1992).
 * A mean-field Bernoulli guide (`global/<site>/logits`), drawn exactly (0/1, `Bernoulli.drawFrom`,
 * no path through the draw); the model sees the hard mask. Terms: the analytic KL of the guide to
 * its Bernoulli prior, and a surrogate whose value is 0 and whose gradient is the score-function
 * estimate (f − b) ∇ log q(M) of the rest of the objective f, with a running-average baseline b
 * (`scoreFunction({ baseline: "running-average", decay })`, kept per replica as state and updated
 * on the host after each step).
 */
import { tf, canonicalShape, stopGradient, type SiteDecl, type ScheduleLike } from "@sparse-dgm/core";
import { Bernoulli, type Distribution } from "@sparse-dgm/distributions";
import { replicaUniform } from "../guide.js";
import { globalTerm, sumPerReplica } from "../objective.js";
import { bernoulliMaskReports, bernoulliRate, maskLogits } from "./binary-concrete.js";
import type { Family, FitContext, GuideDraw, SiteInference } from "./family.js";

interface ScoreDraw extends GuideDraw {
  /** log q(M) of the draw, per replica (training draws only). */
  logq?: tf.Tensor;
  /** The running baseline (state, one per replica). */
  baseline?: tf.Tensor;
}

function create(site: SiteDecl): SiteInference<ScoreDraw> {
  const est = site.mask!.estimator as { kind: "score-function"; baseline: "running-average" | "none"; decay: number };
  const name = `state/${site.name}/baseline`;
  const baselineVar = (f: FitContext) => f.params.getOrCreate(name, [], () => tf.scalar(0), { group: "state", trainable: false });
  let seeded = false;
  return {
    site,
    family: scoreFunction,
    draw(g) {
      const logits = maskLogits(site, g);
      const q = new Bernoulli({ logits });
      const baseline = baselineVar(g);
      if (!g.sample) return { q, value: tf.sigmoid(logits) };
      const u = replicaUniform(
        g.keys.map((k) => k.foldIn(site.name)),
        g.replicas,
        canonicalShape(g.ir, site, g.sizes),
      );
      const value = q.drawFrom(u);
      return { q, value, logq: sumPerReplica(q.logProb(value), g.lead), baseline };
    },
    terms: (t) => [
      globalTerm(t, bernoulliRate(site.name, t.draw.q as Bernoulli, t.msg.fn as unknown as Distribution, t.leading), "maskPrior", "maskPrior", site.options.priorWeight as ScheduleLike | undefined),
    ],
    surrogate(t, loss) {
      if (!t.draw.logq) return [];
      const b = est.baseline === "none" ? tf.zerosLike(loss) : tf.reshape(t.draw.baseline!, loss.shape);
      const s = tf.mul(tf.sub(stopGradient(loss), b), t.draw.logq);
      return [{ name: `scoreFunction:${site.name}`, kind: "auxiliary", site: site.name, value: tf.sub(s, stopGradient(s)), weight: 1 }];
    },
    afterStep(losses, f) {
      if (est.baseline === "none" || !losses.every(Number.isFinite)) return;
      const variable = baselineVar(f);
      const old = Array.from(variable.dataSync());
      const next = losses.map((l, r) => (seeded ? est.decay * old[r] + (1 - est.decay) * l : l));
      seeded = true;
      variable.assign(tf.tensor(next, variable.shape));
    },
    ...bernoulliMaskReports(site),
  };
}

export const scoreFunction: Family = {
  name: "scoreFunction",
  summary: "mean-field Bernoulli logits; exact 0/1 draws; analytic KL to the Bernoulli prior + the score-function surrogate (f − b) ∇ log q with a running-average baseline",
  selects: { kinds: ["mask"], scope: "global", valueTypes: ["binary"], estimators: ["score-function"], supports: ["boolean"] },
  reads: ["priorWeight", "priorNormalisation"],
  create,
};
