import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { matMul } from "./matmul.js";

function close(a: tf.Tensor, b: tf.Tensor) {
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  expect(d).toBeLessThan(1e-4);
}

describe("lean matMul", () => {
  it("matches tf.matMul's value and gradients (2-D, batched, broadcast batch)", () => {
    const cases: Array<[number[], number[]]> = [
      [[5, 3], [3, 4]],
      [[2, 5, 3], [2, 3, 4]],
      [[2, 5, 3], [3, 4]],
    ];
    for (const [sa, sb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, "float32", 1);
      const b = tf.randomNormal(sb, 0, 1, "float32", 2);
      const w = tf.randomNormal([...(sa.length === 3 ? [sa[0]] : []), sa[sa.length - 2], sb[sb.length - 1]], 0, 1, "float32", 3);
      close(matMul(a, b), tf.matMul(a, b));
      const f = (g: typeof matMul) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(g(x, y), w));
      const [ga, gb] = tf.grads(f(matMul))([a, b]);
      // tf.matMul's own gradient does not reduce a broadcast batch axis; broadcast explicitly.
      const ref = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y.rank < x.rank ? tf.broadcastTo(y, [x.shape[0], ...y.shape]) : y);
      const [ra, rb] = tf.grads(f(ref))([a, b]);
      close(ga, ra);
      close(gb, rb);
    }
  });
});
