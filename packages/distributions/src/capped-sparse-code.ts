/**
 * SDLGM's cardinality-capped two-stage sparse code ("Learning Sparsity of Representations with
 * Discrete Latent Variables", Xu et al. 2023; reconstructed in specs/sdlgm.md §1-2):
 *
 *   L ~ Cat(π) on {1, …, L0}                      (the sparsity level)
 *   c_l ~ Cat(ρ) on {1, …, K}, l = 1..L0            (the selected dimensions)
 *   b = OR_{l ≤ L} onehot(c_l)                      (support; |b| ≤ L ≤ L0 by construction)
 *   z = b ⊙ v, v ~ N(loc, scale²)   or   z = b (binary codes)
 *
 * Sampling uses two Gumbel-Softmax relaxations (Jang et al. 2017): a relaxed level ℓ̃ gives the
 * length mask m_l = Σ_{l' ≥ l} ℓ̃_{l'}; the indices are either drawn without replacement
 * (default: Gumbel-top-k on ρ with the relaxed top-k of Xie & Ermon 2019, successive masked
 * softmaxes, so |b| = L exactly in the hard forward pass) or iid with replacement; the support is the
 * soft OR b̃ = 1 − Π_l (1 − m_l c̃_l). `straightThrough` makes the forward pass hard (one-hot level,
 * one-hot indices, exact 0/1 support) with the soft backward pass.
 *
 * A relaxation: no density (`logProb` throws). KL(q ‖ p) is registered in closed form:
 * KL_cat(level) + Σ_l P_q(L ≥ l) KL_cat(index) + KL_normal(slab), the spec's ELBO terms.
 *
 * @example
 * ```ts
 * const q = cappedSparseCode({ levelLogits: hL, indexLogits: hK, loc: mu, scale: sigma, straightThrough: true });
 * const { z, support, level } = q.sampleWithSupport(key);     // support.sum(-1) == level
 * const rate = kl(q, cappedSparseCode({ levelLogits: tf.zeros([L0]), indexLogits: tf.zeros([K]), loc: tf.zeros([K]), scale: 1 }));
 * ```
 */
import { tf, broadcast, Key } from "@sparse-dgm/core";
import { Distribution, type Param, asTensor, broadcastShapes, shapeOf, checkParams } from "./distribution.js";
import { real, positive } from "./constraints.js";
import { registerKL } from "./kl.js";
import { straightThroughGrad } from "./relaxed-bernoulli.js";

/** Floor of 1 − c̃ inside the masked softmaxes' logs. */
const MASK_EPS = 1e-20;

/** Options of {@link CappedSparseCode}. */
export interface CappedSparseCodeOptions {
  /** Logits of the level L ∈ {1..L0}: [..., L0]. */
  levelLogits: tf.Tensor;
  /** Logits of the selected index: [..., K] (shared across the L0 positions). */
  indexLogits: tf.Tensor;
  /** Slab mean [..., K]; omit both `loc` and `scale` for binary codes z = b. */
  loc?: tf.Tensor;
  /** Slab standard deviation (> 0), broadcasting against [..., K]. */
  scale?: Param;
  /** Gumbel-Softmax temperature of the level (number or scalar tensor). Default 1. */
  levelTemperature?: Param;
  /** Gumbel-Softmax temperature of the indices (number or scalar tensor). Default 1. */
  indexTemperature?: Param;
  /** Hard forward (one-hot level and indices, 0/1 support), soft backward. Default false. */
  straightThrough?: boolean;
  /**
   * The share h ∈ [0, 1] of the hard forward pass when `straightThrough` is false (number or scalar
   * tensor, e.g. a per-step schedule input): the draws are (1 − h)·soft + h·hard with the soft
   * backward pass, so h = 0 is the relaxed draw and h = 1 the straight-through one. Default 0.
   */
  hardness?: Param;
  /** Draw the L0 indices without replacement (Gumbel-top-k), so |b| = L exactly. Default true. */
  withoutReplacement?: boolean;
}

