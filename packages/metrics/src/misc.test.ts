import { describe, expect, it } from "vitest";
import { activeUnits } from "./active-units.js";
import { classJaccard } from "./jaccard.js";
import { reconstructionMse } from "./reconstruction.js";

describe("activeUnits", () => {
  it("counts units whose encoder-mean variance exceeds 0.01", () => {
    const z = Array.from({ length: 100 }, (_, i) => [Math.sin(i), 0.05 * Math.sin(i), 3, (i % 2) * 0.3]);
    const r = activeUnits(z);
    expect(r.active).toEqual([true, false, false, true]);
    expect(r.activeUnits).toBe(2);
    expect(r.variances[2]).toBe(0);
    expect(r.variances[3]).toBeCloseTo(0.0225, 12);
    expect(activeUnits(z, { threshold: 0.001 }).activeUnits).toBe(3);
  });
});

describe("classJaccard", () => {
  const gamma = [
    [0.9, 0.9, 0.1, 0.1], // class 0: {0,1}
    [0.9, 0.9, 0.1, 0.1], // class 0: {0,1}
    [0.9, 0.1, 0.1, 0.1], // class 0: {0}
    [0.1, 0.1, 0.9, 0.9], // class 1: {2,3}
    [0.1, 0.9, 0.9, 0.1], // class 1: {1,2}
  ];
  const labels = [0, 0, 0, 1, 1];
  it("computes within, between, class matrix and mean size", () => {
    const r = classJaccard(gamma, labels);
    // within pairs: (0,1)=1, (0,2)=1/2, (1,2)=1/2, (3,4)=1/3
    expect(r.withinClassJaccard).toBeCloseTo((1 + 0.5 + 0.5 + 1 / 3) / 4, 14);
    // between: {0,1}vs{2,3}=0 ×2, {0,1}vs{1,2}=1/3 ×2, {0}vs{2,3}=0, {0}vs{1,2}=0
    expect(r.betweenClassJaccard).toBeCloseTo((2 / 3) / 6, 14);
    expect(r.classes).toEqual([0, 1]);
    expect(r.classMatrix[0][0]).toBeCloseTo(2 / 3, 14);
    expect(r.classMatrix[1][1]).toBeCloseTo(1 / 3, 14);
    expect(r.classMatrix[0][1]).toBeCloseTo(r.classMatrix[1][0], 14);
    expect(r.meanActiveSize).toBeCloseTo(9 / 5, 14);
    expect(r.collapsed).toBe(false);
    expect(r.emptyFraction).toBe(0);
  });
  it("flags collapse when every active set is empty (J(∅,∅) = 1 by definition)", () => {
    const r = classJaccard(gamma.map((row) => row.map(() => 0.01)), labels);
    expect(r.collapsed).toBe(true);
    expect(r.withinClassJaccard).toBe(1);
    expect(r.meanActiveSize).toBe(0);
    expect(classJaccard(gamma.map((row) => row.map(() => 0.01)), labels, { emptyPairValue: 0 }).withinClassJaccard).toBe(0);
  });
  it("handles > 32 dimensions, string labels and maxPerClass", () => {
    const g = Array.from({ length: 6 }, (_, i) => Array.from({ length: 70 }, (_, d) => (d % 3 === i % 3 ? 0.8 : 0.2)));
    const r = classJaccard(g, ["a", "b", "c", "a", "b", "c"]);
    expect(r.withinClassJaccard).toBe(1);
    expect(r.betweenClassJaccard).toBe(0);
    const lim = classJaccard(g, ["a", "b", "c", "a", "b", "c"], { maxPerClass: 1 });
    expect(Number.isNaN(lim.withinClassJaccard)).toBe(true);
  });
});

describe("reconstructionMse", () => {
  it("averages over rows and features", () => {
    const r = reconstructionMse([[1, 2], [3, 4]], [[1, 4], [3, 3]]);
    expect(r.mse).toBeCloseTo(5 / 4, 14);
    expect(r.perRow).toEqual([2, 0.5]);
    expect(r.perFeature).toEqual([0, 2.5]);
    expect(() => reconstructionMse([[1]], [[1, 2]])).toThrow(/xHat/);
  });
});

