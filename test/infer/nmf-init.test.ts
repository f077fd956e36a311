import { describe, it, expect } from "vitest";
import { tf, model, Key, mapEm, emUpdate } from "@sparse-dgm/core";
import { normal, beta, spikeSlabLasso, bernoulli } from "@sparse-dgm/distributions";
import { compile, nmfLoadings } from "@sparse-dgm/infer";
import { sparseVae } from "@sparse-dgm/zoo";
import { groupRatesFor } from "../../packages/cli/src/jobs.js";

/**
 * Two blocks: rows 0–29 are positive on columns 0–3, rows 30–59 on columns 4–7 (with varying
 * strengths, so a column's scale is not its loading's), columns 8–9 never positive.
 */
function blocks(): tf.Tensor2D {
  const x = Array.from({ length: 60 }, (_, i) => Array.from({ length: 10 }, (_, j) => ((i < 30 ? j < 4 : j >= 4 && j < 8) ? 1 + ((i + j) % 3) : 0)));
  return tf.tensor2d(x);
}

/** Which of the two factors a row of loadings belongs to (the larger), and its other loading. */
const split = (rows: number[][]) => rows.map((r) => (r[0] > r[1] ? [0, r[1]] : [1, r[0]]));

describe("nmfLoadings: a rank-k NMF's column loadings, each column's largest at 1", () => {
  it("recovers the two blocks: columns 0–3 load on one factor, 4–7 on the other, at 1 and below 0.05 elsewhere; unused columns stay 0", () => {
    const v = nmfLoadings(blocks(), 2, Key.of(0));
    const rows = Array.from({ length: 10 }, (_, j) => v.slice(2 * j, 2 * j + 2));
    const s = split(rows.slice(0, 8));
    expect(new Set(s.slice(0, 4).map((x) => x[0])).size).toBe(1);
    expect(new Set(s.slice(4, 8).map((x) => x[0])).size).toBe(1);
    expect(s[0][0]).not.toBe(s[4][0]);
    for (const r of rows.slice(0, 8)) expect(Math.max(...r)).toBeCloseTo(1, 6);
    for (const [, other] of s) expect(other).toBeLessThan(0.05);
    expect(rows.slice(8).flat()).toEqual([0, 0, 0, 0]);
  });
  it("is deterministic for a key, and refuses negative data naming the init", () => {
    expect(nmfLoadings(blocks(), 2, Key.of(3))).toEqual(nmfLoadings(blocks(), 2, Key.of(3)));
    expect(() => nmfLoadings(tf.tensor2d([[1, -1]]), 1, Key.of(0))).toThrow(/init "nmf": the data must be non-negative \(smallest entry -1\)/);
  });
});

/** A mask model (features × factors) whose W starts at `init`; W after one step at a negligible rate. */
async function startMask(init: unknown, x: tf.Tensor = blocks()) {
  const m = model("nmfMask")
    .plate("data")
    .plate("feature", 10)
    .plate("factor", 2)
    .global("eta", () => beta(1, 10), { plates: ["factor"], estimator: emUpdate() })
    .mask("W", ({ eta }) => spikeSlabLasso({ spike: 10, slab: 1, inclusion: eta }), { rows: "feature", cols: "factor", valueType: "real", estimator: mapEm({ etaSite: "eta" }), init: init as never })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
    .observe("x", (v, ctx) => normal(ctx.maskedDecoder("dec", { input: v.z, mask: v.W, hidden: [4] }), 1), { plates: ["data", "feature"] });
  const p = compile(m, { seed: 2 });
  await p.fit(x, { epochs: 1, batchSize: 60, learningRate: 1e-12 });
  return { w: Array.from(p.globals().W.dataSync()), p };
}

