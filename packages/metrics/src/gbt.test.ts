import { describe, expect, it } from "vitest";
import fixture from "./fixtures/gbt.json" with { type: "json" };
import { GradientBoostingRegressor } from "./gbt.js";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("GradientBoostingRegressor vs sklearn 1.2.1 GradientBoostingRegressor()", () => {
  for (const c of fixture.cases) {
    it(`matches sklearn(random_state=0) on ${c.name} with randomState: 0`, () => {
      const m = new GradientBoostingRegressor({ randomState: 0 }).fit(c.X, c.y);
      expect(m.init).toBeCloseTo(c.init, 12);
      expect(m.trees.map((t) => t.feature.length)).toEqual(c.nodeCounts);
      const t0 = m.trees[0];
      expect(t0.feature).toEqual(c.firstTree.feature);
      expect(maxAbsDiff(t0.threshold, c.firstTree.threshold)).toBeLessThan(1e-12);
      expect(maxAbsDiff(t0.impurity, c.firstTree.impurity)).toBeLessThan(1e-10);
      expect(maxAbsDiff(t0.value, c.firstTree.value)).toBeLessThan(1e-12);
      expect(maxAbsDiff(m.predict(c.X), c.predTrain)).toBeLessThan(1e-9);
      expect(maxAbsDiff(m.predict(c.Xtest), c.predTest)).toBeLessThan(1e-9);
      expect(maxAbsDiff(m.featureImportances, c.featureImportances)).toBeLessThan(1e-9);
    });
  }

  for (const c of fixture.cases) {
    it(`default (ties → lowest index): ${c.name} ${c.tieFree ? "matches sklearn exactly" : "has ties: same training fit"}`, () => {
      const m = new GradientBoostingRegressor().fit(c.X, c.y);
      // Ties between features that induce the same partition leave the training fit unchanged.
      expect(maxAbsDiff(m.predict(c.X), c.predTrain)).toBeLessThan(1e-9);
      if (c.tieFree) {
        expect(maxAbsDiff(m.predict(c.Xtest), c.predTest)).toBeLessThan(1e-9);
        expect(maxAbsDiff(m.featureImportances, c.featureImportances)).toBeLessThan(1e-9);
      }
    });
  }

  it("breaks exact ties between identical features by lowest index (no seed)", () => {
    const X = [];
    const y = [];
    for (let i = 0; i < 30; i++) {
      const v = Math.sin(i);
      X.push([v, v]);
      y.push(v * 2);
    }
    const imp = new GradientBoostingRegressor().fit(X, y).featureImportances;
    expect(imp[0]).toBeCloseTo(1, 12);
    expect(imp[1]).toBe(0);
    // With randomState, features are visited in sklearn's random order, so both copies get importance.
    const seeded = new GradientBoostingRegressor({ randomState: 1 }).fit(X, y).featureImportances;
    expect(seeded[0]).toBeGreaterThan(0.1);
    expect(seeded[1]).toBeGreaterThan(0.1);
    expect(seeded[0] + seeded[1]).toBeCloseTo(1, 12);
  });

  it("returns zero importances when y is constant (all trees are single leaves)", () => {
    const m = new GradientBoostingRegressor().fit([[1], [2], [3]], [5, 5, 5]);
    expect(Array.from(m.featureImportances)).toEqual([0]);
    expect(Array.from(m.predict([[10]]))).toEqual([5]);
  });

  it("respects nEstimators / maxDepth options", () => {
    const m = new GradientBoostingRegressor({ nEstimators: 3, maxDepth: 1 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(m.trees).toHaveLength(3);
    expect(m.trees[0].feature).toEqual([0, -2, -2]);
  });
});
