/**
 * Independence penalties on codes (specs/mib-structured.md §2, "Invariance constraints"): the
 * fairness and invariance instances of the MIB framework ask that a latent group carry no
 * information about an attribute (Z ⊥ S), or none beyond a label (Z ⊥ E | Y, invariance across
 * environments). A mask alone does not enforce it (Z can still read S through X), so the
 * objective gets a penalty: the maximum mean discrepancy (Gretton et al. 2012) between the code
 * distributions of the attribute's values, within each value of the conditioning label, as in
 * the variational fair autoencoder (Louizos et al. 2016). How the paper estimates these terms is not
 * verified; MMD is this project's choice (the spec allows an adversary, MMD or a variational bound).
 *
 * Hand-written: no npm package offers a differentiable TF.js MMD.
 *
 * Estimator: for attribute values a, b (within class c) with n_a, n_b ≥ 2 rows in the batch,
 * MMD²_u(a, b) = mean_{i≠j∈a} k(z_i, z_j) + mean_{i≠j∈b} k(z_i, z_j) − 2 mean_{i∈a, j∈b} k(z_i, z_j)
 * (the unbiased statistic: 0 in expectation when the codes do not depend on the attribute), averaged
 * over every such pair and class. The kernel is Gaussian, k = exp(−‖z − z'‖²/(2h²)), averaged over
 * bandwidths h² ∈ {¼, 1, 4}·d̄²/2 where d̄² is the batch's mean squared pairwise distance (no
 * gradient through it), or one fixed h. Rows whose attribute (or label) is negative (missing) are
 * left out; that is the only drop rule: a value ≥ the number of levels (given, or max + 1 of the
 * data by default) is an error, never an all-zero one-hot row.
 */
import { tf, stopGradient, type SiteContext } from "@sparse-dgm/core";

/** Options of {@link mmdIndependence}. */
export interface MmdOptions {
  /**
   * Number of attribute values (0 .. levels − 1). Default: from the data, max value + 1 (at least 2;
   * a value absent from the batch is an empty cell and enters no pair, so this equals the full
   * data's count). A value ≥ a given `levels` is refused, never dropped.
   */
  levels?: number;
  /** A label to condition on (Z ⊥ S | Y): one value per row, same leading axes as the attribute. */
  given?: tf.Tensor;
  /** Number of label values (default: from the data, as `levels`). */
  givenLevels?: number;
  /** Names the attribute and label in error messages (default "the attribute" / "the label"). */
  names?: { attribute?: string; given?: string };
  /** A fixed kernel bandwidth h (default: the multi-scale batch heuristic). */
  bandwidth?: number;
  /** Divide each code dimension by its batch SD first (default false). */
  standardize?: boolean;
}

/**
 * MMD² between the code distributions of an attribute's values (optionally within each value of
 * a label), per replica.
 *
 * @param codes - [B, D] or [R, B, D].
 * @param attribute - [B] or [R, B] integer values (as floats); negative = missing.
 * @returns a scalar, or [R].
 * @example
 * ```ts
 * const pen = mmdIndependence(z, s);               // Z ⊥ S
 * const inv = mmdIndependence(z, env, { given: y, levels: 3 }); // Z ⊥ E | Y
 * ```
 */
