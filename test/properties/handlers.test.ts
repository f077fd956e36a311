/**
 * Algebraic properties of the handlers, checked with fast-check over random models sizes, data
 * and keys: the same key gives the same trace; condition and trace commute; masked entries change
 * neither the log density nor its gradient (whatever values the masked entries hold).
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key, model, trace, seed, condition, mask, substitute } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";

function toy(G: number, K: number) {
  return model("toy")
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .global("W", () => normal(0, 1), { plates: ["feature", "factor"] })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
    .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 0.5), { plates: ["data", "feature"] });
}

const sizes = fc.record({ G: fc.integer({ min: 1, max: 5 }), K: fc.integer({ min: 1, max: 4 }), N: fc.integer({ min: 1, max: 6 }), s: fc.integer({ min: 0, max: 1e6 }) });

describe("handler properties", () => {
  it("the same key gives the same trace (values and log joint)", () => {
    fc.assert(
      fc.property(sizes, ({ G, K, N, s }) => {
        tf.tidy(() => {
          const m = toy(G, K);
          const a = trace(seed(m, Key.of(s))).get({ plateSizes: { data: N } });
          const b = trace(seed(m, Key.of(s))).get({ plateSizes: { data: N } });
          for (const name of a.names()) expect(b.site(name).value.arraySync()).toEqual(a.site(name).value.arraySync());
          expect(b.logJoint().dataSync()[0]).toBe(a.logJoint().dataSync()[0]);
        });
      }),
      { numRuns: 25 },
    );
  });

  it("condition and trace commute: the conditioned site holds the data and the other sites are unchanged", () => {
    fc.assert(
      fc.property(sizes, ({ G, K, N, s }) => {
        tf.tidy(() => {
          const m = toy(G, K);
          const x = Key.of(s + 1).normal([N, G]);
          const direct = trace(seed(condition(m, { x }), Key.of(s))).get();
          const free = trace(seed(m, Key.of(s))).get({ plateSizes: { data: N } });
          expect(direct.value("x").arraySync()).toEqual(x.arraySync());
          expect(direct.site("z").value.arraySync()).toEqual(free.site("z").value.arraySync());
          // conditioning after the fact = substituting the traced latents and scoring x
          const rescored = trace(seed(condition(substitute(m, { W: free.value("W"), z: free.value("z") }), { x }), Key.of(s))).get();
          expect(rescored.logJoint().dataSync()[0]).toBeCloseTo(direct.logJoint().dataSync()[0], 4);
        });
      }),
      { numRuns: 20 },
    );
  });

  it("masked entries change neither the log density nor its gradient, whatever values they hold", () => {
    fc.assert(
      fc.property(sizes, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), ({ G, K, N, s }, bits) => {
        tf.tidy(() => {
          const m = toy(G, K);
          const keep = Array.from({ length: N }, (_, i) => Array.from({ length: G }, (_, j) => (bits[(i * G + j) % bits.length] ? 1 : 0)));
          const x = Key.of(s + 2).normal([N, G]).arraySync() as number[][];
          const other = x.map((row, i) => row.map((v, j) => (keep[i][j] ? v : v + 100)));
          const missing = x.map((row, i) => row.map((v, j) => (keep[i][j] ? v : 0)));
          const free = trace(seed(m, Key.of(s))).get({ plateSizes: { data: N } });
          const W0 = free.value("W");
          const z0 = free.value("z");
          const score = (data: number[][]) => (W: tf.Tensor) =>
            trace(seed(mask(condition(substitute(m, { W, z: z0 }), { x: data }), { x: keep }), Key.of(s))).get().logJoint() as tf.Scalar;
          const [la, ga] = [score(x)(W0), tf.grad(score(x))(W0)];
          const [lb, gb] = [score(other)(W0), tf.grad(score(other))(W0)];
          const [lc, gc] = [score(missing)(W0), tf.grad(score(missing))(W0)];
          expect(lb.dataSync()[0]).toBeCloseTo(la.dataSync()[0], 3);
          expect(lc.dataSync()[0]).toBeCloseTo(la.dataSync()[0], 3);
          expect(Array.from(gb.dataSync())).toEqual(Array.from(ga.dataSync()));
          expect(Array.from(gc.dataSync())).toEqual(Array.from(ga.dataSync()));
          expect(Array.from(ga.dataSync()).every(Number.isFinite)).toBe(true);
        });
      }),
      { numRuns: 20 },
    );
  });
});
