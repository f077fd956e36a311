/**
 * fast-check arbitraries for sparse factor-to-feature structures with a known truth: supports
 * (masks) with or without anchor features, and whole generating truths (signed weights, factor
 * correlation, per-feature nonlinear links, noise, sample size).
 *
 * Shrinking: every size is an `fc.integer` whose minimum is the smallest allowed value and every
 * continuous quantity an `fc.double` whose shrink target is its lower bound, combined with
 * `fc.record`, so a failing property shrinks toward the fewest factors, the fewest features, the
 * fewest rows, the sparsest support, the smallest weights, no correlation and the least noise.
 *
 * The anchor-feature condition is that of Moran, Sridhar, Wang, Blei, "Identifiable Deep
 * Generative Models via Sparse Decoding" (TMLR 2022): each factor has features that depend on it
 * alone.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * fc.assert(fc.property(sparseMask({ features: { min: 4, max: 10 }, factors: 2 }), (m) => checkAnchors(m).ok));
 * ```
 */
import fc from "fast-check";

/** An inclusive integer range, or one fixed value. */
export type IntRange = number | { min: number; max: number };
/** An inclusive real range, or one fixed value. */
export type RealRange = number | { min: number; max: number };

/**
 * The per-feature link functions f_j of a generated truth, applied to u_j = Σ_k W_jk z_k:
 * - `identity`: u
 * - `tanh`: 2·tanh(u) (saturating, monotone)
 * - `square`: u·|u| / 2 (a signed square: monotone and convex on u > 0)
 * - `sin`: 2·sin(u) (non-monotone, as the Moran data's 6 sin z2)
 */
export type LinkName = "identity" | "tanh" | "square" | "sin";

/** Every link, in shrink order (a failing case shrinks toward `identity`). */
export const LINKS: readonly LinkName[] = ["identity", "tanh", "square", "sin"];

/** Options of {@link sparseMask}. */
export interface SparseMaskOptions {
  /**
   * Number of features G (rows). With anchors, G is raised to at least
   * `factors · anchorsPerFactor` (the anchor rows); the remaining rows are "mixed". Default
   * { min: 4, max: 10 }.
   */
  features?: IntRange;
  /** Number of factors K (columns). Default { min: 1, max: 3 } (min 2 without anchors). */
  factors?: IntRange;
  /**
   * Probability that a mixed feature depends on a given factor (before the "at least two factors"
   * rule below). Default 0.5.
   */
  density?: number;
  /**
   * `true` (default): rows 0 .. K·a−1 are anchors: rows k·a .. k·a+a−1 depend on factor k alone
   * (a = `anchorsPerFactor`), so each factor has at least a anchors. `false`: there are no anchor
   * rows and **every** feature depends on at least two factors, so no feature depends on a single
   * factor and the anchor condition fails for every factor (this needs K ≥ 2; the factor range is
   * raised to min 2). In both cases mixed rows depend on ≥ 2 factors whenever K ≥ 2 (with K = 1
   * every row depends on the one factor).
   */
  anchors?: boolean;
  /** Anchors per factor a (default 2; the Moran design has 3). Ignored without anchors. */
  anchorsPerFactor?: number;
}

/** Options of {@link sparseTruth}: the mask's, plus the generating quantities. */
export interface SparseTruthOptions extends SparseMaskOptions {
  /** |W_jk| on the support: a range bounded away from 0 (default { min: 0.5, max: 2 }); signs are random. */
  weights?: { min: number; max: number };
  /** Equicorrelation ρ of the factors, corr(z_k, z_l) = ρ for k ≠ l (default { min: 0, max: 0.5 }). */
  rho?: RealRange;
  /** The links features draw from (default {@link LINKS}). */
  links?: readonly LinkName[];
  /** Noise SD σ (default { min: 0.1, max: 0.5 }). */
  noise?: RealRange;
  /** Number of rows (data points) n (default { min: 200, max: 1000 }). */
  n?: IntRange;
}

/**
 * A generating truth, plain JSON (print it, paste it back):
 * z_i ~ N(0, (1−ρ)I + ρ11ᵀ), x_ij = link_j(Σ_k W_jk z_ik) + σ ε_ij.
 */
export interface SparseTruth {
  /** G. */
  features: number;
  /** K. */
  factors: number;
  /** G×K 0/1 support: `support[j][k]` = 1 when feature j depends on factor k. */
  support: number[][];
  /** G×K signed weights, 0 off the support, |W| within the weight range on it. */
  weights: number[][];
  /** Per-feature links. */
  links: LinkName[];
  /** Factor equicorrelation ρ. */
  rho: number;
  /** Noise SD σ. */
  noise: number;
  /** Number of rows n. */
  n: number;
}