export function mmdIndependence(codes: tf.Tensor, attribute: tf.Tensor, opts: MmdOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const lead = codes.rank === 3;
    if (codes.rank !== 2 && codes.rank !== 3) throw new Error(`mmdIndependence: codes must be [B, D] or [R, B, D], got [${codes.shape.join(", ")}]`);
    const C0 = lead ? codes : tf.expandDims(codes, 0);
    const [R, B] = C0.shape as number[];
    // optionally every dimension at unit scale (batch SD, no gradient through it): a dimension the KL
    // has all but switched off can still carry the attribute in small variations that a probe reads
    const C = !opts.standardize ? C0 : tf.div(C0, stopGradient(tf.add(tf.sqrt(tf.moments(C0, 1, true).variance), 1e-6)));
    const flat = (t: tf.Tensor, what: string) => {
      if (t.size !== R * B && t.size !== B) throw new Error(`mmdIndependence: ${what} has ${t.size} values for ${R > 1 ? `${R} × ` : ""}${B} rows`);
      return t.size === B && R > 1 ? tf.tile(tf.reshape(t, [1, B]), [R, 1]) : tf.reshape(t, [R, B]);
    };
    const onehot = (t: tf.Tensor, depth: number) => tf.oneHot(tf.cast(tf.round(t), "int32"), depth).toFloat(); // -1 → all zeros
    const attrName = opts.names?.attribute ?? "the attribute";
    const S0 = flat(attribute, attrName);
    const A = levelsOf(S0, opts.levels, attrName, "levels");
    const S = onehot(S0, A); // [R, B, A]
    const Y0 = opts.given ? flat(opts.given, opts.names?.given ?? "the label") : undefined;
    const Cc = Y0 ? levelsOf(Y0, opts.givenLevels, opts.names?.given ?? "the label", "givenLevels") : 1;
    const Y = Y0 ? onehot(Y0, Cc) : tf.ones([R, B, 1]);
    const G = Cc * A;
    const M = tf.reshape(tf.mul(tf.expandDims(Y, 3), tf.expandDims(S, 2)), [R, B, G]); // cell (c, a) = c·A + a
    const n = tf.sum(M, 1); // [R, G]
    const W = tf.div(M, tf.expandDims(tf.maximum(n, 1), 1));
    // Gaussian kernel matrix [R, B, B]
    // ‖z_i − z_j‖² = [‖z_i‖², 1, −2 z_i] · [1, ‖z_j‖², z_j]: one matMul, no broadcast of [B, B] operands
    const sq = tf.sum(tf.square(C), 2, true);
    const one = tf.onesLike(sq);
    const d2 = tf.relu(tf.matMul(tf.concat([sq, one, tf.mul(-2, C)], 2), tf.concat([one, sq, C], 2), false, true));
    let K: tf.Tensor;
    if (opts.bandwidth !== undefined) {
      if (!(opts.bandwidth > 0)) throw new Error(`mmdIndependence: bandwidth must be positive, got ${opts.bandwidth}`);
      K = tf.exp(tf.div(d2, -2 * opts.bandwidth * opts.bandwidth));
    } else {
      const mean = stopGradient(tf.maximum(tf.div(tf.sum(d2, [1, 2], true), Math.max(B * (B - 1), 1)), 1e-6)); // [R, 1, 1]
      K = tf.div(tf.addN([0.25, 1, 4].map((c) => tf.exp(tf.div(d2, tf.mul(-c, mean))))), 3);
    }
    const Q = tf.matMul(tf.matMul(W, K, true, false), W); // [R, G, G]: w_gᵀ K w_h
    const diag = tf.sum(tf.mul(Q, tf.eye(G)), 2); // [R, G]
    const valid = tf.cast(tf.greaterEqual(n, 2), "float32");
    const inv = tf.div(1, tf.maximum(n, 2));
    const U = tf.div(tf.sub(diag, inv), tf.sub(1, inv)); // mean over i ≠ j within the cell
    // pairs (a < b) within each class: P has +1 at a, −1 at b; Pabs +1 at both
    const pairs: Array<[number, number]> = [];
    for (let c = 0; c < Cc; c++) for (let a = 0; a < A; a++) for (let b = a + 1; b < A; b++) pairs.push([c * A + a, c * A + b]);
    if (!pairs.length) throw new Error("mmdIndependence: the attribute needs at least 2 levels");
    const P = new Float32Array(G * pairs.length);
    const Pabs = new Float32Array(G * pairs.length);
    pairs.forEach(([a, b], p) => {
      P[a * pairs.length + p] = 1;
      P[b * pairs.length + p] = -1;
      Pabs[a * pairs.length + p] = 1;
      Pabs[b * pairs.length + p] = 1;
    });
    const Pt = tf.tensor2d(P, [G, pairs.length]);
    const PabsT = tf.tensor2d(Pabs, [G, pairs.length]);
    const quad = tf.sum(tf.mul(tf.matMul(Q, tf.tile(tf.expandDims(Pt, 0), [R, 1, 1])), tf.expandDims(Pt, 0)), 1); // [R, pairs]: Q_aa + Q_bb − 2Q_ab
    const corr = tf.matMul(tf.sub(U, diag), PabsT); // [R, pairs]: (U_a − Q_aa) + (U_b − Q_bb)
    const pairValid = tf.cast(tf.equal(tf.matMul(valid, PabsT), 2), "float32"); // both cells have ≥ 2 rows
    const mmd = tf.add(quad, corr);
    const out = tf.div(tf.sum(tf.mul(mmd, pairValid), 1), tf.maximum(tf.sum(pairValid, 1), 1)); // [R]
    return lead ? out : tf.reshape(out, []);
  });
}

/**
 * The number of values of an integer-coded attribute: `given`, after checking every non-negative
 * value is below it, or max + 1 of the data (at least 2). Negative = missing.
 */
