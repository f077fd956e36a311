import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { bijectTo, registeredBijectors } from "./bijectors.js";
import { positive, real, unitInterval } from "./constraints.js";
import { normal } from "./normal.js";
import { transformed } from "./transformed.js";
import { bernoulli } from "./bernoulli.js";
import { relaxedBernoulli } from "./relaxed-bernoulli.js";
import { thresholdSigmoidSpikeSlab } from "./threshold-sigmoid.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());

describe("bijector registry (biject_to)", () => {
  it("maps the reals onto each support, inverts, and its log |det J| is the log slope (property)", () => {
    for (const name of registeredBijectors()) {
      const [support, variant] = name.split(":");
      const b = bijectTo(support, variant);
      fc.assert(
        fc.property(fc.double({ min: -4, max: 4, noNaN: true }), (u) =>
          tf.tidy(() => {
            const x = b.forward(tf.scalar(u));
            const back = b.inverse(x).dataSync()[0];
            const slope = tf.grad((v: tf.Tensor) => b.forward(v))(tf.scalar(u)).dataSync()[0];
            const ladj = b.logAbsDetJacobian(tf.scalar(u)).dataSync()[0];
            return b.support.check(x).dataSync()[0] === 1 && Math.abs(back - u) < 1e-3 * (1 + Math.abs(u)) && Math.abs(ladj - Math.log(Math.abs(slope))) < 1e-3;
          }),
        ),
        { numRuns: 30 },
      );
    }
  });

  it("is keyed by support, with named variants, and names the registered ones when one is missing", () => {
    expect(bijectTo(positive).forward(tf.scalar(0)).dataSync()[0]).toBe(1);
    expect(bijectTo("positive", "logSqrt").forward(tf.scalar(1)).dataSync()[0]).toBeCloseTo(Math.exp(2), 4);
    expect(bijectTo(real).support).toBe(real);
    expect(bijectTo(unitInterval).forward(tf.scalar(0)).dataSync()[0]).toBe(0.5);
    expect(() => bijectTo("boolean")).toThrow(/no bijector registered for support "boolean"; registered: real, positive/);
  });
});

describe("TransformedDistribution", () => {
  it("a Normal pushed through exp is the log-normal (closed-form density), and logProbAt agrees", () => {
    const q = transformed(normal(0.3, 0.7), bijectTo(positive));
    const x = tf.tensor([0.2, 1, 3.5]);
    const expected = vals(x).map((v) => -Math.log(v * 0.7 * Math.sqrt(2 * Math.PI)) - (Math.log(v) - 0.3) ** 2 / (2 * 0.49));
    vals(q.logProb(x)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    vals(q.logProbAt(tf.log(x))).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(Math.min(...vals(q.sample(Key.of(1), [100])))).toBeGreaterThan(0);
    expect(q.median().dataSync()[0]).toBeCloseTo(Math.exp(0.3), 5);
  });
});

describe("draws for given noise (what the compiler's families call)", () => {
  it("RelaxedBernoulli.relax is sample's transform; hard is its zero-temperature limit for the same noise", () => {
    const u = Key.of(3).uniform([2000]);
    const d = relaxedBernoulli({ temperature: 0.5, logits: 0.4 });
    expect(vals(d.relax(u))).toEqual(vals(d.sample(Key.of(3), [2000])));
    const cold = relaxedBernoulli({ temperature: 1e-4, logits: 0.4 });
    expect(vals(cold.relax(u)).map((v) => Math.round(v))).toEqual(vals(d.hard(u)));
    expect(vals(d.hard(u)).every((v) => v === 0 || v === 1)).toBe(true);
  });

  it("ThresholdSigmoidSpikeSlab with logVariance draws as with scale = exp(½ log σ²); hard uses the step gate", () => {
    const logVar = tf.tensor([-1, 0.5, 2]);
    const u = tf.tensor([0.2, 0.7, 0.95]);
    const eps = tf.tensor([0.3, -1, 0.5]);
    const a = thresholdSigmoidSpikeSlab({ inclusion: tf.tensor([0.5, 0.5, 0.1]), loc: tf.tensor([1, 2, 3]), logVariance: logVar, sharpness: 50, slabWarmup: 0.5 });
    const b = thresholdSigmoidSpikeSlab({ inclusion: tf.tensor([0.5, 0.5, 0.1]), loc: tf.tensor([1, 2, 3]), scale: tf.exp(tf.mul(0.5, logVar)), sharpness: 50, slabWarmup: 0.5 });
    vals(a.draw(u, eps)).forEach((v, i) => expect(v).toBeCloseTo(vals(b.draw(u, eps))[i], 5));
    // gates 1[u − 1 + γ > 0]: 0.2 − 0.5 < 0, 0.7 − 0.5 > 0, 0.95 − 0.9 > 0
    expect(vals(a.draw(u, eps, true)).map((v) => (v === 0 ? 0 : 1))).toEqual([0, 1, 1]);
  });

  it("Bernoulli.drawFrom draws 1[u < p] with no gradient, even inside a tape", () => {
    const u = tf.tensor([0.1, 0.5, 0.9]);
    // the draw's own log-probability (whose 1[x > ½] has no gradient function) on the tape: only the explicit path counts
    const g = tf.grad((l: tf.Tensor) => {
      const q = bernoulli({ logits: l });
      return tf.sum(q.logProb(q.drawFrom(u)));
    })(tf.tensor([0, 0, 3]));
    expect(vals(bernoulli({ logits: tf.tensor([0, 0, 3]) }).drawFrom(u))).toEqual([1, 0, 1]);
    // d/dl log σ(±l) at the drawn values: 1 − σ(l) for a 1, −σ(l) for a 0
    vals(g).forEach((v, i) => expect(v).toBeCloseTo([0.5, -0.5, 1 - 1 / (1 + Math.exp(-3))][i], 5));
  });
});
