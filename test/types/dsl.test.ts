/**
 * Type tests: the DSL's static guarantees. Each `@ts-expect-error` line must be a compile error
 * (`tsc -b`, run by `npm test`, fails if it is not); `expectTypeOf` pins inferred types.
 */
import { describe, it, expect, expectTypeOf } from "vitest";
import { tf, model, condition, substitute, block, scale, mapEm, emUpdate, type SitesOf, type ObservedData, type Model } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

const m = model("typed")
  .plate("data")
  .plate("feature", 3)
  .plate("factor", 2)
  .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
  .global("W", () => normal(0, 1), { plates: ["feature", "factor"] })
  .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 1), { plates: ["data", "feature"] });

describe("DSL types", () => {
  it("grows the site table with kinds, plates and ranks", () => {
    type S = SitesOf<typeof m>;
    expectTypeOf<S["z"]["kind"]>().toEqualTypeOf<"latent">();
    expectTypeOf<S["x"]["kind"]>().toEqualTypeOf<"observe">();
    expectTypeOf<S["x"]["plates"]>().toEqualTypeOf<"data" | "feature">();
    expectTypeOf<S["x"]["rank"]>().toEqualTypeOf<2>();
    expectTypeOf<S["W"]["rank"]>().toEqualTypeOf<2>();
    expectTypeOf<keyof ObservedData<S>>().toEqualTypeOf<"x">();
    expectTypeOf(m).toMatchTypeOf<Model<any, "data" | "feature" | "factor">>();
  });

  it("callbacks receive the earlier sites, typed", () => {
    model("cb")
      .plate("data")
      .latent("a", () => normal(0, 1), { plates: ["data"] })
      .latent("b", ({ a }) => {
        expectTypeOf(a).toEqualTypeOf<tf.Tensor>();
        return normal(a, 1);
      }, { plates: ["data"] })
      // @ts-expect-error: "c" is not declared before this site
      .latent("d", ({ c }) => normal(c, 1), { plates: ["data"] });
  });

  it("rejects mistakes at compile time (and at run time, for JavaScript callers)", () => {
    const x2 = tf.tensor2d([[1, 2, 3]]);
    const xAny: tf.Tensor = tf.zeros([1, 3]);
    const x1 = tf.tensor1d([1, 2, 3]);
    condition(m, { x: x2 });
    condition(m, { x: xAny }); // rank unknown statically: checked when the model runs
    condition(m, { x: [[1, 2, 3]] });
    // @ts-expect-error: misspelled site in condition
    expect(() => condition(m, { xx: x2 })).toThrow(/no observed site "xx"; observed sites: x/);
    // @ts-expect-error: "z" is latent, not observed: condition only takes observed sites
    expect(() => condition(m, { z: x2 })).toThrow(/no observed site "z"/);
    // @ts-expect-error: observed value of the wrong static shape (rank 1, the site has rank 2)
    condition(m, { x: x1 });
    // @ts-expect-error: nested arrays of the wrong depth
    condition(m, { x: [1, 2, 3] });
    // @ts-expect-error: block of an unknown site
    block(m, { hide: ["nope"] });
    // @ts-expect-error: scale of an unknown site
    scale(m, 2, ["zz"]);
    // @ts-expect-error: substitute of an unknown site
    expect(() => substitute(m, { Q: x2 })).toThrow(/no substitutable site "Q"/);
  });

  it("rejects undeclared plates and duplicate names", () => {
    const base = model("p").plate("data").plate("feature", 3).plate("factor", 2);
    // @ts-expect-error: wrong plate name
    expect(() => base.latent("z", () => normal(0, 1), { plates: ["data", "factr"] })).toThrow(/plate "factr" is not declared/);
    // @ts-expect-error: a mask over an undeclared plate
    expect(() => base.mask("W", () => normal(0, 1), { rows: "features", cols: "factor" })).toThrow(/not declared/);
    const one = base.latent("z", () => normal(0, 1), { plates: ["data"] });
    // @ts-expect-error: duplicate site name
    expect(() => one.latent("z", () => normal(0, 1), { plates: ["data"] })).toThrow(/declared twice/);
    // @ts-expect-error: duplicate plate name
    expect(() => base.plate("feature", 4)).toThrow(/declared twice/);
  });
});

describe("closed site options and typed site references (issue 19)", () => {
  const base = model("opts").plate("data").plate("feature", 3).plate("factor", 2).global("eta", () => normal(0, 1), { plates: ["factor"], estimator: emUpdate() });

  it("a misspelled option is a type error, and refused at declaration naming the site and the options", () => {
    // @ts-expect-error: "estimater" is not an option of a mask
    expect(() => base.mask("W", () => normal(0, 1), { rows: "feature", cols: "factor", estimater: mapEm() })).toThrow(
      /^site "W": unknown option "estimater"; options of a mask site: rows, cols, scope, valueType, estimator/,
    );
    // @ts-expect-error: priorWeight is a mask's option, not a latent's
    expect(() => base.latent("z", () => normal(0, 1), { plates: ["data"], priorWeight: 2 })).toThrow(/site "z": unknown option "priorWeight"/);
    // @ts-expect-error: the spike head is "relu" or "sigmoid"
    base.mask("c", () => normal(0, 1), { rows: "data", cols: "factor", guide: { spikeHead: "tanh" } });
  });

  it("site references are the model's site names: mapEm's etaSite, a product-of-experts encoder mask", () => {
    base.mask("W", () => normal(0, 1), { rows: "feature", cols: "factor", estimator: mapEm({ etaSite: "eta" }) });
    // @ts-expect-error: "etta" is not a global of the model
    base.mask("W", () => normal(0, 1), { rows: "feature", cols: "factor", estimator: mapEm({ etaSite: "etta" }) });
    const withMask = base.mask("Ain", () => normal(0, 1), { rows: "factor", cols: "feature", valueType: "fixed", fixedValue: [[1, 0, 1], [0, 1, 1]] });
    withMask.latent("z", () => normal(0, 1), { plates: ["data", "factor"], guide: { kind: "poe", encoderMask: "Ain" } });
    // @ts-expect-error: "nope" is not a mask of the model
    withMask.latent("z", () => normal(0, 1), { plates: ["data", "factor"], guide: { kind: "poe", encoderMask: "nope" } });
  });

  it("compile and zoo entries keep the model's type", () => {
    const program = compile(m);
    expectTypeOf(program.model).toEqualTypeOf<typeof m>();
    const svae = zoo.sparseVae.build({ features: 7 });
    expectTypeOf(svae).toMatchTypeOf<Model<any, "data" | "feature" | "factor">>();
  });
});
