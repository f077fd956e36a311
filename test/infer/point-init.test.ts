import { describe, it, expect } from "vitest";
import { tf, model } from "@sparse-dgm/core";
import { normal, gamma } from "@sparse-dgm/distributions";
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
  it("maskInitSd that is not a number: quoted, and called a positive number (was: must be positive, got abc; an empty value showed as a double space)", () => {
    expect(() => sparseVae.build({ features: 4, maskInitSd: "abc" as never })).toThrow('sparseVae: maskInitSd must be a positive number, got "abc"');
    expect(() => sparseVae.build({ features: 4, maskInitSd: "" as never })).toThrow('sparseVae: maskInitSd must be a positive number, got ""');
    expect(() => sparseVae.build({ features: 4, maskInitSd: -1 })).toThrow("sparseVae: maskInitSd must be a positive number, got -1");
  });
});

/** A global W (prior `prior`) with the given `init`, the first step at a negligible learning rate; returns W's starting values. */
async function startW(init: unknown, prior: () => ReturnType<typeof normal> | ReturnType<typeof gamma> = () => normal(0, 1)): Promise<number[]> {
  const m = model("init")
    .plate("data")
    .plate("feature", 3)
    .global("W", prior as never, { plates: ["feature"], init: init as never })
    .observe("x", ({ W }) => normal(W, 1), { plates: ["data", "feature"] });
  const p = compile(m, { seed: 1 });
  await p.fit(tf.zeros([8, 3]), { epochs: 1, batchSize: 8, learningRate: 1e-12 });
  return Array.from(p.globals().W.dataSync());
}

describe("a point site's init: the forms it accepts, and any other refused naming the site", () => {
  it("refuses a misspelled object key or string, naming the site and the allowed forms (was: silently zeros)", async () => {
    for (const bad of [{ normalSD: 0.1 }, { sd: 0.1 }, "standardnormal", { normalSd: 0.1, extra: 1 }, Number.NaN]) {
      await expect(startW(bad), JSON.stringify(bad)).rejects.toThrow(/^site "W": init must be one of "standardNormal", \{ normalSd: <number > 0> \}, "columnVariance", "nmf" \(a mask\), a number, or unset \(zeros\); got /);
    }
  });
  it("still accepts the documented forms: unset (zeros), a constant, a normal draw", async () => {
    expect(await startW(undefined)).toEqual([0, 0, 0]);
    expect((await startW(0.5)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.5, 0.5, 0.5]);
    expect(new Set(await startW({ normalSd: 0.1 })).size).toBe(3);
  });
  it("{ normalSd } acts in the unconstrained space: on a positive site the start is exp(draw), not a normal draw", async () => {
    const w = await startW({ normalSd: 0.1 }, () => gamma(2, 1));
    for (const v of w) expect(v).toBeGreaterThan(0.6); // exp(N(0, 0.01)): all within a few SD of 1
  });
});
