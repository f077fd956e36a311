// The MMD independence penalty against closed forms: the unbiased statistic by hand on a few
// points, the population MMD² of two Gaussians (large samples), ≈ 0 for independent codes, the
// conditional form (Z ⊥ S | Y), replicas and missing rows, and its use as a DSL factor.
import { describe, expect, it } from "vitest";
import { tf, Key, model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { mmdIndependence, independencePenalty } from "./independence.js";
import { compile } from "./program.js";

const k = (a: number[], b: number[], h: number) => Math.exp(-a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / (2 * h * h));

function byHand(z: number[][], s: number[], h: number): number {
  const g = (v: number) => z.filter((_, i) => s[i] === v);
  const within = (A: number[][]) => {
    let t = 0;
    for (let i = 0; i < A.length; i++) for (let j = 0; j < A.length; j++) if (i !== j) t += k(A[i], A[j], h);
    return t / (A.length * (A.length - 1));
  };
  const [a, b] = [g(0), g(1)];
  let x = 0;
  for (const u of a) for (const v of b) x += k(u, v, h);
  return within(a) + within(b) - (2 * x) / (a.length * b.length);
}

const value = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe("mmdIndependence", () => {
  it("is the unbiased MMD² by hand (fixed bandwidth), missing rows left out", () => {
    const z = [
      [0, 1],
      [0.5, -1],
      [2, 0],
      [1, 1],
      [-1, 0.2],
      [3, 3],
    ];
    const s = [0, 0, 1, 1, 1, -1];
    const [v] = value(mmdIndependence(tf.tensor2d(z), tf.tensor1d(s), { bandwidth: 1.3 }));
    expect(v).toBeCloseTo(byHand(z.slice(0, 5), s.slice(0, 5), 1.3), 5);
  });
  it("matches the population MMD² of N(0, σ²) and N(Δ, σ²): 2h/√(h²+2σ²)·(1 − exp(−Δ²/(2(h²+2σ²))))", () => {
    // 6 independent batches of 300 as replicas: each estimate has SD ≈ 0.05 here, their mean ≈ 0.02
    const [R, n] = [6, 300];
    const key = Key.of(3);
    const e = key.normalArray(R * n);
    const s = Array.from({ length: R * n }, (_, i) => i % 2);
    const [sigma, delta, h] = [0.7, 1.2, 1];
    const z = tf.tensor3d(
      s.map((v, i) => v * delta + sigma * e[i]),
      [R, n, 1],
    );
    const c = h * h + 2 * sigma * sigma;
    const truth = ((2 * h) / Math.sqrt(c)) * (1 - Math.exp((-delta * delta) / (2 * c))); // 0.434
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.abs(mean(value(mmdIndependence(z, tf.tensor2d(s, [R, n]), { bandwidth: h }))) - truth)).toBeLessThan(0.06);
    // codes that ignore s: ≈ 0 (unbiased), with the default multi-scale bandwidth too
    const w = tf.tensor3d(
      s.flatMap((_, i) => [e[i], e[(i * 7 + 1) % (R * n)]]),
      [R, n, 2],
    );
    for (const o of [{ bandwidth: h }, {}]) expect(Math.abs(mean(value(mmdIndependence(w, tf.tensor2d(s, [R, n]), o))))).toBeLessThan(0.025);
  });
  it("conditional on a label: codes that depend on y only are penalised unconditionally, not given y", () => {
    const n = 600;
    const key = Key.of(5);
    const e = key.normalArray(n);
    const u = key.foldIn("u").uniformArray(n);
    const y = Array.from({ length: n }, (_, i) => i % 2);
    const s = y.map((v, i) => (u[i] < 0.8 ? v : 1 - v)); // s agrees with y at 80%
    const z = y.map((v, i) => [2 * v + 0.5 * e[i]]);
    const [plain] = value(mmdIndependence(tf.tensor2d(z), tf.tensor1d(s), { bandwidth: 1 }));
    const [given] = value(mmdIndependence(tf.tensor2d(z), tf.tensor1d(s), { bandwidth: 1, given: tf.tensor1d(y) }));
    expect(plain).toBeGreaterThan(0.2);
    expect(Math.abs(given)).toBeLessThan(0.02);
    // three environments: the mean over the three pairs
    const env = y.map((_, i) => i % 3);
    const z3 = env.map((v, i) => [v + 0.3 * e[i]]);
    const [three] = value(mmdIndependence(tf.tensor2d(z3), tf.tensor1d(env), { bandwidth: 1, levels: 3 }));
    const pair = (a: number, b: number) => {
      const idx = env
        .map((v, i) => (v === a || v === b ? i : -1))
        .filter((i) => i >= 0)
        .slice(0, 200);
      return byHand(
        idx.map((i) => z3[i]),
        idx.map((i) => (env[i] === a ? 0 : 1)),
        1,
      );
    };
    expect(Math.abs(three - (pair(0, 1) + pair(0, 2) + pair(1, 2)) / 3)).toBeLessThan(0.03);
  });
  it("W-1: levels come from the data (environments {1, 2} are penalised like {0, 1}); a value ≥ a given levels is refused, never dropped", () => {
    const B = 40;
    const key = Key.of(11);
    const e = key.normalArray(B * 2);
    // the two environments' codes are N(0, I) and N(5, I): far apart
    const z = tf.tensor2d(Array.from({ length: B }, (_, i) => [e[2 * i] + (i < B / 2 ? 0 : 5), e[2 * i + 1] + (i < B / 2 ? 0 : 5)]));
    const lab = (a: number, b: number) => tf.tensor1d(Array.from({ length: B }, (_, i) => (i < B / 2 ? a : b)));
    const [base] = value(mmdIndependence(z, lab(0, 1)));
    expect(base).toBeGreaterThan(0.5);
    // before the fix: 0 (value 2 one-hot to an all-zero row at the default levels 2)
    const [shifted] = value(mmdIndependence(z, lab(1, 2)));
    expect(shifted).toBeCloseTo(base, 5);
    expect(value(mmdIndependence(z, lab(1, 2), { levels: 3 }))[0]).toBeCloseTo(base, 5);
    expect(() => mmdIndependence(z, lab(1, 2), { levels: 2, names: { attribute: 'side data "environment"' } })).toThrow(
      /side data "environment" has the value 2, but levels is 2 .*set levels to at least 3/,
    );
    // the label too; negative stays "missing"
    expect(() => mmdIndependence(z, lab(0, 1), { given: lab(0, 3), givenLevels: 2 })).toThrow(/the label has the value 3, but givenLevels is 2/);
    const withMissing = tf.tensor1d(Array.from({ length: B }, (_, i) => (i < B / 2 ? 1 : i < B - 2 ? 2 : -1)));
    expect(value(mmdIndependence(z, withMissing))[0]).toBeGreaterThan(0.5);
  });
  it("per replica: [R, B, D] equals each replica alone; its gradient matches a finite difference", () => {
    const z = tf.tensor3d([
      [[0], [1], [2], [0.5]],
      [[3], [1], [0], [-1]],
    ]);
    const s = tf.tensor2d([
      [0, 0, 1, 1],
      [0, 1, 0, 1],
    ]);
    const both = value(mmdIndependence(z, s, { bandwidth: 0.8 }));
    const one = value(mmdIndependence(tf.tensor2d([[3], [1], [0], [-1]]), tf.tensor1d([0, 1, 0, 1]), { bandwidth: 0.8 }));
    expect(both[1]).toBeCloseTo(one[0], 6);
    // standardised: a dimension's scale does not matter
    const z2 = tf.tensor2d([
      [0, 1],
      [1, 5],
      [2, -3],
      [0.5, 2],
    ]);
    const stretched = tf.mul(z2, tf.tensor1d([1000, 0.01]));
    const sOf = tf.tensor1d([0, 0, 1, 1]);
    expect(value(mmdIndependence(stretched, sOf, { standardize: true, bandwidth: 1 }))[0]).toBeCloseTo(value(mmdIndependence(z2, sOf, { standardize: true, bandwidth: 1 }))[0], 5);
    const f = (t: tf.Tensor) => mmdIndependence(t, tf.tensor1d([0, 0, 1, 1]), { bandwidth: 0.8 });
    const x = [0, 1, 2, 0.5];
    const g = value(tf.grad((t: tf.Tensor) => f(t) as tf.Scalar)(tf.tensor2d(x.map((v) => [v]))));
    const eps = 1e-3;
    const at = (d: number, i: number) => value(f(tf.tensor2d(x.map((v, j) => [v + (j === i ? d : 0)]))))[0];
    for (let i = 0; i < 4; i++) expect(g[i]).toBeCloseTo((at(eps, i) - at(-eps, i)) / (2 * eps), 2);
  });
});

