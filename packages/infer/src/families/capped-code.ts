/**
 * Family `cappedCode`: local cardinality-capped codes (SDLGM, Xu et al.; specs/sdlgm.md). An
 * amortised guide with level logits [L0] (none for a fixed level, `guide.fixedLevel`: a top-k code),
 * index logits [K] and a Gaussian slab on the shared trunk, drawn by the distribution's two
 * Gumbel-Softmax relaxations (`CappedSparseCode.sampleWithSupport`, indices without replacement
 * unless `guide.withoutReplacement` is false, straight-through when the estimator says, or a
 * scheduled share of the hard forward pass, `guide.hardness`), one noise
 * stream per replica, scored by the registered closed-form KL. The temperature is read as a per-step
 * input, so a step plan replays it. `encode` reports the distribution's deterministic prediction
 * (`predict()`: L̂ = argmax q(L), the top-L̂ indices): mean b̂ ⊙ μ, activity the 0/1 support b̂, and
 * the index probabilities as per-unit scores. `guide.refine` replaces the amortised guide in the
 * evaluation runs (encode, reconstruct, evaluate; {@link CappedRefiner}).
 */
import { tf, unitIntervalSchedule, type ScheduleLike, type SiteDecl } from "@sparse-dgm/core";
import { CappedSparseCode, cappedFixedLevel } from "@sparse-dgm/distributions";
import { siteHeads, type HeadSpec } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import { localLayout } from "./layout.js";
import type { DrawContext, Family, GuideDraw, SiteInference } from "./family.js";

/**
 * Inference beyond the amortised guide (`guide.refine`): in the evaluation runs of the fitted model
 * (`DrawContext.evaluation`: encode, reconstruct, evaluate), the site's guide distribution is the one
 * `refine` returns from the amortised one and the run's data and parameters, e.g. the model's own
 * posterior mode under a decoder whose marginal likelihood is closed form. The predicted code, the
 * sampled code and the ELBO's rate are all read from it (the rate is the registered KL of the
 * returned distribution's kind against the prior, so a refiner returns a distribution whose KL is
 * exact for it). The training steps and the runs that track the training objective (the validation
 * loss that early stopping watches, the first-epoch diagnostics) use the amortised guide.
 */
export interface CappedRefiner {
  /** What the refinement is (one line, for errors and reports). */
  readonly name: string;
  /** The refined guide of one evaluation run (same batch shape, width and cap as `q`). */
  refine(q: CappedSparseCode, g: DrawContext): CappedSparseCode;
}

/** The capped code's guide options (`guide: { ... }` on the mask site). */
interface CappedGuideOptions {
  /** Inference at evaluation beyond the amortised guide ({@link CappedRefiner}). */
  refine?: CappedRefiner;
  fixedLevel?: number;
  withoutReplacement?: boolean;
  slabScaleInit?: number;
  indexFromSlab?: number;
  /** The share of the hard (straight-through) forward pass over the steps, a schedule in [0, 1]. */
  hardness?: ScheduleLike;
  levelFromSlab?: number;
  /** The level counts the slab magnitudes above one learned per-row threshold ({@link levelByThreshold}); needs `levelFromSlab` > 0. */
  levelThreshold?: boolean;
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
  if (o.levelFromSlab !== undefined && !(o.levelFromSlab >= 0 && Number.isFinite(o.levelFromSlab))) {
    throw new Error(`site "${site.name}": guide.levelFromSlab must be a number >= 0, got ${o.levelFromSlab}`);
  }
  if (o.hardness !== undefined) unitIntervalSchedule(o.hardness, `site "${site.name}": guide.hardness`);
  if (o.levelThreshold !== undefined && typeof o.levelThreshold !== "boolean")
    throw new Error(`site "${site.name}": guide.levelThreshold must be true or false, got ${JSON.stringify(o.levelThreshold)}`);
  if (o.levelThreshold && !(o.levelFromSlab! > 0))
    throw new Error(`site "${site.name}": guide.levelThreshold needs guide.levelFromSlab > 0 (the weight w of the count), got ${o.levelFromSlab ?? "none"}`);
  if (o.refine !== undefined && !(typeof o.refine === "object" && typeof o.refine.refine === "function" && typeof o.refine.name === "string"))
    throw new Error(`site "${site.name}": guide.refine must be a refiner { name, refine(q, g) }, got ${JSON.stringify(o.refine)}`);
  if (o.levelThreshold && o.fixedLevel) throw new Error(`site "${site.name}": guide.levelThreshold has no level to set with guide.fixedLevel`);
  return o;
}