/** A draw with its discrete structure. */
export interface CappedSparseDraw {
  /** The code z = b ⊙ v (or b): [...sample, ...batch, K]. */
  z: tf.Tensor;
  /** The (relaxed or hard) support b: [...sample, ...batch, K]. */
  support: tf.Tensor;
  /** The sampled level L ∈ {1..L0} (the argmax of the perturbed level logits), float32: [...sample, ...batch]. */
  level: tf.Tensor;
  /** The (relaxed or hard) one-hot level: [...sample, ...batch, L0]. */
  levelOneHot: tf.Tensor;
  /** The (relaxed or hard) one-hot indices, one row per position: [...sample, ...batch, L0, K]. */
  indices: tf.Tensor;
}

/** One-hot over a new last axis of size `depth` (any depth >= 1, unlike tf.oneHot), float32. */
function oneHotAny(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.equal(tf.expandDims(indices, -1), tf.range(0, depth, 1, "int32")), "float32");
}

function lastDim(t: tf.Tensor, what: string): number {
  if (t.rank < 1) throw new Error(`CappedSparseCode: ${what} needs a trailing axis (rank >= 1)`);
  return t.shape[t.rank - 1];
}

function scalarParam(p: Param | undefined, name: string): tf.Tensor {
  const t = asTensor(p ?? 1);
  if (t.rank !== 0) throw new Error(`CappedSparseCode: ${name} must be a number or a scalar tensor, got shape [${t.shape.join(", ")}]`);
  return t;
}

/**
 * SDLGM's cardinality-capped code (Xu et al. 2023, reconstructed). Reparameterised (relaxed);
 * `isRelaxed`; no density.
 *
 * @example
 * ```ts
 * const d = new CappedSparseCode({ levelLogits: tf.zeros([3]), indexLogits: tf.zeros([10]), straightThrough: true });
 * d.sample(key, [5]);          // [5, 10], at most 3 ones per row
 * ```
 */
export class CappedSparseCode extends Distribution {
  readonly kind: string = "CappedSparseCode";
  readonly support = real;
  readonly hasRsample = true;
  override readonly isRelaxed = true;
  readonly batchShape: number[];
  override readonly eventShape: number[];
  /** Normalised level log-probabilities [..., L0]. */
  readonly levelLogits: tf.Tensor;
  /** Normalised index log-probabilities [..., K]. */
  readonly indexLogits: tf.Tensor;
  /** Slab mean, or undefined for binary codes. */
  readonly loc?: tf.Tensor;
  /** Slab standard deviation, or undefined for binary codes. */
  readonly scale?: tf.Tensor;
  readonly levelTemperature: tf.Tensor;
  readonly indexTemperature: tf.Tensor;
  readonly straightThrough: boolean;
  /** The share of the hard forward pass (undefined: none, or all of it with `straightThrough`). */
  readonly hardness?: tf.Tensor;
  readonly withoutReplacement: boolean;
  /** The cap L0. */
  readonly maxLevel: number;
  /** The code width K. */
  readonly width: number;
  private readonly raw: Record<string, Param | boolean>;

  constructor(options: CappedSparseCodeOptions) {
    super();
    const { levelLogits, indexLogits, loc, scale } = options;
    this.maxLevel = lastDim(levelLogits, "levelLogits");
    this.width = lastDim(indexLogits, "indexLogits");
    if (this.maxLevel > this.width) {
      throw new Error(`CappedSparseCode: the cap L0 = ${this.maxLevel} (levelLogits' last axis) exceeds the width K = ${this.width}`);
    }
    if ((loc === undefined) !== (scale === undefined)) throw new Error("CappedSparseCode: give both loc and scale (slab codes) or neither (binary codes)");
    checkParams("CappedSparseCode", {
      scale: [scale, positive],
      levelTemperature: [options.levelTemperature, positive],
      indexTemperature: [options.indexTemperature, positive],
    });
    this.levelTemperature = scalarParam(options.levelTemperature, "levelTemperature");
    this.indexTemperature = scalarParam(options.indexTemperature, "indexTemperature");
    this.straightThrough = options.straightThrough ?? false;
    if (options.hardness !== undefined && !this.straightThrough) {
      if (typeof options.hardness === "number" && !(options.hardness >= 0 && options.hardness <= 1)) {
        throw new Error(`CappedSparseCode: hardness must be in [0, 1], got ${options.hardness}`);
      }
      if (typeof options.hardness !== "number" || options.hardness > 0) this.hardness = scalarParam(options.hardness, "hardness");
    }
    this.withoutReplacement = options.withoutReplacement ?? true;
    this.levelLogits = tf.tidy(() => tf.logSoftmax(levelLogits));
    this.indexLogits = tf.tidy(() => tf.logSoftmax(indexLogits));
    const shapes = [levelLogits.shape.slice(0, -1), indexLogits.shape.slice(0, -1)];
    if (loc !== undefined) {
      if (lastDim(loc, "loc") !== this.width) throw new Error(`CappedSparseCode: loc's last axis must be K = ${this.width}, got ${loc.shape[loc.rank - 1]}`);
      this.loc = loc;
      this.scale = asTensor(scale!);
      const ss = shapeOf(scale!);
      shapes.push(loc.shape.slice(0, -1), ss.length > 0 ? ss.slice(0, -1) : []);
      broadcastShapes(loc.shape, ss, [this.width]);
    }
    this.batchShape = broadcastShapes(...shapes);
    this.eventShape = [this.width];
    this.raw = {
      levelLogits,
      indexLogits,
      levelTemperature: options.levelTemperature ?? 1,
      indexTemperature: options.indexTemperature ?? 1,
      straightThrough: this.straightThrough,
      ...(this.hardness !== undefined ? { hardness: this.hardness } : {}),
      withoutReplacement: this.withoutReplacement,
      ...(loc !== undefined ? { loc, scale: scale! } : {}),
    };
  }

