import { describe, it, expect } from "vitest";
import { tf, Key, model, trace, seed, condition, substitute, intervene, scale, block, mask, replay } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";

const G = 3;
const K = 2;
const m = model("toy")
  .plate("data")
  .plate("feature", G)
  .plate("factor", K)
  .global("W", () => normal(0, 1), { plates: ["feature", "factor"] })
  .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
  .global("sigma", () => normal(1, 0.1), { plates: ["feature"] })
  .observe("x", ({ z, W, sigma }) => normal(tf.sum(tf.mul(z, W), -1, true), tf.abs(sigma)), { plates: ["data", "feature"] });

describe("runtime", () => {
  it("samples every site in canonical layout and returns site layout on request", () => {
    const tr = trace(seed(m, Key.of(1))).get({ plateSizes: { data: 4 } });
    expect(tr.site("z").value.shape).toEqual([4, 1, K]);
    expect(tr.site("W").value.shape).toEqual([1, G, K]);
    expect(tr.site("x").value.shape).toEqual([4, G, 1]);
    expect(tr.value("x").shape).toEqual([4, G]);
    expect(tr.value("W").shape).toEqual([G, K]);
    expect(Number.isFinite(tr.logJoint().dataSync()[0])).toBe(true);
  });

  it("conditions with the data size taken from the data", () => {
    const x = tf.randomNormal([5, G]);
    const tr = trace(seed(condition(m, { x }), Key.of(2))).get();
    expect(tr.site("x").observed).toBe(true);
    expect(tr.value("x").arraySync()).toEqual(x.arraySync());
    expect(tr.site("z").value.shape).toEqual([5, 1, K]);
  });

  it("names the site, plate path, expected and actual shape on a shape mistake", () => {
    const bad = tf.zeros([100, 1]);
    expect(() => trace(seed(condition(m, { x: bad }), Key.of(0))).get()).toThrow(
      'site "x" [plate data=100, feature=3]: expected shape [100, 3], got [100, 1]',
    );
  });

  it("refuses non-finite observations naming the entry", () => {
    expect(() => condition(m, { x: [[0, 1, 2], [0, NaN, 1]] })).toThrow(/site "x": value NaN at data 1, feature 1 is not finite/);
  });

  it("substitute, do, scale, block, mask, replay", () => {
    const W = tf.ones([G, K]);
    const tr = trace(seed(substitute(m, { W }), Key.of(3))).get({ plateSizes: { data: 2 } });
    expect(tr.value("W").arraySync()).toEqual(W.arraySync());
    const tr2 = trace(seed(intervene(m, { W }), Key.of(3))).get({ plateSizes: { data: 2 } });
    expect(tr2.hasDensity("W")).toBe(false);
    const base = trace(seed(m, Key.of(4))).get({ plateSizes: { data: 2 } });
    const scaled = trace(scale(seed(m, Key.of(4)), 2)).get({ plateSizes: { data: 2 } });
    expect(scaled.logJoint().dataSync()[0]).toBeCloseTo(2 * base.logJoint().dataSync()[0], 3);
    const blocked = trace(block(seed(m, Key.of(4)), { hide: ["z"] })).get({ plateSizes: { data: 2 } });
    expect(blocked.names()).not.toContain("z");
    const replayed = trace(replay(seed(m, Key.of(9)), base)).get({ plateSizes: { data: 2 } });
    expect(replayed.site("z").value.arraySync()).toEqual(base.site("z").value.arraySync());
    const x = tf.randomNormal([2, G]);
    const masked = trace(seed(mask(condition(m, { x }), { x: [[1, 0, 1], [1, 1, 1]] }), Key.of(4))).get();
    expect((masked.logProb("x").arraySync() as number[][][])[0][1][0]).toBe(0);
  });
});
