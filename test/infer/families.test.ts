// The inference families (packages/infer/src/families/): what compile chooses for each kind of
// site, what it refuses (one line naming the site, what it asked for and the supported choices),
// what it warns about, and the families a user reaches outside the zoo.
import { describe, it, expect } from "vitest";
import { tf, model, relaxedBernoulli, gumbelSoftmax, scoreFunction, mapEm, emUpdate, type ScheduleLike } from "@sparse-dgm/core";
import { normal, bernoulli, cappedSparseCode, gamma, poisson, spikeSlabLasso, beta, relaxedBernoulli as relaxedBernoulliPrior } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

/** A linear model x = (M ⊙ A) z + ε over G features and K factors with a global binary mask M. */
function binaryMaskModel(estimator: ReturnType<typeof relaxedBernoulli>, extra: Record<string, unknown> = {}, prior = () => bernoulli({ probs: 0.3 })) {
  return model("binary-mask")
    .plate("data")
    .plate("feature", 4)
    .plate("factor", 2)
    .global("A", () => normal(0, 1), { plates: ["feature", "factor"] })
    .mask("M", prior as never, { rows: "feature", cols: "factor", valueType: "binary", estimator, ...extra })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
    .observe("x", ({ z, A, M }) => normal(tf.sum(tf.mul(tf.mul(M, A), z), -1, true), 0.3), { plates: ["data", "feature"] });
}

const quiet = { onWarning: () => {} };

