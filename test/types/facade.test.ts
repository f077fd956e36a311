/**
 * The `sparse-dgm` facade re-exports every package's public API: each runtime export of each
 * package index is a facade export (by name: the facade's `relaxedBernoulli`/`hardConcrete` are the
 * distributions, the estimators are `estimators.*`, and the speed layer exposes only its switch), and
 * the MIB instances, the fairness/edge/cross-view metrics and the `fair` data are importable by
 * name. The type imports below are checked by `tsc -b`.
 */
import { describe, it, expect, expectTypeOf } from "vitest";
import * as facade from "sparse-dgm";
import { mibFair, mibInvariant, mibMultimodal, mibConditional, fair, edgeRecovery, crossViewError, demographicParityGap, sensitivePredictability, type MibIndependence, type EdgeRecovery } from "sparse-dgm";
import * as core from "@sparse-dgm/core";
import * as distributions from "@sparse-dgm/distributions";
import * as nn from "@sparse-dgm/nn";
import * as infer from "@sparse-dgm/infer";
import * as data from "@sparse-dgm/data";
import * as metrics from "@sparse-dgm/metrics";
import * as zoo from "@sparse-dgm/zoo";
import * as testing from "@sparse-dgm/testing";
import * as viz from "@sparse-dgm/viz";

describe("the sparse-dgm facade", () => {
  it("exports every runtime name of every package index (before: mibFair, fair, edgeRecovery, ... were missing)", () => {
    const packages = { core, distributions, nn, infer, data, metrics, zoo, testing, viz };
    const missing = Object.entries(packages).flatMap(([pkg, mod]) => Object.keys(mod).filter((k) => !(k in facade)).map((k) => `${pkg}.${k}`));
    expect(missing).toEqual([]);
    // same objects, not look-alikes
    expect(facade.mibFair).toBe(zoo.mibFair);
    expect(facade.fair).toBe(data.fair);
    expect(facade.edgeRecovery).toBe(metrics.edgeRecovery);
  });

  it("import { mibFair } from \"sparse-dgm\" builds the instance", () => {
    const m = mibFair.build({ features: 10 });
    expect(m.name).toBe("mibFair");
    expect(m.ir.sites.map((s) => s.name)).toContain("independence");
    for (const f of [mibInvariant, mibMultimodal, mibConditional]) expect(typeof f.build).toBe("function");
    for (const f of [fair, edgeRecovery, crossViewError, demographicParityGap, sensitivePredictability]) expect(typeof f).toBe("function");
    const ind: MibIndependence = { attribute: "sensitive", weight: 1 };
    expect(ind.weight).toBe(1);
    const e: Partial<EdgeRecovery> = {};
    expect(e).toEqual({});
  });
});

describe("A-1: the MIB entries keep their model's type", () => {
  it("buildMibStructured and the instances return typed models (sites, plates, observed data), not Model<any, any>", () => {
    type M = ReturnType<typeof zoo.buildMibStructured>;
    type S = core.SitesOf<M>;
    expectTypeOf<S["z"]["kind"]>().toEqualTypeOf<"latent">();
    expectTypeOf<S["Aout"]["kind"]>().toEqualTypeOf<"mask">();
    expectTypeOf<S["x"]["plates"]>().toEqualTypeOf<"data" | "view">();
    expectTypeOf<keyof core.ObservedData<S>>().toEqualTypeOf<"x">();
    type F = ReturnType<typeof mibFair.build>;
    expectTypeOf<core.SitesOf<F>["z"]["kind"]>().toEqualTypeOf<"latent">();
    // @ts-expect-error: no site "zz" (was accepted: the model type was erased)
    expectTypeOf<S["zz"]>().toBeAny();
    const m: M = zoo.buildMibStructured({ features: 4 });
    expect(m.ir.sites.find((s) => s.name === "z")?.kind).toBe("latent");
  });
});
