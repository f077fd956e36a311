// The metrics encode large splits in chunks of 8,192 rows (memory): posterior means must equal one
// call on all rows, with and without replicas; a capped code's drawn support must get noise of
// its own in each chunk instead of repeating the first chunk's; and no tensor is left behind.
import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { encodeRows } from "@sparse-dgm/metrics";

describe("encodeRows (chunked encoding for the metrics)", () => {
  it("equals one encode call on all rows, for single and replicated programs, without leaking", async () => {
    const ds = await loadData("synthetic:moran?rho=0.2&n=20000"); // two chunks of training rows
    expect(ds.split.train.length).toBeGreaterThan(8192);
    for (const opts of [{ seed: 0 }, { seed: [0, 1], replicas: 2 }]) {
      const model = zoo.vae.build({ features: ds.g });
      const program = compile(model, { ...opts, normalisation: "reference" } as never);
      const x = observedTensor(model, ds, ds.split.train);
      const whole = program.encode(x);
      const before = tf.memory().numTensors;
      const chunked = encodeRows(program, ds, ds.split.train);
      const site = Object.keys(whole)[0];
      expect(chunked[site].mean.shape).toEqual(whole[site].mean.shape);
      expect(Array.from(chunked[site].mean.dataSync())).toEqual(Array.from(whole[site].mean.dataSync()));
      tf.dispose([chunked[site].mean, whole[site].mean, x]);
      expect(tf.memory().numTensors).toBe(before - 2); // chunked's mean came and went; x and whole's mean (counted in before) are gone
      program.dispose?.();
    }
  }, 60_000);

  it("a capped code's predicted support and scores are deterministic: chunks join to one call, at any offset", async () => {
    const ds = await loadData("synthetic:sparse-linear?n=10200&k=8&l0=3&d=12"); // 8,500 training rows: two chunks
    const rows = ds.split.train.subarray(0, 8192 + 300);
    const model = zoo.sdlgm.build({ features: ds.g, kind: ds.kind, latents: 8, maxActive: 3, hidden: [16] });
    const program = compile(model, { seed: 0, normalisation: "elbo", encoderHidden: [16] });
    const chunked = encodeRows(program, ds, rows);
    const site = Object.keys(chunked)[0];
    const act = chunked[site].activity!;
    expect(act.shape[0]).toBe(8492);
    const x = observedTensor(model, ds, rows);
    const whole = program.encode(x)[site];
    expect(Array.from(act.dataSync())).toEqual(Array.from(whole.activity!.dataSync()));
    expect(Array.from(chunked[site].scores!.dataSync())).toEqual(Array.from(whole.scores!.dataSync()));
    // at most L0 = 3 units on per row, exactly L̂ of them
    const sizes = tf.sum(act, -1).dataSync();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    const x2 = observedTensor(model, ds, rows.subarray(8192));
    const atOffset = program.encode(x2, { offset: 8192 })[site];
    const atZero = program.encode(x2)[site];
    expect(Array.from(atOffset.activity!.dataSync())).toEqual(Array.from(atZero.activity!.dataSync()));
    tf.dispose([act, chunked[site].mean, chunked[site].scores!, x, whole.mean, whole.activity!, whole.scores!, x2, atZero.mean, atZero.activity!, atZero.scores!, atOffset.mean, atOffset.activity!, atOffset.scores!]);
    program.dispose?.();
  }, 120_000);

  it("replicas of a capped code equal separate runs with the same seeds (independent noise per replica)", async () => {
    const ds = await loadData("synthetic:sparse-linear?n=600&k=8&l0=3&d=12");
    const build = () => zoo.sdlgm.build({ features: ds.g, kind: ds.kind, latents: 8, maxActive: 3, hidden: [8] });
    const fit = async (opts: object) => {
      const model = build();
      const program = compile(model, { ...opts, normalisation: "elbo", stepPlans: false } as never);
      const x = observedTensor(model, ds, ds.split.train);
      await program.fit(x, { epochs: 1, batchSize: 100, learningRate: 1e-2, maxSteps: 3 });
      const e = program.encode(x);
      const mean = Array.from(e.z.mean.dataSync());
      tf.dispose([x, e.z.mean, e.z.activity!, e.z.scores!]);
      program.dispose();
      return mean;
    };
    const [a, b, both] = [await fit({ seed: 3 }), await fit({ seed: 4 }), await fit({ seed: [3, 4], replicas: 2 })];
    const half = both.length / 2;
    both.slice(0, half).forEach((v, i) => expect(v).toBeCloseTo(a[i], 4));
    both.slice(half).forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
  }, 60_000);
});