describe("inference families", () => {
  it("product of experts: a view outside a group's Ain row leaves that group's posterior exactly unchanged", async () => {
    const groups = [[0, 1, 2], [3, 4, 5]];
    const m = zoo.mibStructured.build({ features: 6, groups, hidden: 8, learnDecoderMask: false } as never); // Ain = A_out^T = [[1,1],[1,0],[0,1]]
    const p = compile(m, { seed: 1, encoderHidden: [8] });
    const x = tf.randomNormal([40, 2, 3], 0, 1, "float32", 4);
    await p.fit(x, { epochs: 1, batchSize: 20 });
    const before = p.encode(x).z.mean.arraySync() as number[][][]; // [N, group, dim]
    const x2 = tf.concat([tf.slice(x, [0, 0, 0], [40, 1, 3]), tf.add(tf.slice(x, [0, 1, 0], [40, 1, 3]), 3)], 1); // view 2 moved
    const after = p.encode(x2).z.mean.arraySync() as number[][][];
    const group = (t: number[][][], j: number) => t.flatMap((row) => row[j]);
    expect(group(after, 1)).toEqual(group(before, 1)); // private to view 1: exactly unchanged
    expect(group(after, 0)).not.toEqual(group(before, 0)); // shared: reads view 2
    expect(group(after, 2)).not.toEqual(group(before, 2)); // private to view 2
    expect(p.params.names()).toContain("guide/z/experts/0/kernel");
    tf.dispose([x, x2]);
  });

  it("a reparameterised local latent with a positive prior gets a guide on its support (a log-normal) and trains", async () => {
    const m = model("poisson-factors")
      .plate("data")
      .plate("feature", 5)
      .plate("factor", 2)
      .latent("theta", () => gamma(1, 1), { plates: ["data", "factor"] })
      .global("W", () => gamma(1, 1), { plates: ["feature", "factor"] })
      .observe("x", ({ theta, W }) => poisson(tf.sum(tf.mul(theta, W), -1, true)), { plates: ["data", "feature"] });
    const p = compile(m, { seed: 0 });
    const x = tf.round(tf.mul(tf.randomUniform([60, 5], 0, 1, "float32", 2), 4));
    const r = await p.fit(x, { epochs: 4, batchSize: 20, learningRate: 1e-2 });
    expect(r.history.every(Number.isFinite)).toBe(true);
    expect(Math.min(...Array.from(p.encode(x).theta.mean.dataSync()))).toBeGreaterThan(0);
    expect(Math.min(...Array.from(p.globals().W.dataSync()))).toBeGreaterThan(0);
    tf.dispose(x);
  });

  it("relaxedBernoulli({ straightThrough: true }) on a global binary mask trains; the model sees exact 0/1 values", async () => {
    const seen: number[] = [];
    const m = binaryMaskModel(relaxedBernoulli({ temperature: 0.5, straightThrough: true })).factor("peek", ({ M }, ctx) => {
      if (ctx.step >= 1) seen.push(...Array.from(M.dataSync())); // training steps (not the support check's mean)
      return tf.scalar(0);
    });
    const p = compile(m, { seed: 0, stepPlans: false });
    const x = tf.randomNormal([40, 4], 0, 1, "float32", 1);
    const r = await p.fit(x, { epochs: 2, batchSize: 20 });
    expect(r.history.every(Number.isFinite)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((v) => v === 0 || v === 1)).toBe(true);
    tf.dispose(x);
  });

  it("scoreFunction() on a global binary mask trains: exact 0/1 draws, a zero-valued surrogate, the logits and the baseline move", async () => {
    const p = compile(binaryMaskModel(scoreFunction() as never), { seed: 0 });
    const x = tf.randomNormal([60, 4], 0, 1, "float32", 1);
    const r = await p.fit(x, { epochs: 3, batchSize: 20, learningRate: 5e-2 });
    expect(r.history.every(Number.isFinite)).toBe(true);
    expect(r.curves["scoreFunction:M"].every((v) => v === 0)).toBe(true);
    expect(Array.from(p.params.get("global/M/logits").dataSync()).some((v) => v !== 0)).toBe(true);
    expect(p.params.get("state/M/baseline").dataSync()[0]).not.toBe(0);
    const q = Array.from(p.globals().M.dataSync());
    expect(q.every((v) => v > 0 && v < 1)).toBe(true);
    tf.dispose(x);
  });

  it("priorWeight on a relaxed mask weights its mask prior term", async () => {
    const p = compile(binaryMaskModel(relaxedBernoulli({ temperature: 0.5 }), { priorWeight: 0.25 }), { seed: 0 });
    const x = tf.randomNormal([20, 4], 0, 1, "float32", 1);
    const r = await p.fit(x, { epochs: 1, batchSize: 20 });
    expect(r.weights["maskPrior:M"]).toEqual([0.25]);
    tf.dispose(x);
  });

  it("warns, naming the site: a mask no observed site reads, an option its family does not read, a relu spike head stuck at γ = 1", async () => {
    const warnings: string[] = [];
    const m = model("warned")
      .plate("data")
      .plate("feature", 3)
      .plate("factor", 2)
      .mask("unread", () => normal(0, 1), { rows: "feature", cols: "factor" })
      .latent("z", () => normal(0, 1), { plates: ["data", "factor"], init: "standardNormal" } as never)
      .observe("x", ({ z }) => normal(tf.sum(z, -1, true), 1), { plates: ["data", "feature"] });
    const p = compile(m, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'site "unread": no observed site reads this mask (directly or through other sites); it is fitted to its prior alone',
      'site "z": option "init" is set but the normal family does not read it',
    ]);
    expect(p.warnings).toEqual(warnings);
    // VSC's relu head (variant "reference") without inclusionInit leaves units at γ = 1 (no gradient there): said after the first epoch
    const vsc = compile(zoo.vsc.build({ features: 12, latents: 40, hidden: 10, variant: "reference" } as never), { seed: 4, onWarning: (w) => warnings.push(w) });
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([64, 12], 0, 1, "float32", 3), 0.6), "float32"));
    await vsc.fit(x, { epochs: 1, batchSize: 32 });
    expect(vsc.warnings.join("\n")).toMatch(/^site "z": \d+ of 40 units of the relu spike head are at γ = 1 for every row after the first epoch/);
    // its advice must work under that variant: inclusionInit first (accepted with the relu head), the sigmoid head only by leaving the variant
    // (was: '{ spikeHead: "sigmoid" } or { inclusionInit: 0.1 } avoids it', and spikeHead sigmoid is refused under variant reference)
    expect(vsc.warnings.join("\n")).toContain('guide: { inclusionInit: 0.1 } (--set inclusionInit=0.1) avoids it with this head; or { spikeHead: "sigmoid" } (--set spikeHead=sigmoid), which a variant that fixes the papers\' relu head refuses (leave it: --set variant=default)');
    expect(() => zoo.vsc.build({ features: 12, latents: 40, hidden: 10, variant: "reference", inclusionInit: 0.1 } as never)).not.toThrow();
    tf.dispose(x);
  });

  it("a mask read only by a family (the product-of-experts guide's learned encoder mask) is not called unread: the family's readsSites hook, not the planner, knows it", () => {
    const warnings: string[] = [];
    compile(zoo.mibStructured.build({ features: 6, learnEncoderMask: true } as never), { onWarning: (w) => warnings.push(w) });
    expect(warnings.filter((w) => /no observed site reads/.test(w))).toEqual([]);
  });

  it("refuses what no family serves, in one line naming the site, what it asked for and the choices", () => {
    const relaxedPrior = binaryMaskModel(relaxedBernoulli({ temperature: 0.5 }), {}, () => relaxedBernoulliPrior({ temperature: 0.5, probs: 0.3 }) as never);
    expect(() => compile(relaxedPrior)).toThrow(
      /^site "M": no inference family serves a global binary mask with estimator relaxedBernoulli\(\), prior RelaxedBernoulli; supported for a global binary mask: binaryConcrete/,
    );
    const noObserve = model("no-data").plate("data").latent("z", () => normal(0, 1), { plates: ["data"] });
    expect(() => compile(noObserve)).toThrow('model "no-data" has no observed site: compile fits a model to data; declare one with .observe(name, likelihood, { plates: ["data", ...] })');
    const eta = model("ssl")
      .plate("data")
      .plate("feature", 3)
      .plate("factor", 2)
      .global("eta", () => beta(1, 3), { plates: ["factor"], estimator: emUpdate() })
      .mask("W", ({ eta }) => spikeSlabLasso({ inclusion: eta }), { rows: "feature", cols: "factor", estimator: mapEm({ etaSite: "etta" }) as never })
      .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
      .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 1), { plates: ["data", "feature"] });
    expect(() => compile(eta)).toThrow('site "W": mapEm({ etaSite: "etta" }) names no site of the model; emUpdate() globals: eta');
  });

  it("S-9: a relaxation's temperature that is (or becomes) ≤ 0 is refused at compile, naming the site and the option", () => {
    const capped = (temperature: ScheduleLike) =>
      model("capped")
        .plate("data")
        .plate("feature", 6)
        .plate("latent", 4)
        .mask("z", () => cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([4]), loc: tf.zeros([4]), scale: 1 }), {
          rows: "data",
          cols: "latent",
          valueType: "cardinality-capped",
          maxActive: 2,
          estimator: gumbelSoftmax({ temperature }),
        })
        .observe("x", ({ z }, ctx) => normal(ctx.layout(ctx.mlp("decoder", { input: z, hidden: [], output: 6 }), ["data", "feature"]), 0.1), { plates: ["data", "feature"] });
    // before: compiled, and the first step failed with "CappedSparseCode: levelTemperature must be positive, got 0" (no site, no option)
    expect(() => compile(capped(0))).toThrow('site "z": gumbelSoftmax(): temperature must be positive, got 0');
    expect(() => compile(capped({ kind: "linear", from: 1, to: -1, steps: 100 }))).toThrow('site "z": gumbelSoftmax(): temperature (a linear schedule, at step 100) must be positive, got -1');
    expect(compile(capped(0.5))).toBeDefined();
    expect(() => compile(binaryMaskModel(relaxedBernoulli({ temperature: -1 })))).toThrow('site "M": relaxedBernoulli(): temperature must be positive, got -1');
  });

  it("W-2: mapEm's form is the prior's: a mismatch is refused naming the site and both forms; one form serves the density and the E-step", async () => {
    const ssl = (prior: "code" | "normalised" | undefined, est: "code" | "normalised" | undefined) =>
      model("ssl")
        .plate("data")
        .plate("feature", 4)
        .plate("factor", 2)
        .mask("W", () => spikeSlabLasso({ spike: 10, slab: 1, inclusion: 0.5, ...(prior ? { form: prior } : {}) }), {
          rows: "feature",
          cols: "factor",
          valueType: "real",
          estimator: (est ? mapEm({ form: est }) : mapEm()) as never,
          init: "standardNormal",
        })
        .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
        .observe("x", ({ z, W }, ctx) => normal(ctx.maskedDecoder("decoder", { input: z, mask: W, hidden: [8] }), 1), { plates: ["data", "feature"] });
    // before: compiled, and the E-step silently used the prior's "code" form
    expect(() => compile(ssl(undefined, "normalised"))).toThrow('site "W": mapEm({ form: "normalised" }) differs from the spikeSlabLasso prior\'s form "code"');
    expect(() => compile(ssl("normalised", "code"))).toThrow('site "W": mapEm({ form: "code" }) differs from the spikeSlabLasso prior\'s form "normalised"');
    // the prior's normalised form, mapEm without a form: p* is the normalised closed form σ((λ0 − λ1)|w| + log(λ1/λ0)) at η = ½
    const p = compile(ssl("normalised", undefined), { seed: 0 });
    const x = tf.randomNormal([32, 4], 0, 1, "float32", 1);
    await p.fit(x, { epochs: 1, batchSize: 32 });
    const g = p.globals();
    const W = Array.from(g.W.dataSync());
    const ps = Array.from(g["W.pstar"].dataSync());
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    W.forEach((w, i) => expect(ps[i]).toBeCloseTo(sig(9 * Math.abs(w) + Math.log(0.1)), 4));
    expect(compile(ssl("normalised", "normalised"))).toBeDefined();
    tf.dispose(x);
  });
});
