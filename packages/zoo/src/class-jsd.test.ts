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

  it("treats replicas independently", () => {
    const g = tf.tensor3d([[[0, 1], [1, 0]], [[0.5, 0.5], [0.5, 0.5]]]);
    const y = tf.tensor2d([[0, 0], [0, 0]], undefined, "int32");
    const v = classJsd(g, y, "pairs").arraySync() as number[];
    expect(v[0]).toBeCloseTo(2 * Math.log(2), 4);
    expect(v[1]).toBeCloseTo(0, 6);
  });
});
