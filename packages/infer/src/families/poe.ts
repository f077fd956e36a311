/**
 * Family `productOfExperts`: a local real latent whose guide is the weighted product of Gaussian
 * experts of structured (MIB) models (specs/mib-structured.md §2), selected by
 * `guide: { kind: "poe", encoderMask: "<mask site>" }`.
 *
 * The encoder mask A_in (rows: a plate of the latent, its groups; cols: a plate of the observed
 * site, its views) says which views each latent group's posterior reads. Every view i has its own
 * expert network (an MLP on that view's features; weights per view, run as one batched matMul)
 * giving (μ_i, log σ²_i) for every entry of the latent. The posterior of group j is, in closed form,
 *
 *   Λ_j = Λ_0 + Σ_i A_in[j, i] Λ_ij,   μ_j = (Λ_0 μ_0 + Σ_i A_in[j, i] Λ_ij μ_ij) / Λ_j,
 *
 * with the prior N(μ_0, Λ_0⁻¹) as the always-present expert and Λ_ij = exp(−clip(log σ²_ij, ±10)) + 1e-4
 * (the spec's guard against precision blow-up). A view with A_in[j, i] = 0 leaves group j's posterior
 * exactly unchanged. The mask enters as weights on precisions (a learned binary mask's relaxed value
 * works too). Drawn pathwise; rate by the analytic Normal KL.
 *
 * Views missing for some rows: `guide: { availability: "<side data>" }` names a per-row view mask
 * [n, views] of 0/1 that multiplies A_in row by row (a missing view's entries must still be finite:
 * 0 · NaN is NaN). {@link combineExperts} takes the expert outputs [(R,) B, ...] with the view axis in
 * its canonical place and any weights that broadcast against them.
 */
import { tf, DATA_PLATE, canonicalShape, canonicalPlates, type ModelIR, type SiteDecl, type ParamStore } from "@sparse-dgm/core";
import { Normal } from "@sparse-dgm/distributions";
import { matMul, torchDefaultInit } from "@sparse-dgm/nn";
import { replicaNormal, replicaUniform } from "../guide.js";
import { rateTerm } from "../objective.js";
import { klOrMonteCarlo } from "./rate.js";
import type { DrawContext, Family, FamilyEnv, SiteFacts, SiteInference } from "./family.js";

/** The guide option of a product-of-experts latent. */
export interface PoeGuideOptions {
  kind: "poe";
  /** The encoder mask site (rows: a plate of this latent; cols: a plate of the observed site). */
  encoderMask: string;
  /** Hidden widths of every view's expert network (default: the encoder widths). */
  hidden?: number[];
  /**
   * Side data naming which views each row has: [n, views] of 0/1 (`fit({ x, [availability]: ... })`,
   * `encode(x, { side })`). A view a row lacks gets weight 0 in every group's product, exactly as
   * an A_in entry of 0 (its data are never read; hold any finite value there). Absent in a run: every
   * view is present. Cross-view prediction encodes with a view switched off here and decodes it.
   */
  availability?: string;
  /**
   * In training steps, hide each view a row has from its posterior with this probability (keeping
   * at least one view per row), while the decoder still reconstructs every view: the sub-sampled
   * objective of the multimodal VAE (Wu & Goodman 2018), which trains every expert to stand alone,
   * i.e. cross-view prediction. Default 0.
   */
  viewDropout?: number;
}

/**
 * Combines Gaussian experts with a prior expert: `loc` and `logVariance` [..., n at `viewAxis`, ...],
 * `weights` broadcasting against them (A_in, times any per-row availability). Returns the
 * posterior's loc and scale with the view axis kept at size 1.
 */
export function combineExperts(loc: tf.Tensor, logVariance: tf.Tensor, weights: tf.Tensor, viewAxis: number, prior: { loc: number; scale: number }): { loc: tf.Tensor; scale: tf.Tensor } {
  const precision = tf.add(tf.exp(tf.neg(tf.clipByValue(logVariance, -10, 10))), 1e-4);
  const weighted = tf.mul(precision, weights);
  const p0 = 1 / (prior.scale * prior.scale);
  const total = tf.add(tf.sum(weighted, viewAxis, true), p0);
  const mean = tf.div(tf.add(tf.sum(tf.mul(weighted, loc), viewAxis, true), p0 * prior.loc), total);
  return { loc: mean, scale: tf.rsqrt(total) };
}

/** The observed site that carries the views (the mask's cols plate). */
function viewSite(ir: ModelIR, mask: SiteDecl): SiteDecl | undefined {
  return ir.sites.find((s) => s.kind === "observe" && s.plates.includes(mask.mask!.cols));
}