  params() {
    const p: Record<string, tf.Tensor> = {
      levelLogits: this.levelLogits,
      indexLogits: this.indexLogits,
      levelTemperature: this.levelTemperature,
      indexTemperature: this.indexTemperature,
    };
    if (this.loc) {
      p.loc = this.loc;
      p.scale = this.scale!;
    }
    return p;
  }

  protected override rawParams() {
    return { ...this.raw };
  }

  /** Whether the code has real-valued slabs (z = b ⊙ v) rather than binary values (z = b). */
  hasSlab(): boolean {
    return this.loc !== undefined;
  }

  /** Never evaluated: throws. Relaxed densities are never used; use the registered analytic KL. */
  logProb(_z: tf.Tensor): tf.Tensor {
    throw new Error(
      "CappedSparseCode.logProb: relaxed densities are never evaluated; use the analytic KL, kl(q, p), between two CappedSparseCode distributions",
    );
  }

  /** The level's probabilities P_q(L = l), l = 1..L0: [..., L0]. */
  levelProbs(): tf.Tensor {
    return tf.exp(this.levelLogits);
  }

  /** P_q(L ≥ l), l = 1..L0: [..., L0]. */
  levelSurvival(): tf.Tensor {
    return tf.tidy(() => tf.cumsum(this.levelProbs(), this.levelLogits.rank - 1, false, true));
  }

