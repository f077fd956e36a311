// SDLGM's cap as a property (specs/sdlgm.md §3 "cap violation rate ... must be 0 by
// construction"): over random logits (up to ±30), widths, caps, both sampling schemes, with and
// without straight-through, a share of hard draws (hardness 0, 0.3, 1), and temperatures down to
// 0.1, every hard code (the straight-through draw and the prediction b̂ = top-L̂) has at most L0
// units on (capViolations = 0 exactly, with |b| = L exactly without replacement), the relaxed
// support's mass is at most L0, and a float32 loss (decoder MSE + the analytic KL) and its
// gradients stay finite at temperature 0.1.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { cappedSparseCode, kl } from "@sparse-dgm/distributions";
import { capViolations, levelAccuracy } from "@sparse-dgm/metrics";

const B = 12;

const caseArb = fc.record({
  K: fc.integer({ min: 1, max: 12 }),
  l0: fc.integer({ min: 0, max: 11 }),
  scale: fc.constantFrom(1, 5, 30),
  temperature: fc.double({ min: 0.1, max: 2, noNaN: true }),
  withoutReplacement: fc.boolean(),
  straightThrough: fc.boolean(),
  hardness: fc.constantFrom(0, 0.3, 1),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe("the capped code never exceeds its cap (property)", () => {
  it("capViolations = 0 for straight-through draws and predictions; relaxed mass <= L0; finite float32 loss and gradients", () => {
    fc.assert(
      fc.property(caseArb, ({ K, l0, scale, temperature, withoutReplacement, straightThrough, hardness, seed }) =>
        tf.tidy(() => {
          const L0 = 1 + (l0 % K);
          const key = Key.of(seed);
          const [k1, k2, k3, k4] = key.split(4);
          const levelLogits = tf.mul(k1.normal([B, L0]), scale);
          const indexLogits = tf.mul(k2.normal([B, K]), scale);
          const loc = k3.normal([B, K]);
          const logScale = tf.mul(k4.normal([B, K]), 0.5);
          const target = tf.ones([B, K]);
          const make = (ll: tf.Tensor, il: tf.Tensor, mu: tf.Tensor, ls: tf.Tensor, st: boolean) =>
            cappedSparseCode({ levelLogits: ll, indexLogits: il, loc: mu, scale: tf.exp(ls), levelTemperature: temperature, indexTemperature: temperature, straightThrough: st, withoutReplacement, ...(st ? {} : { hardness }) });
          const q = make(levelLogits, indexLogits, loc, logScale, straightThrough);
          // hard draws (straight-through forward) and the prediction: never more than L0 units on
          const hard = make(levelLogits, indexLogits, loc, logScale, true).sampleWithSupport(key.foldIn("hard"));
          const hardRows = hard.support.arraySync() as number[][];
          const pred = q.predict();
          const predRows = pred.support.arraySync() as number[][];
          if (capViolations(hardRows, L0) !== 0 || capViolations(predRows, L0) !== 0) return false;
          // without replacement |b| = L exactly: the level accuracy against the drawn levels is 1
          const levels = Array.from(hard.level.dataSync());
          if (withoutReplacement && levelAccuracy(hardRows, levels).accuracy !== 1) return false;
          if (levelAccuracy(predRows, Array.from(pred.level.dataSync())).accuracy !== 1) return false;
          // relaxed draws: support in [0, 1] with total mass at most L0
          const soft = q.sampleWithSupport(key.foldIn("soft"));
          const mass = Array.from(tf.sum(soft.support, -1).dataSync());
          const inRange = Array.from(soft.support.dataSync()).every((v) => v >= 0 && v <= 1);
          if (!inRange || mass.some((m) => !(m <= L0 + 1e-4))) return false;
          // a float32 loss through the relaxed draw at this temperature, and its gradients
          const prior = cappedSparseCode({ levelLogits: tf.zeros([L0]), indexLogits: tf.zeros([K]), loc: tf.zeros([K]), scale: 1 });
          const loss = (ll: tf.Tensor, il: tf.Tensor, mu: tf.Tensor, ls: tf.Tensor) => {
            const d = make(ll, il, mu, ls, straightThrough);
            const z = d.sample(key.foldIn("loss"));
            return tf.add(tf.mean(tf.square(tf.sub(z, target))), tf.mean(kl(d, prior))) as tf.Scalar;
          };
          const { value, grads } = tf.valueAndGrads(loss)([levelLogits, indexLogits, loc, logScale]);
          const finite = (t: tf.Tensor) => Array.from(t.dataSync()).every(Number.isFinite);
          return finite(value) && grads.every(finite);
        }),
      ),
      { numRuns: 100 },
    );
  });

  it("at temperature 0.1 with extreme logits the float32 loss is finite for every sampling option", () => {
    for (const withoutReplacement of [true, false]) {
      for (const straightThrough of [true, false]) {
        tf.tidy(() => {
          const levelLogits = tf.tensor2d([[80, -80, 0, 0, 0], [-80, -80, -80, -80, 80]]);
          const indexLogits = tf.concat([tf.fill([2, 5], 60), tf.fill([2, 45], -60)], 1);
          const q = cappedSparseCode({ levelLogits, indexLogits, loc: tf.zeros([2, 50]), scale: tf.fill([2, 50], 1e-3), levelTemperature: 0.1, indexTemperature: 0.1, straightThrough, withoutReplacement });
          const prior = cappedSparseCode({ levelLogits: tf.zeros([5]), indexLogits: tf.zeros([50]), loc: tf.zeros([50]), scale: 1 });
          const v = tf.add(tf.mean(tf.square(q.sample(Key.of(3)))), tf.mean(kl(q, prior)));
          expect(Number.isFinite(v.dataSync()[0])).toBe(true);
          expect(capViolations(q.predict().support.arraySync() as number[][], 5)).toBe(0);
        });
      }
    }
  });
});
