// The hard-concrete family (Louizos, Welling & Kingma 2018) on a global binary mask: exact zeros in
// the draws, the expected-L0 term in closed form, gates that close where the data need none.
import { describe, it, expect } from "vitest";
import { tf, hardConcrete } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { binaryStructure, binaryMaskModel, patternScore } from "../support/binary-structure.js";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const l0AtZero = sigmoid(-(2 / 3) * Math.log(0.1 / 1.1)); // P(M ≠ 0) at log α = 0: 0.8318

describe("hardConcrete family", () => {
  it("its term is λ Σ P(M ≠ 0) (the paper's penalty, per data point) or the Bernoulli prior's E[−log p] / N", async () => {
    const x = tf.randomNormal([50, 4], 0, 1, "float32", 3);
    const first = async (est: ReturnType<typeof hardConcrete>) => {
      let v = NaN;
      await compile(binaryMaskModel(4, 2, est), { seed: 0 }).fit(x, { epochs: 1, batchSize: 50, maxSteps: 1, onStep: (s) => (v = s.terms["maskPrior:M"]) });
      return v;
    };
    expect(await first(hardConcrete({ penalty: 0.1 }))).toBeCloseTo(0.1 * 8 * l0AtZero, 5);
    const prior = 8 * (l0AtZero * -Math.log(0.1) + (1 - l0AtZero) * -Math.log(0.9));
    expect(await first(hardConcrete())).toBeCloseTo(prior / 50, 5);
    x.dispose();
  });

  it("draws exact zeros and ones while training; globals() reports P(M ≠ 0)", async () => {
    const seen: number[] = [];
    const m = binaryMaskModel(4, 2, hardConcrete({ penalty: 0.1 })).factor("peek", ({ M }, ctx) => {
      if (ctx.step >= 1) seen.push(...Array.from(M.dataSync()));
      return tf.scalar(0);
    });
    const x = tf.randomNormal([40, 4], 0, 1, "float32", 1);
    const p = compile(m, { seed: 0, stepPlans: false, onWarning: () => {} });
    await p.fit(x, { epochs: 2, batchSize: 20 });
    expect(seen.some((v) => v === 0)).toBe(true);
    expect(seen.some((v) => v === 1)).toBe(true);
    expect(seen.every((v) => v >= 0 && v <= 1)).toBe(true);
    const q = Array.from(p.globals().M.dataSync());
    expect(q.every((v) => v > 0 && v < 1)).toBe(true);
    x.dispose();
  });

  it("closes the gates the data do not need and keeps the others (one factor, two of four features)", async () => {
    const truth = binaryStructure(3, { G: 4, K: 1, N: 600 }); // anchors: features 0 and 1; 2 and 3 load on it too
    const x = tf.tidy(() => tf.concat([tf.slice(truth.x, [0, 0], [600, 2]), tf.mul(tf.randomNormal([600, 2], 0, 1, "float32", 5), 0.3)], 1));
    const p = compile(binaryMaskModel(4, 1, hardConcrete({ penalty: 0.1 })), { seed: 1, encoderHidden: [16] });
    await p.fit(x, { epochs: 150, batchSize: 100, learningRate: 3e-2 });
    const q = (p.globals().M.arraySync() as number[][]).map((r) => (r[0] > 0.5 ? 1 : 0));
    expect(q).toEqual([1, 1, 0, 0]);
    expect(patternScore(q.map((v) => [v]), [[1], [1], [0], [0]])).toMatchObject({ precision: 1, recall: 1 });
    tf.dispose([x, truth.x]);
  });
});