  /**
   * A draw with its support, level and indices. `key` may be one key per replica (an array whose
   * length is the first batch axis, with no `sampleShape`): replica r's noise then comes from
   * `key[r]` alone, so R replicas trained as one program draw R independent streams.
   */
  sampleWithSupport(key: Key | readonly Key[], sampleShape: number[] = []): CappedSparseDraw {
    const full = [...sampleShape, ...this.batchShape];
    const L0 = this.maxLevel;
    const K = this.width;
    const noise = (draw: (k: Key, shape: number[]) => tf.Tensor, which: number, tail: number[]): tf.Tensor => {
      if (!Array.isArray(key)) return draw((key as Key).split(3)[which], [...full, ...tail]);
      const keys = key as readonly Key[];
      if (sampleShape.length || this.batchShape[0] !== keys.length) {
        throw new Error(`CappedSparseCode: ${keys.length} replica keys need a first batch axis of ${keys.length} and no sample shape (batch [${this.batchShape.join(", ")}], sample [${sampleShape.join(", ")}])`);
      }
      const parts = keys.map((k) => draw(k.split(3)[which], [...full.slice(1), ...tail]));
      const out = tf.stack(parts);
      tf.dispose(parts);
      return out;
    };
    const gLevel = noise((k, s) => k.gumbel(s), 0, [L0]);
    const gIndex = noise((k, s) => k.gumbel(s), 1, this.withoutReplacement ? [K] : [L0, K]);
    const eps = this.loc ? noise((k, s) => k.normal(s), 2, [K]) : undefined;
    const out = tf.tidy(() => {
      // Level: Gumbel-Softmax over {1..L0}.
      const levelScores = tf.add(this.levelLogits, gLevel);
      const levelSoft = tf.softmax(tf.div(levelScores, this.levelTemperature));
      const levelOneHot = this.hardOr(levelSoft, (_s, sc) => oneHotAny(tf.argMax(sc, -1), L0), levelScores);
      const level = tf.add(tf.cast(tf.argMax(levelScores, -1), "float32"), 1);
      // Length mask m_l = P(L >= l) under the (relaxed) one-hot level, clipped to [0, 1]: a float32
      // cumsum of a softmax can exceed 1 by an ulp, and 1 − m·c < 0 would push the soft OR out of [0, 1]
      const mask = tf.clipByValue(tf.cumsum(levelOneHot, levelOneHot.rank - 1, false, true), 0, 1);

      // Indices: [..., L0, K].
      let indices: tf.Tensor;
      if (this.withoutReplacement) {
        const scores = tf.add(this.indexLogits, gIndex); // [..., K]
        const rows: tf.Tensor[] = [];
        let alpha = scores;
        for (let l = 0; l < L0; l++) {
          const c = tf.softmax(tf.div(alpha, this.indexTemperature));
          rows.push(c);
          if (l + 1 < L0) alpha = tf.add(alpha, tf.log(tf.maximum(tf.sub(1, c), MASK_EPS)));
        }
        const soft = tf.stack(rows, scores.rank - 1);
        indices = this.hardOr(soft, (_s, sc) => oneHotAny(tf.topk(sc, L0).indices, K), scores);
      } else {
        const scores = tf.add(tf.expandDims(this.indexLogits, -2), gIndex); // [..., L0, K]
        const soft = tf.softmax(tf.div(scores, this.indexTemperature));
        indices = this.hardOr(soft, (_s, sc) => oneHotAny(tf.argMax(sc, -1), K), scores);
      }

      // Support: soft OR, b = 1 - prod_l (1 - m_l c_l).
      // (slices, not tf.unstack or tf.gather: TF.js's Unpack gradient fails when one piece gets no
      // gradient, and gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks)
      let none: tf.Tensor = tf.ones([...full, K]);
      for (let l = 0; l < L0; l++) {
        const m = tf.slice(mask, [...full.map(() => 0), l], [...full, 1]); // [..., 1]
        const pick = tf.reshape(tf.slice(indices, [...full.map(() => 0), l, 0], [...full, 1, K]), [...full, K]);
        none = tf.mul(none, tf.sub(1, tf.mul(m, pick)));
      }
      const support = tf.sub(1, none);
      const z = eps ? tf.mul(support, tf.add(this.loc!, tf.mul(this.scale!, eps))) : tf.clone(support);
      return { z, support, level, levelOneHot, indices };
    });
    gLevel.dispose();
    gIndex.dispose();
    eps?.dispose();
    return out;
  }

  /**
   * The relaxed draw `soft`, its hard version `hard(soft, scores)` with the soft backward pass
   * (straight-through), or the mix (1 − h)·soft + h·hard with `hardness` h (the backward pass goes
   * through the relaxed draw, as straight-through does).
   */
  private hardOr(soft: tf.Tensor, hard: (soft: tf.Tensor, scores: tf.Tensor) => tf.Tensor, scores: tf.Tensor): tf.Tensor {
    if (this.straightThrough) return straightThroughGrad(soft, hard, scores);
    if (this.hardness === undefined) return soft;
    const h = this.hardness;
    return tf.add(tf.mul(tf.sub(1, h), soft), tf.mul(h, straightThroughGrad(soft, hard, scores)));
  }

