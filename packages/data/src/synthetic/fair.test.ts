import { describe, expect, it } from "vitest";
import { validate } from "../dataset.js";
import { fair } from "./fair.js";

describe("synthetic:fair", () => {
  it("y = 1[c1 + c2 > 0], s agrees with y at rate (1 + corr)/2, x = g([c, effect(2s − 1)]) exactly at noise 0", () => {
    const ds = validate(fair({ n: 20000, corr: 0.4, noise: 0, seed: 2 }));
    expect([ds.n, ds.g, ds.kind]).toEqual([20000, 10, "real"]);
    const z = ds.truth!.z!;
    const s = ds.attributes!.sensitive;
    let agree = 0;
    let wrong = 0;
    for (let i = 0; i < ds.n; i++) {
      if (ds.labels![i] !== (z[3 * i] + z[3 * i + 1] > 0 ? 1 : 0) || z[3 * i + 2] !== s[i]) wrong++;
      agree += s[i] === ds.labels![i] ? 1 : 0;
    }
    expect(wrong).toBe(0);
    // binomial SD at n = 20000: 0.0035
    expect(Math.abs(agree / ds.n - 0.7)).toBeLessThan(0.015);
    const g = ds.truth!.extra!.g as { W1: Float64Array; b1: Float64Array; W2: Float64Array; b2: Float64Array; hidden: number };
    const u = [z[0], z[1], 1.5 * (2 * s[0] - 1)];
    const h = Array.from({ length: g.hidden }, (_, k) => Math.tanh(g.b1[k] + u.reduce((a, v, j) => a + g.W1[k * 3 + j] * v, 0)));
    for (let d = 0; d < 10; d++) expect(ds.x[d]).toBeCloseTo(g.b2[d] + h.reduce((a, v, k) => a + g.W2[d * g.hidden + k] * v, 0), 4);
  });
  it("corr = ±1 makes s equal to y or its complement; parameters are checked", () => {
    const a = fair({ n: 500, corr: 1 });
    const b = fair({ n: 500, corr: -1 });
    expect(Array.from(a.attributes!.sensitive)).toEqual(Array.from(a.labels!));
    expect(Array.from(b.attributes!.sensitive)).toEqual(Array.from(b.labels!, (y) => 1 - y));
    expect(() => fair({ corr: 2 })).toThrow("synthetic:fair: corr must be in [-1, 1], got 2");
    expect(fair({ n: 100, seed: 1 }).source).toBe("synthetic:fair?n=100&seed=1");
  });
  it("envCorrs: environments with their own s–y correlation, the last held out in the test split; without it the data are unchanged", () => {
    const ds = validate(fair({ n: 9000, envCorrs: "0.8,0.6,-0.8", seed: 3 }));
    const env = ds.attributes!.environment;
    const s = ds.attributes!.sensitive;
    const y = ds.labels!;
    for (const [e, corr] of [0.8, 0.6, -0.8].entries()) {
      const rows = Array.from(env.keys()).filter((i) => env[i] === e);
      expect(rows.length / ds.n).toBeGreaterThan(0.3);
      const agree = rows.filter((i) => s[i] === y[i]).length / rows.length;
      expect(Math.abs(agree - (1 + corr) / 2)).toBeLessThan(0.03);
    }
    expect(Array.from(ds.split.train).every((i) => env[i] !== 2)).toBe(true);
    expect(Array.from(ds.split.test).filter((i) => env[i] === 2).length).toBe(Array.from(env).filter((e) => e === 2).length);
    expect(Array.from(fair({ n: 300 }).x)).toEqual(Array.from(fair({ n: 300 }).x));
    expect(fair({ n: 300 }).attributes!.environment).toBeUndefined();
    expect(() => fair({ envCorrs: "0.5" })).toThrow("synthetic:fair: envCorrs must list at least two correlations in [-1, 1]");
  });
});
