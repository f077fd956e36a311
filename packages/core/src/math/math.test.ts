import { describe, it, expect } from "vitest";
import { tf } from "../tf.js";
import { lgamma, digamma, trigamma, logsumexp, log1mexp, softplusInverse, softplus, logSigmoid, log1p } from "./index.js";
import ref from "./reference-values.json" with { type: "json" };
import { worst } from "../../../../test/support/tolerance.js";

type Fn = (x: tf.Tensor) => tf.Tensor;

function checkValues(name: string, f: Fn, table: { x: number[]; value: number[] }, rtol: number, atol: number) {
  const got = tf.tidy(() => f(tf.tensor1d(table.x)).dataSync());
  const w = worst(got, table.value, rtol, atol);
  expect(w.ratio, `${name} at x=${table.x[w.at]}: got ${got[w.at]}, want ${table.value[w.at]}`).toBeLessThanOrEqual(1);
}

function checkGrads(name: string, f: Fn, table: { x: number[]; grad: number[] }, rtol: number, atol: number) {
  const got = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => tf.sum(f(x)))(tf.tensor1d(table.x))
      .dataSync(),
  );
  const w = worst(got, table.grad, rtol, atol);
  expect(w.ratio, `d${name} at x=${table.x[w.at]}: got ${got[w.at]}, want ${table.grad[w.at]}`).toBeLessThanOrEqual(1);
}

describe("lgamma / digamma / trigamma vs scipy", () => {
  it("lgamma values (rel 1e-5 on (1e-3, 1e4), abs 2e-6 near the zeros)", () => {
    checkValues("lgamma", lgamma, ref.lgamma, 1e-5, 2e-6);
  });
  it("lgamma gradient = digamma", () => {
    checkGrads("lgamma", lgamma, ref.lgamma, 1e-5, 2e-6);
  });
  it("digamma values", () => {
    checkValues("digamma", digamma, ref.digamma, 1e-5, 2e-6);
  });
  it("digamma gradient = trigamma", () => {
    checkGrads("digamma", digamma, ref.digamma, 1e-5, 1e-6);
  });
  it("trigamma values", () => {
    checkValues("trigamma", trigamma, ref.trigamma, 1e-5, 1e-7);
  });
  it("trigamma gradient = tetragamma (autodiff of the series)", () => {
    checkGrads("trigamma", trigamma, ref.trigamma, 1e-4, 1e-8);
  });
  it("known values", () => {
    const v = tf.tidy(() => lgamma(tf.tensor1d([0.5, 5, 10])).dataSync());
    expect(v[0]).toBeCloseTo(0.5 * Math.log(Math.PI), 5);
    expect(v[1]).toBeCloseTo(Math.log(24), 5);
    expect(v[2]).toBeCloseTo(Math.log(362880), 4);
    expect(digamma(tf.scalar(1)).dataSync()[0]).toBeCloseTo(-0.5772157, 5);
    expect(trigamma(tf.scalar(1)).dataSync()[0]).toBeCloseTo(Math.PI ** 2 / 6, 5);
  });
  it("accepts int32 input and keeps shapes", () => {
    const y = lgamma(
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        "int32",
      ),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(y.dtype).toBe("float32");
    expect(y.dataSync()[3]).toBeCloseTo(Math.log(6), 5);
  });
  it("gradient of lgamma matches central finite differences", () => {
    const xs = [0.05, 0.7, 3.3, 6.5, 42];
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(lgamma(x)))(tf.tensor1d(xs))
        .dataSync(),
    );
    xs.forEach((x, i) => {
      const h = 1e-2 * x;
      const fd = tf.tidy(() => {
        const v = lgamma(tf.tensor1d([x + h, x - h])).dataSync();
        return (v[0] - v[1]) / (2 * h);
      });
      expect(Math.abs(g[i] - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(g[i])) + 1e-2 * Math.abs(g[i]));
    });
  });
  it("leaks no tensors", () => {
    const x = tf.tensor1d([0.5, 2, 50]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      lgamma(x);
      digamma(x);
      trigamma(x);
      tf.grad((t: tf.Tensor) => tf.sum(lgamma(t)))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe("log1mexp / softplusInverse / logSigmoid vs scipy", () => {
  it("log1mexp values and gradient (both sides of -log 2)", () => {
    checkValues("log1mexp", log1mexp, ref.log1mexp, 1e-5, 1e-30);
    checkGrads("log1mexp", log1mexp, ref.log1mexp, 1e-5, 1e-30);
  });
  it("softplusInverse values and gradient, large and tiny y", () => {
    checkValues("softplusInverse", softplusInverse, ref.softplusInverse, 1e-5, 1e-6);
    checkGrads("softplusInverse", softplusInverse, ref.softplusInverse, 1e-5, 1e-6);
  });
  it("softplusInverse inverts softplus", () => {
    const y = tf.tidy(() => softplusInverse(softplus(tf.tensor1d([-5, 0, 3, 20]))).dataSync());
    expect(Array.from(y).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-5, 0, 3, 20]);
  });
  it("logSigmoid values and gradient for |x| up to 100", () => {
    checkValues("logSigmoid", logSigmoid, ref.logSigmoid, 1e-6, 1e-30);
    checkGrads("logSigmoid", logSigmoid, ref.logSigmoid, 1e-6, 1e-30);
  });
  it("log1p values and gradient, incl. |u| < 1e-7", () => {
    checkValues("log1p", log1p, ref.log1p, 1e-6, 1e-30);
    checkGrads("log1p", log1p, ref.log1p, 1e-6, 1e-30);
  });
  it("logSigmoid has gradient 1/2 at 0 and is never NaN", () => {
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(logSigmoid(x)))(tf.tensor1d([0, -1e4, 1e4]))
        .dataSync(),
    );
    expect(g[0]).toBeCloseTo(0.5, 6);
    expect(g[1]).toBeCloseTo(1, 6);
    expect(g[2]).toBeCloseTo(0, 6);
  });
});

