// Side inputs (`.side`) and names read ahead (`.ahead`): fit refuses side data the model does not
// declare, a declared input without data and a wrong shape; ctx.observed and ctx.posterior refuse a
// misspelt name at run time (plain JavaScript); compile refuses an .ahead name never declared.
// Each refusal names the site. Tiny models, one step each.
import { describe, it, expect } from "vitest";
import { tf, model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";

const seen: number[] = [];
const labelled = model("labelled")
  .plate("data")
  .plate("feature", 2)
  .latent("z", () => normal(0, 1), { plates: ["data"] })
  .side("label", { event: [] })
  .factor("probe", (_s, ctx) => {
    const y = ctx.observed("label");
    if (y) seen.push(y.shape[0]);
    return tf.scalar(0);
  })
  .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
const x = tf.zeros([8, 2]);
const fit = (m: typeof labelled, data: Parameters<ReturnType<typeof compile<typeof labelled>>["fit"]>[0]) => compile(m, { seed: 0, stepPlans: false }).fit(data, { epochs: 1, batchSize: 8 });

describe("side inputs", () => {
  it("reach ctx.observed as the minibatch's rows", async () => {
    seen.length = 0;
    await fit(labelled, { x, label: tf.zeros([8]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === 8)).toBe(true);
  });

  it("fit refuses undeclared side data, a missing input and a wrong shape, naming it", async () => {
    await expect(fit(labelled, { x, label: tf.zeros([8]), lable: tf.zeros([8]) })).rejects.toThrow('fit: data "lable" is neither the observed site "x" nor a side input of model "labelled" (side inputs: label; declare one with .side("lable"))');
    await expect(fit(labelled, x)).rejects.toThrow('fit: side input "label" of model "labelled" has no data; pass fit({ x, label })');
    await expect(fit(labelled, { x, label: tf.zeros([8, 3]) })).rejects.toThrow('fit: side input "label" must have shape [8] (one row per data point), got [8, 3]');
  });

  it("the builder refuses a side input without the data plate, a duplicate and an unknown option", () => {
    expect(() => model("m").side("y")).toThrow('a side input has one row per data point; declare .plate("data") first');
    // @ts-expect-error: "z" is declared already
    expect(() => labelled.side("z")).toThrow('site "z"');
    // @ts-expect-error: side inputs take event and doc only
    expect(() => model("m").plate("data").side("y", { plates: ["data"] })).toThrow('unknown option "plates"; options of a side input: event, doc');
  });

  it("misspelt names throw at run time, naming the site", async () => {
    const loose = model("loose")
      .plate("data")
      .plate("feature", 2)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .factor("a", (_s, ctx) => (ctx.observed("lable" as never), tf.scalar(0)))
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    await expect(compile(loose, { seed: 0, stepPlans: false }).fit(x, { epochs: 1, batchSize: 8 })).rejects.toThrow('ctx.observed("lable"): model "loose" has no observed site or side input "lable" (x)');
    const post = model("post")
      .plate("data")
      .plate("feature", 2)
      .latent("z", () => normal(0, 1), { plates: ["data"] })
      .factor("a", (_s, ctx) => (ctx.posterior("zz" as never), tf.scalar(0)))
      .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    await expect(compile(post, { seed: 0, stepPlans: false }).fit(x, { epochs: 1, batchSize: 8 })).rejects.toThrow('ctx.posterior("zz"): model "post" has no site "zz"');
  });

  it("compile refuses a name read ahead and never declared", () => {
    const m = model("forgot")
      .plate("data")
      .plate("feature", 2)
      .ahead("x")
      .latent("z", (_s, ctx) => (ctx.observed("x"), normal(0, 1)), { plates: ["data"] })
      .observe("y", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
    // @ts-expect-error: "x" is read ahead but never declared (the type error names it)
    expect(() => compile(m)).toThrow('model "forgot": "x" is read ahead (.ahead) but never declared');
  });
});
