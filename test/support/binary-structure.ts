/**
 * Learned binary structure (issue 19): x = (M ⊙ A) z + ε with M a binary (feature × factor) mask,
 * A real loadings, z ~ N(0, I_K), ε ~ N(0, noise²). Each factor has two anchor features (rows 2k,
 * 2k + 1 load on factor k alone, so the pattern is identifiable up to a column permutation); every
 * other feature loads on a random pair of factors. |A| ~ U(0.5, 1.5) with a random sign.
 * `binaryMaskModel` is the matching DSL model; `patternScore` scores a learned pattern against the
 * truth after the best column permutation.
 */
import { tf, Key, model, type EstimatorSpec, type FullRankGuideOptions, type ScheduleLike } from "@sparse-dgm/core";
import { normal, bernoulli } from "@sparse-dgm/distributions";

export interface BinaryStructure {
  /** The true mask, G × K (0/1). */
  mask: number[][];
  /** Loadings (M ⊙ A), G × K. */
  loadings: number[][];
  /** Data [N, G]. */
  x: tf.Tensor2D;
}

/** Draws one truth and its data from `seed`. */
export function binaryStructure(seed: number, o: { G?: number; K?: number; N?: number; noise?: number } = {}): BinaryStructure {
  const G = o.G ?? 10;
  const K = o.K ?? 3;
  const N = o.N ?? 2000;
  const noise = o.noise ?? 0.3;
  const key = Key.of(seed).foldIn("binary-structure");
  // the pairs of factors, in a seeded order, then all factors: every overlap appears
  const pairs: number[][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) pairs.push([a, b]);
  const u = key.foldIn("pattern").uniformArray(pairs.length);
  const order = pairs.map((p, i) => ({ p, u: u[i] })).sort((x, y) => x.u - y.u).map((x) => x.p);
  const mask = Array.from({ length: G }, (_, j) => {
    if (j < 2 * K) return Array.from({ length: K }, (_, k) => (k === Math.floor(j / 2) ? 1 : 0));
    const r = j - 2 * K;
    return Array.from({ length: K }, (_, k) => (r < order.length ? (order[r].includes(k) ? 1 : 0) : 1));
  });
  const mag = key.foldIn("loadings").uniformArray(G * K);
  const sign = key.foldIn("signs").uniformArray(G * K);
  const loadings = mask.map((row, j) => row.map((m, k) => m * (0.5 + mag[j * K + k]) * (sign[j * K + k] < 0.5 ? -1 : 1)));
  const x = tf.tidy(() => {
    const z = tf.tensor2d(Float32Array.from(key.foldIn("z").normalArray(N * K)), [N, K]);
    const eps = tf.tensor2d(Float32Array.from(key.foldIn("noise").normalArray(N * G)), [N, G]);
    return tf.add(tf.matMul(z, tf.tensor2d(loadings), false, true), tf.mul(eps, noise)) as tf.Tensor2D;
  });
  return { mask, loadings, x };
}

/**
 * x = (M ⊙ A) z + ε in the DSL: A a point-estimated N(0, 1) global, M a global binary mask with a
 * Bernoulli(prior) prior (default 0.1), the given estimator and an optional `priorWeight` schedule;
 * z's guide is the default mean-field Normal, or the full-rank one with `guide: { kind: "fullRank" }`.
 */
export function binaryMaskModel(G: number, K: number, estimator: Exclude<EstimatorSpec, { kind: "map-em" }>, o: { prior?: number; noise?: number; priorWeight?: ScheduleLike; guide?: FullRankGuideOptions } = {}) {
  const noise = o.noise ?? 0.3;
  return model("binary-structure")
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .global("A", () => normal(0, 1), { plates: ["feature", "factor"], init: "standardNormal" })
    .mask("M", () => bernoulli({ probs: o.prior ?? 0.1 }), { rows: "feature", cols: "factor", valueType: "binary", estimator, ...(o.priorWeight !== undefined ? { priorWeight: o.priorWeight } : {}) })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], ...(o.guide ? { guide: o.guide } : {}) })
    .observe("x", ({ z, A, M }) => normal(tf.sum(tf.mul(tf.mul(M, A), z), -1, true), noise), { plates: ["data", "feature"] });
}

/** Precision and recall of `estimate` (0/1, G × K) against `truth` after the best column permutation. */
export function patternScore(estimate: number[][], truth: number[][]): { precision: number; recall: number; permutation: number[] } {
  const K = truth[0].length;
  const perms = permutations(Array.from({ length: K }, (_, i) => i));
  let best = { tp: -1, permutation: perms[0] };
  for (const p of perms) {
    let tp = 0;
    truth.forEach((row, j) => row.forEach((t, k) => (tp += t && estimate[j][p[k]] ? 1 : 0)));
    if (tp > best.tp) best = { tp, permutation: p };
  }
  const predicted = estimate.flat().reduce((a, b) => a + b, 0);
  const actual = truth.flat().reduce((a, b) => a + b, 0);
  return { precision: predicted ? best.tp / predicted : 0, recall: best.tp / actual, permutation: best.permutation };
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
