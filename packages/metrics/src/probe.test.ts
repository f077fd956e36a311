import { describe, expect, it } from "vitest";
import fixture from "./fixtures/probe.json" with { type: "json" };
import { fitLogisticRegression, linearProbe } from "./probe.js";

describe("linearProbe vs sklearn LogisticRegression()", () => {
  // sklearn's lbfgs stops at a gradient of ~8e-5 (its ftol), so coefficients agree to ~2e-5.
  it("matches coefficients (to 1e-4), intercepts, predictions and accuracies", () => {
    const r = linearProbe(fixture.Xtrain, fixture.ytrain, fixture.Xtest, fixture.ytest, { tol: 1e-9 });
    for (let k = 0; k < fixture.coef.length; k++) {
      for (let j = 0; j < fixture.coef[k].length; j++) expect(Math.abs(r.model.coef[k][j] - fixture.coef[k][j])).toBeLessThan(1e-4);
      expect(Math.abs(r.model.intercept[k] - fixture.intercept[k])).toBeLessThan(1e-4);
    }
    expect(r.model.predict(fixture.Xtest)).toEqual(fixture.predictTest);
    expect(r.trainAccuracy).toBeCloseTo(fixture.trainAccuracy, 12);
    expect(r.testAccuracy).toBeCloseTo(fixture.testAccuracy, 12);
  });
  it("works with string labels and standardisation", () => {
    const X = Array.from({ length: 40 }, (_, i) => [i < 20 ? -1 + i * 0.01 : 1 + i * 0.01, 100 * Math.sin(i)]);
    const y = X.map((_, i) => (i < 20 ? "neg" : "pos"));
    const r = linearProbe(X, y, X, y, { standardize: true });
    expect(r.testAccuracy).toBe(1);
    expect(r.model.classes).toEqual(["neg", "pos"]);
  });
  it("rejects a single class", () => {
    expect(() => fitLogisticRegression([[1], [2]], [0, 0])).toThrow(/2 classes/);
  });
});