/** Every view's features [(R,) n, B, F] of the observed data (canonical layout in). */
function viewInputs(g: DrawContext, obs: SiteDecl, viewPlate: string): tf.Tensor {
  const x = g.observed[obs.name];
  const plates = canonicalPlates(g.ir);
  const axes = Array.from({ length: x.rank }, (_, i) => i);
  const dataAxis = g.lead + plates.indexOf(DATA_PLATE);
  const viewAxis = g.lead + plates.indexOf(viewPlate);
  const rest = axes.filter((a) => a >= g.lead && a !== dataAxis && a !== viewAxis);
  const moved = tf.transpose(x, [...axes.slice(0, g.lead), viewAxis, dataAxis, ...rest]);
  const n = x.shape[viewAxis];
  return tf.reshape(moved, [...(g.lead ? [g.replicas!] : []), n, x.shape[dataAxis], -1]);
}

/** Every view's expert MLP on its features [(R,) n, B, F] -> [(R,) n, B, out] (one batched matMul per layer). */
function experts(params: ParamStore, name: string, xv: tf.Tensor, widths: number[], replicas: number | undefined): tf.Tensor {
  const lead = replicas === undefined ? 0 : 1;
  const [n, B, F] = xv.shape.slice(lead);
  const R = replicas ?? 1;
  let h = tf.reshape(xv, [R * n, B, F]);
  let inputs = F;
  widths.forEach((units, i) => {
    const init = torchDefaultInit(inputs);
    const k = params.getOrCreate(`${name}/${i}/kernel`, [n, inputs, units], init);
    const b = params.getOrCreate(`${name}/${i}/bias`, [n, units], init);
    const y = tf.add(matMul(h, tf.reshape(k, [R * n, inputs, units])), tf.reshape(b, [R * n, 1, units]));
    h = i < widths.length - 1 ? tf.relu(y) : y;
    inputs = units;
  });
  return tf.reshape(h, [...(lead ? [R] : []), n, B, inputs]);
}

/** Expert outputs [(R,) n, B, W] as the latent's canonical layout with its view axis holding the n views. */
function toExpertLayout(g: DrawContext, z: SiteDecl, out: tf.Tensor, viewPlate: string): tf.Tensor {
  const plates = canonicalPlates(g.ir);
  const zShape = canonicalShape(g.ir, z, g.sizes); // [B, ..., 1 at the view axis, ..., event]
  const viewAxis = plates.indexOf(viewPlate);
  const rest = zShape.filter((_, i) => i !== 0 && i !== viewAxis);
  const n = out.shape[g.lead];
  const shaped = tf.reshape(out, [...(g.lead ? [g.replicas!] : []), n, zShape[0], ...rest]);
  // [(R,) n, B, rest...] -> [(R,) B, ..., n at the view axis, ...]
  const order = [1, ...rest.map((_, i) => i + 2)];
  order.splice(viewAxis, 0, 0);
  return tf.transpose(shaped, [...(g.lead ? [0] : []), ...order.map((a) => a + g.lead)]);
}

function create(site: SiteDecl, env: FamilyEnv): SiteInference {
  const opts = site.options.guide as PoeGuideOptions;
  const mask = env.ir.sites.find((s) => s.name === opts.encoderMask)!;
  const obs = viewSite(env.ir, mask)!;
  const viewPlate = mask.mask!.cols;
  const prior = { loc: Number(site.prior?.params.loc ?? 0), scale: Number(site.prior?.params.scale ?? 1) };
  return {
    site,
    family: productOfExperts,
    local: true,
    density: true,
    draw(g) {
      const width = canonicalShape(g.ir, site, g.sizes)
        .slice(1)
        .reduce((a, b) => a * b, 1);
      const out = experts(g.params, `guide/${site.name}/experts`, viewInputs(g, obs, viewPlate), [...(opts.hidden ?? env.encoderHidden), 2 * width], g.replicas);
      const [loc, logVariance] = tf.split(out, 2, -1).map((t) => toExpertLayout(g, site, t, viewPlate));
      const weights = availabilityWeights(g, g.value(mask.name)!, opts.availability, viewPlate, g.training ? (opts.viewDropout ?? 0) : 0, site.name);
      const post = combineExperts(loc, logVariance, weights, g.lead + canonicalPlates(g.ir).indexOf(viewPlate), prior);
      const q = new Normal(post.loc, post.scale);
      if (!g.sample) return { q, value: q.loc, mean: q.loc };
      const eps = replicaNormal(
        g.keys.map((k) => k.foldIn(site.name).foldIn(0)),
        g.replicas,
        canonicalShape(g.ir, site, g.sizes),
      );
      return { q, value: q.reparameterise(eps), mean: q.loc };
    },
    terms: (t) => [rateTerm(t, klOrMonteCarlo(site.name, t.draw.q!, t.msg.fn!, t.msg.value!))],
  };
}

