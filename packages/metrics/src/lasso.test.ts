import { describe, expect, it } from "vitest";
import fixture from "./fixtures/lasso.json" with { type: "json" };
import { lasso } from "./lasso.js";

describe("lasso vs sklearn Lasso", () => {
  for (const c of fixture.cases) {
    it(`alpha=${c.alpha}`, () => {
      const m = lasso(fixture.X, fixture.y, { alpha: c.alpha });
      for (let j = 0; j < c.coef.length; j++) expect(Math.abs(m.coef[j] - c.coef[j])).toBeLessThan(1e-8);
      expect(m.intercept).toBeCloseTo(c.intercept, 8);
    });
  }
  it("zeroes everything for a huge alpha and predicts the mean", () => {
    const m = lasso([[1], [2], [3]], [1, 2, 6], { alpha: 100 });
    expect(m.coef[0]).toBe(0);
    expect(m.predict([[10]])[0]).toBeCloseTo(3, 12);
  });
});
