// The fullRankNormal family (guide: { kind: "fullRank" }) against closed forms. A linear-Gaussian
// model with fixed, overlapping loadings W has a Gaussian posterior N(Σ Wᵀ x / s², Σ), Σ = P⁻¹,
// P = I + WᵀW / s², whose mean is linear in x: with a linear encoder (encoderHidden: []) the guide's
// heads can hold it exactly. Set there, the full-rank guide's ELBO is the closed-form marginal
// likelihood and the mean-field guide's (variances 1 / P_kk, its optimum) is below it by the gap
// ½ (Σ log P_kk − log det P); trained, the full-rank guide passes the mean-field optimum.
import { describe, it, expect } from "vitest";
import { tf, model } from "@sparse-dgm/core";
import { normal, gamma } from "@sparse-dgm/distributions";
import { compile, type Program } from "@sparse-dgm/infer";
import { useBackend } from "../support/backend.js";

const S = 0.3;
// three factors; rows 6-9 load on two or three of them: WᵀW is far from diagonal
const W = [[1.2, 0, 0], [-0.9, 0, 0], [0, 1.1, 0], [0, 0.7, 0], [0, 0, -1.3], [0, 0, 0.8], [0.9, 0.8, 0], [0, 1.0, 0.9], [0.7, 0, 1.1], [0.8, 0.9, 0.8]];
const G = W.length;
const K = 3;

/** Cholesky factor of a small SPD matrix (plain JS). */
function cholesky(C: number[][]): number[][] {
  const n = C.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = C[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  return L;
}
const logDet = (C: number[][]) => 2 * cholesky(C).reduce((a, r, i) => a + Math.log(r[i]), 0);
/** C⁻¹ of a small SPD matrix, column by column. */
function inverse(C: number[][]): number[][] {
  const L = cholesky(C);
  const n = C.length;
  const solve = (b: number[]) => {
    const y = b.slice();
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) y[i] -= L[i][k] * y[k];
      y[i] /= L[i][i];
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let k = i + 1; k < n; k++) y[i] -= L[k][i] * y[k];
      y[i] /= L[i][i];
    }
    return y;
  };
  const cols = Array.from({ length: n }, (_, j) => solve(Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
  return cols[0].map((_, i) => cols.map((c) => c[i]));
}

function exactLogLik(x: number[][]): number {
  const C = W.map((ri, i) => W.map((rj, j) => ri.reduce((a, w, k) => a + w * rj[k], 0) + (i === j ? S * S : 0)));
  const Ci = inverse(C);
  const quad = (r: number[]) => r.reduce((a, ri, i) => a + ri * r.reduce((b, rj, j) => b + Ci[i][j] * rj, 0), 0);
  return x.reduce((a, r) => a - 0.5 * (G * Math.log(2 * Math.PI) + logDet(C) + quad(r)), 0) / x.length;
}

/** The posterior precision P = I + WᵀW / s². */
const P = Array.from({ length: K }, (_, a) => Array.from({ length: K }, (_, b) => W.reduce((s, r) => s + r[a] * r[b], 0) / (S * S) + (a === b ? 1 : 0)));
const gap = 0.5 * (P.reduce((s, r, k) => s + Math.log(r[k]), 0) - logDet(P));

const linearGaussian = (guide?: { kind: "fullRank" }) =>
  model("linear-gaussian-fixed")
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], ...(guide ? { guide } : {}) })
    .observe("x", ({ z }) => normal(tf.sum(tf.mul(z, tf.tensor2d(W)), -1, true), S), { plates: ["data", "feature"] });

const data = (n: number, seed: number) => tf.tidy(() => tf.add(tf.matMul(tf.randomNormal([n, K], 0, 1, "float32", seed), tf.tensor2d(W), false, true), tf.randomNormal([n, G], 0, S, "float32", seed + 1)));

/** The ELBO per point, averaged over evaluation draws. */
const meanElbo = (p: Program, x: tf.Tensor, draws = 4) => [...Array(draws).keys()].map((s) => p.evaluate(x, { seed: s }).elbo[0]).reduce((a, b) => a + b) / draws;

/** Sets a linear encoder's heads (kernel [G, heads], bias [heads]) to the exact posterior mean and the given head biases. */
function setHeads(p: Program, rest: number[]): void {
  const Sigma = inverse(P);
  const gain = W.map((r) => Sigma.map((_, k) => r.reduce((a, w, j) => a + w * Sigma[j][k], 0) / (S * S))); // W Σ / s², [G, K]
  const kernel = gain.map((r) => [...r, ...rest.map(() => 0)]);
  p.params.get("guide/z/heads/kernel").assign(tf.tensor2d(kernel));
  p.params.get("guide/z/heads/bias").assign(tf.tensor1d([0, 0, 0, ...rest]));
}

