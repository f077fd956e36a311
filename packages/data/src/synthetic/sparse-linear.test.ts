import { describe, expect, it } from "vitest";
import { validate } from "../dataset.js";
import { sparseLinear } from "./sparse-linear.js";

describe("synthetic:sparse-linear", () => {
  it("defaults: 12000 × 100, 10000 / 2000 split, K = 50", () => {
    const ds = validate(sparseLinear());
    expect([ds.n, ds.g, ds.kind]).toEqual([12000, 100, "real"]);
    expect(ds.split.train.length).toBe(10000);
    expect(ds.split.test.length).toBe(2000);
    expect(ds.split.test[0]).toBe(10000);
    expect(ds.truth!.k).toBe(50);
    expect(ds.truth!.W).toHaveLength(100 * 50);
  });
  it("support sizes equal the levels, levels in 1..5 roughly uniform, |v| >= 0.5 on the support", () => {
    const ds = sparseLinear({ n: 3000, ntest: 500, seed: 2 });
    const t = ds.truth!;
    const K = 50;
    const hist = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < ds.n; i++) {
      let size = 0;
      for (let k = 0; k < K; k++) {
        const on = t.rowSupport![i * K + k];
        size += on;
        const z = t.z![i * K + k];
        if (on) expect(Math.abs(z)).toBeGreaterThanOrEqual(0.5);
        else expect(z).toBe(0);
      }
      expect(size).toBe(t.levels![i]);
      expect(size).toBeGreaterThanOrEqual(1);
      expect(size).toBeLessThanOrEqual(5);
      hist[size]++;
    }
    for (let l = 1; l <= 5; l++) expect(Math.abs(hist[l] / ds.n - 0.2)).toBeLessThan(0.04);
  });
  it("x = A z + 0.1 ε: the residual SD is the noise floor", () => {
    const ds = sparseLinear({ n: 500, ntest: 100, seed: 1 });
    const { W, z } = ds.truth!;
    let ss = 0;
    for (let i = 0; i < ds.n; i++) {
      for (let d = 0; d < 100; d++) {
        let s = 0;
        for (let k = 0; k < 50; k++) s += W![d * 50 + k] * z![i * 50 + k];
        ss += (ds.x[i * 100 + d] - s) ** 2;
      }
    }
    expect(Math.sqrt(ss / (ds.n * 100))).toBeCloseTo(0.1, 2);
    // A_dk ~ N(0, 1/50).
    const a2 = Array.from(W!).reduce((a, b) => a + b * b, 0) / W!.length;
    expect(a2 * 50).toBeGreaterThan(0.9);
    expect(a2 * 50).toBeLessThan(1.1);
  });
  it("nonlinear = tanh(Az) + ε with noise 1 by default", () => {
    const ds = sparseLinear({ n: 300, ntest: 50, nonlinear: true });
    expect(ds.truth!.extra).toMatchObject({ nonlinear: true, noise: 1 });
    expect(ds.source).toBe("synthetic:sparse-linear?n=300&ntest=50&nonlinear=true");
  });
  it("is deterministic and checks parameters", () => {
    expect(Array.from(sparseLinear({ n: 20, ntest: 5, seed: 7 }).x)).toEqual(Array.from(sparseLinear({ n: 20, ntest: 5, seed: 7 }).x));
    expect(() => sparseLinear({ l0: 60 })).toThrow("synthetic:sparse-linear: l0 must be <= k (50), got 60");
    expect(() => sparseLinear({ n: 100, ntest: 100 })).toThrow("synthetic:sparse-linear: ntest must be < n (100), got 100");
  });
});