describe('a mask\'s init "nmf"', () => {
  it("starts W at the training data's NMF loadings (features × factors), not at a draw", async () => {
    const { w } = await startMask("nmf");
    const rows = Array.from({ length: 10 }, (_, j) => w.slice(2 * j, 2 * j + 2));
    const s = split(rows.slice(0, 8));
    expect(s[0][0]).not.toBe(s[4][0]);
    for (const r of rows.slice(0, 8)) expect(Math.max(...r)).toBeCloseTo(1, 4);
    for (const [, other] of s) expect(other).toBeLessThan(0.05);
  });
  it("refuses negative data and a site that is no mask, naming the site", async () => {
    await expect(startMask("nmf", tf.sub(blocks(), 1))).rejects.toThrow(/init "nmf": the data must be non-negative/);
    const m = model("nmfGlobal")
      .plate("data")
      .plate("feature", 3)
      .global("b", () => normal(0, 1), { plates: ["feature"], init: "nmf" })
      .observe("x", ({ b }) => bernoulli({ logits: b }), { plates: ["data", "feature"] });
    await expect(compile(m, { seed: 0 }).fit(tf.ones([4, 3]), { epochs: 1, batchSize: 4, learningRate: 1e-12 })).rejects.toThrow(
      /site "b": init "nmf" is for a mask \(features × factors\); this site is a global/,
    );
  });
});

describe("sparseVae on 0/1 data with the categorical likelihood (ratings): the defaults that recover the genres", () => {
  const cfg = (c: Record<string, unknown>) => sparseVae.build({ features: 6, ...c }).ir.meta.config as Record<string, unknown>;
  it("0/1 categorical data: NMF start, spectral decoder, the ELBO's prior weight, mask rate 2e-3 (recorded, and declared for the fit)", () => {
    expect(cfg({ likelihood: "categorical", kind: "binary" })).toMatchObject({ maskInit: "nmf", scaleIn: "spectral", priorNormalisation: "elbo", maskLearningRate: 0.002 });
    const built = sparseVae.build({ features: 6, likelihood: "categorical", kind: "binary" });
    expect(built.ir.meta.groupLearningRates).toEqual({ globals: 0.002 });
    expect(groupRatesFor({}, built)).toEqual({ globals: 0.002 });
    expect(groupRatesFor({ groupLearningRates: { network: 1e-3 } }, built)).toEqual({ network: 1e-3, globals: 0.002 });
  });
  it("every other case keeps the earlier defaults (Gaussian: the Moran study; categorical counts: the topic corpus)", () => {
    for (const c of [{}, { likelihood: "gaussian", kind: "real" }, { likelihood: "categorical", kind: "counts" }] as const) {
      const k = cfg(c);
      expect(k, JSON.stringify(c)).toMatchObject({ maskInit: "normal", scaleIn: "network" });
      expect(k.priorNormalisation, JSON.stringify(c)).toBeUndefined();
      expect(k.maskLearningRate, JSON.stringify(c)).toBeUndefined();
      expect(sparseVae.build({ features: 6, ...c }).ir.meta.groupLearningRates).toBeUndefined();
      expect(groupRatesFor({}, sparseVae.build({ features: 6, ...c }))).toBeUndefined();
    }
  });
  it("each can be set back; maskInitSd with the NMF start is refused, naming both options", () => {
    expect(cfg({ likelihood: "categorical", kind: "binary", maskInit: "normal", scaleIn: "network", priorNormalisation: "objective", maskLearningRate: 0.01 })).toMatchObject({
      maskInit: "normal",
      scaleIn: "network",
      maskLearningRate: 0.01,
    });
    expect(() => sparseVae.build({ features: 6, likelihood: "categorical", kind: "binary", maskInitSd: 0.1 })).toThrow(
      'sparseVae: maskInitSd (0.1) is the SD of the "normal" start; maskInit is "nmf" (the default for the categorical likelihood on 0/1 data): give maskInit=normal with it',
    );
    expect(() => sparseVae.build({ features: 6, maskInit: "svd" as never })).toThrow(/maskInit/);
    expect(() => sparseVae.build({ features: 6, maskLearningRate: 0 })).toThrow("sparseVae: maskLearningRate must be a positive number, got 0");
  });
});
