import { describe, expect, it } from "vitest";
import { columnSds, validate } from "../dataset.js";
import { moran, moranSplit } from "./moran.js";
import folds from "./moran-folds.json" with { type: "json" };

describe("synthetic:moran", () => {
  it("has shape 1000 × 7, real kind, feature names", () => {
    const ds = validate(moran());
    expect([ds.n, ds.g, ds.kind]).toEqual([1000, 7, "real"]);
    expect(ds.featureNames).toHaveLength(7);
    expect(ds.source).toBe("synthetic:moran");
    expect(moran({ rho: 0.4, seed: 3 }).source).toBe("synthetic:moran?rho=0.4&seed=3");
  });
  it("reproduces the reference split: 510 train / 490 test (numpy seed 42, fold 0 held out)", () => {
    const ds = moran({ seed: 5 });
    expect(ds.split.train.length).toBe(510);
    expect(ds.split.test.length).toBe(490);
    expect(folds.folds.filter((f) => f === 0).length).toBe(490);
    // First folds of np.random.seed(42); np.random.randint(0, 2, 1000).
    expect(folds.folds.slice(0, 10)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(ds.split.test.slice(0, 4))).toEqual([0, 2, 3, 4]);
    // The same split for every replicate.
    expect(Array.from(moran({ seed: 9, rho: 0.8 }).split.test)).toEqual(Array.from(ds.split.test));
  });
  it("uses a Key split with probability 1/2 for other n", () => {
    const s = moranSplit(4000);
    expect(s.train.length + s.test.length).toBe(4000);
    expect(Math.abs(s.test.length - 2000)).toBeLessThan(150);
  });
  it("is deterministic for a seed and differs across seeds", () => {
    expect(Array.from(moran({ seed: 1 }).x)).toEqual(Array.from(moran({ seed: 1 }).x));
    expect(moran({ seed: 1 }).x[0]).not.toBe(moran({ seed: 2 }).x[0]);
  });
  it("column SDs at rho = 0 match the spec's [1.08, 2.0, 4.1, 4.0, 4.9, 4.0, 6.6] within 10 %", () => {
    const sds = columnSds(moran({ seed: 0 }));
    const spec = [1.08, 2.0, 4.1, 4.0, 4.9, 4.0, 6.6];
    spec.forEach((s, j) => expect(Math.abs(sds[j] - s) / s).toBeLessThan(0.1));
  });
  it("truth: z has correlation rho, x is the formula of z plus noise, W has 8 non-zeros", () => {
    const ds = moran({ rho: 0.6, n: 5000, seed: 2, sigma: 0 });
    const t = ds.truth!;
    expect(t.k).toBe(2);
    let s12 = 0;
    let s11 = 0;
    let s22 = 0;
    for (let i = 0; i < ds.n; i++) {
      s12 += t.z![2 * i] * t.z![2 * i + 1];
      s11 += t.z![2 * i] ** 2;
      s22 += t.z![2 * i + 1] ** 2;
    }
    expect(s12 / Math.sqrt(s11 * s22)).toBeCloseTo(0.6, 1);
    const [z1, z2] = [t.z![10], t.z![11]];
    const want = [z1, 2 * z1, 3 * z1 * z1, 4 * z2, 5 * z2, 6 * Math.sin(z2), 7 * z1 * z2];
    want.forEach((w, j) => expect(ds.x[5 * 7 + j]).toBeCloseTo(w, 4));
    expect(t.wCols).toBe(5);
    expect(t.W).toHaveLength(35);
    expect(Array.from(t.W!).filter((v) => v !== 0)).toHaveLength(8);
    expect(Array.from(t.support!).reduce((a, b) => a + b, 0)).toBe(8);
    expect(Array.from(t.W!.slice(6 * 5, 7 * 5))).toEqual([0.5, 0.5, 0, 0, 0]);
    expect(Array.from(t.W!.slice(0, 5))).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(t.W!.slice(3 * 5, 4 * 5))).toEqual([0, 1, 0, 0, 0]);
    expect(t.anchors).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  it("rejects bad parameters", () => {
    expect(() => moran({ rho: 2 })).toThrow("synthetic:moran: rho must be in [-1, 1], got 2");
    expect(() => moran({ n: 1.5 })).toThrow("synthetic:moran: n must be an integer >= 2, got 1.5");
    expect(() => moran({ sigma: -1 })).toThrow("synthetic:moran: sigma must be >= 0, got -1");
  });
});
