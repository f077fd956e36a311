/**
 * Multi-label prediction metrics (specs/sdlgm.md §3), on held-out rows with true tag sets y_i:
 * precision@k of a per-tag score ranking, example-based F1 of the predicted tag sets, Hamming
 * loss, and the mean predicted against the mean true number of tags.
 * @module
 */
import type { Matrix } from "./types.js";

function on(v: number, threshold: number): boolean {
  return v > threshold;
}

/**
 * precision@k = mean_i |top-k(scores_i) ∩ y_i| / k (ties broken by the lower tag index).
 *
 * @example
 * ```ts
 * precisionAtK([[0.9, 0.1, 0.5]], [[1, 0, 0]], 1); // 1
 * ```
 */
export function precisionAtK(scores: Matrix, truth: Matrix, k: number): number {
  if (scores.length !== truth.length) throw new Error(`precisionAtK: ${scores.length} score rows, ${truth.length} truth rows`);
  if (!scores.length) return NaN;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const order = Array.from({ length: s.length }, (_, j) => j).sort((a, b) => s[b] - s[a] || a - b);
    let hit = 0;
    for (let j = 0; j < Math.min(k, order.length); j++) if (truth[i][order[j]] > 0.5) hit++;
    total += hit / k;
  }
  return total / scores.length;
}

/** Result of {@link tagSetMetrics}. */
export interface TagSetMetrics {
  /** mean_i 2|ŷ_i ∩ y_i| / (|ŷ_i| + |y_i|) (1 for two empty sets). */
  exampleF1: number;
  /** Fraction of (row, tag) entries predicted wrongly. */
  hammingLoss: number;
  /** mean_i |ŷ_i|. */
  meanPredictedTags: number;
  /** mean_i |y_i|. */
  meanTrueTags: number;
}

/**
 * Example-based F1, Hamming loss and the mean predicted and true tag counts of predicted tag sets
 * (`predicted` thresholded at `threshold`: 0/1 sets or probabilities).
 *
 * @example
 * ```ts
 * tagSetMetrics([[1, 1, 0]], [[1, 0, 0]]); // exampleF1 2/3, hammingLoss 1/3, 2 vs 1 tags
 * ```
 */
export function tagSetMetrics(predicted: Matrix, truth: Matrix, threshold = 0.5): TagSetMetrics {
  if (predicted.length !== truth.length) throw new Error(`tagSetMetrics: ${predicted.length} predicted rows, ${truth.length} truth rows`);
  const n = predicted.length;
  let f1 = 0;
  let wrong = 0;
  let cells = 0;
  let nPred = 0;
  let nTrue = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i];
    const y = truth[i];
    if (p.length !== y.length) throw new Error(`tagSetMetrics: row ${i} has ${p.length} predicted and ${y.length} true tags`);
    let a = 0;
    let b = 0;
    let both = 0;
    for (let t = 0; t < p.length; t++) {
      const pp = on(p[t], threshold);
      const yy = y[t] > 0.5;
      if (pp) a++;
      if (yy) b++;
      if (pp && yy) both++;
      if (pp !== yy) wrong++;
    }
    cells += p.length;
    f1 += a + b === 0 ? 1 : (2 * both) / (a + b);
    nPred += a;
    nTrue += b;
  }
  return n
    ? { exampleF1: f1 / n, hammingLoss: wrong / cells, meanPredictedTags: nPred / n, meanTrueTags: nTrue / n }
    : { exampleF1: NaN, hammingLoss: NaN, meanPredictedTags: NaN, meanTrueTags: NaN };
}

/**
 * The fixed top-k prediction of per-tag scores: 1 for the k highest-scoring tags of each row (ties
 * broken by the lower tag index), 0 elsewhere. Scored with {@link tagSetMetrics}, it is the fixed
 * top-k baseline (specs/sdlgm.md §3) read off any model's ranking, e.g. binary relevance's sigmoids.
 *
 * @example
 * ```ts
 * topKSets([[0.9, 0.1, 0.5]], 2); // [[1, 0, 1]]
 * ```
 */
export function topKSets(scores: Matrix, k: number): number[][] {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topKSets: k must be an integer >= 1, got ${k}`);
  return scores.map((s) => {
    const order = Array.from({ length: s.length }, (_, j) => j).sort((a, b) => s[b] - s[a] || a - b);
    const out = new Array<number>(s.length).fill(0);
    for (let j = 0; j < Math.min(k, order.length); j++) out[order[j]] = 1;
    return out;
  });
}