  /**
   * The deterministic prediction (specs/sdlgm.md §1, supervised variant): L̂ = argmax_l q(L = l),
   * the support b̂ = the top-L̂ entries of the index logits (|b̂| = L̂ ≤ L0 exactly), and the code
   * ẑ = b̂ ⊙ loc (or b̂ for binary codes). Batch-shaped [..., K] (level [...]); no noise, no gradient.
   */
  predict(): { z: tf.Tensor; support: tf.Tensor; level: tf.Tensor } {
    return tf.tidy(() => {
      const L0 = this.maxLevel;
      const K = this.width;
      const level = tf.add(tf.argMax(this.levelLogits, -1), 1); // int32, [...]
      const ranks = tf.topk(broadcast(this.indexLogits, [...this.batchShape, K]), L0).indices; // [..., L0]
      const picks = oneHotAny(ranks, K); // [..., L0, K]
      const within = tf.cast(tf.less(tf.range(0, L0, 1, "int32"), tf.expandDims(level, -1)), "float32"); // [..., L0]
      const support = tf.minimum(tf.sum(tf.mul(picks, tf.expandDims(within, -1)), -2), 1);
      const z = this.loc ? tf.mul(support, broadcast(this.loc, [...this.batchShape, K])) : support;
      return { z, support, level: tf.cast(level, "float32") };
    });
  }

  /** The code z = b ⊙ v (or b): [...sampleShape, ...batchShape, K]. */
  sample(key: Key, sampleShape: number[] = []): tf.Tensor {
    const d = this.sampleWithSupport(key, sampleShape);
    tf.dispose([d.support, d.level, d.levelOneHot, d.indices]);
    return d.z;
  }
}

/**
 * Factory: `cappedSparseCode({ levelLogits, indexLogits, loc?, scale?, ... })` (SDLGM, Xu et al. 2023, reconstructed).
 *
 * @example
 * ```ts
 * const prior = cappedSparseCode({ levelLogits: tf.zeros([5]), indexLogits: tf.zeros([50]), loc: tf.zeros([50]), scale: 1 });
 * ```
 */
export function cappedSparseCode(options: CappedSparseCodeOptions): CappedSparseCode {
  return new CappedSparseCode(options);
}

/** The log-probability given to the excluded levels of a fixed level: finite, so every KL stays finite (exp underflows to exactly 0). */
const EXCLUDED_LEVEL = -1e4;

/**
 * Level logits that put all the mass on one level (a fixed top-k code, k = `level`): 0 at `level`,
 * −1e4 elsewhere (finite, so KLs against it stay finite), broadcast to `[...batchShape, L0]`.
 *
 * @example
 * ```ts
 * cappedFixedLevel(5, 5);              // [-1e4, -1e4, -1e4, -1e4, 0]: L = 5 always
 * ```
 */
export function cappedFixedLevel(level: number, maxLevel: number, batchShape: number[] = []): tf.Tensor {
  if (!Number.isInteger(level) || level < 1 || level > maxLevel) throw new Error(`cappedFixedLevel: level must be an integer in [1, ${maxLevel}], got ${level}`);
  return tf.tidy(() => {
    const row = tf.tensor1d(Array.from({ length: maxLevel }, (_, l) => (l + 1 === level ? 0 : EXCLUDED_LEVEL)));
    return batchShape.length ? broadcast(row, [...batchShape, maxLevel]) : row;
  });
}

/** Σ_last exp(a) (a − b): KL between categoricals given normalised log-probabilities. */
function categoricalKL(qLog: tf.Tensor, pLog: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(tf.exp(qLog), tf.sub(qLog, pLog)), -1);
}

/** Σ_k KL(N(q.loc_k, q.scale_k²) ‖ N(p.loc_k, p.scale_k²)) over the last axis (the slab's part of every capped code's KL). */
function slabKL(q: CappedSparseCode, p: CappedSparseCode): tf.Tensor {
  const r = tf.div(q.scale!, p.scale!);
  const d = tf.div(tf.sub(q.loc!, p.loc!), p.scale!);
  const nkl = tf.mul(0.5, tf.sub(tf.add(tf.square(r), tf.square(d)), tf.add(1, tf.mul(2, tf.log(r)))));
  return tf.sum(broadcast(nkl, broadcastShapes(nkl.shape, [q.width])), -1);
}

/**
 * KL(q ‖ p) between two capped sparse codes (sdlgm.md §2):
 * KL_cat(level) + Σ_l P_q(L ≥ l) KL_cat(index) + Σ_k KL_normal(slab_k).
 * The index term is the spec's factorisation (L0 iid positions, the first L counted); batch-shaped.
 * It is the exact KL of the (level, ordered indices, slab) draws when both codes draw their indices
 * iid (with replacement); for indices drawn without replacement (the default) it is the spec's
 * approximation, not a bound: for a point mass on a support S of size L under uniform prior
 * indices its index term is L·log(K/L), below the exact log C(K, L). Training keeps it (the spec's
 * ELBO); {@link CappedSupportMass} carries the exact KL of a point mass on a support.
 *
 * @example
 * ```ts
 * cappedSparseCodeKL(q, p);        // same as kl(q, p)
 * ```
 */
