import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { sparseVae } from "@sparse-dgm/zoo";

/** SD of the mask W after one step at a negligible learning rate (the EM update moves p* and η, not W). */
async function startingMaskSd(config: Record<string, unknown>): Promise<number> {
  const m = sparseVae.build({ features: 40, factors: 5, hidden: 8, ...config });
  const p = compile(m, { seed: 3 });
  const x = tf.randomNormal([20, 40], 0, 1, "float32", 1);
  await p.fit(x, { epochs: 1, batchSize: 20, learningRate: 1e-12 });
  const w = Array.from(p.globals().W.dataSync());
  const mean = w.reduce((a, v) => a + v, 0) / w.length;
  return Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
}

describe("a point site's init { normalSd } (the Sparse VAE's maskInitSd)", () => {
  it("draws the mask N(0, sd²): SD near 1 by default, near 0.1 with maskInitSd 0.1", async () => {
    const sd1 = await startingMaskSd({});
    const sd01 = await startingMaskSd({ maskInitSd: 0.1 });
    // 200 draws: the sample SD is within 20 % of the true one with overwhelming probability
    expect(sd1).toBeGreaterThan(0.8);
    expect(sd1).toBeLessThan(1.2);
    expect(sd01).toBeGreaterThan(0.08);
    expect(sd01).toBeLessThan(0.12);
    expect(sparseVae.build({ features: 4, maskInitSd: 0.1 }).ir.meta.config).toMatchObject({ maskInitSd: 0.1 });
  });
  it("refuses a non-positive SD, naming the option", () => {
    expect(() => sparseVae.build({ features: 4, maskInitSd: 0 })).toThrow(/maskInitSd/);
  });
});
