// Class-balanced minibatches (specs/vsc.md part b1): every block of the order holds at least
// minPerClass members of each class while the class has rows left, the order is a permutation
// (each row once per epoch), unlabelled rows only fill, and fit uses it when asked.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, model, Key } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { balancedOrder } from "../../packages/infer/src/batches.js";

describe("balancedOrder", () => {
  it("is a permutation whose blocks hold >= minPerClass of every class while it has rows (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }), // classes
        fc.integer({ min: 1, max: 3 }), // min per class
        fc.integer({ min: 0, max: 12 }), // extra batch room
        fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        (C, minPer, extra, raw, seed) => {
          const labels = raw.map((v) => (v < 0 ? -1 : v % C));
          const n = labels.length;
          const B = C * minPer + extra;
          const shuffled = Key.of(seed).permutation(n);
          const order = balancedOrder(shuffled, labels, B, minPer);
          // a permutation
          expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          // block by block, every class with rows left before the block gets min(minPer, left)
          const left = new Map<number, number>();
          for (const l of labels) if (l >= 0) left.set(l, (left.get(l) ?? 0) + 1);
          for (let lo = 0; lo < n; lo += B) {
            const block = Array.from(order.slice(lo, lo + B));
            for (const [c, m] of left) {
              const got = block.filter((p) => labels[p] === c).length;
              expect(got).toBeGreaterThanOrEqual(Math.min(minPer, m, block.length >= C * minPer ? minPer : 0));
            }
            for (const p of block) if (labels[p] >= 0) left.set(labels[p], left.get(labels[p])! - 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses a batch too small for the classes, naming the numbers", () => {
    expect(() => balancedOrder([0, 1, 2, 3], [0, 1, 2, 3], 4, 2)).toThrow(/batchSize 4 cannot hold 2 members of each of 4 classes \(needs at least 8\)/);
  });

  it("fit with balanceBy gives every full minibatch two members of each class", async () => {
    // A model whose factor term records the labels of each minibatch it sees (as a tensor).
    const seen: number[][] = [];
    const m = model("labels-probe")
      .plate("data")
      .plate("feature", 3)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .side("label")
      .factor("probe", (_s, ctx) => {
        const y = ctx.observed("label");
        if (y) seen.push(Array.from(y.dataSync()));
        return tf.scalar(0);
      })
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    const n = 120;
    const labels = Array.from({ length: n }, (_, i) => (i < 60 ? 0 : i < 100 ? 1 : i < 116 ? 2 : -1));
    const x = tf.randomNormal([n, 3], 0, 1, "float32", 4);
    const program = compile(m, { seed: 1, stepPlans: false });
    await program.fit({ x, label: tf.tensor1d(labels, "float32") }, { epochs: 1, batchSize: 12, balanceBy: "label" });
    const full = seen.filter((b) => b.length === 12);
    expect(full.length).toBeGreaterThan(5);
    // class 2 has 16 rows: 2 per block for the first 8 blocks
    for (const b of full.slice(0, 8)) for (const c of [0, 1, 2]) expect(b.filter((v) => v === c).length).toBeGreaterThanOrEqual(2);
  });
});
