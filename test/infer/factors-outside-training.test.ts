// A `.factor` is a term of the training objective: the training step and the validation loss
// evaluate it (the validation loss in chunks of the minibatch size, as it is defined on a
// minibatch), and no other pass does. The reproduction: `vscClass`'s class-consistency term is a
// sum over pairs of rows, [R, B, B, J]; evaluating it on 5,000 held-out Smiley rows with 5 replicas
// would need 5·5000²·40 floats (20 GB) and ran out of wasm memory in `sdgm compare --seeds 5`,
// although the held-out numbers never include it.
import { describe, it, expect } from "vitest";
import { tf, model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { loadData } from "@sparse-dgm/data";
import { zoo } from "@sparse-dgm/zoo";
import { evaluateProgram } from "@sparse-dgm/metrics";
import { useBackend } from "../support/backend.js";

describe("factor sites outside training", () => {
  it("are evaluated by the training step and (in minibatch-sized chunks) the validation loss, never by evaluate, reconstruct or iwae", async () => {
    const calls: number[] = [];
    const m = model("spied")
      .plate("data")
      .plate("feature", 3)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .side("label", { event: [] })
      .factor("spy", (_s, ctx) => {
        calls.push(ctx.observed("label")!.shape[0]);
        return tf.scalar(0);
      })
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    const x = tf.randomNormal([50, 3], 0, 1, "float32", 1);
    const label = tf.zeros([50], "int32");
    const p = compile(m, { seed: 0, stepPlans: false });
    const validation: number[] = [];
    await p.fit({ x, label }, { epochs: 2, batchSize: 8, validationFraction: 0.4, onEpoch: (e) => validation.push(e.validationLoss!) });
    // per epoch: 30 training rows at batch 8 (steps of 8, 8, 8, 6), then 20 validation rows in chunks of 8, 8, 4
    expect(calls).toEqual([8, 8, 8, 6, 8, 8, 4, 8, 8, 8, 6, 8, 8, 4]);
    expect(validation.every(Number.isFinite)).toBe(true);
    calls.length = 0;
    const ev = p.evaluate(x, { side: { label } });
    tf.dispose(p.reconstruct(x, { side: { label } }));
    const iw = p.iwae(x, 4, { side: { label } });
    expect(calls).toEqual([]);
    expect([...ev.elbo, ...ev.heldoutMse, ...iw].every(Number.isFinite)).toBe(true);
    tf.dispose([x, label]);
  }, 60_000);

  it("the validation loss includes the factor's term: a constant log-factor shifts it by the same amount in every epoch and chunk", async () => {
    const build = (logFactor: number) =>
      model("shifted")
        .plate("data")
        .plate("feature", 3)
        .latent("z", () => normal(0, 1), { plates: ["data"] })
        .factor("constant", () => tf.scalar(logFactor))
        .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    const x = tf.randomNormal([50, 3], 0, 1, "float32", 2);
    const losses = async (logFactor: number) => {
      const out: number[] = [];
      // a vanishing learning rate: the same parameters in both programs, so only the factor's term differs
      await compile(build(logFactor), { seed: 0, stepPlans: false }).fit(x, { epochs: 2, batchSize: 8, learningRate: 1e-12, validationFraction: 0.4, onEpoch: (e) => out.push(e.validationLoss!) });
      return out;
    };
    const [without, withFactor] = [await losses(0), await losses(-2)];
    const shift = withFactor.map((v, i) => v - without[i]);
    expect(Math.abs(shift[0])).toBeGreaterThan(1e-3);
    expect(shift[1]).toBeCloseTo(shift[0], 5);
    x.dispose();
  }, 60_000);
});

describe("factor sites outside training, at a real size on wasm", () => {
  useBackend("wasm");
  it("vscClass: 5,000 held-out Smiley rows with 5 replicas evaluate without the O(rows²) class term (it ran out of wasm memory)", async () => {
    const ds = await loadData("synthetic:smiley?n=5200&seed=3");
    const model = zoo.vscClass.build({ features: ds.g } as never);
    const program = compile(model, { seed: 0, replicas: 5, normalisation: "elbo" });
    const train = Int32Array.from(ds.split.train.subarray(0, 64));
    const xs = tf.tensor2d(Array.from(train, (i) => Array.from(ds.x.subarray(i * ds.g, (i + 1) * ds.g))));
    await program.fit({ x: xs, label: tf.tensor1d(Array.from(train, (i) => ds.labels![i]), "int32") } as never, { epochs: 1, batchSize: 32, balanceBy: "label" });
    const test = { ...ds, split: { train: ds.split.train, test: Int32Array.from({ length: 5000 }, (_, i) => i) } };
    const rows = evaluateProgram(program, test as never, { metrics: ["elbo", "heldoutMse"] });
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(Number.isFinite(r.elbo) && Number.isFinite(r.heldoutMse)).toBe(true);
    xs.dispose();
    program.dispose?.();
  }, 300_000);
});
