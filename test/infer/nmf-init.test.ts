import { describe, it, expect, vi } from "vitest";
import { tf, model, Key, mapEm, emUpdate } from "@sparse-dgm/core";
import { normal, beta, spikeSlabLasso, bernoulli } from "@sparse-dgm/distributions";
import { compile, nmfLoadings, serialize, deserialize } from "@sparse-dgm/infer";
import { sparseVae } from "@sparse-dgm/zoo";
import { groupRatesFor, runConfig, trainingFor, noteDeclaredRates } from "../../packages/cli/src/jobs.js";

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

/** A 10-feature, 2-factor spike-and-slab-lasso mask model whose mask starts at the data's NMF. */
function nmfMaskModel() {
  return model("nmfMask")
    .plate("data")
    .plate("feature", 10)
    .plate("factor", 2)
    .global("eta", () => beta(1, 10), { plates: ["factor"], estimator: emUpdate() })
    .mask("W", ({ eta }) => spikeSlabLasso({ spike: 10, slab: 1, inclusion: eta }), { rows: "feature", cols: "factor", valueType: "real", estimator: mapEm({ etaSite: "eta" }), init: "nmf" })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
    .observe("x", (v, ctx) => normal(ctx.maskedDecoder("dec", { input: v.z, mask: v.W, hidden: [4] }), 1), { plates: ["data", "feature"] });
}

/** A mask model as in startMask, compiled with `seed` (one seed, or seeds as replicas); W's start after one step at a negligible rate. */
async function maskStart(seed: number | number[], x: tf.Tensor, fit: { validationFraction?: number } = {}) {
  const m = nmfMaskModel();
  const p = Array.isArray(seed) ? compile(m, { seed, replicas: seed.length }) : compile(m, { seed });
  await p.fit(x, { epochs: 1, batchSize: 60, learningRate: 1e-12, ...fit });
  return { w: Array.from(p.globals().W.dataSync()), p };
}

/** 60 × 10 non-negative data without a clean rank-2 structure, so that the NMF's start (its key) shows in its result. */
const noisy = (seed: number) => tf.tidy(() => Key.of(seed).uniform([60, 10]) as tf.Tensor2D);

describe('init "nmf" per replica: replicas equal separate runs with the same seeds (DESIGN §3)', () => {
  it("seeds [0, 1] as replicas on shared data: replica r starts where seed r alone starts, and the two starts differ", async () => {
    const x = noisy(7);
    const both = (await maskStart([0, 1], x)).w;
    const one = [(await maskStart(0, x)).w, (await maskStart(1, x)).w];
    const half = both.length / 2;
    for (let r = 0; r < 2; r++) {
      const w = both.slice(r * half, (r + 1) * half);
      w.forEach((v, i) => expect(v, `replica ${r} entry ${i}`).toBeCloseTo(one[r][i], 5));
    }
    expect(Math.max(...one[0].map((v, i) => Math.abs(v - one[1][i])))).toBeGreaterThan(1e-3);
  });
  it("per-replica datasets: replica r starts at its own dataset's NMF", async () => {
    const xs = [noisy(7), noisy(8)];
    const both = (await maskStart([0, 1], tf.stack(xs))).w;
    const alone = (await maskStart(1, xs[1])).w;
    both.slice(both.length / 2).forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(alone[i], 5));
  });
});

describe('init "nmf" on the training rows only, and a failed fit leaves nothing behind', () => {
  it("with validationFraction, W starts at the NMF of the training rows (the validation rows are not seen)", async () => {
    const x = noisy(7);
    const { w } = await maskStart(2, x, { validationFraction: 0.5 });
    const perm = Key.of(2).foldIn("validation").permutation(60);
    const train = tf.gather(x, tf.tensor1d(Array.from(perm.slice(30)), "int32")) as tf.Tensor2D;
    const expected = nmfLoadings(train, 2, Key.of(2).foldIn("W"));
    w.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(Math.max(expected[i], 0), 4));
  });
  it("a fit on negative data fails with the clear error; the same program then fits valid data, starting at its NMF", async () => {
    const m = nmfMaskModel();
    const p = compile(m, { seed: 2 });
    const negative = tf.sub(blocks(), 1);
    const before = tf.memory().numTensors;
    await expect(p.fit(negative, { epochs: 1, batchSize: 60, learningRate: 1e-12 })).rejects.toThrow(/init "nmf": the data must be non-negative/);
    expect(tf.memory().numTensors).toBe(before);
    await p.fit(blocks(), { epochs: 1, batchSize: 60, learningRate: 1e-12 });
    const fresh = (await startMask("nmf")).w;
    Array.from(p.globals().W.dataSync()).forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(fresh[i], 5));
  });
});

