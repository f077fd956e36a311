// The owned numerics of @sparse-dgm/core against the committed scipy references, on both the
// pure-JS `cpu` backend and the `wasm` backend (whose float32 transcendental kernels differ, hence
// the looser tolerances there).
import { describe, it, expect } from "vitest";
import {
  tf,
  lgamma,
  digamma,
  trigamma,
  logsumexp,
  log1mexp,
  softplusInverse,
  logSigmoid,
  log1p,
} from "@sparse-dgm/core";
import ref from "../../packages/core/src/math/reference-values.json" with { type: "json" };
import { worst } from "../support/tolerance.js";
import { useBackend } from "../support/backend.js";

type Fn = (x: tf.Tensor) => tf.Tensor;
type Table = { x: number[]; value: number[]; grad: number[] };

/** Tolerances (rtol, atol) per function, per backend. */
const TOL: Record<"cpu" | "wasm", Record<string, [number, number]>> = {
  cpu: { lgamma: [1e-5, 2e-6], digamma: [1e-5, 2e-6], trigamma: [1e-5, 1e-7], log1mexp: [1e-5, 1e-30], softplusInverse: [1e-5, 1e-6], logSigmoid: [1e-6, 1e-30], log1p: [1e-6, 1e-30] },
  wasm: { lgamma: [3e-5, 1e-5], digamma: [3e-5, 1e-5], trigamma: [3e-5, 1e-6], log1mexp: [3e-5, 1e-30], softplusInverse: [3e-5, 1e-5], logSigmoid: [3e-6, 1e-30], log1p: [3e-6, 1e-30] },
};

const FUNCS: Array<[string, Fn, Table]> = [
  ["lgamma", lgamma, ref.lgamma],
  ["digamma", digamma, ref.digamma],
  ["trigamma", trigamma, ref.trigamma],
  ["log1mexp", log1mexp, ref.log1mexp],
  ["softplusInverse", softplusInverse, ref.softplusInverse],
  ["logSigmoid", logSigmoid, ref.logSigmoid],
  ["log1p", log1p, ref.log1p],
];

for (const backend of ["cpu", "wasm"] as const) {
  describe(`numerics on ${backend}`, () => {
    useBackend(backend);

    for (const [name, f, table] of FUNCS) {
      const [rtol, atol] = TOL[backend][name];
      it(`${name} values vs scipy`, () => {
        const got = tf.tidy(() => f(tf.tensor1d(table.x)).dataSync());
        const w = worst(got, table.value, rtol, atol);
        expect(w.ratio, `${name} at x=${table.x[w.at]}: got ${got[w.at]}, want ${table.value[w.at]}`).toBeLessThanOrEqual(1);
      });
      it(`${name} gradient vs scipy`, () => {
        const got = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(f(x)))(tf.tensor1d(table.x)).dataSync());
        // the gradient of trigamma (tetragamma) is autodiff of a series: one more order of error
        const g = name === "trigamma" ? 10 : 1;
        const w = worst(got, table.grad, g * rtol, atol);
        expect(w.ratio, `d${name} at x=${table.x[w.at]}: got ${got[w.at]}, want ${table.grad[w.at]}`).toBeLessThanOrEqual(1);
      });
    }

    it("logsumexp vs scipy (last axis, axis 0), all -inf rows without NaN", () => {
      const rows = ref.logsumexp.rows.map((r) => r.map((v) => (v === null ? -Infinity : v)));
      const rtol = backend === "cpu" ? 1e-6 : 3e-6;
      const last = tf.tidy(() => logsumexp(tf.tensor2d(rows), -1).dataSync());
      expect(worst(last, ref.logsumexp.lastAxis, rtol, 1e-5).ratio).toBeLessThanOrEqual(1);
      const a0 = tf.tidy(() => logsumexp(tf.tensor2d(rows), 0).dataSync());
      expect(worst(a0, ref.logsumexp.axis0, rtol, 1e-5).ratio).toBeLessThanOrEqual(1);
      const x = tf.tensor2d([[-Infinity, -Infinity], [0, Math.log(3)]]);
      const v = logsumexp(x, -1).dataSync();
      expect(v[0]).toBe(-Infinity);
      expect(v[1]).toBeCloseTo(Math.log(4), 5);
      const grad = tf.grad((t: tf.Tensor) => tf.sum(logsumexp(t, -1)))(x).dataSync();
      expect(Array.from(grad).every(Number.isFinite)).toBe(true);
      expect(grad[3]).toBeCloseTo(0.75, 5);
      x.dispose();
    });
  });
}
