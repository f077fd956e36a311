/**
 * Exact inference of a capped sparse code under a linear decoder with a Gaussian likelihood, the
 * math of `sdlgm`'s `refine` option (docs/zoo/sdlgm.md, "Inference under the model").
 *
 * The model: a support S (|S| = L, L ~ p(L), the L indices uniform without replacement, so
 * p(S) = p(L = |S|) / C(K, |S|)), slabs v_S ~ N(0, I), and x = c + W_S v_S + σ ε. Given S, x is
 * Gaussian, x ~ N(c, σ² I + W_S W_Sᵀ), so with r = x − c, u = W_Sᵀ r / σ² and the |S| × |S|
 * posterior precision A = I + W_Sᵀ W_S / σ² (Woodbury, the matrix determinant lemma):
 *
 *   log p(x | S) = const − ½ log det A + ½ uᵀ A⁻¹ u,
 *   v_S | x, S ~ N(A⁻¹ u, A⁻¹),
 *
 * the constant (−D/2 log 2πσ² − ‖r‖²/2σ²) the same for every S. {@link supportLogPosterior} scores
 * log p(x | S) + log p(S) up to that constant; {@link refineSupport} climbs it from a proposal (the
 * amortised encoder's support) by single-unit moves (add, drop, swap), taking the best move while
 * one improves: a local mode of the model's own posterior over supports. Nothing here reads the
 * data's truth. Everything runs in float64 on the host: |S| ≤ L0 is small.
 *
 * {@link linearGaussianRefiner} makes it the capped code's `guide.refine` (packages/infer, family
 * `cappedCode`): at evaluation (encode, reconstruct, evaluate; not the validation loss) the guide
 * becomes the point mass on the refined support with the slab's mean-field posterior on it, whose
 * rate is its exact KL under the same prior p(S) ({@link CappedSupportMass}).
 */
import { tf } from "@sparse-dgm/core";
import { CappedSupportMass, type CappedSparseCode } from "@sparse-dgm/distributions";
import type { CappedRefiner, DrawContext } from "@sparse-dgm/infer";

/** One row's problem: the Gram matrix and the correlations with the residual, precomputed. */
export interface SupportProblem {
  /** The code width K. */
  K: number;
  /** The cap L0 (the largest support). */
  maxLevel: number;
  /** Wᵀ W / σ², K × K row-major. */
  gram: Float64Array;
  /** Wᵀ (x − c) / σ², length K. */
  corr: Float64Array;
  /** log p(L = l) − log C(K, l) for l = 1..L0 (index l − 1); −Infinity where the level is impossible. */
  logPriorOfSize: Float64Array;
}

/** The score of a support and the slab's conditional posterior on it. */
export interface SupportFit {
  /** log p(x | S) + log p(S), up to a constant that does not depend on S. */
  score: number;
  /** The posterior mean of v_S, in the order of the support's units. */
  mean: Float64Array;
  /** The diagonal of the posterior precision A (1 / the mean-field variance of each unit). */
  precision: Float64Array;
}

/**
 * log p(L = l) − log C(K, l), l = 1..L0: the log prior of one support of each size under a level prior
 * (log-probabilities, length L0; −Infinity for an impossible level) and uniform indices without
 * replacement.
 */
export function logPriorOfSize(levelLogProbs: ArrayLike<number>, K: number): Float64Array {
  const out = new Float64Array(levelLogProbs.length);
  let logChoose = 0; // log C(K, l), built up l by l
  for (let l = 1; l <= levelLogProbs.length; l++) {
    logChoose += Math.log(K - l + 1) - Math.log(l);
    out[l - 1] = levelLogProbs[l - 1] - logChoose;
  }
  return out;
}

/**
 * The Gram matrix Wᵀ W / σ² of a dictionary W given as [K][D] row-major (`kernel[k * D + d]`, the
 * layout of a dense layer's kernel from K inputs to D outputs).
 */
export function gramOf(kernel: ArrayLike<number>, K: number, D: number, noiseVariance: number): Float64Array {
  const G = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += kernel[a * D + d] * kernel[b * D + d];
      G[a * K + b] = G[b * K + a] = s / noiseVariance;
    }
  }
  return G;
}

/** Wᵀ (x − c) / σ² for one row x (length D, read from `x` at `offset`). */
export function correlationsOf(kernel: ArrayLike<number>, bias: ArrayLike<number>, x: ArrayLike<number>, offset: number, K: number, D: number, noiseVariance: number): Float64Array {
  const u = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += kernel[k * D + d] * (x[offset + d] - bias[d]);
    u[k] = s / noiseVariance;
  }
  return u;
}

