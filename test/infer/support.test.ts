import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { sparseVae } from "@sparse-dgm/zoo";

describe("data outside the likelihood's support", () => {
  it("is refused before training, naming the site, the likelihood and the entry", async () => {
    const counts = tf.tensor2d([[1, 2, 3], [0, -1, 4], [2, 2, 2]]);
    const m = sparseVae.build({ features: 3, likelihood: "categorical" });
    await expect(compile(m).fit(counts, { epochs: 1, batchSize: 2 })).rejects.toThrow(
      'site "x": the data are not in the support of its Multinomial likelihood (counts): row 1 is [0, -1, 4]',
    );
    const b = sparseVae.build({ features: 3, likelihood: "bernoulli" });
    await expect(compile(b).fit(counts, { epochs: 1, batchSize: 2 })).rejects.toThrow(/Bernoulli likelihood \(boolean\): row 0, column 1 is 2/);
  });
});

describe("the VAE's categorical likelihood (MovieLens setting)", () => {
  it("is a multinomial over the features: log p(x | z) = log n! − Σ log x_j! + Σ x_j log p_j, p a softmax over the features, and it trains", async () => {
    const { vae } = await import("@sparse-dgm/zoo");
    const { trace, seed, condition, Key } = await import("@sparse-dgm/core");
    const m = vae.build({ features: 4, factors: 2, hidden: 8, likelihood: "categorical" });
    const x = tf.tensor2d([[1, 0, 2, 0], [0, 3, 0, 1]]);
    const tr = trace(seed(condition(m, { x }), Key.of(1))).get();
    const site = tr.site("x");
    const probs = (site.fn as unknown as { probs(): tf.Tensor }).probs().reshape([2, 4]).arraySync() as number[][];
    const counts = x.arraySync();
    const lfact = (k: number): number => (k <= 1 ? 0 : Math.log(k) + lfact(k - 1));
    const want = counts.map((row, i) => lfact(row.reduce((a, v) => a + v, 0)) - row.reduce((a, v) => a + lfact(v), 0) + row.reduce((a, v, j) => a + v * Math.log(probs[i][j]), 0));
    // softmax probabilities over the 4 features, one vector per row
    probs.forEach((p) => expect(p.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5));
    const got = Array.from(site.fn!.logProb(site.value).dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 4));
    const fit = await compile(m, { seed: 0 }).fit(tf.tensor2d([[1, 0, 2, 0], [0, 3, 0, 1], [2, 1, 0, 0], [0, 0, 1, 1]]), { epochs: 3, batchSize: 2 });
    expect(fit.history.every(Number.isFinite)).toBe(true);
  });
});