function levelsOf(t: tf.Tensor, given: number | undefined, what: string, option: string): number {
  if (given !== undefined && !(Number.isInteger(given) && given >= 2)) throw new Error(`mmdIndependence: ${option} must be an integer >= 2, got ${given}`);
  const v = t.dataSync();
  let max = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x)) throw new Error(`mmdIndependence: ${what} has NaN at row ${i} (use a negative value for a missing row)`);
    if (x >= 0 && Math.round(x) > max) max = Math.round(x);
  }
  if (given === undefined) return Math.max(max + 1, 2);
  if (max >= given)
    throw new Error(`mmdIndependence: ${what} has the value ${max}, but ${option} is ${given} (values 0 .. ${given - 1}; negative = missing): set ${option} to at least ${max + 1} or recode the data`);
  return given;
}

/** Options of {@link independencePenalty}. */
export interface IndependencePenaltyOptions {
  /** The latent site whose (sampled) codes are penalised. */
  codes: string;
  /** The side data holding the attribute (`fit({ x, [attribute]: ... })`, read with `ctx.observed`). */
  attribute: string;
  /** Side data holding a label to condition on (Z ⊥ S | label). */
  given?: string;
  /** Number of attribute / label values (default: from the data, max value + 1, at least 2). */
  levels?: number;
  givenLevels?: number;
  /** Only these indices of one of the codes' plates (e.g. the invariant latent group). */
  select?: { plate: string; indices: number[] };
  /** A fixed kernel bandwidth (default: the multi-scale batch heuristic). */
  bandwidth?: number;
  /** Divide each code dimension by its batch SD before the kernel (default false). */
  standardize?: boolean;
  /**
   * Which codes: `"sample"` (the guide's draw the decoder reads, the default, as the variational fair
   * autoencoder) or `"mean"` (the guide's mean: less noisy; the attribute may then still leak
   * through the posterior's spread).
   */
  use?: "sample" | "mean";
}

/**
 * A `.factor` callback that penalises dependence of a latent site's codes on an attribute:
 * log factor = −MMD²(codes | attribute [, given]) ({@link mmdIndependence}). Runs only in training
 * steps that carry the attribute as side data (0 otherwise: evaluation has none).
 *
 * @example
 * ```ts
 * model("fair")
 *   // ... .latent("z", ...) ... .observe("x", ...)
 *   .factor("independence", independencePenalty({ codes: "z", attribute: "sensitive" }), { weight: 100, needs: ["sensitive"] });
 * ```
 */
export function independencePenalty(o: IndependencePenaltyOptions): (sites: Record<string, tf.Tensor>, ctx: SiteContext) => tf.Tensor {
  return (sites, ctx) => {
    const attribute = ctx.observed(o.attribute);
    const given = o.given === undefined ? undefined : ctx.observed(o.given);
    if (!attribute || (o.given !== undefined && !given)) return ctx.leading ? tf.zeros([ctx.replicas!]) : tf.scalar(0);
    const q = o.use === "mean" ? (ctx.posterior(o.codes) as unknown as { mean?: () => tf.Tensor } | undefined) : undefined;
    const z = o.use === "mean" ? q?.mean?.() : sites[o.codes];
    if (!z) throw new Error(`independencePenalty: no ${o.use === "mean" ? "guide mean of" : "site"} "${o.codes}" before the factor`);
    let t = z;
    if (o.select) {
      // slices, not a gather: a gather's gradient (UnsortedSegmentSum) has no wasm kernel
      const axis = ctx.axis(o.select.plate);
      const one = (i: number) =>
        tf.slice(
          t,
          t.shape.map((_, a) => (a === axis ? i : 0)),
          t.shape.map((d, a) => (a === axis ? 1 : d)),
        );
      t = o.select.indices.length === 1 ? one(o.select.indices[0]) : tf.concat(o.select.indices.map(one), axis);
    }
    // canonical layout: [R?, B, ...]: one row of codes per data point
    const B = t.shape[ctx.leading];
    const codes = tf.reshape(t, ctx.leading ? [ctx.replicas!, B, -1] : [B, -1]);
    const names = { attribute: `side data "${o.attribute}" (independence penalty on "${o.codes}")`, given: `side data "${o.given}" (independence penalty on "${o.codes}")` };
    return tf.neg(mmdIndependence(codes, attribute, { levels: o.levels, given, givenLevels: o.givenLevels, bandwidth: o.bandwidth, standardize: o.standardize, names }));
  };
}