export function cappedSparseCodeKL(q: CappedSparseCode, p: CappedSparseCode): tf.Tensor {
  if (q.maxLevel !== p.maxLevel || q.width !== p.width) {
    throw new Error(`KL(CappedSparseCode || CappedSparseCode): caps/widths differ (L0 ${q.maxLevel} vs ${p.maxLevel}, K ${q.width} vs ${p.width})`);
  }
  if (q.hasSlab() !== p.hasSlab()) {
    throw new Error("KL(CappedSparseCode || CappedSparseCode): one has real-valued slabs and the other binary codes");
  }
  return tf.tidy(() => {
    const levelKL = categoricalKL(q.levelLogits, p.levelLogits);
    const ranks = tf.range(1, q.maxLevel + 1);
    const expectedLevel = tf.sum(tf.mul(q.levelProbs(), ranks), -1); // Σ_l P(L ≥ l) = E[L]
    let out = tf.add(levelKL, tf.mul(expectedLevel, categoricalKL(q.indexLogits, p.indexLogits)));
    if (q.hasSlab()) out = tf.add(out, slabKL(q, p));
    return broadcast(out, broadcastShapes(q.batchShape, p.batchShape, out.shape));
  });
}

registerKL("CappedSparseCode", "CappedSparseCode", cappedSparseCodeKL);

/** The log-probability a {@link CappedSupportMass} gives a level or an index outside its point mass (its draws' representation; its KL treats the mass as exact). */
const OFF_MASS = -50;

/** Options of {@link CappedSupportMass}. */
export interface CappedSupportMassOptions {
  /** The support S of each row, 0/1: [..., K], with 1 ≤ |S| ≤ `maxLevel` in every row. */
  support: tf.Tensor;
  /** The cap L0. */
  maxLevel: number;
  /** Slab mean [..., K] (read on S; elsewhere give the prior's); omit both `loc` and `scale` for binary codes. */
  loc?: tf.Tensor;
  /** Slab standard deviation [..., K] (> 0). */
  scale?: tf.Tensor;
  /** As in {@link CappedSparseCodeOptions}: how the (hard) draws are relaxed. */
  levelTemperature?: Param;
  indexTemperature?: Param;
  straightThrough?: boolean;
  hardness?: Param;
}

/**
 * A capped code that knows its support: the point mass on the level L = |S| and on the support S
 * (its L indices drawn without replacement, so in uniformly random order), with a Gaussian slab.
 * As a {@link CappedSparseCode} it predicts S and its hard draws are S (levels and indices outside
 * the mass have log-probability −50 in its logits); its registered KL against a capped code whose
 * indices are uniform and drawn without replacement is the exact one (kind `CappedSupportMass`):
 *
 *   KL = −log p(L = |S|) + log C(K, |S|) + Σ_k KL_normal(slab_k),
 *
 * since p(S) = p(L = |S|) / C(K, |S|) (and on the ordered draws q = 1/L!, p = p(L) (K − L)!/K!).
 * The registered KL of a plain capped code charges L·log(K/L) for the same support.
 *
 * @example
 * ```ts
 * const q = new CappedSupportMass({ support: tf.tensor2d([[0, 1, 0, 1, 0]]), maxLevel: 3 });
 * kl(q, prior);            // −log p(L = 2) + log C(5, 2) (binary codes)
 * ```
 */
export class CappedSupportMass extends CappedSparseCode {
  override readonly kind: string = "CappedSupportMass";
  /** The support, 0/1 [..., K]. */
  readonly supportMask: tf.Tensor;
  /** |S| per row, float32 [...]. */
  readonly level: tf.Tensor;

