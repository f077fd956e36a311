/**
 * The rate of a guide against its prior, as docs/inference.md promises: the closed form from the
 * KL registry when the (guide, prior) pair has one, else the one-sample Monte Carlo estimate
 * log q(z) − log p(z) at the guide's own draw. A relaxed density is never evaluated: a pair with a
 * relaxation and no registered KL is refused, naming the site.
 */
import { tf, SiteError, type SiteDistribution } from "@sparse-dgm/core";
import { kl, hasKL, type Distribution } from "@sparse-dgm/distributions";

/** Elementwise KL(q ‖ p), analytic when registered, else log q(value) − log p(value). */
export function klOrMonteCarlo(site: string, qIn: SiteDistribution, pIn: SiteDistribution, value: tf.Tensor): tf.Tensor {
  const q = qIn as unknown as Distribution;
  const p = pIn as unknown as Distribution;
  if (hasKL(q, p)) return kl(q, p);
  if (!q.isRelaxed && !p.isRelaxed) return tf.sub(q.logProb(value), p.logProb(value));
  throw new SiteError(site, [], `no analytic KL for (${q.kind} || ${p.kind}) and relaxed densities are never evaluated`);
}