describe("classJaccard degenerate codes", () => {
  it("flags one fixed active set for every point (uniform) and counts distinct sets", async () => {
    const { classJaccard } = await import("./jaccard.js");
    const same = classJaccard([[0.9, 0.9, 0.1], [0.8, 0.7, 0.2], [0.95, 0.6, 0]], [0, 0, 1]);
    expect(same.uniform).toBe(true);
    expect(same.distinctActiveSets).toBe(1);
    const varied = classJaccard([[0.9, 0.1, 0.1], [0.8, 0.7, 0.2], [0.1, 0.6, 0.9]], [0, 0, 1]);
    expect(varied.uniform).toBe(false);
    expect(varied.distinctActiveSets).toBe(3);
  });
});

describe("activeSetStats", () => {
  it("gives the share of the most common active set", async () => {
    const { activeSetStats } = await import("./jaccard.js");
    expect(activeSetStats([[0.9, 0.1], [0.8, 0.2], [0.1, 0.7], [0.6, 0.4]])).toEqual({ meanActiveSize: 1, emptyFraction: 0, distinctActiveSets: 2, modalSetFraction: 0.75, usedLatents: 2 });
  });
  it("counts the latents used by at least 1% of the points (usedLatents)", async () => {
    const { activeSetStats } = await import("./jaccard.js");
    // 200 points: unit 0 on for all, unit 1 for 2 points (1%), unit 2 for 1 point (0.5%), unit 3 never
    const g = Array.from({ length: 200 }, (_, i) => [0.9, i < 2 ? 0.8 : 0.1, i === 5 ? 0.7 : 0.2, 0.3]);
    expect(activeSetStats(g).usedLatents).toBe(2);
    expect(activeSetStats(g, 0.5, 0.005).usedLatents).toBe(3);
    expect(activeSetStats(g, 0.95).usedLatents).toBe(0); // nothing above a 0.95 threshold
  });
  it("agrees with classJaccard's size, empty and distinct counts without labels (property)", async () => {
    const fc = (await import("fast-check")).default;
    const { activeSetStats } = await import("./jaccard.js");
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 }), { minLength: 1, maxLength: 30 }), (g) => {
        const a = activeSetStats(g);
        const b = classJaccard(g, g.map(() => 0));
        expect(a.meanActiveSize).toBeCloseTo(b.meanActiveSize, 12);
        expect(a.emptyFraction).toBe(b.emptyFraction);
        expect(a.distinctActiveSets).toBe(b.distinctActiveSets);
        // the most common set's share: a whole number of points, 1 exactly when there is one set
        expect(Math.abs(a.modalSetFraction * g.length - Math.round(a.modalSetFraction * g.length))).toBeLessThan(1e-9);
        expect(a.modalSetFraction).toBeGreaterThanOrEqual(1 / a.distinctActiveSets - 1e-12);
        expect(a.modalSetFraction === 1).toBe(a.distinctActiveSets === 1);
      }),
      { numRuns: 60 },
    );
  });
});

describe("factorPanel", () => {
  it("gives |corr| of each true factor with each code, codes ordered by their best factor then strength", async () => {
    const { factorPanel, correlationMatrix } = await import("./index.js");
    // truth: two factors; codes: z1 = noise-ish, z2 = -2·f2, z3 = f1 + small, z4 = f1 (exactly)
    const truth = Array.from({ length: 50 }, (_, i) => [Math.sin(i), Math.cos(1.7 * i)]);
    const codes = truth.map(([a, b], i) => [Math.sin(7.3 * i) * 0.01, -2 * b, a + 0.3 * Math.sin(3.1 * i), a]);
    const p = factorPanel(codes, truth, ["a", "b"]);
    // z4 (|corr| 1 with a) before z3 (weaker, also a), then z2 (b); z1 wherever its best factor puts it
    expect(p.factorCorrCols.slice(0, 2)).toEqual(["z 4", "z 3"]);
    expect(p.factorCorrCols).toContain("z 2");
    const c = correlationMatrix(truth, codes);
    p.factorCorrCols.forEach((name, col) => {
      const j = Number(name.slice(2)) - 1;
      for (let f = 0; f < 2; f++) expect(p.factorCorr[f][col]).toBeCloseTo(Math.abs(c[f][j]), 12);
    });
    expect(p.factorCorr[0][0]).toBeCloseTo(1, 12);
    expect(p.factorCorr[1][p.factorCorrCols.indexOf("z 2")]).toBeCloseTo(1, 12);
    expect(p.factorNames).toEqual(["a", "b"]);
    expect(factorPanel(codes, truth).factorNames).toEqual(["factor 1", "factor 2"]);
  });
});