describe("independencePenalty as a DSL factor", () => {
  it("adds an auxiliary term −MMD² of the selected codes, with the attribute as side data, and pulls the groups' codes together", async () => {
    const n = 128;
    const key = Key.of(1);
    const s = Array.from({ length: n }, (_, i) => i % 2);
    const e = key.normalArray(n * 3);
    // x reveals s strongly
    const x = tf.tensor2d(Array.from({ length: n }, (_, i) => [3 * s[i] + 0.1 * e[3 * i], e[3 * i + 1], e[3 * i + 2]]));
    const build = (weight: number) =>
      model("fairToy")
        .plate("data")
        .plate("feature", 3)
        .plate("factor", 2)
        .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
        .observe("x", ({ z }, ctx) => normal(ctx.layout(ctx.mlp("dec", { input: z, hidden: [16], output: 3 }), ["data", "feature"]), 0.3), { plates: ["data", "feature"] })
        // the penalised run reads the guide's means, the other its draws
        .factor("independence", independencePenalty({ codes: "z", attribute: "sensitive", select: { plate: "factor", indices: [0, 1] }, use: weight > 0 ? "mean" : "sample" }), {
          weight,
          needs: ["sensitive"],
        });
    const gap = async (weight: number) => {
      const p = compile(build(weight), { seed: 0, encoderHidden: [16] });
      const names = new Set<string>();
      await p.fit({ x, sensitive: tf.tensor1d(s) }, { epochs: 25, batchSize: 64, learningRate: 1e-2, onStep: (i) => Object.keys(i.terms).forEach((t) => names.add(t)) });
      const z = p.encode(x).z.mean;
      const pen = value(mmdIndependence(z, tf.tensor1d(s), { bandwidth: 1 }))[0];
      z.dispose();
      p.dispose();
      return { names, pen };
    };
    const free = await gap(0);
    const fair = await gap(50);
    expect(fair.names.has("auxiliary:independence")).toBe(true);
    expect(free.pen).toBeGreaterThan(0.1);
    expect(fair.pen).toBeLessThan(free.pen / 5);
  }, 60_000);
});