  constructor(o: CappedSupportMassOptions) {
    const K = lastDim(o.support, "support");
    const L0 = o.maxLevel;
    if (!(Number.isInteger(L0) && L0 >= 1 && L0 <= K)) throw new Error(`CappedSupportMass: maxLevel must be an integer in [1, K = ${K}], got ${L0}`);
    const counts = tf.tidy(() => tf.sum(o.support, -1));
    const c = counts.dataSync();
    const bad = c.findIndex((v) => !(Number.isInteger(v) && v >= 1 && v <= L0));
    if (bad >= 0) {
      counts.dispose();
      throw new Error(`CappedSupportMass: row ${bad} has a support of ${c[bad]} units; every row needs 1..${L0} (0/1 values)`);
    }
    const [levelLogits, indexLogits] = tf.tidy(() => {
      const shape = [...counts.shape, L0];
      const at = broadcast(tf.equal(tf.expandDims(counts, -1), tf.range(1, L0 + 1)), shape);
      return [tf.where(at, tf.zeros(shape), tf.fill(shape, OFF_MASS)), tf.where(tf.greater(o.support, 0.5), tf.zeros(o.support.shape), tf.fill(o.support.shape, OFF_MASS))];
    });
    super({
      levelLogits,
      indexLogits,
      ...(o.loc !== undefined ? { loc: o.loc, scale: o.scale! } : {}),
      ...(o.levelTemperature !== undefined ? { levelTemperature: o.levelTemperature } : {}),
      ...(o.indexTemperature !== undefined ? { indexTemperature: o.indexTemperature } : {}),
      ...(o.straightThrough !== undefined ? { straightThrough: o.straightThrough } : {}),
      ...(o.hardness !== undefined ? { hardness: o.hardness } : {}),
      withoutReplacement: true,
    });
    this.supportMask = o.support;
    this.level = counts;
  }
}

/**
 * The exact KL(q ‖ p) of a point mass on a support (q a {@link CappedSupportMass}) against a capped
 * code whose indices are uniform and drawn without replacement: −log p(L = |S|) + log C(K, |S|) +
 * the slab's KL; batch-shaped. Refuses (naming the reason) a prior with replacement or non-uniform
 * index logits, where p(S) has no such closed form.
 */
export function cappedSupportMassKL(q: CappedSupportMass, p: CappedSparseCode): tf.Tensor {
  if (q.maxLevel !== p.maxLevel || q.width !== p.width) {
    throw new Error(`KL(CappedSupportMass || CappedSparseCode): caps/widths differ (L0 ${q.maxLevel} vs ${p.maxLevel}, K ${q.width} vs ${p.width})`);
  }
  if (q.hasSlab() !== p.hasSlab()) throw new Error("KL(CappedSupportMass || CappedSparseCode): one has real-valued slabs and the other binary codes");
  if (!p.withoutReplacement) throw new Error("KL(CappedSupportMass || CappedSparseCode): the prior draws its indices with replacement; the exact KL of a support needs indices drawn without replacement");
  const spread = tf.tidy(() => tf.sub(tf.max(p.indexLogits), tf.min(p.indexLogits)).dataSync()[0]);
  if (!(spread < 1e-6)) throw new Error(`KL(CappedSupportMass || CappedSparseCode): the prior's index logits are not uniform (spread ${spread}); p(S) = p(L) / C(K, L) needs uniform indices`);
  return tf.tidy(() => {
    const K = q.width;
    const logChoose: number[] = [];
    for (let l = 1, acc = 0; l <= q.maxLevel; l++) logChoose.push((acc += Math.log(K - l + 1) - Math.log(l)));
    const at = tf.equal(tf.expandDims(q.level, -1), tf.range(1, q.maxLevel + 1)); // [..., L0], one true per row
    const pLevel = broadcast(p.levelLogits, broadcastShapes(at.shape, p.levelLogits.shape));
    const perLevel = tf.sub(tf.tensor1d(logChoose), pLevel);
    let out = tf.sum(tf.where(broadcast(at, perLevel.shape), perLevel, tf.zerosLike(perLevel)), -1);
    if (q.hasSlab()) out = tf.add(out, slabKL(q, p));
    return broadcast(out, broadcastShapes(q.batchShape, p.batchShape, out.shape));
  });
}

registerKL("CappedSupportMass", "CappedSparseCode", cappedSupportMassKL);
// No registerDistribution case: the generic suites evaluate logProb, which a relaxed code must not have.
