import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { levelAccuracy, capViolations, codeSupport, rowSizes } from "./code-support.js";
import { precisionAtK, tagSetMetrics, topKSets } from "./multi-label.js";
import { computeMetrics } from "./registry.js";

describe("per-row code support", () => {
  it("levelAccuracy and its confusion matrix", () => {
    const r = levelAccuracy([[1, 0, 1], [0, 1, 0], [1, 1, 1], [0, 0, 0]], [2, 2, 1, 1]);
    expect(r.accuracy).toBe(0.25);
    // rows: true level 1, 2; columns: predicted size 0..3
    expect(r.confusion).toEqual([[1, 0, 0, 1], [0, 1, 1, 0]]);
  });

  it("capViolations counts rows above the cap (γ thresholded at 0.5)", () => {
    expect(capViolations([[1, 1, 1], [1, 0, 0], [0.6, 0.4, 0.9]], 2)).toBeCloseTo(1 / 3, 12);
    expect(rowSizes([[0.6, 0.4, 0.9]])).toEqual([2]);
  });

  it("codeSupport: a permuted, rescaled copy of the truth scores 1; unmatched units are false positives", () => {
    // 6 rows, 3 true dims; the model's units are the true dims in the order (2, 0, 1), scaled, plus a 4th unit
    const zTrue = [[1, 0, 0], [0, 2, 0], [0, 0, -1], [1.5, 0, 1], [0, -1, 2], [2, 1, 0]];
    const support = zTrue.map((r) => r.map((v) => (v !== 0 ? 1 : 0)));
    const codes = zTrue.map((r) => [3 * r[2], -r[0], 0.5 * r[1], 0]);
    const active = codes.map((r) => r.map((v) => (v !== 0 ? 1 : 0)));
    const perfect = codeSupport(active, codes, support, zTrue);
    expect(perfect.f1).toBeCloseTo(1, 12);
    expect(perfect.unitToTrue.slice(0, 3)).toEqual([2, 0, 1]);
    // switch the extra unit on for every row: recall stays 1, precision drops
    const noisy = codeSupport(active.map((r) => [...r.slice(0, 3), 1]), codes, support, zTrue);
    expect(noisy.recall).toBeCloseTo(1, 12);
    expect(noisy.precision).toBeLessThan(1);
    expect(noisy.f1).toBeLessThan(1);
  });

  it("F1 per row lies in [0, 1] for random supports (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }), { minLength: 5, maxLength: 20 }), fc.integer({ min: 0, max: 1000 }), (rows, s) => {
        const z = rows.map((r, i) => r.map((v, k) => v * (1 + ((i * 7 + k * 3 + s) % 5))));
        const r = codeSupport(rows, z, rows, z);
        return Number.isNaN(r.f1) || (r.f1 >= 0 && r.f1 <= 1 + 1e-12 && r.precision <= 1 + 1e-12 && r.recall <= 1 + 1e-12);
      }),
    );
  });
});

describe("multi-label metrics", () => {
  it("precision@k, example F1, Hamming loss and tag counts by hand", () => {
    const truth = [[1, 0, 1, 0], [0, 1, 0, 0]];
    const scores = [[0.9, 0.8, 0.7, 0.1], [0.2, 0.1, 0.6, 0.3]];
    expect(precisionAtK(scores, truth, 1)).toBeCloseTo(0.5, 12); // row 1 hits, row 2 misses
    expect(precisionAtK(scores, truth, 3)).toBeCloseTo((2 / 3 + 0 / 3) / 2, 12);
    const pred = [[1, 1, 0, 0], [0, 1, 0, 0]];
    const m = tagSetMetrics(pred, truth);
    expect(m.exampleF1).toBeCloseTo((2 / 4 + 1) / 2, 12);
    expect(m.hammingLoss).toBeCloseTo(2 / 8, 12);
    expect(m.meanPredictedTags).toBe(1.5);
    expect(m.meanTrueTags).toBe(1.5);
  });

  it("computeMetrics reports the tag and code-support keys from its inputs only", () => {
    const gamma = [[1, 0, 1, 0], [0, 1, 0, 0]];
    const m = computeMetrics({ gamma, tagsTest: [[1, 0, 1, 0], [0, 1, 0, 0]], tagScores: gamma, truthLevels: [2, 1], cap: 2 });
    expect(m.exampleF1).toBe(1);
    expect(m.precisionAt1).toBe(1);
    expect(m.levelAccuracy).toBe(1);
    expect(m.capViolations).toBe(0);
    expect("codeSupportF1" in m).toBe(false); // no codes or true support given
    expect("topKExampleF1" in m).toBe(false); // no k given
  });

  it("the fixed top-k baseline of the scores: topKSets by hand, topKExampleF1 from the training rows' k", () => {
    const truth = [[1, 0, 1, 0], [0, 1, 0, 0]];
    const scores = [[0.9, 0.8, 0.7, 0.1], [0.2, 0.1, 0.6, 0.3]];
    expect(topKSets(scores, 2)).toEqual([[1, 1, 0, 0], [0, 0, 1, 1]]);
    expect(topKSets([[0.5, 0.5, 0.5]], 1)).toEqual([[1, 0, 0]]); // ties: the lower tag index
    expect(() => topKSets(scores, 0)).toThrow("topKSets: k must be an integer >= 1, got 0");
    const m = computeMetrics({ tagsTest: truth, tagScores: scores, tagTopK: 2 });
    // row 1: {0, 1} vs {0, 2}: 2·1/4; row 2: {2, 3} vs {1}: 0
    expect(m.topKExampleF1).toBeCloseTo((0.5 + 0) / 2, 12);
  });
});
