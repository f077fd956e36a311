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