function range(name: string, r: IntRange, lo: number): { min: number; max: number } {
  const v = typeof r === "number" ? { min: r, max: r } : r;
  if (!Number.isInteger(v.min) || !Number.isInteger(v.max) || v.min > v.max || v.min < lo) {
    throw new Error(`${name} must be an integer range with ${lo} <= min <= max, got ${JSON.stringify(r)}`);
  }
  return v;
}

function realRange(name: string, r: RealRange, lo: number, hi = Infinity): { min: number; max: number } {
  const v = typeof r === "number" ? { min: r, max: r } : r;
  if (!(v.min >= lo && v.max <= hi && v.min <= v.max)) {
    throw new Error(`${name} must be a range within [${lo}, ${hi}] with min <= max, got ${JSON.stringify(r)}`);
  }
  return v;
}

const STEPS = 1_000_000;

/**
 * A number uniform in value on [min, max] (on a grid of 10⁶ steps) that shrinks toward `min`.
 * (`fc.double` draws uniformly over float64 encodings, so its values crowd near 0.)
 */
function shrinkToMin(r: { min: number; max: number }): fc.Arbitrary<number> {
  if (r.min === r.max) return fc.constant(r.min);
  return fc.integer({ min: 0, max: STEPS }).map((i) => r.min + ((r.max - r.min) * i) / STEPS);
}

/** Uniform on [0, 1), shrinking toward 0. */
const unit = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: STEPS - 1 }).map((i) => i / STEPS);

interface MaskPlan {
  kr: { min: number; max: number };
  gr: { min: number; max: number };
  a: number;
  anchors: boolean;
  density: number;
  gMax: number;
  kMax: number;
}

function planMask(o: SparseMaskOptions): MaskPlan {
  const anchors = o.anchors ?? true;
  const a = anchors ? (o.anchorsPerFactor ?? 2) : 0;
  if (anchors && (!Number.isInteger(a) || a < 1)) throw new Error(`anchorsPerFactor must be a positive integer, got ${a}`);
  const kr0 = range("factors", o.factors ?? { min: anchors ? 1 : 2, max: 3 }, 1);
  const kr = anchors ? kr0 : { min: Math.max(2, kr0.min), max: kr0.max };
  if (kr.max < kr.min) throw new Error(`sparseMask: without anchors every feature depends on >= 2 factors, so factors needs max >= 2, got ${JSON.stringify(o.factors)}`);
  const gr = range("features", o.features ?? { min: 4, max: 10 }, 1);
  const density = o.density ?? 0.5;
  if (!(density >= 0 && density <= 1)) throw new Error(`density must be in [0, 1], got ${density}`);
  const gMax = Math.max(gr.max, kr.max * a);
  return { kr, gr, a, anchors, density, gMax, kMax: kr.max };
}

