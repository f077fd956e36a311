import { describe, expect, it } from "vitest";
import fixture from "./fixtures/mig_sap.json" with { type: "json" };
import { mig } from "./mig.js";
import { histogramDiscretize, mutualInfoScore } from "./mutual-info.js";
import { sap } from "./sap.js";

describe("mutualInfoScore vs sklearn", () => {
  fixture.mutualInfo.forEach((c, i) => {
    it(`case ${i}`, () => expect(mutualInfoScore(c.a, c.b)).toBeCloseTo(c.mi, 13));
  });
  it("single cluster → 0; identical labels → entropy", () => {
    expect(mutualInfoScore([1, 1, 1], [0, 1, 2])).toBe(0);
    expect(mutualInfoScore([0, 0, 1, 1], [5, 5, 7, 7])).toBeCloseTo(Math.log(2), 14);
  });
});

describe("mig / sap vs disentanglement_lib (sklearn mutual_info_score, np.cov)", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: discretisation, MI matrix, entropies, MIG`, () => {
      const disc = c.codes[0].map((_, j) => Array.from(histogramDiscretize(c.codes.map((r) => r[j]))));
      const want = c.discretizedCodes[0].map((_, j) => c.discretizedCodes.map((r) => r[j]));
      expect(disc).toEqual(want);
      const r = mig(c.codes, c.factors);
      expect(r.discretizedFactors.every((d) => d === c.discretizeFactors)).toBe(true);
      for (let i = 0; i < c.mi.length; i++)
        for (let k = 0; k < c.mi[i].length; k++) expect(r.mutualInformation[i][k]).toBeCloseTo(c.mi[i][k], 12);
      r.factorEntropy.forEach((h, k) => expect(h).toBeCloseTo(c.entropy[k], 12));
      expect(r.mig).toBeCloseTo(c.mig, 12);
    });
    it(`${c.name}: SAP (continuous)`, () => {
      const r = sap(c.codes, c.factors);
      for (let i = 0; i < c.scoreMatrix.length; i++)
        for (let k = 0; k < c.scoreMatrix[i].length; k++) expect(r.scoreMatrix[i][k]).toBeCloseTo(c.scoreMatrix[i][k], 12);
      expect(r.sap).toBeCloseTo(c.sap, 12);
    });
  }
});

describe("mig semantics (disentanglement_lib mig_test.py)", () => {
  let s = 7;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const factors = Array.from({ length: 3000 }, () => Array.from({ length: 10 }, () => Math.floor(u() * 10)));
  it("identity representation → MIG in [0.9, 1] (identity and 20-bin discretisers)", () => {
    const a = mig(factors, factors, { discretizeCodes: false }).mig;
    const b = mig(factors, factors).mig;
    expect(a).toBeGreaterThanOrEqual(0.9);
    expect(a).toBeLessThanOrEqual(1 + 1e-12);
    expect(b).toBeCloseTo(a, 12);
  });
  it("zero representation → MIG in [0, 0.2]", () => {
    const zero = factors.map((r) => r.map(() => 0));
    const m = mig(zero, factors, { discretizeCodes: false }).mig;
    expect(m).toBeGreaterThanOrEqual(0);
    expect(m).toBeLessThanOrEqual(0.2);
  });
  it("duplicated latent space → MIG in [0, 0.1]", () => {
    const dup = factors.map((r) => [...r, ...r]);
    const m = mig(dup, factors, { discretizeCodes: false }).mig;
    expect(m).toBeGreaterThanOrEqual(0);
    expect(m).toBeLessThanOrEqual(0.1);
  });
  it("constant factor is left out (NaN per factor, not in the mean)", () => {
    const codes = factors.slice(0, 200).map((r) => [r[0], 0]);
    const fac = factors.slice(0, 200).map((r) => [r[0], 3]);
    const r = mig(codes, fac, { discretizeCodes: false });
    expect(Number.isNaN(r.perFactor[1])).toBe(true);
    expect(r.mig).toBeCloseTo(1, 12);
  });
  it("sap: constant code scores 0; perfect single-code predictor gives 1", () => {
    const f = factors.slice(0, 100).map((r) => [r[0]]);
    const z = f.map(([v], i) => [2 * v + 1, 5, (i % 7) * 0.001]);
    const r = sap(z, f);
    expect(r.scoreMatrix[1][0]).toBe(0);
    expect(r.scoreMatrix[0][0]).toBeCloseTo(1, 12);
  });
});
