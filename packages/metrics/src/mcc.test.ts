import { describe, expect, it } from "vitest";
import fixture from "./fixtures/mcc.json" with { type: "json" };
import { maxAssignment } from "./assignment.js";
import { correlationMatrix, rankAverage } from "./correlation.js";
import { mcc } from "./mcc.js";

describe("mcc vs iVAE mean_corr_coef / scipy linear_sum_assignment", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const r = mcc(c.truth, c.latents, { method: c.method as "pearson" | "spearman" });
      for (let i = 0; i < c.corr.length; i++)
        for (let j = 0; j < c.corr[i].length; j++) expect(Math.abs(r.absCorrelation[i][j] - c.corr[i][j])).toBeLessThan(1e-12);
      expect(r.mcc).toBeCloseTo(c.mcc, 12);
      c.rows.forEach((row, k) => expect(r.sourceToLatent[row]).toBe(c.cols[k]));
      const L = c.latents[0].length;
      const expectedUnmatched = Array.from({ length: L }, (_, j) => j).filter((j) => !c.cols.includes(j));
      expect(r.unmatchedLatents).toEqual(expectedUnmatched);
    });
  }
  it("collapsed (zero-variance) latents get correlation 0, not NaN", () => {
    const s = [[1], [2], [3], [4]];
    const z = [[5, 1], [5, 2], [5, 3], [5, 4.5]];
    const r = mcc(s, z);
    expect(r.absCorrelation[0][0]).toBe(0);
    expect(r.sourceToLatent).toEqual([1]);
    expect(r.unmatchedLatents).toEqual([0]);
    expect(Number.isNaN(r.mcc)).toBe(false);
  });
  it("perfect recovery up to permutation, sign and scale gives 1", () => {
    const s = Array.from({ length: 50 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
    const z = s.map(([a, b]) => [-3 * b + 1, 2 * a]);
    const r = mcc(s, z);
    expect(r.mcc).toBeCloseTo(1, 12);
    expect(r.sourceToLatent).toEqual([1, 0]);
  });
  it("fewer latents than sources: the unmatched source is NaN in matchedCorrelations, mean over matched", () => {
    const s = Array.from({ length: 20 }, (_, i) => [i, Math.sin(i)]);
    const z = s.map(([a]) => [a]);
    const r = mcc(s, z);
    expect(r.sourceToLatent).toEqual([0, -1]);
    expect(r.mcc).toBeCloseTo(1, 12);
  });
});

describe("helpers", () => {
  it("rankAverage handles ties like scipy rankdata", () => {
    expect(Array.from(rankAverage([10, 20, 10, 5]))).toEqual([2.5, 4, 2.5, 1]);
  });
  it("correlationMatrix is symmetric in its arguments", () => {
    const A = [[1, 2], [2, 1], [3, 5]];
    const B = [[0], [1], [1]];
    expect(correlationMatrix(A, B)[1][0]).toBeCloseTo(correlationMatrix(B, A)[0][1], 14);
  });
  it("maxAssignment handles wide, tall and empty matrices", () => {
    expect(maxAssignment([[0.1, 0.9, 0.2], [0.8, 0.3, 0.1]]).pairs).toEqual([[0, 1], [1, 0]]);
    const tall = maxAssignment([[0.1], [0.9], [0.3]]);
    expect(tall.rowToCol).toEqual([-1, 0, -1]);
    expect(tall.colToRow).toEqual([1]);
    expect(maxAssignment([]).pairs).toEqual([]);
    expect(() => maxAssignment([[NaN]])).toThrow(/NaN/);
  });
});
