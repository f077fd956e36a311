// The generic distribution suite (DESIGN §8): every case enrolled with `registerDistribution`
// is checked for log-density against its committed reference values, sample shapes, sample
// moments against the closed-form mean/variance, support membership of samples, and finite
// gradients of the log density (and of reparameterised samples) in the listed parameters.
//
// Conventions for a case: each point has the event shape and is broadcast against the batch
// shape, so `logProb` lists len(points) * prod(batchShape) values, ordered [point, ...batch];
// `mean`/`variance` are flattened over batchShape ++ eventShape.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { tf, Key } from "@sparse-dgm/core";
import "./index.js";
import { distributionCases, type DistributionCase } from "./registry.js";
import type { Distribution } from "./distribution.js";
import { standardReference } from "./reference/standard.js";

const DRAWS = 20000;

/** The case's points as a tensor of shape [P, 1 x batchRank, ...eventShape]. */
export function pointsTensor(c: DistributionCase, d: Distribution): tf.Tensor {
  const pts = c.points as number[] | number[][];
  const t = tf.tensor(pts as number[], undefined, "float32");
  const P = pts.length;
  return tf.reshape(t, [P, ...d.batchShape.map(() => 1), ...d.eventShape]);
}

function allFinite(t: tf.Tensor): boolean {
  return Array.from(t.dataSync()).every(Number.isFinite);
}

const cases = distributionCases();

describe("registry", () => {
  it("has the standard distributions enrolled", () => {
    const kinds = new Set(cases.map((c) => tf.tidy(() => c.make().kind)));
    for (const k of ["Normal", "Laplace", "Bernoulli", "Categorical", "Multinomial", "Beta", "Gamma", "InverseGamma", "Poisson", "NegativeBinomial", "Delta"]) {
      expect(kinds.has(k), k).toBe(true);
    }
  });
  it("the TS copy of the scipy references equals reference/standard.json", () => {
    const json = JSON.parse(readFileSync(new URL("./reference/standard.json", import.meta.url), "utf8"));
    expect(standardReference).toEqual(json);
  });
});

for (const c of cases) {
  describe(`generic: ${c.name}`, () => {
    if (c.points && c.logProb) {
      it("logProb matches the reference values", () => {
        tf.tidy(() => {
          const d = c.make();
          const lp = d.logProb(pointsTensor(c, d));
          expect(lp.shape).toEqual([c.points!.length, ...d.batchShape]);
          const got = lp.dataSync();
          const want = c.logProb!;
          expect(got.length).toBe(want.length);
          const tol = c.tol ?? 1e-4;
          for (let i = 0; i < want.length; i++) {
            if (!Number.isFinite(want[i])) expect(got[i], `point ${i}`).toBe(want[i]);
            else expect(Math.abs(got[i] - want[i]), `point ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol);
          }
        });
      });
    }

    it("sample shape = sampleShape ++ batchShape ++ eventShape", () => {
      tf.tidy(() => {
        const d = c.make();
        expect(d.sample(Key.of(1), [3, 2]).shape).toEqual([3, 2, ...d.batchShape, ...d.eventShape]);
        expect(d.sample(Key.of(1)).shape).toEqual([...d.batchShape, ...d.eventShape]);
      });
    });

    it("samples lie in the support and are reproducible from the key", () => {
      tf.tidy(() => {
        const d = c.make();
        const s = d.sample(Key.of(11), [500]);
        expect(tf.all(d.support.check(s)).dataSync()[0]).toBe(1);
        expect(Array.from(d.sample(Key.of(11), [500]).dataSync())).toEqual(Array.from(s.dataSync()));
      });
    });

    if (c.mean) {
      it(`sample moments match the closed forms (${DRAWS} draws)`, () => {
        tf.tidy(() => {
          const d = c.make();
          const s = d.sample(Key.of(2024), [DRAWS]);
          const { mean, variance } = tf.moments(s, 0);
          const m = mean.dataSync();
          const v = variance.dataSync();
          const tol = c.momentTol ?? 0.05;
          const wantM = c.mean!;
          expect(m.length).toBe(wantM.length);
          for (let i = 0; i < wantM.length; i++) {
            const sd = Math.sqrt(c.variance ? c.variance[i] : v[i]);
            expect(Math.abs(m[i] - wantM[i]), `mean[${i}]: got ${m[i]}, want ${wantM[i]}`).toBeLessThanOrEqual(tol * Math.max(Math.abs(wantM[i]), sd) + 1e-6);
          }
          if (c.variance) {
            for (let i = 0; i < c.variance.length; i++) {
              expect(Math.abs(v[i] - c.variance[i]), `variance[${i}]: got ${v[i]}, want ${c.variance[i]}`).toBeLessThanOrEqual(tol * c.variance[i] + 1e-6);
            }
          }
        });
      });

      it("mean() and variance() equal the registered closed forms (where implemented)", () => {
        tf.tidy(() => {
          const d = c.make();
          const check = (f: () => tf.Tensor, want: number[] | undefined) => {
            if (!want) return;
            let t: tf.Tensor;
            try {
              t = f();
            } catch (e) {
              if (/not implemented/.test(String(e))) return;
              throw e;
            }
            const got = t.dataSync();
            expect(got.length).toBe(want.length);
            for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
          };
          check(() => d.mean(), c.mean);
          check(() => d.variance(), c.variance);
        });
      });
    }

    for (const name of c.gradParams ?? []) {
      it(`gradients w.r.t. ${name} are finite`, () => {
        tf.tidy(() => {
          const d0 = c.make();
          const base = d0.params();
          const t0 = base[name];
          expect(t0, `params() has no "${name}"`).toBeDefined();
          const build = (p: tf.Tensor) => (c.makeWith ? c.makeWith({ ...base, [name]: p }) : d0);
          const x = c.points ? pointsTensor(c, d0) : d0.sample(Key.of(3), [4]);
          let g: tf.Tensor;
          try {
            g = tf.grad((p: tf.Tensor) => tf.sum(build(p).logProb(x)))(t0);
          } catch (e) {
            const hint = c.makeWith ? "" : ` (the case has no makeWith, and logProb does not use params().${name} lazily: add makeWith to the registered case)`;
            throw new Error(`${String(e)}${hint}`);
          }
          expect(g.shape).toEqual(t0.shape);
          expect(allFinite(g), `d logProb / d ${name} = ${g.dataSync()}`).toBe(true);
          if (d0.hasRsample) {
            const gs = tf.grad((p: tf.Tensor) => tf.sum(build(p).sample(Key.of(5), [4])))(t0);
            expect(allFinite(gs), `d sample / d ${name} = ${gs.dataSync()}`).toBe(true);
          }
        });
      });
    }

    it("is tidy: logProb and sample leak no tensors", () => {
      const d = c.make();
      const x = c.points ? pointsTensor(c, d) : d.sample(Key.of(3), [4]);
      const before = tf.memory().numTensors;
      tf.dispose([d.logProb(x), d.sample(Key.of(4), [3])]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
