import { describe, expect, it } from "vitest";
import { chi2Quantile, gammaP, quantile, sigmaPriorScale } from "./stats.js";
import { moran } from "./synthetic/moran.js";

/** A dataset whose column SDs (ddof 0) are exactly `sds`: two rows ±sd. */
function withSds(sds: number[]) {
  const g = sds.length;
  const x = new Float32Array(2 * g);
  sds.forEach((s, j) => {
    x[j] = s;
    x[g + j] = -s;
  });
  return { x, n: 2, g };
}

describe("stats", () => {
  it("chi2Quantile matches scipy", () => {
    expect(chi2Quantile(0.1, 3)).toBeCloseTo(0.5843743741551835, 9);
    expect(chi2Quantile(0.95, 1)).toBeCloseTo(3.841458820694124, 8);
    expect(chi2Quantile(0.5, 10)).toBeCloseTo(9.34181776559197, 8);
    expect(chi2Quantile(0.99, 50)).toBeCloseTo(76.1538912490127, 6);
    expect(() => chi2Quantile(1, 3)).toThrow(RangeError);
  });
  it("gammaP at known points", () => {
    expect(gammaP(1, 1)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(gammaP(2.5, 10)).toBeCloseTo(0.9987502694369687, 8);
  });
  it("quantile interpolates linearly like numpy", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([1.08, 2.0, 4.1, 4.0, 4.9, 4.0, 6.6], 0.05)).toBeCloseTo(1.08 + 0.3 * 0.92, 12);
  });
  it("sigmaPriorScale gives s ≈ 0.36 for the spec's Moran column SDs", () => {
    const s = sigmaPriorScale(withSds([1.08, 2.0, 4.1, 4.0, 4.9, 4.0, 6.6]));
    const sigmaHat = 1.08 + 0.3 * 0.92;
    expect(s).toBeCloseTo((sigmaHat * sigmaHat * 0.5843743741551835) / 3, 5);
    expect(s).toBeGreaterThan(0.35);
    expect(s).toBeLessThan(0.37);
  });
  it("sigmaPriorScale on generated Moran data is near 0.36 and uses 1e-3 for zero SDs", () => {
    expect(sigmaPriorScale(moran())).toBeGreaterThan(0.32);
    expect(sigmaPriorScale(moran())).toBeLessThan(0.42);
    expect(sigmaPriorScale(withSds([0, 0, 0]))).toBeCloseTo((1e-6 * 0.5843743741551835) / 3, 15);
    expect(sigmaPriorScale(withSds([1, 1]), 5)).toBeCloseTo(chi2Quantile(0.1, 5) / 5, 6);
  });
});