describe("fullRankNormal family", () => {
  it("at the exact posterior its ELBO is the marginal likelihood; the mean-field optimum is below it by the closed-form gap", async () => {
    const x = data(5000, 11);
    const exact = exactLogLik(x.arraySync() as number[][]);
    const init = async (guide?: { kind: "fullRank" }) => {
      const p = compile(linearGaussian(guide), { seed: 0, encoderHidden: [] });
      await p.fit(x, { epochs: 1, batchSize: 100, maxSteps: 1 }); // creates the parameters
      return p;
    };
    const full = await init({ kind: "fullRank" });
    const L = cholesky(inverse(P));
    setHeads(full, [...L.map((r, i) => 2 * Math.log(r[i])), L[1][0], L[2][0], L[2][1]]);
    const diagonal = await init();
    setHeads(diagonal, P.map((r, k) => -Math.log(r[k])));
    const [ef, ed] = [meanElbo(full, x), meanElbo(diagonal, x)];
    console.log(`exact log p(x) ${exact.toFixed(4)}, mean-field gap ${gap.toFixed(4)}; at the exact posterior: ELBO full-rank ${ef.toFixed(4)}, mean-field ${ed.toFixed(4)}`);
    expect(gap).toBeGreaterThan(0.1);
    expect(Math.abs(ef - exact)).toBeLessThan(0.02);
    expect(Math.abs(ed - (exact - gap))).toBeLessThan(0.02);
    // q.logProb of the draws (iwae's weights) is the guide's density: the weights are then all log p(x)
    expect(Math.abs(full.iwae(tf.slice(x, [0, 0], [200, G]), 4)[0] - exactLogLik((x.arraySync() as number[][]).slice(0, 200)))).toBeLessThan(1e-3);
    [full, diagonal].forEach((p) => p.dispose());
    x.dispose();
  });

  it("trains from the mean-field optimum past it (gradients reach the off-diagonal head)", async () => {
    const x = data(1000, 21);
    const exact = exactLogLik(x.arraySync() as number[][]);
    const p = compile(linearGaussian({ kind: "fullRank" }), { seed: 0, encoderHidden: [] });
    await p.fit(x, { epochs: 1, batchSize: 100, maxSteps: 1 });
    setHeads(p, [...P.map((r, k) => -Math.log(r[k])), 0, 0, 0]); // L = diag(P_kk^-½): the best mean-field guide
    const start = meanElbo(p, x);
    await p.fit(x, { epochs: 20, batchSize: 100, learningRate: 3e-3 });
    const trained = meanElbo(p, x);
    console.log(`exact ${exact.toFixed(4)}, mean-field optimum ${(exact - gap).toFixed(4)}; full-rank from there ${start.toFixed(4)}, trained 200 steps ${trained.toFixed(4)}`);
    expect(Math.abs(start - (exact - gap))).toBeLessThan(0.03);
    expect(trained).toBeGreaterThan(exact - gap / 2);
    p.dispose();
    x.dispose();
  });

  it("is refused for a latent whose prior lives off the real line, naming the site and the choices", () => {
    const m = model("gamma-latent")
      .plate("data")
      .plate("factor", 2)
      .latent("z", () => gamma(2, 1), { plates: ["data", "factor"], guide: { kind: "fullRank" } })
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "factor"] });
    expect(() => compile(m)).toThrow(/^site "z": no inference family serves a local latent with estimator reparameterised\(\), prior Gamma, guide "fullRank"; supported for a local latent: .*fullRankNormal \(reparameterised\(\); a prior on real; guide: \{ kind: "fullRank" \}\)/);
  });
});

describe("fullRankNormal on wasm (the default backend)", () => {
  useBackend("wasm");
  it("trains: L is built by a matMul, whose gradient wasm has (a gather's, UnsortedSegmentSum, it lacks)", async () => {
    const x = data(200, 5);
    const p = compile(linearGaussian({ kind: "fullRank" }), { seed: 0, encoderHidden: [] });
    const fit = await p.fit(x, { epochs: 1, batchSize: 100 });
    expect(fit.history.length).toBe(1);
    expect(Number.isFinite(fit.history[0])).toBe(true);
    expect(p.params.get("guide/z/heads/kernel").shape.at(-1)).toBe(3 + 3 + 3);
    p.dispose();
    x.dispose();
  });
});
