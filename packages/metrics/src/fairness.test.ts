import { describe, expect, it } from "vitest";
import { Key } from "@sparse-dgm/core";
import { crossViewError } from "./cross-view.js";
import { demographicParityGap, majorityRate, probeParityGap, sensitivePredictability } from "./fairness.js";
import { environmentProbe } from "./environment-probe.js";

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function Phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe("crossViewError", () => {
  it("averages each held-out view's MSE and its baseline's", () => {
    const r = crossViewError([
      { view: 0, x: [[1, 2], [3, 4]], predicted: [[1, 1], [3, 3]], baseline: [[0, 0], [0, 0]] },
      { view: 1, x: [[2]], predicted: [[0]], baseline: [[2]] },
    ]);
    expect(r.perView).toEqual([{ view: 0, mse: 0.5, baselineMse: 7.5 }, { view: 1, mse: 4, baselineMse: 0 }]);
    expect(r.crossViewMse).toBe(2.25);
    expect(r.crossViewBaselineMse).toBe(3.75);
    expect(() => crossViewError([{ view: "x2", x: [[1]], predicted: [], baseline: [[1]] }])).toThrow("crossViewError: view x2: 0 predicted rows for 1 rows");
  });
});

describe("fairness metrics", () => {
  it("demographic-parity gap and majority rate in closed form", () => {
    expect(demographicParityGap([1, 1, 0, 1], [0, 0, 1, 1])).toBe(0.5);
    expect(demographicParityGap([1, 0, 1, 0], [0, 0, 1, 1])).toBe(0);
    expect(demographicParityGap([1, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBe(0.5); // rates 0.5, 0.5, 1
    expect(majorityRate([0, 1, 1, 1])).toBe(0.75);
    expect(() => demographicParityGap([1, 1], [0, 0])).toThrow("the attribute takes one value only");
  });
  const n = 4000;
  const key = Key.of(7);
  const eps = key.foldIn("eps").normalArray(2 * n);
  const s = Array.from(key.foldIn("s").uniformArray(n), (u) => (u < 0.5 ? 1 : 0));
  it("a code N(±μ, 1) by s is predicted at Φ(μ) (Bayes rate of the linear probe); a code independent of s at the majority rate", () => {
    const mu = 0.8;
    const codes = s.map((v, i) => [(2 * v - 1) * mu + eps[i]]);
    const r = sensitivePredictability(codes.slice(0, n / 2), s.slice(0, n / 2), codes.slice(n / 2), s.slice(n / 2));
    // SD of an accuracy at 2000 test rows: 0.01
    expect(Math.abs(r.linearAccuracy - Phi(mu))).toBeLessThan(0.03);
    expect(Math.abs(r.treeAccuracy! - Phi(mu))).toBeLessThan(0.04);
    const noise = s.map((_, i) => [eps[n + i], eps[i]]);
    const q = sensitivePredictability(noise.slice(0, n / 2), s.slice(0, n / 2), noise.slice(n / 2), s.slice(n / 2));
    expect(Math.abs(q.majorityRate - majorityRate(s.slice(n / 2)))).toBe(0);
    expect(Math.abs(q.linearAccuracy - q.majorityRate)).toBeLessThan(0.035);
  });
  it("a non-linear leak (s = 1[a·b > 0], XOR-like) escapes the linear probe but not the trees", () => {
    const sign = Array.from(key.foldIn("sign").uniformArray(n), (u) => (u < 0.5 ? 1 : -1));
    // s = 1 in quadrants 1 and 3, s = 0 in quadrants 2 and 4: no linear signal
    const codes = s.map((v, i) => [sign[i] * Math.abs(eps[i]), (v ? sign[i] : -sign[i]) * Math.abs(eps[n + i])]);
    const r = sensitivePredictability(codes.slice(0, n / 2), s.slice(0, n / 2), codes.slice(n / 2), s.slice(n / 2));
    expect(Math.abs(r.linearAccuracy - r.majorityRate)).toBeLessThan(0.035);
    expect(r.treeAccuracy!).toBeGreaterThan(0.7);
  });
  it("the parity gap of a target probe: a code that is y itself gives |P(y=1|s=0) − P(y=1|s=1)|", () => {
    const y = s.map((v, i) => (i % 4 === 0 ? 1 - v : v)); // P(y = s) = 3/4
    const codes = y.map((v) => [v]);
    const gap = probeParityGap(codes.slice(0, n / 2), y.slice(0, n / 2), codes.slice(n / 2), s.slice(n / 2));
    expect(gap).toBeCloseTo(demographicParityGap(y.slice(n / 2), s.slice(n / 2)), 12);
  });
});

describe("environmentProbe", () => {
  it("a colour code scores 1 − flip in each environment; a shape code keeps its accuracy out of the environment", () => {
    // environments 0, 1 (train, flips 0.1 and 0.2) and 2 (held out, flip 0.9); colour flips exactly that share of rows
    const rows = (env: number, flip: number, m: number) =>
      Array.from({ length: m }, (_, i) => {
        const y = i % 2;
        const colour = i < flip * m ? 1 - y : y;
        const shape = i % 4 === 3 ? 1 - y : y; // 75% right everywhere
        return { y, colour, shape, env };
      });
    const train = [...rows(0, 0.1, 400), ...rows(1, 0.2, 400)];
    const test = [...rows(0, 0.1, 200), ...rows(1, 0.2, 200), ...rows(2, 0.9, 400)];
    const colour = environmentProbe(train.map((r) => [r.colour]), train.map((r) => r.y), train.map((r) => r.env), test.map((r) => [r.colour]), test.map((r) => r.y), test.map((r) => r.env));
    expect(colour.heldOut).toEqual([2]);
    expect(colour.inEnvironment).toBeCloseTo(0.85, 12);
    expect(colour.outOfEnvironment).toBeCloseTo(0.1, 12);
    const shape = environmentProbe(train.map((r) => [r.shape]), train.map((r) => r.y), train.map((r) => r.env), test.map((r) => [r.shape]), test.map((r) => r.y), test.map((r) => r.env));
    expect(shape.inEnvironment).toBeCloseTo(0.75, 12);
    expect(shape.outOfEnvironment).toBeCloseTo(0.75, 12);
  });
});