/**
 * A_in times the rows' view availability (side data [(R,) B, n], laid out on the data and view
 * axes of the canonical layout), or A_in alone when the run carries none.
 */
function availabilityWeights(g: DrawContext, ain: tf.Tensor, name: string | undefined, viewPlate: string, dropout: number, site: string): tf.Tensor {
  const given = name === undefined ? undefined : g.observed[name];
  if (!given && !dropout) return ain;
  const plates = canonicalPlates(g.ir);
  const B = g.sizes[DATA_PLATE];
  const n = g.sizes[viewPlate];
  const R = g.replicas ?? 1;
  const rows = [...(g.lead ? [R] : []), B, n];
  if (given && given.size !== R * B * n) throw new Error(`guide availability "${name}": expected ${g.lead ? `${R} × ` : ""}${B} rows × ${n} views, got shape [${given.shape.join(", ")}]`);
  // data before views in the canonical order, so the row-major [(R,) B, n] values need no transpose
  if (plates.indexOf(DATA_PLATE) > plates.indexOf(viewPlate)) throw new Error(`guide availability of "${site}": the data plate must come before "${viewPlate}"`);
  let a = given ? tf.reshape(tf.cast(given, "float32"), rows) : tf.ones(rows);
  if (dropout) {
    // hide each present view with probability `dropout`; a row left with none keeps all of its own
    const u = replicaUniform(
      g.keys.map((k) => k.foldIn(site).foldIn("view-dropout")),
      g.replicas,
      [B, n],
    );
    const kept = tf.mul(a, tf.cast(tf.greaterEqual(u, dropout), "float32"));
    const any = tf.greater(tf.sum(kept, -1, true), 0);
    a = tf.where(tf.broadcastTo(any, rows), kept, a);
  }
  const shape = [...(g.lead ? [R] : []), ...plates.map((p) => (p === DATA_PLATE ? B : p === viewPlate ? n : 1))];
  return tf.mul(ain, tf.reshape(a, shape));
}

/** Refuses an encoder mask that is not a mask over (a plate of this latent) × (a plate of the observed site), or a prior without numeric loc and scale. */
function check(f: SiteFacts, ir: ModelIR): string | undefined {
  const name = (f.site.options.guide as Partial<PoeGuideOptions>).encoderMask;
  const mask = ir.sites.find((s) => s.name === name);
  const masks = ir.sites.filter((s) => s.kind === "mask").map((s) => s.name);
  if (!mask?.mask) return `guide: { kind: "poe", encoderMask: ${JSON.stringify(name)} } names no mask site; mask sites: ${masks.join(", ") || "none"}`;
  if (!f.site.plates.includes(mask.mask.rows)) return `encoder mask "${mask.name}" has rows "${mask.mask.rows}", not a plate of this latent (${f.site.plates.join(", ")})`;
  if (!viewSite(ir, mask)) return `encoder mask "${mask.name}" has cols "${mask.mask.cols}", which is not a plate of the observed site (the views)`;
  if (mask.mask.valueType === "cardinality-capped") return `encoder mask "${mask.name}" must be fixed, real or binary`;
  const avail = (f.site.options.guide as Partial<PoeGuideOptions>).availability;
  const drop = (f.site.options.guide as Partial<PoeGuideOptions>).viewDropout;
  if (drop !== undefined && !(typeof drop === "number" && drop >= 0 && drop < 1)) return `guide.viewDropout must be a probability in [0, 1), got ${JSON.stringify(drop)}`;
  if (avail !== undefined && (typeof avail !== "string" || avail === "")) return `guide.availability must name side data (a string), got ${JSON.stringify(avail)}`;
  const p = f.site.prior?.params;
  if (p && (typeof p.loc !== "number" || typeof p.scale !== "number")) return `a product-of-experts guide needs a Normal prior with numeric loc and scale (the prior expert); got ${JSON.stringify(p)}`;
  return undefined;
}

export const productOfExperts: Family = {
  name: "productOfExperts",
  summary: "one Gaussian expert per view, combined in closed form with the prior expert, each latent group reading the views its encoder-mask row selects; drawn pathwise; analytic KL",
  selects: { kinds: ["latent"], scope: "local", valueTypes: ["real"], estimators: ["reparameterised"], priors: ["Normal"], guide: "poe" },
  reads: ["klWeight", "guide.encoderMask", "guide.hidden", "guide.availability", "guide.viewDropout"],
  check,
  readsSites: (site) => [(site.options.guide as Partial<PoeGuideOptions>).encoderMask].filter((m): m is string => typeof m === "string"),
  create,
};