describe("logsumexp", () => {
  const rows = ref.logsumexp.rows.map((r) => r.map((v) => (v === null ? -Infinity : v)));
  it("matches scipy over the last axis and axis 0 (huge, tiny, partial -inf)", () => {
    const last = tf.tidy(() => logsumexp(tf.tensor2d(rows), -1).dataSync());
    const w = worst(last, ref.logsumexp.lastAxis, 1e-6, 1e-5);
    expect(w.ratio).toBeLessThanOrEqual(1);
    const a0 = tf.tidy(() => logsumexp(tf.tensor2d(rows), 0).dataSync());
    expect(worst(a0, ref.logsumexp.axis0, 1e-6, 1e-5).ratio).toBeLessThanOrEqual(1);
  });
  it("keepDims and all axes", () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(logsumexp(x, 1, true).shape).toEqual([2, 1]);
    expect(logsumexp(x).shape).toEqual([]);
    expect(logsumexp(x).dataSync()[0]).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3 + Math.E ** 4), 5);
  });
  it("all -inf rows give -inf and a zero (not NaN) gradient", () => {
    const x = tf.tensor2d([
      [-Infinity, -Infinity],
      [0, Math.log(3)],
    ]);
    expect(Array.from(logsumexp(x, -1).dataSync())).toEqual([-Infinity, expect.closeTo(Math.log(4), 5)]);
    const g = tf
      .grad((t: tf.Tensor) => tf.sum(logsumexp(t, -1)))(x)
      .dataSync();
    expect(g[0]).toBe(0);
    expect(g[1]).toBe(0);
    expect(g[2]).toBeCloseTo(0.25, 6);
    expect(g[3]).toBeCloseTo(0.75, 6);
  });
  it("gradient = softmax, also with keepDims and weighted upstream", () => {
    const x = tf.tensor2d([
      [1000, 1001, 999],
      [-3, 0.5, 2],
    ]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logsumexp(t, 1, true), tf.tensor2d([[2], [3]]))))(x);
    const want = tf.mul(tf.softmax(x), tf.tensor2d([[2], [3]]));
    const d = tf.max(tf.abs(tf.sub(g, want))).dataSync()[0];
    expect(d).toBeLessThan(1e-6);
  });
});
