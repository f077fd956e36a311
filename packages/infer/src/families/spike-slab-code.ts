/**
 * Family `spikeSlabCode`: local spike-and-slab codes (VSC, Tonolini et al. 2019; specs/vsc.md b0).
 * An amortised guide with heads (v, μ, log σ²) on the shared trunk, γ from the spike head
 * (`guide.spikeHead`: "relu", log γ = −relu(−v), the papers'; or "sigmoid", γ = sigmoid(v)), drawn
 * by the threshold-sigmoid relaxation with the slab warm-up (`ThresholdSigmoidSpikeSlab.draw`),
 * scored by the analytic spike-and-slab KL. Evaluation extra: the draw at its hard limit
 * 1[u > 1 − γ] (`elboHard`). Diagnostic: relu-head units stuck at γ = 1 after the first epoch.
 */
import { tf, type SiteDecl, type ScheduleLike } from "@sparse-dgm/core";
import { SpikeAndSlab, ThresholdSigmoidSpikeSlab } from "@sparse-dgm/distributions";
import { replicaNormal, replicaUniform, siteHeads, type HeadSpec } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import { localLayout } from "./layout.js";
import type { DrawContext, Family, SiteInference } from "./family.js";

interface SpikeGuideOptions {
  spikeHead?: string;
  inclusionInit?: number;
}

/** The spike head's link: "relu" (VSC's log γ = −relu(−v), the default) or "sigmoid" (γ = sigmoid(v)). */
function spikeHeadOf(site: SiteDecl): "relu" | "sigmoid" {
  const h = (site.options.guide as SpikeGuideOptions | undefined)?.spikeHead ?? "relu";
  if (h !== "relu" && h !== "sigmoid") throw new Error(`site "${site.name}": guide.spikeHead must be "relu" or "sigmoid", got ${JSON.stringify(h)}`);
  return h;
}

/**
 * The heads v, μ, log σ². With `guide: { inclusionInit: γ0 }` the v head's bias starts at log γ0
 * (logit γ0 for the sigmoid head), so every unit starts at γ ≈ γ0 < 1 where its gradient flows,
 * instead of half the units at γ = 1 (v ≥ 0), where −relu(−v) passes no gradient.
 */
function spikeSlabHeads(site: SiteDecl, width: number): HeadSpec[] {
  const g0 = (site.options.guide as SpikeGuideOptions | undefined)?.inclusionInit;
  if (g0 !== undefined && !(g0 > 0 && g0 <= 1)) throw new Error(`site "${site.name}": guide.inclusionInit must be in (0, 1], got ${g0}`);
  const v0 = g0 === undefined ? undefined : spikeHeadOf(site) === "sigmoid" ? Math.log(g0 / (1 - g0)) : Math.log(g0);
  return [
    ["logit", width, v0],
    ["loc", width],
    ["logVariance", width],
  ];
}

/** γ from the spike head's output v: exp(−relu(−v)) (0 < γ ≤ 1, no gradient at γ = 1) or sigmoid(v). */
function spikeProbability(site: SiteDecl, v: tf.Tensor): tf.Tensor {
  return spikeHeadOf(site) === "sigmoid" ? tf.sigmoid(v) : tf.exp(tf.neg(tf.relu(tf.neg(v))));
}

/** The relaxation's settings: the estimator's sharpness and slab warm-up (100 and 1 without a thresholdSigmoid estimator). */
function relaxation(site: SiteDecl, g: DrawContext): { sharpness: number | tf.Tensor; slabWarmup: number | tf.Tensor } {
  const est = site.mask?.estimator;
  if (est?.kind !== "threshold-sigmoid") return { sharpness: 100, slabWarmup: 1 };
  return { sharpness: g.scheduleInput(est.sharpness as ScheduleLike), slabWarmup: g.scheduleInput(est.slabWarmup as ScheduleLike) };
}

function create(site: SiteDecl): SiteInference {
  const heads = (h: tf.Tensor, g: DrawContext) => {
    const { width } = localLayout(g, site);
    const { logit, loc, logVariance } = siteHeads(g.params, h, site.name, spikeSlabHeads(site, width));
    return { gamma: spikeProbability(site, logit), loc, logVariance };
  };
  return {
    site,
    family: spikeSlabCode,
    local: true,
    hardLimit: true,
    draw(g) {
      const { toSite, width, rows } = localLayout(g, site);
      const { gamma, loc, logVariance } = heads(g.trunk(), g);
      const code = new ThresholdSigmoidSpikeSlab({ inclusion: gamma, loc, logVariance, ...relaxation(site, g) });
      const q = new SpikeAndSlab({ inclusion: toSite(gamma), loc: toSite(loc), scale: toSite(code.scale) });
      const mean = toSite(tf.mul(gamma, loc));
      if (!g.sample) return { q, value: mean, mean, activity: q.inclusion };
      const key = (j: number) => g.keys.map((k) => k.foldIn(site.name).foldIn(j));
      const u = replicaUniform(key(0), g.replicas, [rows, width]);
      const eps = replicaNormal(key(1), g.replicas, [rows, width]);
      return { q, value: toSite(code.draw(u, eps, g.hard)), mean, activity: toSite(gamma) };
    },
    terms: (t) => [rateTerm(t, klOrMonteCarlo(site.name, t.draw.q!, t.msg.fn!, t.msg.value!))],
    recognise(h, g) {
      const { gamma, loc, logVariance } = heads(h, g);
      return new SpikeAndSlab({ inclusion: gamma, loc, scale: tf.exp(tf.mul(0.5, logVariance)) });
    },
    diagnose(g) {
      if (spikeHeadOf(site) !== "relu") return [];
      const gamma = heads(g.trunk(), g).gamma;
      const stuck = Array.from(tf.min(tf.reshape(gamma, [-1, gamma.shape[gamma.rank - 1]]), 0).dataSync()).filter((v) => v >= 1).length;
      if (!stuck) return [];
      return [
        `site "${site.name}": ${stuck} of ${gamma.shape[gamma.rank - 1]} units of the relu spike head are at γ = 1 for every row after the first epoch ` +
          `(log γ = −relu(−v) passes no gradient there, so they stay on); guide: { inclusionInit: 0.1 } (--set inclusionInit=0.1) avoids it with this head; ` +
          `or { spikeHead: "sigmoid" } (--set spikeHead=sigmoid), which a variant that fixes the papers' relu head refuses (leave it: --set variant=default)`,
      ];
    },
  };
}

export const spikeSlabCode: Family = {
  name: "spikeSlabCode",
  summary: "amortised (γ, μ, σ) heads, relu or sigmoid spike head; VSC's threshold-sigmoid draw with slab warm-up; analytic spike-and-slab KL; elboHard at the hard gate",
  selects: { kinds: ["latent", "mask"], scope: "local", valueTypes: ["binary", "real"], estimators: ["threshold-sigmoid", "reparameterised"], priors: ["SpikeAndSlab", "PseudoInputSpikeSlab"] },
  reads: ["klWeight", "klNormalisation", "guide.hidden", "guide.spikeHead", "guide.inclusionInit"],
  create,
};
