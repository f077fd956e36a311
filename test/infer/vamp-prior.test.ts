// vscVampPrior trains end to end: ctx.recognition runs the guide's encoder at the pseudo-inputs
// (shared weights), the pseudo-inputs and the selector learn, and the loss falls.
import { describe, it, expect } from "vitest";
import { tf, model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

describe("vscVampPrior", () => {
  it("trains: pseudo-inputs and selector receive gradients, loss falls, the ELBO is finite", async () => {
    const model = zoo.vscVampPrior.build({ features: 16, latents: 4, hidden: 8, pseudoInputs: 3 } as never);
    const p = compile(model, { seed: 1 });
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([120, 16], 0, 1, "float32", 2), 0.6), "float32"));
    await p.fit(x, { epochs: 1, batchSize: 40, maxSteps: 1, learningRate: 1e-2 });
    const u0 = p.params.get("site/pseudoInputs").arraySync();
    const r = await p.fit(x, { epochs: 25, batchSize: 40, learningRate: 1e-2 });
    const u1 = p.params.get("site/pseudoInputs").arraySync();
    expect(JSON.stringify(u1)).not.toBe(JSON.stringify(u0));
    expect(p.params.names()).toContain("mlp/selector/0/kernel");
    expect(r.history[r.history.length - 1]).toBeLessThan(r.history[0]);
    expect(Object.keys(r.curves)).toContain("rate:z");
    const e = p.evaluate(x).elbo[0];
    expect(Number.isFinite(e)).toBe(true);
  });

  it("refuses recognition of a site without an amortised guide, naming it", async () => {
    const m = model("recognise-global")
      .plate("data")
      .plate("feature", 3)
      .global("W", () => normal(0, 1), { plates: ["feature"] })
      // @ts-expect-error: "W" is a global, not a local site with a guide per data point (the type checker refuses it too)
      .latent("z", (_s, ctx) => (ctx.recognition("W", tf.zeros([2, 3])), normal(0, 1)), { plates: ["data"] })
      .observe("x", ({ z, W }) => normal(tf.mul(z, W), 1), { plates: ["data", "feature"] });
    const x = tf.zeros([8, 3]);
    await expect(compile(m, { seed: 0 }).fit(x, { epochs: 1, batchSize: 4 })).rejects.toThrow('ctx.recognition("W"): "W" is not a local site with an amortised guide');
  });
});