/** {@link SupportFit} of the support `units` (distinct, 1 ≤ |S| ≤ L0): a Cholesky factorisation of A. */
export function supportLogPosterior(p: SupportProblem, units: readonly number[]): SupportFit {
  const m = units.length;
  const logPrior = m >= 1 && m <= p.maxLevel ? p.logPriorOfSize[m - 1] : -Infinity;
  if (logPrior === -Infinity) return { score: -Infinity, mean: new Float64Array(m), precision: new Float64Array(m) };
  // A = I + G_S, its Cholesky factor Lc (lower), A = Lc Lcᵀ
  const Lc = new Float64Array(m * m);
  const precision = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = p.gram[units[i] * p.K + units[j]] + (i === j ? 1 : 0);
      if (i === j) precision[i] = s;
      for (let k = 0; k < j; k++) s -= Lc[i * m + k] * Lc[j * m + k];
      Lc[i * m + j] = i === j ? Math.sqrt(s) : s / Lc[j * m + j];
    }
  }
  // y = Lc⁻¹ u_S; uᵀ A⁻¹ u = yᵀ y; the mean A⁻¹ u = Lc⁻ᵀ y
  const y = new Float64Array(m);
  let quad = 0;
  let logDet = 0;
  for (let i = 0; i < m; i++) {
    let s = p.corr[units[i]];
    for (let k = 0; k < i; k++) s -= Lc[i * m + k] * y[k];
    y[i] = s / Lc[i * m + i];
    quad += y[i] * y[i];
    logDet += 2 * Math.log(Lc[i * m + i]);
  }
  const mean = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= Lc[k * m + i] * mean[k];
    mean[i] = s / Lc[i * m + i];
  }
  return { score: 0.5 * quad - 0.5 * logDet + logPrior, mean, precision };
}

/** The result of {@link refineSupport}: the support reached (ascending units), its fit, and the moves taken. */
export interface RefinedSupport extends SupportFit {
  units: number[];
  moves: number;
}

/**
 * Climbs log p(x | S) + log p(S) from the support `start` by single-unit moves (add a unit, drop
 * one, swap one in for one out), each round taking the best move of all, until none improves the
 * score (a local mode: no single move improves it) or `maxMoves` moves were taken. A start outside
 * the prior's support (empty, or of an impossible size) first moves into it.
 */
export function refineSupport(p: SupportProblem, start: readonly number[], maxMoves = 4 * p.maxLevel): RefinedSupport {
  let units = [...new Set(start)].sort((a, b) => a - b);
  let fit = supportLogPosterior(p, units);
  let moves = 0;
  for (; moves < maxMoves; moves++) {
    let best: { units: number[]; fit: SupportFit } | undefined;
    const consider = (cand: number[]) => {
      const f = supportLogPosterior(p, cand);
      if (f.score > (best?.fit.score ?? fit.score) + 1e-9) best = { units: cand, fit: f };
    };
    const inside = new Set(units);
    for (let k = 0; k < p.K; k++) {
      if (inside.has(k)) continue;
      if (units.length < p.maxLevel) consider([...units, k]);
      for (let i = 0; i < units.length; i++) consider(units.map((u, j) => (j === i ? k : u)));
    }
    if (units.length > 1) for (let i = 0; i < units.length; i++) consider(units.filter((_, j) => j !== i));
    if (!best) break;
    units = best.units;
    fit = best.fit;
  }
  const order = units.map((u, i) => [u, i] as const).sort((a, b) => a[0] - b[0]);
  return { units: order.map(([u]) => u), moves, score: fit.score, mean: Float64Array.from(order, ([, i]) => fit.mean[i]), precision: Float64Array.from(order, ([, i]) => fit.precision[i]) };
}

/** Where {@link linearGaussianRefiner} reads the model: the observed site, the decoder's parameters, the noise and the level prior. */
export interface LinearGaussianModel {
  /** The observed site x (its canonical rows are the code's rows, D values each). */
  observed: string;
  /** The dense decoder's kernel [K, D] (or [R, K, D]) and bias [D] (or [R, D]) in the parameter store. */
  kernel: string;
  bias: string;
  /** The Gaussian likelihood's scale σ. */
  noiseScale: number;
  /** The prior's level log-probabilities log p(L = l), l = 1..L0 (−Infinity: impossible), one array per replica (or one for all). */
  levelLogProbs(g: DrawContext): number[][];
  /** The most single-unit moves per row (default 4·L0). */
  maxMoves?: number;
}

