import { describe, expect, it } from "vitest";
import fixture from "./fixtures/dci.json" with { type: "json" };
import {
  completenessFromImportance,
  dci,
  dci16,
  disentanglementFromImportance,
} from "./dci.js";

const diag = (n: number, v = 5): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? v : 0)));
const log2over10 = Math.log(2) / Math.log(10);

// disentanglement_lib dci_test.py, on the D/C-from-R functions.
describe("DCI from an importance matrix (disentanglement_lib dci_test.py)", () => {
  it("diagonal R → D = C = 1", () => {
    expect(disentanglementFromImportance(diag(5))).toBeCloseTo(1, 7);
    expect(completenessFromImportance(diag(5))).toBeCloseTo(1, 7);
  });
  it("empty codes do not lower D (and C stays 1)", () => {
    const R = [[1, 0], [0, 1], [0, 0]];
    expect(disentanglementFromImportance(R)).toBeCloseTo(1, 7);
    expect(completenessFromImportance(R)).toBeCloseTo(1, 7);
  });
  it("all-zero R → D = 0 and C = 0", () => {
    const R = Array.from({ length: 10 }, () => new Array(10).fill(0));
    expect(disentanglementFromImportance(R)).toBeCloseTo(0, 12);
    expect(Math.abs(completenessFromImportance(R))).toBeLessThan(1e-7);
  });
  it("duplicated codes (redundant) → D = 1, C = 1 − log2/log10", () => {
    const R = [...diag(5), ...diag(5)];
    expect(disentanglementFromImportance(R)).toBeCloseTo(1, 7);
    expect(completenessFromImportance(R)).toBeCloseTo(1 - log2over10, 7);
  });
  it("missed factors → D = 1, C = 1", () => {
    const R = diag(5).slice(0, 2);
    expect(disentanglementFromImportance(R)).toBeCloseTo(1, 7);
    expect(completenessFromImportance(R)).toBeCloseTo(1, 7);
  });
  it("one code for two factors → D = 1 − log2/log10, C = 1", () => {
    const R = diag(5).map((row) => [...row, ...row]);
    expect(disentanglementFromImportance(R)).toBeCloseTo(1 - log2over10, 7);
    expect(completenessFromImportance(R)).toBeCloseTo(1, 7);
  });
  it("qedr-style unweighted completeness is the plain mean over factors", () => {
    const R = [[1, 0], [0, 1], [0, 1]];
    // factor 0 → C=1; factor 1 split over 2 of 3 codes → 1 − log2/log3
    expect(completenessFromImportance(R, "mean")).toBeCloseTo((1 + 1 - Math.log(2) / Math.log(3)) / 2, 7);
    expect(completenessFromImportance(R, "importance")).toBeCloseTo((1 + 2 * (1 - Math.log(2) / Math.log(3))) / 3, 7);
  });
});