/** Builds the support from the shrinkable draws (see {@link SparseMaskOptions.anchors}). */
function buildMask(p: MaskPlan, K: number, Graw: number, u: readonly number[]): number[][] {
  const nAnchor = K * p.a;
  const G = Math.max(Graw, nAnchor);
  const mask: number[][] = [];
  for (let j = 0; j < G; j++) {
    const row = new Array<number>(K).fill(0);
    if (j < nAnchor) {
      row[Math.floor(j / p.a)] = 1;
    } else if (K === 1) {
      row[0] = 1;
    } else {
      // u shrinks toward 0 = "not included", so counterexamples shrink toward sparse rows.
      const us = Array.from({ length: K }, (_, k) => u[j * p.kMax + k]);
      for (let k = 0; k < K; k++) if (us[k] >= 1 - p.density && p.density > 0) row[k] = 1;
      // A mixed row depends on >= 2 factors: add the largest-u factors until it does.
      const order = us.map((v, k) => [v, k] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
      for (const [, k] of order) {
        if (row.reduce((s, v) => s + v, 0) >= 2) break;
        row[k] = 1;
      }
    }
    mask.push(row);
  }
  return mask;
}

/**
 * G×K 0/1 supports ("masks"): which factor reaches which feature.
 *
 * - `anchors: true` (default): each factor k has exactly `anchorsPerFactor` anchor rows (rows
 *   k·a .. k·a+a−1, depending on factor k alone); the other rows depend on ≥ 2 factors (when
 *   K ≥ 2), each factor included with probability `density`. So `checkAnchors(mask).ok` holds.
 * - `anchors: false`: no anchor rows; every row depends on ≥ 2 factors, so no factor has an
 *   anchor (`checkAnchors(mask).missing` lists every factor).
 *
 * Shrinks toward the fewest factors, the fewest features and the sparsest rows.
 *
 * @example
 * ```ts
 * fc.sample(sparseMask({ features: 6, factors: 2, anchorsPerFactor: 2 }), 1)[0];
 * // [[1,0],[1,0],[0,1],[0,1],[1,1],[1,1]]
 * ```
 */
export function sparseMask(options: SparseMaskOptions = {}): fc.Arbitrary<number[][]> {
  const p = planMask(options);
  return fc
    .record({
      factors: fc.integer(p.kr),
      features: fc.integer(p.gr),
      u: fc.array(unit(), { minLength: p.gMax * p.kMax, maxLength: p.gMax * p.kMax }),
    })
    .map((r) => buildMask(p, r.factors, r.features, r.u));
}

/**
 * Whole generating truths (see {@link SparseTruth}): a support from {@link sparseMask}, signed
 * weights with |W| in `weights` on the support, a factor correlation, a link per feature, a
 * noise SD and a sample size. Shrinks toward the fewest factors, features and rows, sparse rows,
 * the smallest |W|, identity links, ρ = min and σ = min.
 *
 * @example
 * ```ts
 * const truths = sparseTruth({ features: 8, factors: 2, n: 600, rho: { min: 0.2, max: 0.5 } });
 * fc.sample(truths, 1)[0].support;
 * ```
 */
export function sparseTruth(options: SparseTruthOptions = {}): fc.Arbitrary<SparseTruth> {
  const p = planMask(options);
  const wr = realRange("weights", options.weights ?? { min: 0.5, max: 2 }, 0);
  if (!(wr.min > 0)) throw new Error(`weights.min must be > 0 (|W| bounded away from 0 on the support), got ${wr.min}`);
  const links = options.links ?? LINKS;
  if (links.length === 0 || links.some((l) => !LINKS.includes(l))) throw new Error(`links must be a non-empty subset of ${LINKS.join(", ")}, got ${JSON.stringify(links)}`);
  const rr = realRange("rho", options.rho ?? { min: 0, max: 0.5 }, 0, 0.99);
  const nr = realRange("noise", options.noise ?? { min: 0.1, max: 0.5 }, 0);
  const sr = range("n", options.n ?? { min: 200, max: 1000 }, 2);
  const cells = p.gMax * p.kMax;
  return fc
    .record({
      factors: fc.integer(p.kr),
      features: fc.integer(p.gr),
      n: fc.integer(sr),
      u: fc.array(unit(), { minLength: cells, maxLength: cells }),
      magnitude: fc.array(shrinkToMin(wr), { minLength: cells, maxLength: cells }),
      negative: fc.array(fc.boolean(), { minLength: cells, maxLength: cells }),
      links: fc.array(fc.constantFrom(...links), { minLength: p.gMax, maxLength: p.gMax }),
      rho: shrinkToMin(rr),
      noise: shrinkToMin(nr),
    })
    .map((r): SparseTruth => {
      const support = buildMask(p, r.factors, r.features, r.u);
      const G = support.length;
      const K = r.factors;
      const weights = support.map((row, j) =>
        row.map((s, k) => (s ? (r.negative[j * p.kMax + k] ? -1 : 1) * r.magnitude[j * p.kMax + k] : 0)),
      );
      return {
        features: G,
        factors: K,
        support,
        weights,
        links: r.links.slice(0, G),
        rho: r.rho,
        noise: r.noise,
        n: r.n,
      };
    });
}

/**
 * Deletes the anchor features (rows that depend on exactly one factor) from a truth: what is left
 * are the mixed features only. Throws when nothing is left.
 *
 * @example
 * ```ts
 * const unanchored = sparseTruth({ features: 10, factors: 2 }).map(removeAnchors);
 * ```
 */
export function removeAnchors(truth: SparseTruth): SparseTruth {
  const keep = truth.support.map((row, j) => (row.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0) === 1 ? -1 : j)).filter((j) => j >= 0);
  if (keep.length === 0) throw new Error("removeAnchors: every feature of this truth is an anchor; nothing is left");
  return {
    ...truth,
    features: keep.length,
    support: keep.map((j) => truth.support[j].slice()),
    weights: keep.map((j) => truth.weights[j].slice()),
    links: keep.map((j) => truth.links[j]),
  };
}

/**
 * The truth as JSON with one matrix row per line, for failure reports. Numbers keep full precision,
 * so `JSON.parse` of the output gives the same truth back.
 *
 * @example
 * ```ts
 * console.log(formatTruth(truth));
 * ```
 */
export function formatTruth(truth: SparseTruth): string {
  const mat = (m: number[][]) => "[\n" + m.map((r) => "    " + JSON.stringify(r)).join(",\n") + "\n  ]";
  return [
    "{",
    `  "features": ${truth.features}, "factors": ${truth.factors}, "n": ${truth.n}, "rho": ${truth.rho}, "noise": ${truth.noise},`,
    `  "links": ${JSON.stringify(truth.links)},`,
    `  "support": ${mat(truth.support)},`,
    `  "weights": ${mat(truth.weights)}`,
    "}",
  ].join("\n");
}