/** The heads: level logits (unless the level is fixed), index logits, slab mean and log-variance (its bias at 2 log σ0 with `slabScaleInit`). */
function cappedHeads(o: CappedGuideOptions, L0: number, K: number): HeadSpec[] {
  const logVar0 = o.slabScaleInit === undefined ? undefined : 2 * Math.log(o.slabScaleInit);
  const level: HeadSpec[] = o.fixedLevel ? [] : o.levelThreshold ? [["levelThreshold", 1]] : [["levelLogits", L0]];
  return [...level, ["indexLogits", K], ["loc", K], ["logVariance", K, logVar0]];
}

/**
 * `guide.levelFromSlab` = w: the level logits plus w·(a_(1) + … + a_(l)), a_(j) the j-th largest slab
 * magnitude |μ|, so that going from level l to l + 1 gains w·a_(l+1): the level counts the units
 * whose slab means are large (the head's per-level biases set the threshold), as `indexFromSlab`
 * selects them (the sorted magnitudes' gradient reaches the units they came from).
 */
export function levelFromSlab(levelLogits: tf.Tensor, loc: tf.Tensor, L0: number, w: number): tf.Tensor {
  return tf.add(levelLogits, tf.mul(w, topMagnitudeSums(loc, L0)));
}

/**
 * `guide.levelThreshold` (with `guide.levelFromSlab` = w): the level logits w·Σ_{j ≤ l} (a_(j) − θ),
 * a_(j) the j-th largest slab magnitude |μ| and θ one learned value per row (`threshold`, [..., 1]).
 * The increments w·(a_(l+1) − θ) fall with l (the a_(j) are sorted), so the logits are concave in l
 * and the most likely level is the number of |μ| above θ, clamped to 1..L0 (1 when none is above
 * it: levels start at 1): every level is reachable, none can be skipped by a per-level bias that
 * fell behind (with free per-level logits, {@link levelFromSlab}, some levels were never predicted
 * at the benchmark's full size).
 */
export function levelByThreshold(threshold: tf.Tensor, loc: tf.Tensor, L0: number, w: number): tf.Tensor {
  return tf.tidy(() => {
    const counts = tf.range(1, L0 + 1); // l = 1..L0
    return tf.mul(w, tf.sub(topMagnitudeSums(loc, L0), tf.mul(threshold, counts)));
  });
}

/** a_(1) + … + a_(l) for l = 1..L0, a_(j) the j-th largest slab magnitude |μ| (the count both level couplings read). */
function topMagnitudeSums(loc: tf.Tensor, L0: number): tf.Tensor {
  return tf.cumsum(largest(tf.abs(loc), L0), loc.rank - 1);
}

/** The L largest entries of the last axis, descending; the gradient goes back to where they came from (TF.js's TopK has none). */
function largest(a: tf.Tensor, L: number): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    const { values, indices } = tf.topk(x, L);
    save([indices]);
    return {
      value: values,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const K = x.shape[x.rank - 1];
        const picks = tf.cast(tf.equal(tf.expandDims(saved[0], -1), tf.range(0, K, 1, "int32")), "float32"); // [..., L, K]
        return tf.sum(tf.mul(tf.expandDims(dy, -1), picks), -2);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(a) as tf.Tensor;
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
      levelLogits: o.fixedLevel
        ? cappedFixedLevel(o.fixedLevel, L0, lead)
        : tf.reshape(
            o.levelThreshold ? levelByThreshold(hd.levelThreshold, hd.loc, L0, o.levelFromSlab!) : o.levelFromSlab ? levelFromSlab(hd.levelLogits, hd.loc, L0, o.levelFromSlab) : hd.levelLogits,
            [...lead, L0],
          ),
      // guide.indexFromSlab = w couples the selection to the slab's magnitude, logits + w·|μ| (as a k-sparse autoencoder selects its largest activations)
      indexLogits: tf.reshape(o.indexFromSlab ? tf.add(hd.indexLogits, tf.mul(o.indexFromSlab, tf.abs(hd.loc))) : hd.indexLogits, [...lead, K]),
      loc: tf.reshape(hd.loc, [...lead, K]),
      scale: tf.reshape(tf.exp(tf.mul(0.5, hd.logVariance)), [...lead, K]),
      levelTemperature: temperature,
      indexTemperature: temperature,
      straightThrough: est && "straightThrough" in est ? est.straightThrough : false,
      ...(o.hardness !== undefined ? { hardness: g.scheduleInput(o.hardness) } : {}),
      withoutReplacement: o.withoutReplacement ?? true,
    });
  };
  return {
    site,
    family: cappedCode,
    local: true,
    draw(g): GuideDraw {
      const amortised = guide(g.trunk(), g);
      const q = o.refine && g.evaluation ? o.refine.refine(amortised, g) : amortised;
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
  reads: [
    "klWeight",
    "klNormalisation",
    "guide.hidden",
    "guide.fixedLevel",
    "guide.withoutReplacement",
    "guide.slabScaleInit",
    "guide.indexFromSlab",
    "guide.levelFromSlab",
    "guide.levelThreshold",
    "guide.hardness",
    "guide.refine",
  ],
  create,
};