describe("a model's declared group learning rates act in Program.fit (not only in the CLI)", () => {
  const x = () => tf.tidy(() => tf.cast(tf.greater(Key.of(4).uniform([40, 8]), 0.6), "float32"));
  const build = () => sparseVae.build({ features: 8, factors: 2, likelihood: "categorical", kind: "binary" });
  it("the Sparse VAE on 0/1 categorical data trains its globals at the declared 2e-3, the network at the fit's rate", async () => {
    const p = compile(build(), { seed: 0 });
    await p.fit(x(), { epochs: 1, batchSize: 40, learningRate: 1e-2 });
    expect(p.internals().optimizers.get("globals")?.learningRate).toBe(0.002);
    expect(p.internals().optimizers.get("network")?.learningRate).toBe(0.01);
  });
  it("an explicit groupLearningRates wins over the declared one; an unknown group is refused, naming it and the groups", async () => {
    const p = compile(build(), { seed: 0 });
    await p.fit(x(), { epochs: 1, batchSize: 40, learningRate: 1e-2, groupLearningRates: { globals: 5e-3 } });
    expect(p.internals().optimizers.get("globals")?.learningRate).toBe(0.005);
    await expect(compile(build(), { seed: 0 }).fit(x(), { epochs: 1, batchSize: 40, learningRate: 1e-2, groupLearningRates: { globls: 5e-3 } })).rejects.toThrow(
      /groupLearningRates: no parameter group "globls"; this model's groups: .*globals/,
    );
  });
});

describe('init "nmf" in a checkpoint: restored, not recomputed', () => {
  it("a program restored from a checkpoint keeps the saved NMF start and resumes to the uninterrupted run's weights", async () => {
    const build = () => sparseVae.build({ features: 10, factors: 2, likelihood: "categorical", kind: "binary" });
    const x = tf.tidy(() => tf.cast(tf.greater(Key.of(4).uniform([60, 10]), 0.6), "float32"));
    const full = compile(build(), { seed: 3 });
    await full.fit(x, { epochs: 2, batchSize: 30, learningRate: 1e-2 });
    const half = compile(build(), { seed: 3 });
    await half.fit(x, { epochs: 2, batchSize: 30, learningRate: 1e-2, maxSteps: 1 });
    const ck = serialize(half);
    expect(ck.manifest.stats.nmf?.W).toBeDefined();
    half.dispose();
    const resumed = deserialize(build(), ck);
    expect(resumed.internals().stats).toEqual(ck.manifest.stats);
    await resumed.fit(x, { epochs: 2, batchSize: 30, learningRate: 1e-2 });
    expect(resumed.internals().stats).toEqual(ck.manifest.stats);
    expect(Array.from(resumed.globals().W.dataSync())).toEqual(Array.from(full.globals().W.dataSync()));
  });
});

describe("--lr with a model's declared group rates: one rule, said once, recorded in the row", () => {
  const built = () => sparseVae.build({ features: 6, likelihood: "categorical", kind: "binary" });
  it("--lr 1e-3 sets the network's rate; the row's config records the globals rate that acts (2e-3)", () => {
    const training = trainingFor("sparseVae", { learningRate: 1e-3 });
    const config = runConfig(built(), { ...training, replicas: 1, resumed: false });
    expect(config).toMatchObject({ learningRate: 1e-3, groupLearningRates: { globals: 0.002 } });
    expect(runConfig(sparseVae.build({ features: 6 }), { ...trainingFor("sparseVae"), replicas: 1, resumed: false }).groupLearningRates).toBeUndefined();
  });
  it("the note is printed once per model, only when --lr is given", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      noteDeclaredRates("sparseVae", undefined, built());
      expect(write).not.toHaveBeenCalled();
      noteDeclaredRates("sparseVae", 1e-3, built());
      noteDeclaredRates("sparseVae", 1e-3, built());
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0][0])).toBe(
        "note: sparseVae: --lr 0.001 sets the network's rate; the model's declared group rates still apply (globals 0.002); set them with the model's option (--set)\n",
      );
    } finally {
      write.mockRestore();
    }
  });
});
