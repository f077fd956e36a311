import { describe, expect, it } from "vitest";
import { tf } from "@sparse-dgm/core";
import { cappedSparseCode, kl } from "@sparse-dgm/distributions";
import type { DrawContext } from "@sparse-dgm/infer";
import { correlationsOf, gramOf, linearGaussianRefiner, logPriorOfSize, refineSupport, supportLogPosterior, type SupportProblem } from "./linear-gaussian-support.js";

/** A small deterministic pseudo-random stream (a linear congruential generator), N(0, 1) by Box-Muller. */
function normals(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 + 1e-12;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** log N(x; c, σ² I + W_S W_Sᵀ) by a dense D × D Cholesky: the reference the closed form must match. */
function denseLogMarginal(kernel: number[], bias: number[], x: number[], units: number[], K: number, D: number, s2: number): number {
  const C = Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? s2 : 0) + units.reduce((acc, k) => acc + kernel[k * D + a] * kernel[k * D + b], 0)));
  const L = C.map(() => new Array<number>(D).fill(0));
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let s = C[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  const r = x.map((v, d) => v - bias[d]);
  const y: number[] = [];
  for (let i = 0; i < D; i++) y.push((r[i] - y.reduce((acc, v, k) => acc + L[i][k] * v, 0)) / L[i][i]);
  const logDet = 2 * L.reduce((acc, row, i) => acc + Math.log(row[i]), 0);
  return -0.5 * (D * Math.log(2 * Math.PI) + logDet + y.reduce((a, v) => a + v * v, 0));
}

/** Every subset of 0..K−1 of size 1..L0. */
function subsets(K: number, L0: number): number[][] {
  const out: number[][] = [];
  const rec = (from: number, cur: number[]) => {
    if (cur.length) out.push([...cur]);
    if (cur.length === L0) return;
    for (let k = from; k < K; k++) rec(k + 1, [...cur, k]);
  };
  rec(0, []);
  return out;
}

const K = 6;
const D = 12; // enough rows of W that every support of up to L0 units is identifiable from x
const L0 = 3;
const noise = 0.3;
const s2 = noise * noise;
const rnd = normals(7);
const kernel = Array.from({ length: K * D }, () => rnd());
const bias = Array.from({ length: D }, () => 0.1 * rnd());
const levelLogProbs = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];

/** x = c + W_S v + σ ε for a given support. */
function rowFrom(units: number[], values: number[]): number[] {
  return Array.from({ length: D }, (_, d) => bias[d] + units.reduce((a, k, i) => a + kernel[k * D + d] * values[i], 0) + noise * rnd());
}

function problem(x: number[], prior = levelLogProbs): SupportProblem {
  return { K, maxLevel: L0, gram: gramOf(kernel, K, D, s2), corr: correlationsOf(kernel, bias, x, 0, K, D, s2), logPriorOfSize: logPriorOfSize(prior, K) };
}