describe("dci end-to-end vs sklearn (sparse-vae-code dci.py, GradientBoostingRegressor(random_state=0))", () => {
  const c = fixture.cases[0];
  it(`${c.name}: importance, D, C, informativeness`, () => {
    const r = dci(c.codesTrain, c.factorsTrain, c.codesTest, c.factorsTest, { gbt: { randomState: 0 } });
    for (let i = 0; i < r.importance.length; i++)
      for (let j = 0; j < r.importance[i].length; j++) expect(Math.abs(r.importance[i][j] - c.importance[i][j])).toBeLessThan(1e-10);
    expect(r.disentanglement).toBeCloseTo(c.disentanglement, 10);
    expect(r.completeness).toBeCloseTo(c.completeness, 10);
    expect(r.informativeness).toBeCloseTo(c.informativenessTest, 10);
    expect(r.informativenessTrain).toBeCloseTo(c.informativenessTrain, 10);
    expect(r.disentanglementPerCode.length).toBe(5);
    expect(r.regressor).toBe("gbt");
  });
  it(`${c.name}: default tie-breaking (no RNG) stays close to sklearn`, () => {
    const r = dci(c.codesTrain, c.factorsTrain, c.codesTest, c.factorsTest);
    expect(Math.abs(r.disentanglement - c.disentanglement)).toBeLessThan(0.02);
    expect(Math.abs(r.completeness - c.completeness)).toBeLessThan(0.02);
  });
  const c16 = fixture.cases[1];
  it(`${c16.name}: dci16 draws numpy's seed-42 indices and matches sklearn`, () => {
    const r = dci16(c16.codesTrain, c16.factorsTrain, c16.codesTest, c16.factorsTest, { gbt: { randomState: 0 } });
    expect(r.indicesTrain).toEqual(c16.indicesTrain);
    expect(r.indicesTest).toEqual(c16.indicesTest);
    expect(r.disentanglement).toBeCloseTo(c16.disentanglement, 10);
    expect(r.completeness).toBeCloseTo(c16.completeness, 10);
    expect(r.informativeness).toBeCloseTo(c16.informativenessTest, 10);
  });
  it("dci16 accepts committed indices", () => {
    const r = dci16(c16.codesTrain, c16.factorsTrain, c16.codesTest, c16.factorsTest, {
      indices: { train: c16.indicesTrain ?? [], test: c16.indicesTest ?? [] },
      gbt: { randomState: 0 },
    });
    expect(r.disentanglement).toBeCloseTo(c16.disentanglement, 10);
  });
});

describe("dci semantics with synthetic codes (disentanglement_lib DCITest)", () => {
  // IdentityObservationsData-like: factors uniform on {0..9}, codes = factors.
  const make = (n: number, k: number, seed: number) => {
    let s = seed;
    const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    return Array.from({ length: n }, () => Array.from({ length: k }, () => Math.floor(u() * 10)));
  };
  const ftr = make(300, 3, 1);
  const fte = make(200, 3, 2);
  it("identity representation → D, C in [0.9, 1]", () => {
    const r = dci(ftr, ftr, fte, fte);
    expect(r.disentanglement).toBeGreaterThan(0.9);
    expect(r.completeness).toBeGreaterThan(0.9);
    expect(r.informativeness).toBeLessThan(0.05);
  });
  it("duplicated latent space → D ≈ 1, C ≈ 1 − log2/log(2K) (needs randomState to share importance like sklearn)", () => {
    const dup = (X: number[][]) => X.map((r) => [...r, ...r]);
    const r = dci(dup(ftr), ftr, dup(fte), fte, { gbt: { randomState: 0 } });
    expect(r.disentanglement).toBeGreaterThan(0.9);
    const target = 1 - Math.log(2) / Math.log(6);
    expect(Math.abs(r.completeness - target)).toBeLessThan(0.1);
    // Without randomState, ties go to the first copy: C stays ≈ 1.
    const det = dci(dup(ftr), ftr, dup(fte), fte);
    expect(det.completeness).toBeGreaterThan(0.9);
  });
  it("lasso and randomForest regressors run and rank the identity code first", () => {
    for (const regressor of ["lasso", "randomForest"] as const) {
      const r = dci(ftr, ftr, fte, fte, { regressor, informativeness: "nrmse", completenessWeighting: "mean", randomForest: { nEstimators: 20 } });
      expect(r.regressor).toBe(regressor);
      expect(r.disentanglement).toBeGreaterThan(0.8);
      expect(r.completeness).toBeGreaterThan(0.8);
      expect(r.informativenessMetric).toBe("nrmse");
      expect(r.informativeness).toBeLessThan(0.3);
    }
  });
  it("rejects mismatched shapes and unknown regressors", () => {
    expect(() => dci(ftr, fte, fte, fte)).toThrow(/rows/);
    // @ts-expect-error unknown regressor
    expect(() => dci(ftr, ftr, fte, fte, { regressor: "svm" })).toThrow(/unknown regressor/);
  });
});
