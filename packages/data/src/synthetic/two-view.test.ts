import { describe, expect, it } from "vitest";
import { validate } from "../dataset.js";
import { twoView, TWO_VIEW_A_OUT } from "./two-view.js";

describe("synthetic:two-view", () => {
  it("x = [x1, x2], g = 20, groups and A_out truth", () => {
    const ds = validate(twoView({ n: 400, seed: 1 }));
    expect([ds.n, ds.g, ds.kind]).toEqual([400, 20, "real"]);
    expect(ds.meta.groups).toEqual([Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => 10 + i)]);
    expect(ds.truth!.extra!.Aout).toEqual([[1, 1, 0], [1, 0, 1]]);
    expect(TWO_VIEW_A_OUT).toEqual([[1, 1, 0], [1, 0, 1]]);
    expect(ds.truth!.k).toBe(6);
    const sup = ds.truth!.support!;
    expect(Array.from(sup.slice(0, 6))).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Array.from(sup.slice(10 * 6, 11 * 6))).toEqual([1, 1, 0, 0, 1, 1]);
    expect(ds.split.test.length).toBe(80);
  });
  it("x1 = f1([s, p1]) exactly at noise 0, with f fixed across data seeds", () => {
    const a = twoView({ n: 200, seed: 1, noise: 0 });
    const b = twoView({ n: 200, seed: 2, noise: 0 });
    expect(a.truth!.extra!.f1).toEqual(b.truth!.extra!.f1);
    const f1 = a.truth!.extra!.f1 as { W1: Float64Array; b1: Float64Array; W2: Float64Array; b2: Float64Array };
    const z = a.truth!.z!;
    const u = [z[0], z[1], z[2], z[3]];
    const h = Array.from({ length: 32 }, (_, k) => Math.tanh(f1.b1[k] + u.reduce((s, v, j) => s + f1.W1[k * 4 + j] * v, 0)));
    for (let d = 0; d < 10; d++) {
      const y = f1.b2[d] + h.reduce((s, v, k) => s + f1.W2[d * 32 + k] * v, 0);
      expect(a.x[d]).toBeCloseTo(y, 4);
    }
  });
  it("is deterministic and validates parameters", () => {
    expect(Array.from(twoView({ n: 30, seed: 3 }).x)).toEqual(Array.from(twoView({ n: 30, seed: 3 }).x));
    expect(twoView({ n: 30, seed: 3 }).x[0]).not.toBe(twoView({ n: 30, seed: 4 }).x[0]);
    expect(twoView({ n: 30, fseed: 1 }).x[0]).not.toBe(twoView({ n: 30 }).x[0]);
    expect(() => twoView({ test: 1 })).toThrow("synthetic:two-view: test must be in [0, 0.99], got 1");
  });
});
