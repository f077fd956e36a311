// sideData: the side inputs a model's sites declare (`needs`), from the data's labels and per-row
// attributes, keyed as the model reads them (ctx.observed), with a clear error when the data lack one.
import { describe, it, expect } from "vitest";
import { model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { sideData, independencePenalty } from "@sparse-dgm/infer";
import { loadData } from "@sparse-dgm/data";

const m = model("needsBoth")
  .plate("data")
  .plate("feature", 10)
  .latent("z", () => normal(0, 1), { plates: ["data", "feature"] })
  .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] })
  .factor("fair", independencePenalty({ codes: "z", attribute: "sensitive", given: "label" }), { weight: 1, needs: ["sensitive", "labels"] });

describe("sideData", () => {
  it("gives the labels as `label` and an attribute under its own name, for the rows asked", async () => {
    const ds = await loadData("synthetic:fair?n=50");
    const side = sideData(m, ds, [3, 1, 4]);
    expect(Object.keys(side).sort()).toEqual(["label", "sensitive"]);
    expect(Array.from(side.label.dataSync())).toEqual([3, 1, 4].map((i) => ds.labels![i]));
    expect(Array.from(side.sensitive.dataSync())).toEqual([3, 1, 4].map((i) => ds.attributes!.sensitive[i]));
  });
  it("names the model, site, need and data when the data lack it", async () => {
    const ds = await loadData("synthetic:two-view?n=50");
    expect(() => sideData(m, ds, [0])).toThrow('model "needsBoth": site "fair" needs the per-row attribute "sensitive"; synthetic:two-view?n=50 has none');
  });
});
