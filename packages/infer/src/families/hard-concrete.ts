/**
 * Family `hardConcrete`: a global binary mask with `hardConcrete()` (Louizos, Welling & Kingma,
 * "Learning Sparse Neural Networks through L0 Regularization", ICLR 2018). One location log α per
 * entry (`global/<site>/logAlpha`, starting at 0), drawn each step as a hard concrete gate
 * (`HardConcrete.relax`: a binary Concrete sample at temperature β stretched to (γ, ζ) and clipped
 * to [0, 1], so entries are exactly 0 or 1 with positive probability); the paper's test-time gate
 * min(1, max(0, sigmoid(log α)(ζ − γ) + γ)) when not sampling. Term: with `penalty` λ, the paper's
 * expected L0 penalty λ Σ P(M ≠ 0), P(M ≠ 0) = sigmoid(log α − β log(−γ/ζ)) in closed form, added to
 * the per-data-point loss as the paper adds it (R = E[loss] + λ E[L0]); without one, the expected
 * negative log of the Bernoulli prior of the gates' indicators, Σ [P(M ≠ 0) (−log p(1)) + P(M = 0)
 * (−log p(0))], a global prior (÷ N). Weighted by `priorWeight`. `globals()` reports P(M ≠ 0);
 * `sample()` uses the test-time gate. Site options: `init` (the starting log α) and `bound` (log α
 * kept in [−bound, bound] after every step, so that no gate dies).
 */
import { tf, canonicalShape, scheduleValue, type SiteDecl, type ScheduleLike } from "@sparse-dgm/core";
import { HardConcrete, type Distribution } from "@sparse-dgm/distributions";
import { replicaUniform } from "../guide.js";
import { globalTerm, sumPerReplica, weighted } from "../objective.js";
import { maskLogits } from "./binary-concrete.js";
import type { Family, SiteInference } from "./family.js";

type HardConcreteSpec = { kind: "hard-concrete"; temperature: ScheduleLike; stretch: [number, number]; penalty?: number };

/** The expected L0 term: penalty · E[L0], or E[−log p(1[M ≠ 0])] under the site's prior on {0, 1}. */
function expectedL0(gate: HardConcrete, prior: Distribution, penalty: number | undefined): tf.Tensor {
  const nonZero = gate.probNonZero();
  if (penalty !== undefined) return tf.mul(nonZero, penalty);
  // −log p(1), −log p(0) at constant points (tf.ones, not onesLike: nothing ties them to log α)
  const on = tf.neg(prior.logProb(tf.ones(nonZero.shape)));
  const off = tf.neg(prior.logProb(tf.zeros(nonZero.shape)));
  return tf.add(tf.mul(nonZero, on), tf.mul(tf.sub(1, nonZero), off));
}

/** The starting log α of every gate: the site option `init` (default 0, P(M ≠ 0) ≈ 0.83 at the default stretch and temperature). */
function initLogAlpha(site: SiteDecl): number {
  const init = site.options.init;
  if (init === undefined) return 0;
  if (typeof init !== "number" || !Number.isFinite(init)) throw new Error(`site "${site.name}": init must be a number (the gates' starting log α), got ${JSON.stringify(init)}`);
  return init;
}

/**
 * The site option `bound` b: after each optimiser step log α is projected onto [−b, b] (default:
 * none). A gate whose log α runs far out is dead both ways: its draws are clipped to 0 or 1 almost
 * always, so the data's gradient never reaches it, and the L0 term's gradient P(1 − P) vanishes. With
 * b = 3 (at the default stretch and temperature) a closed gate still opens in 20% of the draws and an
 * open one still pays a penalty with a gradient, while the test-time gates stay exactly 0 or 1.
 */
function boundOf(site: SiteDecl): number | undefined {
  const b = site.options.bound;
  if (b === undefined) return undefined;
  if (typeof b !== "number" || !(b > 0) || !Number.isFinite(b)) throw new Error(`site "${site.name}": bound must be a positive number (log α is kept in [−bound, bound]), got ${JSON.stringify(b)}`);
  return b;
}

function create(site: SiteDecl): SiteInference {
  const bound = boundOf(site);
  const est = site.mask!.estimator as HardConcreteSpec;
  const gateOf = (logAlpha: tf.Tensor, temperature: number | tf.Tensor) => new HardConcrete({ logAlpha, temperature, stretch: est.stretch });
  return {
    site,
    family: hardConcrete,
    draw(g) {
      const gate = gateOf(maskLogits(site, g, "logAlpha", initLogAlpha(site)), g.scheduleInput(est.temperature));
      if (!g.sample) return { q: gate, value: gate.deterministic() };
      const u = replicaUniform(
        g.keys.map((k) => k.foldIn(site.name)),
        g.replicas,
        canonicalShape(g.ir, site, g.sizes),
      );
      return { q: gate, value: gate.relax(u) };
    },
    terms(t) {
      const l0 = sumPerReplica(expectedL0(t.draw.q as HardConcrete, t.msg.fn as unknown as Distribution, est.penalty), t.leading);
      const weight = site.options.priorWeight as ScheduleLike | undefined;
      // the paper's λ E[L0] is added to the per-data-point loss as it stands; the prior's term is a global prior (÷ N)
      if (est.penalty !== undefined) return [{ name: `maskPrior:${site.name}`, kind: "maskPrior", site: site.name, value: l0, ...weighted(weight, t.step) }];
      return [globalTerm(t, l0, "maskPrior", "maskPrior", weight)];
    },
    update: (f) => {
      const name = `global/${site.name}/logAlpha`;
      if (bound === undefined || !f.params.has(name)) return undefined;
      const v = f.params.get(name);
      return { targets: [v], compute: () => [tf.clipByValue(v, -bound, bound)] };
    },
    report: (f) => (f.params.has(`global/${site.name}/logAlpha`) ? { [site.name]: gateOf(f.params.get(`global/${site.name}/logAlpha`), scheduleValue(est.temperature, f.step)).probNonZero() } : {}),
    generative: (f) => gateOf(f.params.get(`global/${site.name}/logAlpha`), scheduleValue(est.temperature, f.step)).deterministic(),
  };
}

export const hardConcrete: Family = {
  name: "hardConcrete",
  summary: "log α per entry; hard concrete gates (stretched, clipped: exact zeros); expected-L0 penalty Σ P(M ≠ 0) in closed form, from the Bernoulli prior or `penalty`",
  selects: { kinds: ["mask"], scope: "global", valueTypes: ["binary"], estimators: ["hard-concrete"], supports: ["boolean"] },
  reads: ["priorWeight", "priorNormalisation", "init", "bound"],
  create,
};
