// The capped-code family's level coupling (`guide.levelFromSlab`, SDLGM-style models): the level
// logits gain w·(a_(1) + … + a_(l)), a_(j) the j-th largest slab magnitude, with the gradient going
// back to the units the sorted magnitudes came from (TF.js's TopK has no gradient of its own).
import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { levelFromSlab, levelByThreshold } from "../../packages/infer/src/families/capped-code.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("capped code: levelFromSlab", () => {
  it("adds w times the running sum of the largest |μ|, batched, and its gradient counts each unit's levels", () => {
    const head = tf.tensor2d([
      [0, 1, -1],
      [0, 0, 0],
    ]);
    const loc = tf.tensor2d([
      [0.1, -2, 0.5, 0],
      [3, 0.2, 0.05, -1],
    ]);
    // row 1: |μ| sorted 2, 0.5, 0.1 → running sums 2, 2.5, 2.6; row 2: 3, 1, 0.2 → 3, 4, 4.2
    vals(levelFromSlab(head, loc, 3, 5)).forEach((v, i) => expect(v).toBeCloseTo([10, 13.5, 12, 15, 20, 21][i], 5));
    // d Σ_l logits_l / dμ_k = w · sign(μ_k) · (the number of levels l whose running sum includes unit k)
    const g = tf.grad((m: tf.Tensor) => tf.sum(levelFromSlab(head, m, 3, 5)))(loc);
    vals(g).forEach((v, i) => expect(v).toBeCloseTo([5, -15, 10, 0, 15, 5, 0, -10][i], 5));
  });

  it("levelByThreshold: w·Σ_{j ≤ l} (a_(j) − θ), concave in l, its argmax the count of |μ| above θ; the gradient reaches θ and the units", () => {
    const loc = tf.tensor2d([
      [0.1, -2, 0.5, 0],
      [3, 0.2, 0.05, -1],
    ]);
    const theta = tf.tensor2d([[0.3], [1.5]]);
    // row 1: sorted 2, 0.5, 0.1, θ 0.3 → 5·(1.7, 1.9, 1.7); row 2: 3, 1, 0.2, θ 1.5 → 5·(1.5, 1, −0.3)
    const out = levelByThreshold(theta, loc, 3, 5);
    vals(out).forEach((v, i) => expect(v).toBeCloseTo([8.5, 9.5, 8.5, 7.5, 5, -1.5][i], 5));
    // the argmax is the number of |μ| above θ: 2 (2 and 0.5 > 0.3) and 1 (only 3 > 1.5)
    expect(Array.from(tf.argMax(out, -1).dataSync())).toEqual([1, 0]);
    // d Σ_l logits_l / dθ = −w·(1 + 2 + 3) = −30 per row
    const gt = tf.grad((t: tf.Tensor) => tf.sum(levelByThreshold(t, loc, 3, 5)))(theta);
    vals(gt).forEach((v) => expect(v).toBeCloseTo(-30, 5));
    const gm = tf.grad((m: tf.Tensor) => tf.sum(levelByThreshold(theta, m, 3, 5)))(loc);
    vals(gm).forEach((v, i) => expect(v).toBeCloseTo([5, -15, 10, 0, 15, 5, 0, -10][i], 5));
  });
});
