import { describe, it, expect } from "vitest";
import { tf, model, initBackend } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile, serialize, deserialize } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData, rows, sigmaPriorScale } from "@sparse-dgm/data";

async function moran(rho = 0.4, seed = 1) {
  const ds = await loadData(`synthetic:moran?rho=${rho}&seed=${seed}`);
  const train = tf.tensor2d(rows(ds, ds.split.train), [ds.split.train.length, ds.g]);
  const test = tf.tensor2d(rows(ds, ds.split.test), [ds.split.test.length, ds.g]);
  return { ds, train, test, s: sigmaPriorScale(ds) };
}

function weightsOf(p: ReturnType<typeof compile>, replica?: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const { variable, meta } of p.params.all()) {
    const t = replica === undefined ? variable : tf.gather(variable, replica);
    out[meta.name] = t.dataSync() as Float32Array;
    if (replica !== undefined) t.dispose();
  }
  return out;
}

describe("compile: the trainer", () => {
  it("keeps the tensor count flat across steps (step 10 vs step 1000)", async () => {
    const { train, s } = await moran();
    const p = compile(zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } }), { seed: 0, normalisation: "reference" });
    const counts: Record<number, number> = {};
    await p.fit(train, {
      epochs: 200,
      batchSize: 100,
      learningRate: 1e-2,
      maxSteps: 1001,
      onStep: (i) => {
        if (i.step === 10 || i.step === 1000) counts[i.step] = tf.memory().numTensors;
      },
    });
    expect(counts[10]).toBeGreaterThan(0);
    expect(counts[1000]).toBe(counts[10]);
  });

  it("is deterministic given the seed (cpu)", async () => {
    const { train, s } = await moran();
    const run = async () => {
      const p = compile(zoo.sparseVae.build({ features: 7, stats: { sigmaPriorScale: s } }), { seed: 3, normalisation: "reference" });
      await p.fit(train, { epochs: 2, batchSize: 100, learningRate: 1e-2 });
      const w = weightsOf(p);
      p.dispose();
      return w;
    };
    const a = await run();
    const b = await run();
    for (const k of Object.keys(a)) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
  });

  it("8 replicas hold the same weights as 8 separate runs after 50 steps, and cost less per replica-step", async () => {
    const { train, s } = await moran();
    const build = () => zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } });
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    const rep = compile(build(), { seed: seeds, replicas: 8, normalisation: "reference" });
    const fitR = await rep.fit(train, { epochs: 100, batchSize: 100, learningRate: 1e-2, maxSteps: 50 });
    let singleMs = 0;
    for (let r = 0; r < seeds.length; r++) {
      const one = compile(build(), { seed: seeds[r], normalisation: "reference" });
      const f = await one.fit(train, { epochs: 100, batchSize: 100, learningRate: 1e-2, maxSteps: 50 });
      singleMs += f.msPerStep;
      const a = weightsOf(one);
      const b = weightsOf(rep, r);
      for (const k of Object.keys(a)) {
        const scale = Math.max(1e-3, ...Array.from(a[k], Math.abs));
        const maxDiff = Math.max(...Array.from(a[k], (v, i) => Math.abs(v - b[k][i])));
        expect(maxDiff / scale, `replica ${r} ${k}`).toBeLessThan(1e-4);
      }
      one.dispose();
    }
    void fitR;
    void singleMs;
  });

  it("8 replicas cost well under 8x one run per step on the default backend (wasm)", async () => {
    const { train, s } = await moran();
    const build = () => zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } });
    await initBackend("wasm");
    try {
      const time = async (replicas?: number) => {
        const p = compile(build(), replicas ? { seed: [1, 2, 3, 4, 5, 6, 7, 8], replicas } : { seed: 1 });
        await p.fit(train, { epochs: 100, batchSize: 100, learningRate: 1e-2, maxSteps: 10 }); // warm-up
        const f = await p.fit(train, { epochs: 100, batchSize: 100, learningRate: 1e-2, maxSteps: 60 });
        p.dispose();
        return f.msPerStep;
      };
      const one = await time();
      const eight = await time(8);
      const ratio = eight / one;
      console.log(`replicas (wasm): one run ${one.toFixed(2)} ms/step, 8 replicas ${eight.toFixed(2)} ms/step: ${ratio.toFixed(2)}x`);
      expect(ratio).toBeLessThan(6);
    } finally {
      await initBackend("cpu");
    }
  });

  it("resumes from a checkpoint to exactly the weights of an uninterrupted run", async () => {
    const { train, s } = await moran();
    const build = () => zoo.sparseVae.build({ features: 7, stats: { sigmaPriorScale: s } });
    const full = compile(build(), { seed: 5, normalisation: "reference" });
    await full.fit(train, { epochs: 3, batchSize: 100, learningRate: 1e-2 });
    const half = compile(build(), { seed: 5, normalisation: "reference" });
    await half.fit(train, { epochs: 3, batchSize: 100, learningRate: 1e-2, maxSteps: 8 });
    const ckpt = serialize(half);
    half.dispose();
    const resumed = deserialize(build(), ckpt);
    await resumed.fit(train, { epochs: 3, batchSize: 100, learningRate: 1e-2 });
    expect(resumed.steps).toBe(full.steps);
    const a = weightsOf(full);
    const b = weightsOf(resumed);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
  });

  it("refuses a checkpoint of another model, a changed declaration or truncated weights", async () => {
    const { train, s } = await moran();
    const p = compile(zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } }), { seed: 1 });
    await p.fit(train, { epochs: 1, batchSize: 100, maxSteps: 2 });
    const ck = serialize(p);
    expect(() => deserialize(zoo.sparseVae.build({ features: 7 }), ck)).toThrow(/checkpoint is of model "vae", not "sparseVae"/);
    // the mismatch names what changed: the recorded hyperparameter (the sites read it through a closure: their source is the same)
    expect(() => deserialize(zoo.vae.build({ features: 7, hidden: 30, stats: { sigmaPriorScale: s } }), ck)).toThrow(/different declaration .*: changed: hidden 50 → 30$/);
    // an older checkpoint without the summary still says that something changed
    expect(() => deserialize(zoo.vae.build({ features: 7, hidden: 30, stats: { sigmaPriorScale: s } }), { ...ck, manifest: { ...ck.manifest, declaration: undefined } })).toThrow(
      /different declaration .*: hyperparameters or code changed$/,
    );
    expect(() => deserialize(zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } }), { ...ck, weights: ck.weights.subarray(0, 10) })).toThrow(
      /truncated/,
    );
    expect(() => deserialize(zoo.vae.build({ features: 7, stats: { sigmaPriorScale: s } }), { ...ck, manifest: { ...ck.manifest, version: 99 } })).toThrow(
      /version 99/,
    );
  });

  it("skips non-finite steps naming the site and term, and stops after several in a row", async () => {
    const m = model("nan")
      .plate("data")
      .plate("feature", 2)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .factor("trap", (_s, ctx) => (ctx.step >= 3 && ctx.step < 5 ? tf.scalar(NaN) : tf.scalar(0)))
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    const x = tf.randomNormal([50, 2], 0, 1, "float32", 1);
    const p = compile(m, { seed: 0 });
    const errors: string[] = [];
    const r = await p.fit(x, { epochs: 1, batchSize: 5, onNonFinite: (e) => errors.push(e.message) });
    expect(r.skippedSteps).toBe(2);
    expect(errors[0]).toMatch(/site "trap": non-finite auxiliary term "auxiliary:trap" at step 3; step skipped/);
    const m2 = model("nan2")
      .plate("data")
      .plate("feature", 2)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .factor("trap", (_s, ctx) => (ctx.step >= 2 ? tf.scalar(Infinity) : tf.scalar(0)))
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    await expect(compile(m2, { seed: 0 }).fit(x, { epochs: 5, batchSize: 5 })).rejects.toThrow(/site "trap": 5 non-finite steps in a row/);
  });

  it("a loss that stays non-finite across epochs of fewer steps than the limit still stops with the error (issue 22)", async () => {
    // two steps per epoch: the run of bad steps spans three epochs (it once stopped at the first
    // all-skipped epoch, and every later epoch ran no step at all)
    const trap = (from: number, to: number) =>
      model("nan3")
        .plate("data")
        .plate("feature", 2)
        .latent("z", () => normal(0, 1), { plates: ["data"] })
        .factor("trap", (_s, ctx) => (ctx.step >= from && ctx.step < to ? tf.scalar(NaN) : tf.scalar(0)))
        .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    const x = tf.randomNormal([50, 2], 0, 1, "float32", 1);
    await expect(compile(trap(2, 1e9), { seed: 0 }).fit(x, { epochs: 50, batchSize: 25 })).rejects.toThrow(/site "trap": 5 non-finite steps in a row; last: non-finite auxiliary term "auxiliary:trap" at step 6/);
    // one all-skipped epoch, then finite again: every epoch runs, the curves keep one value per epoch (NaN for the skipped one)
    const p = compile(trap(2, 4), { seed: 0 });
    const r = await p.fit(x, { epochs: 4, batchSize: 25 });
    expect(p.position).toEqual({ epoch: 4, batch: 0 });
    expect(p.steps).toBe(8);
    expect(r.steps).toBe(6);
    expect(r.skippedSteps).toBe(2);
    expect(r.firstSkipped).toMatch(/^site "trap": non-finite auxiliary term "auxiliary:trap" at step 2; step skipped/);
    expect(r.curves.loss.map(Number.isNaN)).toEqual([false, true, false, false]);
    for (const c of [...Object.values(r.curves), ...Object.values(r.weights)]) expect(c).toHaveLength(4);
  });
});
