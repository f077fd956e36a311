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

  it("draws a capped code's support with fresh noise in every chunk", async () => {
    const ds = await loadData("synthetic:sparse-linear?n=12000"); // 10,000 training rows
    const rows = ds.split.train.subarray(0, 8192 + 500);
    const model = zoo.sdlgm.build({ features: ds.g, hidden: [16] });
    const program = compile(model, { seed: 0, normalisation: "elbo", encoderHidden: [16] });
    const chunked = encodeRows(program, ds, rows);
    const site = Object.keys(chunked)[0];
    const act = chunked[site].activity!;
    expect(act.shape[0]).toBe(8692);
    const [first, second] = tf.split(act, [8192, 500], 0);
    // the second chunk's rows encoded on their own at offset 0 show the noise the first chunk used
    const x2 = observedTensor(model, ds, rows.subarray(8192));
    const atZero = program.encode(x2)[site];
    const atOffset = program.encode(x2, { offset: 8192 })[site];
    expect(Array.from(second.dataSync())).toEqual(Array.from(atOffset.activity!.dataSync()));
    expect(Array.from(second.dataSync())).not.toEqual(Array.from(atZero.activity!.dataSync()));
    // the means are not drawn: the same whatever the offset
    expect(Array.from(atOffset.mean.dataSync())).toEqual(Array.from(atZero.mean.dataSync()));
    tf.dispose([act, chunked[site].mean, first, second, x2, atZero.mean, atZero.activity!, atOffset.mean, atOffset.activity!]);
    program.dispose?.();
  }, 60_000);
});
