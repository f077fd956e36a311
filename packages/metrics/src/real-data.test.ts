import { describe, expect, it } from "vitest";
import { ndcgAt, rankingSums, recallAt, topK } from "./ranking.js";
import { Cooccurrence, topicCoherence } from "./coherence.js";
import { cutoffs, getMetric } from "./registry.js";
import { loadingAlignment, supportRecovery } from "./support.js";

describe("ranking metrics (reference recall_at_R, NDCG_binary_at_k_batch)", () => {
  it("topK: largest first, ties by the lower index", () => {
    expect(topK([0.1, 0.5, 0.5, 0.9, 0.2], 3)).toEqual([3, 1, 2]);
    expect(topK([1, 2], 5)).toEqual([1, 0]);
  });
  it("recall@R divides by min(R, #positives); NDCG@k by the ideal DCG over min(#positives, k)", () => {
    const scores = [
      [0.9, 0.8, 0.7, 0.1],
      [0.1, 0.2, 0.3, 0.4],
    ];
    const x = [
      [1, 0, 1, 0], // top-2 = {0, 1}: one hit of min(2, 2)
      [1, 0, 0, 0], // top-2 = {3, 2}: no hit
    ];
    expect(recallAt(scores, x, 2)).toBeCloseTo((1 / 2 + 0) / 2, 12);
    expect(recallAt(scores, x, 1)).toBeCloseTo((1 + 0) / 2, 12);
    // row 0: hits at ranks 1 and 3 -> (1 + 1/log2(4)) / (1 + 1/log2(3)); row 1: hit at rank 4 -> (1/log2(5)) / 1
    const n0 = (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3));
    const n1 = 1 / Math.log2(5);
    expect(ndcgAt(scores, x, 4)).toBeCloseTo((n0 + n1) / 2, 12);
    expect(ndcgAt(scores, x, 2)).toBeCloseTo((1 / (1 + 1 / Math.log2(3)) + 0) / 2, 12);
  });
  it("rows without a positive are left out, and sums stream over chunks", () => {
    const s = rankingSums([[1, 0]], [[0, 0]], [1], [1]);
    expect(s.rows).toBe(0);
    rankingSums([[1, 0]], [[1, 0]], [1], [1], s);
    rankingSums([[0, 1]], [[1, 0]], [1], [1], s);
    expect([s.rows, s.recall[1], s.ndcg[1]]).toEqual([2, 1, 1]);
  });
});

describe("NPMI topic coherence (document co-occurrence)", () => {
  // 4 documents × 3 words: w0 in d0, d1; w1 in d0, d1; w2 in d2, d3
  const x = Float32Array.from([1, 2, 0, 3, 1, 0, 0, 0, 5, 0, 0, 1]);
  it("is 1 for words that always co-occur, −1 for words that never do, and log-ratio/−log p12 between", () => {
    const co = new Cooccurrence(x, 4, 3);
    expect(co.npmi(0, 1)).toBeCloseTo(1, 12); // p12 = p1 = p2 = 1/2: log(2) / log(2)
    expect(co.npmi(0, 2)).toBe(-1);
    // a third word in d1 and d2: p = 1/2, p(w0, w) = 1/4 -> log(1) / log 4 = 0
    const y = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(new Cooccurrence(y, 4, 3).npmi(0, 2)).toBeCloseTo(0, 12);
    const z = Float32Array.from([1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1]); // w0 in d0, d1; w2 in d0, d2, d3
    expect(new Cooccurrence(z, 4, 3).npmi(0, 2)).toBeCloseTo(Math.log(1 / 4 / ((1 / 2) * (3 / 4))) / -Math.log(1 / 4), 12);
    const t = topicCoherence(x, 4, 3, [[0, 1], [0, 1, 2]]);
    expect(t.perSet[0]).toBeCloseTo(1, 12);
    expect(t.perSet[1]).toBeCloseTo((1 - 1 - 1) / 3, 12);
    expect(t.coherence).toBeCloseTo((1 + -1 / 3) / 2, 12);
  });
});

describe("metric names with cut-offs", () => {
  it("recallAt<k> and ndcgAt<k> are valid for any k; the defaults are recallAt5 and ndcgAt10", () => {
    expect(getMetric("recallAt20").name).toBe("recallAt20");
    expect(getMetric("ndcgAt100").higherIsBetter).toBe(true);
    expect(() => getMetric("recallAt0")).toThrow(/Unknown metric "recallAt0".*cut-offs by name: recallAt<k>, ndcgAt<k>/);
    expect(cutoffs("recallAt", ["recallAt20", "recallAt5", "mcc"])).toEqual([20, 5]);
    expect(cutoffs("ndcgAt", ["mcc"])).toEqual([]);
    expect(cutoffs("ndcgAt", undefined)).toEqual([10]);
  });
});

describe("support recovery aligned by the loadings (true factors unknown)", () => {
  it("matches learned columns to genres by their loadings, whatever their order", () => {
    const truth = [[1, 0], [1, 0], [0, 1], [1, 1]];
    const learned = [[0, 0.9, 0.02], [0.001, 0.8, 0], [0.7, 0, 0], [0.5, 0.6, 0]]; // column 1 = genre 0, column 0 = genre 1
    expect(loadingAlignment(learned, truth)).toEqual([1, 0]);
    const r = supportRecovery(learned, truth, { alignment: loadingAlignment(learned, truth) });
    expect([r.truePositives, r.falsePositives, r.falseNegatives]).toEqual([5, 1, 0]); // the third column's 0.02 is a false positive
  });
});