describe("exact inference of a capped code under a linear-Gaussian decoder", () => {
  it("logPriorOfSize: log p(L = l) − log C(K, l)", () => {
    const lp = logPriorOfSize(levelLogProbs, K);
    expect(lp[0]).toBeCloseTo(Math.log(0.5) - Math.log(6), 12);
    expect(lp[1]).toBeCloseTo(Math.log(0.3) - Math.log(15), 12);
    expect(lp[2]).toBeCloseTo(Math.log(0.2) - Math.log(20), 12);
  });

  it("the score differs from the dense log p(x | S) + log p(S) by one constant over every support, and the slab posterior is the closed form", () => {
    const x = rowFrom([1, 4], [1.2, -0.8]);
    const p = problem(x);
    const lp = logPriorOfSize(levelLogProbs, K);
    const offsets = subsets(K, L0).map((S) => denseLogMarginal(kernel, bias, x, S, K, D, s2) + lp[S.length - 1] - supportLogPosterior(p, S).score);
    for (const o of offsets) expect(o).toBeCloseTo(offsets[0], 8);
    // the posterior mean of v_S: A⁻¹ W_Sᵀ (x − c) / σ², checked as the solution of A m = u (2 × 2 by hand)
    const S = [1, 4];
    const { mean, precision } = supportLogPosterior(p, S);
    const g = (a: number, b: number) => p.gram[a * K + b];
    const A = [
      [1 + g(1, 1), g(1, 4)],
      [g(4, 1), 1 + g(4, 4)],
    ];
    expect(A[0][0] * mean[0] + A[0][1] * mean[1]).toBeCloseTo(p.corr[1], 8);
    expect(A[1][0] * mean[0] + A[1][1] * mean[1]).toBeCloseTo(p.corr[4], 8);
    expect(Array.from(precision)).toEqual([A[0][0], A[1][1]]);
  });

  it("impossible sizes score −Infinity (a fixed level: swaps only)", () => {
    const x = rowFrom([0, 2, 5], [1, -1, 1]);
    const fixed = problem(x, [-Infinity, -Infinity, 0]);
    expect(supportLogPosterior(fixed, [0, 2]).score).toBe(-Infinity);
    expect(supportLogPosterior(fixed, []).score).toBe(-Infinity);
    const r = refineSupport(fixed, [0, 1, 3]);
    expect(r.units).toHaveLength(3);
  });

  it("refineSupport reaches the brute-force posterior mode from every start, on rows drawn from the model", () => {
    for (const [units, values] of [
      [[2], [1.5]],
      [
        [0, 3],
        [-1, 1.4],
      ],
      [
        [1, 2, 5],
        [0.9, -1.1, 1.3],
      ],
    ] as const) {
      const x = rowFrom([...units], [...values]);
      const p = problem(x);
      const all = subsets(K, L0).map((S) => ({ S, score: supportLogPosterior(p, S).score }));
      const mode = all.reduce((a, b) => (b.score > a.score ? b : a));
      for (const start of [[], [0], [4, 5], [0, 1, 2], [3]]) {
        const r = refineSupport(p, start);
        expect(r.units).toEqual(mode.S);
        expect(r.score).toBeCloseTo(mode.score, 10);
      }
    }
  });

  it("what refineSupport returns is a local mode: no support one move away scores higher", () => {
    const x = rowFrom([0, 1, 2], [0.3, -0.4, 0.35]); // weak slabs: several local modes are possible
    const p = problem(x);
    for (const start of [[], [3], [4, 5], [0, 4, 5]]) {
      const r = refineSupport(p, start);
      const dist = (S: number[]) => S.filter((k) => !r.units.includes(k)).length + r.units.filter((k) => !S.includes(k)).length;
      const near = subsets(K, L0).filter((S) => dist(S) === 1 || (dist(S) === 2 && S.length === r.units.length));
      expect(near.length).toBeGreaterThan(0);
      for (const S of near) expect(supportLogPosterior(p, S).score).toBeLessThanOrEqual(r.score + 1e-9);
    }
  });

  it("the refined guide's rate is its exact KL under the prior the search scores: −log p(L*) + log C(K, L*) + the slab's KL, by hand", () => {
    const truths: Array<[number[], number[]]> = [
      [
        [1, 2, 5],
        [0.9, -1.1, 1.3],
      ],
      [
        [0, 4],
        [1.2, -0.8],
      ],
      [[3], [-1.5]],
    ];
    const xs = truths.flatMap(([u, v]) => rowFrom(u, v));
    const rows = truths.length;
    // the amortised proposal: unit 0 alone in every row, slab N(0, 1)
    const q = cappedSparseCode({
      levelLogits: tf.tensor(Array.from({ length: rows }, () => [5, 0, 0]).flat(), [rows, L0]),
      indexLogits: tf.tensor(Array.from({ length: rows }, () => [5, 0, 0, 0, 0, 0]).flat(), [rows, K]),
      loc: tf.zeros([rows, K]),
      scale: tf.ones([rows, K]),
    });
    const store = new Map([
      ["W", tf.tensor(kernel)],
      ["c", tf.tensor(bias)],
    ]);
    const g = { params: { has: (n: string) => store.has(n), get: (n: string) => store.get(n)! }, step: 1, replicas: undefined, observed: { x: tf.tensor(xs, [rows, D]) } } as unknown as DrawContext;
    const refiner = linearGaussianRefiner({ observed: "x", kernel: "W", bias: "c", noiseScale: noise, levelLogProbs: () => [levelLogProbs] });
    const refined = refiner.refine(q, g);
    expect(refined.kind).toBe("CappedSupportMass");
    const prior = cappedSparseCode({ levelLogits: tf.tensor(levelLogProbs), indexLogits: tf.zeros([K]), loc: tf.zeros([K]), scale: 1 });
    const got = Array.from(kl(refined, prior).dataSync());
    const logChoose = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.log(n - i) - Math.log(i + 1)).reduce((a, b) => a + b, 0);
    truths.forEach(([units], i) => {
      const best = refineSupport(problem(xs.slice(i * D, (i + 1) * D)), [0]);
      expect(best.units).toEqual(units); // the rows are clear: the search finds the generating support
      const L = best.units.length;
      const slab = best.units.reduce((a, _, j) => {
        const v = 1 / best.precision[j];
        return a + 0.5 * (v + best.mean[j] ** 2 - 1 - Math.log(v));
      }, 0);
      expect(got[i]).toBeCloseTo(-levelLogProbs[L - 1] + logChoose(K, L) + slab, 3);
    });
  });

  it("stops after maxMoves", () => {
    const x = rowFrom([1, 2, 5], [0.9, -1.1, 1.3]);
    const p = problem(x);
    const r = refineSupport(p, [0], 1);
    expect(r.moves).toBe(1);
    expect(r.score).toBeGreaterThan(supportLogPosterior(p, [0]).score);
    expect(r.score).toBeLessThan(refineSupport(p, [0]).score);
  });
});
