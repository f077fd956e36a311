import { describe, expect, it } from "vitest";
import { binarySupport, greedyAlignment, hungarianAlignment, supportRecovery } from "./support.js";

// Moran et al. synthetic truth: 7 features × 5 codes; rows 1-3 → col 1, rows 4-6 → col 2, row 7 → both (0.5).
const moranTruth = [
  [1, 0, 0, 0, 0],
  [1, 0, 0, 0, 0],
  [1, 0, 0, 0, 0],
  [0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0],
  [0.5, 0.5, 0, 0, 0],
];
const ones = moranTruth.map((r) => r.map(() => 1));

describe("supportRecovery", () => {
  it("dense (all-ones) support on the 8/35 Moran truth → F1 = 16/43 ≈ 0.372, Hamming 27", () => {
    const r = supportRecovery(ones, moranTruth);
    expect(r.supportPrecision).toBeCloseTo(8 / 35, 12);
    expect(r.supportRecall).toBe(1);
    expect(r.supportF1).toBeCloseTo(16 / 43, 12);
    expect(r.supportF1.toFixed(3)).toBe("0.372");
    expect(r.supportHamming).toBe(27);
  });
  it("same with a 2-column truth: the 3 unmatched learned columns count as false positives", () => {
    const truth2 = moranTruth.map((r) => r.slice(0, 2));
    const r = supportRecovery(ones, truth2, { alignment: [0, 1] });
    expect(r.unmatchedColumns).toEqual([2, 3, 4]);
    expect(r.supportF1).toBeCloseTo(16 / 43, 12);
    expect(r.supportHamming).toBe(27);
  });
  it("perfect recovery → F1 = 1, Hamming 0", () => {
    const r = supportRecovery(moranTruth, moranTruth);
    expect(r.supportF1).toBe(1);
    expect(r.supportHamming).toBe(0);
  });
  it("permuted, rescaled, sign-flipped columns are recovered by Hungarian alignment on z", () => {
    const N = 100;
    const zTrue = Array.from({ length: N }, (_, i) => [Math.sin(i * 0.37), Math.cos(i * 1.3)]);
    // learned codes: col 3 ≈ −2·z1, col 0 ≈ z2, cols 1, 2, 4 noise-like
    const zMean = zTrue.map(([a, b], i) => [b, Math.sin(i * 2.1) * 0.1, Math.cos(i * 0.77) * 0.1, -2 * a, Math.sin(i * 5.3) * 0.1]);
    const truth2 = moranTruth.map((r) => r.slice(0, 2));
    const W = truth2.map(([a, b]) => [3 * b, 0.001, 0, -a, 0]);
    expect(hungarianAlignment(zMean, zTrue)).toEqual([3, 0]);
    const r = supportRecovery(W, truth2, { zMean, zTrue });
    expect(r.alignment).toEqual([3, 0]);
    expect(r.supportF1).toBe(1);
    expect(r.supportHamming).toBe(0);
    // Without alignment (identity), the support is wrong.
    expect(supportRecovery(W, truth2).supportF1).toBeLessThan(0.5);
    // greedy alignment agrees here
    const g = greedyAlignment(zMean, zTrue);
    expect(g.inds).toEqual([3, 0]);
    expect(g.order).toEqual([3, 0, 1, 2, 4]);
    expect(g.signs).toEqual([-1, 1]);
    expect(supportRecovery(W, truth2, { alignment: g.alignment }).supportF1).toBe(1);
  });
  it("greedy alignment can pick the same code twice; union(inds, 1:L) fills the gap", () => {
    const zTrue = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.sin(i) + 0.01 * Math.cos(i * 7)]);
    const zMean = zTrue.map(([a], i) => [Math.cos(i * 3), a, Math.cos(i * 0.5)]);
    const g = greedyAlignment(zMean, zTrue);
    expect(g.inds).toEqual([1, 1]);
    expect(g.order).toEqual([1, 0, 2]);
    expect(g.alignment).toEqual([1, 0]);
  });
  it("p* < 0.5 and |W| < τ are dropped, as sim1_eval.R", () => {
    const W = [[0.5, 0.009], [0.2, 0.3]];
    const p = [[0.9, 0.9], [0.4, 0.6]];
    expect(binarySupport(W)).toEqual([[true, false], [true, true]]);
    expect(binarySupport(W, 0.01, p)).toEqual([[true, false], [false, true]]);
    const r = supportRecovery(W, [[1, 0], [0, 1]], { pStar: p });
    expect(r.supportF1).toBe(1);
    expect(r.threshold).toBe(0.01);
  });
  it("empty estimated support gives precision 0, F1 0 (not NaN)", () => {
    const r = supportRecovery([[0, 0]], [[1, 0]]);
    expect(r.supportPrecision).toBe(0);
    expect(r.supportF1).toBe(0);
    expect(r.supportHamming).toBe(1);
  });
  it("rejects inconsistent alignments", () => {
    expect(() => supportRecovery(ones, moranTruth.map((r) => r.slice(0, 2)), { alignment: [0, 0] })).toThrow(/two true factors/);
    expect(() => supportRecovery(ones, moranTruth, { alignment: [0] })).toThrow(/alignment/);
  });
});
