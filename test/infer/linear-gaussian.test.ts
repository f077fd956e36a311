/**
 * A linear-Gaussian model has a closed-form marginal likelihood: with z ~ N(0, I_K) and
 * x | z ~ N(W z, s² I_G), x ~ N(0, W Wᵀ + s² I). After fitting W (MAP) and the amortised guide,
 * the held-out ELBO must lie below the exact log-likelihood (at the fitted W) and the IWAE bound
 * with k = 1000 within 0.5% of it.
 */
import { describe, it, expect } from "vitest";
import { tf, model, initBackend } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";

const G = 3;
const K = 2;
const S = 0.5;

/** log N(x; 0, C) per row, averaged, for a small dense C (Cholesky in plain JS). */
function exactLogLik(x: number[][], C: number[][]): number {
  const n = C.length;
  const L = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = C[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  const logDet = 2 * L.reduce((a, row, i) => a + Math.log(row[i]), 0);
  let total = 0;
  for (const row of x) {
    const y = new Array(n).fill(0); // solve L y = x
    for (let i = 0; i < n; i++) {
      let s = row[i];
      for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
      y[i] = s / L[i][i];
    }
    total += -0.5 * (n * Math.log(2 * Math.PI) + logDet + y.reduce((a, v) => a + v * v, 0));
  }
  return total / x.length;
}

describe("a linear-Gaussian model with a known marginal likelihood", () => {
  it("ELBO < log p(x) and IWAE-1000 within 0.5% of it", async () => {
    await initBackend("wasm");
    try {
      const m = model("linear-gaussian")
        .plate("data")
        .plate("feature", G)
        .plate("factor", K)
        .global("W", () => normal(0, 10), { plates: ["feature", "factor"], init: "standardNormal" })
        .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
        .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), S), { plates: ["data", "feature"] });
      const Wtrue = tf.tensor2d([[1.5, 0], [0.8, -1.2], [0, 2]]);
      const make = (n: number, seed: number) =>
        tf.tidy(() => tf.add(tf.matMul(tf.randomNormal([n, K], 0, 1, "float32", seed), Wtrue, false, true), tf.randomNormal([n, G], 0, S, "float32", seed + 1)));
      const train = make(2000, 1);
      const test = make(500, 3);
      const p = compile(m, { seed: 0, normalisation: "elbo", encoderHidden: [32] });
      await p.fit(train, { epochs: 150, batchSize: 100, learningRate: 1e-2 });
      const W = p.globals().W.arraySync() as number[][];
      const C = Array.from({ length: G }, (_, i) => Array.from({ length: G }, (_, j) => W[i].reduce((a, w, k) => a + w * W[j][k], 0) + (i === j ? S * S : 0)));
      const exact = exactLogLik(test.arraySync() as number[][], C);
      const elbo = p.evaluate(test).elbo[0];
      const iwae = p.iwae(test, 1000)[0];
      console.log(`linear-Gaussian: exact log p(x) ${exact.toFixed(4)}, ELBO ${elbo.toFixed(4)}, IWAE-1000 ${iwae.toFixed(4)}`);
      expect(elbo).toBeLessThan(exact);
      expect(iwae).toBeGreaterThan(elbo);
      expect(Math.abs(iwae - exact) / Math.abs(exact)).toBeLessThan(0.005);
    } finally {
      await initBackend("cpu");
    }
  });
});
