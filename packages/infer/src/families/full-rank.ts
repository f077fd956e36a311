/**
 * Family `fullRankNormal`: a local real latent with `guide: { kind: "fullRank" }`. An amortised
 * multivariate Normal over the latent's values of one data point, N(loc, L Lᵀ), with L lower
 * triangular (`MultivariateNormalTriL`): heads loc [w], log-variance [w] (L_ii = exp(½ head), the
 * diagonal family's parameterisation) and the w(w − 1)/2 entries below the diagonal, on the shared
 * encoder trunk. Drawn pathwise (loc + L ε); rate: the closed-form KL to a Normal prior, else one
 * sample of log q − log p at the draw.
 *
 * Why: the mean-field (diagonal) guide's ELBO is not invariant to rotating the latent space; its gap
 * to the marginal likelihood, ½ (Σ log P_kk − log det P) for a linear-Gaussian model with posterior
 * precision P, vanishes only when the loadings' columns are orthogonal, so it pulls a factor model
 * towards orthogonal, denser loadings (Rolinek, Zietlow & Martius, CVPR 2019; Lucas et al., NeurIPS
 * 2019). With a full-rank guide the ELBO of a linear-Gaussian model is exact and rotation invariant,
 * and a sparsity prior decides among the rotations (docs/inference.md, "Learned binary structure").
 *
 * The guide's distribution (`ctx.posterior`) has the per-point event laid out as the site's
 * canonical layout after the data axis, so `q.logProb(value)` is one number per data point.
 */
import { tf, type SiteDecl, type SiteDistribution } from "@sparse-dgm/core";
import { MultivariateNormalTriL, hasKL, kl, type Distribution } from "@sparse-dgm/distributions";
import { replicaNormal, siteHeads, type HeadSpec } from "../guide.js";
import { rateTerm } from "../objective.js";
import { localLayout } from "./layout.js";
import type { DrawContext, Family, GuideDraw, SiteInference } from "./family.js";

/**
 * The 0/1 matrix [w(w − 1)/2, w²] placing the off-diagonal heads at L's entries below the diagonal
 * (row-major): a matMul, not a gather, so the gradient exists on every backend (wasm has no
 * UnsortedSegmentSum, the gather's gradient).
 */
function lowerScatter(w: number): tf.Tensor2D {
  const m = (w * (w - 1)) / 2;
  const s = new Float32Array(m * w * w);
  let k = 0;
  for (let i = 0; i < w; i++) for (let j = 0; j < i; j++) s[k++ * w * w + i * w + j] = 1;
  return tf.tensor2d(s, [m, w * w]);
}

/** The guide from trunk features h [(R,) B, H]: loc [(R,) B, w] and L [(R,) B, w, w], event laid out as the site. */
function guideAt(g: Pick<DrawContext, "ir" | "sizes" | "lead" | "replicas" | "params">, site: SiteDecl, h: tf.Tensor): MultivariateNormalTriL {
  const { width: w, full } = localLayout(g, site);
  const heads: HeadSpec[] = [
    ["loc", w],
    ["logVariance", w],
  ];
  if (w > 1) heads.push(["offDiagonal", (w * (w - 1)) / 2]);
  const hd = siteHeads(g.params, h, site.name, heads);
  const diag = tf.exp(tf.mul(0.5, hd.logVariance));
  const batch = hd.loc.shape.slice(0, -1);
  let L = tf.mul(tf.expandDims(diag, -1), tf.eye(w));
  if (w > 1) {
    const off = tf.matMul(tf.reshape(hd.offDiagonal, [-1, (w * (w - 1)) / 2]), lowerScatter(w));
    L = tf.add(L, tf.reshape(off, [...batch, w, w]));
  }
  return new MultivariateNormalTriL(hd.loc, L, full.slice(g.lead + 1));
}

function create(site: SiteDecl): SiteInference {
  return {
    site,
    family: fullRankNormal,
    local: true,
    density: true,
    draw(g): GuideDraw {
      const { toSite, width, rows } = localLayout(g, site);
      const q = guideAt(g, site, g.trunk());
      const mean = toSite(q.loc);
      if (!g.sample) return { q: q as unknown as SiteDistribution, value: mean, mean };
      const eps = replicaNormal(
        g.keys.map((k) => k.foldIn(site.name).foldIn(0)),
        g.replicas,
        [rows, width],
      );
      return { q: q as unknown as SiteDistribution, value: q.reparameterise(toSite(eps)), mean };
    },
    terms(t) {
      const q = t.draw.q as unknown as MultivariateNormalTriL;
      const p = t.msg.fn as unknown as Distribution;
      const value = t.msg.value!;
      // one number per data point, spread evenly over the point's elements (the reference normalisation divides by them)
      const perPoint = hasKL(q, p) ? kl(q, p) : tf.sub(q.logProb(value), tf.sum(tf.reshape(p.logProb(value), [...q.batchShape, q.width]), -1));
      const perElem = tf.reshape(tf.mul(tf.expandDims(perPoint, -1), tf.fill([q.width], 1 / q.width)), value.shape);
      return [rateTerm(t, perElem)];
    },
    recognise: (h, g) => guideAt(g, site, h) as unknown as SiteDistribution,
  };
}

export const fullRankNormal: Family = {
  name: "fullRankNormal",
  summary: "amortised full-rank Normal over a data point's values, N(loc, L Lᵀ) with a lower-triangular L; drawn pathwise; closed-form KL to a Normal prior, else one-sample log q − log p",
  selects: { kinds: ["latent"], scope: "local", valueTypes: ["real"], estimators: ["reparameterised"], supports: ["real"], guide: "fullRank" },
  reads: ["klWeight", "klNormalisation", "guide.hidden"],
  create,
};
