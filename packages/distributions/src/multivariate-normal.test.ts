import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { multivariateNormalTriL } from "./multivariate-normal.js";
import { normal } from "./normal.js";
import { kl } from "./kl.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());
const L3 = [[2, 0, 0], [0.5, 1, 0], [-0.3, 0.8, 0.7]];

describe("MultivariateNormalTriL", () => {
  it("KL to an independent Normal matches the Monte Carlo estimate (3 standard errors), batched, with a per-coordinate prior", () => {
    const q = multivariateNormalTriL(tf.tensor2d([[1, -1, 0.5], [0, 0.3, -0.2]]), tf.stack([tf.tensor2d(L3), tf.tensor2d([[0.4, 0, 0], [0.1, 0.3, 0], [0.2, -0.1, 0.5]])]));
    const p = normal(tf.tensor1d([0, 0.5, -1]), tf.tensor1d([1, 2, 0.7]));
    const n = 20000;
    const z = q.sample(Key.of(7), [n]);
    const { mean, variance } = tf.moments(tf.sub(q.logProb(z), tf.sum(p.logProb(z), -1)), 0);
    const closed = vals(kl(q, p));
    vals(mean).forEach((m, i) => expect(Math.abs(m - closed[i])).toBeLessThan(3 * Math.sqrt(vals(variance)[i] / n) + 1e-4));
  });

  it("KL to an independent Normal equals the Gaussian closed form ½[tr(Σp⁻¹Σ) + Δᵀ Σp⁻¹ Δ − w + log det Σp − log det Σ] (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.array(fc.double({ min: 0.3, max: 2, noNaN: true }), { minLength: 2, maxLength: 2 }), (e, s) =>
        tf.tidy(() => {
          const L = [[s[0], 0], [e[0], s[1]]];
          const mu = [e[1], e[2]];
          const m = [e[3], e[4]];
          const sp = [Math.abs(e[5]) + 0.5, 1.3];
          const Sig = [[L[0][0] ** 2, L[0][0] * L[1][0]], [L[0][0] * L[1][0], L[1][0] ** 2 + L[1][1] ** 2]];
          const closed = 0.5 * (Sig[0][0] / sp[0] ** 2 + Sig[1][1] / sp[1] ** 2 + ((mu[0] - m[0]) / sp[0]) ** 2 + ((mu[1] - m[1]) / sp[1]) ** 2 - 2 + 2 * Math.log(sp[0] * sp[1]) - Math.log(Sig[0][0] * Sig[1][1] - Sig[0][1] ** 2));
          const v = kl(multivariateNormalTriL(tf.tensor1d(mu), tf.tensor2d(L)), normal(tf.tensor1d(m), tf.tensor1d(sp))).dataSync()[0];
          return Math.abs(v - closed) < 1e-4 * Math.max(1, Math.abs(closed));
        }),
      ),
      { numRuns: 30 },
    );
  });

  it("lays its event out as given: [1, 3] draws, log densities per batch entry, and only the lower triangle counts", () => {
    const full = tf.tensor2d([[2, 9, 9], [0.5, 1, 9], [-0.3, 0.8, 0.7]]); // entries above the diagonal are ignored
    const q = multivariateNormalTriL(tf.tensor2d([[1, -1, 0.5], [1, -1, 0.5]]), full, [1, 3]);
    const x = q.sample(Key.of(3), [5]);
    expect(x.shape).toEqual([5, 2, 1, 3]);
    const flat = multivariateNormalTriL(tf.tensor1d([1, -1, 0.5]), tf.tensor2d(L3));
    const lp = q.logProb(x);
    expect(lp.shape).toEqual([5, 2]);
    vals(lp).forEach((v, i) => expect(v).toBeCloseTo(vals(flat.logProb(tf.reshape(x, [10, 3])))[i], 5));
    expect(vals(q.entropy())[0]).toBeCloseTo(1.5 * (1 + Math.log(2 * Math.PI)) + Math.log(2 * 1 * 0.7), 5);
  });

  it("reparameterise(ε) = loc + L ε, and L⁻¹ undoes it (whiten)", () => {
    const q = multivariateNormalTriL(tf.tensor1d([1, -1, 0.5]), tf.tensor2d(L3));
    const eps = tf.tensor2d([[0.3, -1.2, 2], [1, 0, 0]]);
    const z = q.reparameterise(eps);
    const expected = vals(tf.add(tf.tensor1d([1, -1, 0.5]), tf.matMul(eps, tf.tensor2d(L3), false, true)));
    vals(z).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    vals(q.whiten(tf.sub(z, q.loc))).forEach((v, i) => expect(v).toBeCloseTo(vals(eps)[i], 5));
  });
});