/**
 * The capped code's refiner for a linear decoder with a Gaussian likelihood (the model's own
 * posterior mode over supports, {@link refineSupport}, started at the amortised guide's predicted
 * support): the refined guide is the point mass on the support S* ({@link CappedSupportMass}: its
 * prediction and its hard draws are S*), with slab mean the exact conditional posterior mean on S*
 * and scale the mean-field posterior's, 1/√A_kk (elsewhere the prior's 0 and 1). Its rate is the
 * exact KL of that distribution, −log p(L*) + log C(K, L*) + the slab's KL: the prior p(S) the
 * search scores. Before the decoder exists (a probe before the first training step) the amortised
 * guide is returned.
 */
export function linearGaussianRefiner(m: LinearGaussianModel): CappedRefiner {
  return {
    name: "posterior mode of the support under the linear-Gaussian decoder (local search from the amortised support)",
    refine(q: CappedSparseCode, g: DrawContext): CappedSparseCode {
      if (!q.hasSlab()) throw new Error(`refine: the capped code has no slab (a binary code); the linear-Gaussian refinement needs z = b ⊙ v`);
      if (!q.withoutReplacement) throw new Error(`refine: the support prior p(S) = p(L) / C(K, L) holds for indices drawn without replacement; this code draws them with replacement`);
      if (!g.params.has(m.kernel)) {
        if (g.step === 0) return q; // no decoder yet: nothing to infer under
        throw new Error(`refine: no decoder parameter "${m.kernel}" after ${g.step} steps`);
      }
      const R = g.replicas ?? 1;
      const [K, L0] = [q.width, q.maxLevel];
      const W = g.params.get(m.kernel).dataSync();
      const c = g.params.get(m.bias).dataSync();
      const D = W.length / (R * K);
      if (!Number.isInteger(D) || c.length !== R * D)
        throw new Error(`refine: "${m.kernel}" (${W.length} values) and "${m.bias}" (${c.length}) are not a dense layer from K = ${K} to D features over ${R} replica(s)`);
      const xt = g.observed[m.observed];
      if (!xt) throw new Error(`refine: no observed data for site "${m.observed}"`);
      const x = xt.dataSync();
      const rows = q.batchShape.reduce((a, b) => a * b, 1);
      if (x.length !== rows * D) throw new Error(`refine: ${x.length} observed values for ${rows} code rows of ${D} features`);
      const perReplica = rows / R;
      const pred = q.predict();
      const start = pred.support.dataSync();
      tf.dispose([pred.z, pred.support, pred.level]);
      const priors = m.levelLogProbs(g);
      const s2 = m.noiseScale * m.noiseScale;
      const [sup, loc, scale] = [new Float32Array(rows * K), new Float32Array(rows * K), new Float32Array(rows * K).fill(1)];
      for (let r = 0; r < R; r++) {
        const kr = W.subarray(r * K * D, (r + 1) * K * D);
        const cr = c.subarray(r * D, (r + 1) * D);
        const prior = priors[Math.min(r, priors.length - 1)];
        if (prior.length !== L0) throw new Error(`refine: the level prior has ${prior.length} levels, the code ${L0}`);
        const base = { K, maxLevel: L0, gram: gramOf(kr, K, D, s2), logPriorOfSize: logPriorOfSize(prior, K) };
        for (let i = r * perReplica; i < (r + 1) * perReplica; i++) {
          const units: number[] = [];
          for (let k = 0; k < K; k++) if (start[i * K + k] > 0.5) units.push(k);
          const best = refineSupport({ ...base, corr: correlationsOf(kr, cr, x, i * D, K, D, s2) }, units, m.maxMoves);
          if (best.score === -Infinity) throw new Error(`refine: no support of a possible size (level prior ${prior.join(", ")})`);
          best.units.forEach((k, j) => {
            sup[i * K + k] = 1;
            loc[i * K + k] = best.mean[j];
            scale[i * K + k] = 1 / Math.sqrt(best.precision[j]);
          });
        }
      }
      const shape = q.batchShape;
      return new CappedSupportMass({
        support: tf.tensor(sup, [...shape, K]),
        maxLevel: L0,
        loc: tf.tensor(loc, [...shape, K]),
        scale: tf.tensor(scale, [...shape, K]),
        levelTemperature: q.levelTemperature,
        indexTemperature: q.indexTemperature,
        straightThrough: q.straightThrough,
        ...(q.hardness !== undefined ? { hardness: q.hardness } : {}),
      });
    },
  };
}
