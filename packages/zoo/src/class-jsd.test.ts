// The class-consistency loss of vscClass against its closed-form bounds and a brute-force
// computation: 0 for equal inputs, at most log 2 per dimension (reached by γ = 0 against γ = 1),
// rows with a missing label (< 0) ignored.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf } from "@sparse-dgm/core";
import { classJsd } from "./vsc.js";

const H = (p: number) => {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
};
const jsd = (a: number, b: number) => H((a + b) / 2) - (H(a) + H(b)) / 2;

function brutePairs(g: number[][], y: number[]): number {
  let s = 0;
  let n = 0;
  for (let j = 0; j < g.length; j++)
    for (let k = j + 1; k < g.length; k++)
      if (y[j] >= 0 && y[j] === y[k]) {
        s += g[j].reduce((a, v, d) => a + jsd(v, g[k][d]), 0);
        n++;
      }
  return n ? s / n : 0;
}

const rows = (B: number, J: number) => fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: J, maxLength: J }), { minLength: B, maxLength: B });

describe("classJsd", () => {
  it("is 0 when every member of a class has the same γ (both variants)", () => {
    const g = tf.tensor2d([[0.2, 0.9, 0.5], [0.2, 0.9, 0.5], [0.7, 0.1, 0.3], [0.7, 0.1, 0.3]]);
    const y = tf.tensor1d([0, 0, 1, 1], "int32");
    expect(classJsd(g, y, "pairs").dataSync()[0]).toBeCloseTo(0, 6);
    expect(classJsd(g, y, "centroid").dataSync()[0]).toBeCloseTo(0, 6);
  });

  it("reaches log 2 per dimension for γ = 0 against γ = 1 in one class", () => {
    const g = tf.tensor2d([[0, 1, 0], [1, 0, 1]]);
    const y = tf.tensor1d([3, 3], "int32");
    expect(classJsd(g, y, "pairs").dataSync()[0]).toBeCloseTo(3 * Math.log(2), 4);
  });

  it("stays within [0, J log 2] and equals the brute-force pair average; missing labels are ignored", () => {
    fc.assert(
      fc.property(rows(6, 4), fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 6, maxLength: 6 }), (g, y) => {
        const v = tf.tidy(() => classJsd(tf.tensor2d(g), tf.tensor1d(y, "int32"), "pairs").dataSync()[0]);
        const c = tf.tidy(() => classJsd(tf.tensor2d(g), tf.tensor1d(y, "int32"), "centroid").dataSync()[0]);
        expect(v).toBeGreaterThanOrEqual(-1e-5);
        expect(v).toBeLessThanOrEqual(4 * Math.log(2) + 1e-5);
        expect(c).toBeGreaterThanOrEqual(-1e-5);
        expect(c).toBeLessThanOrEqual(4 * Math.log(2) + 1e-5);
        expect(Math.abs(v - brutePairs(g, y))).toBeLessThan(1e-3);
      }),
      { numRuns: 60 },
    );
  });

  it("has the gradient of the plain elementwise formula (its custom gradient, pinned against autodiff), replicas and missing labels included", () => {
    // the straightforward [R, B, B, J] form, differentiated by the tape
    const plain = (g: tf.Tensor3D, y: tf.Tensor2D) => {
      const H = (p: tf.Tensor) => {
        const q = tf.clipByValue(p, 1e-6, 1 - 1e-6);
        return tf.neg(tf.add(tf.mul(q, tf.log(q)), tf.mul(tf.sub(1, q), tf.log1p(tf.neg(q)))));
      };
      const B = g.shape[1];
      const valid = tf.cast(tf.greaterEqual(y, 0), "float32");
      const same = tf.mul(tf.cast(tf.equal(tf.expandDims(y, 2), tf.expandDims(y, 1)), "float32"), tf.mul(tf.expandDims(valid, 2), tf.expandDims(valid, 1)));
      const pairs = tf.mul(same, tf.sub(1, tf.linalg.bandPart(tf.ones([B, B]), -1, 0)));
      const h = H(g);
      const mid = H(tf.div(tf.add(tf.expandDims(g, 2), tf.expandDims(g, 1)), 2));
      const j = tf.sum(tf.sub(mid, tf.div(tf.add(tf.expandDims(h, 2), tf.expandDims(h, 1)), 2)), -1);
      return tf.div(tf.sum(tf.mul(j, pairs), [1, 2]), tf.maximum(tf.sum(pairs, [1, 2]), 1));
    };
    // γ on a grid of 1/1000 (0 and 1 included), without fast-check's bias to the bounds: that would put most
    // draws in the clip, where both gradients are 0
    const grid = fc.noBias(fc.integer({ min: 0, max: 1000 })).map((v) => v / 1000);
    const gridRows = fc.array(fc.array(grid, { minLength: 3, maxLength: 3 }), { minLength: 5, maxLength: 5 });
    let nonZero = 0;
    fc.assert(
      fc.property(
        fc.array(gridRows, { minLength: 2, maxLength: 2 }),
        fc.array(fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 5, maxLength: 5 }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.noBias(fc.integer({ min: -20, max: 20 })).map((v) => v / 10), { minLength: 2, maxLength: 2 }),
        (g, y, dy) => {
          const [got, want, vGot, vWant] = tf.tidy(() => {
            const gt = tf.tensor3d(g);
            const yt = tf.tensor2d(y, undefined, "int32");
            const up = tf.tensor1d(dy);
            const a = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(classJsd(x, yt, "pairs"), up)))(gt);
            const b = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(plain(x as tf.Tensor3D, yt), up)))(gt);
            return [a.arraySync(), b.arraySync(), classJsd(gt, yt, "pairs").arraySync(), plain(gt, yt).arraySync()] as number[][][];
          });
          (vGot as unknown as number[]).forEach((v, r) => expect(v).toBeCloseTo((vWant as unknown as number[])[r], 4));
          got.flat(2).forEach((v, i) => expect(Math.abs(v - want.flat(2)[i])).toBeLessThan(1e-3 * (1 + Math.abs(want.flat(2)[i]))));
          if (want.flat(2).some((v) => Math.abs(v) > 1e-3)) nonZero++;
        },
      ),
      { numRuns: 40 },
    );
    // the comparison was not vacuous
    expect(nonZero).toBeGreaterThan(20);
  });

  it("treats replicas independently", () => {
    const g = tf.tensor3d([[[0, 1], [1, 0]], [[0.5, 0.5], [0.5, 0.5]]]);
    const y = tf.tensor2d([[0, 0], [0, 0]], undefined, "int32");
    const v = classJsd(g, y, "pairs").arraySync() as number[];
    expect(v[0]).toBeCloseTo(2 * Math.log(2), 4);
    expect(v[1]).toBeCloseTo(0, 6);
  });
});
