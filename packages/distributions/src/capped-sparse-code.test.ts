import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { cappedSparseCode, cappedSparseCodeKL, CappedSupportMass, type CappedSparseCodeOptions } from "./capped-sparse-code.js";
import { kl, hasKL } from "./kl.js";

const vals = (t: tf.Tensor) => Array.from(t.dataSync());
const softmax = (a: number[]) => {
  const m = Math.max(...a);
  const e = a.map((x) => Math.exp(x - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((x) => x / s);
};

/** Exact KL of the discrete part by enumerating (L, c_1..c_L), c iid Cat(rho). */
function bruteForceKL(qLevel: number[], qIndex: number[], pLevel: number[], pIndex: number[]): number {
  const pq = softmax(qLevel);
  const pp = softmax(pLevel);
  const rq = softmax(qIndex);
  const rp = softmax(pIndex);
  const K = qIndex.length;
  let total = 0;
  for (let L = 1; L <= qLevel.length; L++) {
    const n = K ** L;
    for (let code = 0; code < n; code++) {
      let q = pq[L - 1];
      let p = pp[L - 1];
      let c = code;
      for (let l = 0; l < L; l++) {
        q *= rq[c % K];
        p *= rp[c % K];
        c = Math.floor(c / K);
      }
      total += q * Math.log(q / p);
    }
  }
  return total;
}

describe("CappedSparseCode", () => {
  it("cap never violated: hard (straight-through) support has <= L0 non-zeros, == level without replacement (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 7 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (K, l0m, la, ia, withoutReplacement, slab, seed) =>
          tf.tidy(() => {
            const L0 = 1 + (l0m % K);
            const opts: CappedSparseCodeOptions = {
              levelLogits: tf.tensor(la.slice(0, L0)),
              indexLogits: tf.tensor(ia.slice(0, K)),
              straightThrough: true,
              withoutReplacement,
              levelTemperature: 0.5,
              indexTemperature: 0.3,
              ...(slab ? { loc: tf.tensor(ia.slice(0, K)).add(1), scale: 0.5 } : {}),
            };
            const { z, support, level } = cappedSparseCode(opts).sampleWithSupport(Key.of(seed), [16]);
            const b = support.arraySync() as number[][];
            const zz = z.arraySync() as number[][];
            const lv = vals(level);
            return b.every((row, i) => {
              const nnz = row.filter((x) => x !== 0).length;
              const zn = zz[i].filter((x) => x !== 0).length;
              const binary = row.every((x) => x === 0 || x === 1);
              const lvOk = lv[i] >= 1 && lv[i] <= L0 && Number.isInteger(lv[i]);
              const capOk = nnz <= L0 && nnz <= lv[i] && (!withoutReplacement || nnz === lv[i]);
              return binary && lvOk && capOk && zn <= nnz && (slab || zn === nnz);
            });
          }),
      ),
      { numRuns: 100 },
    );
  });

  it("hard levels follow the level probabilities; hard indices are the Gumbel-top-L of rho", () => {
    const levelProbs = [0.2, 0.5, 0.3];
    const d = cappedSparseCode({
      levelLogits: tf.log(tf.tensor(levelProbs)),
      indexLogits: tf.log(tf.tensor([0.7, 0.1, 0.1, 0.1])),
      straightThrough: true,
    });
    const { level, support } = d.sampleWithSupport(Key.of(21), [20000]);
    const lv = vals(level);
    levelProbs.forEach((p, i) => expect(lv.filter((x) => x === i + 1).length / lv.length).toBeCloseTo(p, 1.5));
    // P(first index selected | L = 1) = 0.7; overall inclusion of dim 0 is larger than the others'
    const incl = vals(tf.mean(support, 0));
    expect(incl[0]).toBeGreaterThan(incl[1]);
    expect(incl.reduce((a, b) => a + b, 0)).toBeCloseTo(0.2 + 1.0 + 0.9, 1);
  });

  it("soft samples: support in [0,1], sum_k b_k <= sum_l m_l, finite gradients in all parameters", () => {
    for (const withoutReplacement of [true, false]) {
      for (const straightThrough of [false, true]) {
        const key = Key.of(5);
        const f = (la: tf.Tensor, ia: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor) => {
          const d = cappedSparseCode({ levelLogits: la, indexLogits: ia, loc, scale, straightThrough, withoutReplacement, levelTemperature: 0.7, indexTemperature: 0.5 });
          return tf.sum(tf.mul(d.sample(key, [64]), tf.linspace(-1, 1, 6)));
        };
        const args = [tf.tensor([[0.1, 0.4, -0.3], [1, 0, 0]]), tf.tensor([0.5, -1, 0.2, 0.3, 0, 1]), tf.tensor([1, -1, 0.5, 2, -0.5, 0.3]), tf.scalar(0.8)];
        const grads = tf.grads(f)(args);
        for (const g of grads) {
          vals(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
          expect(vals(g).some((v) => v !== 0)).toBe(true);
        }
        if (!straightThrough) {
          const d = cappedSparseCode({ levelLogits: args[0], indexLogits: args[1], withoutReplacement, levelTemperature: 0.7, indexTemperature: 0.5 });
          const { support, levelOneHot, z } = d.sampleWithSupport(key, [64]);
          expect(support.shape).toEqual([64, 2, 6]);
          expect(vals(z)).toEqual(vals(support));
          vals(support).forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
          const total = vals(tf.sum(support, -1));
          const maskSum = vals(tf.sum(tf.cumsum(levelOneHot, 2, false, true), -1));
          total.forEach((t, i) => expect(t).toBeLessThanOrEqual(maskSum[i] + 1e-4));
        }
      }
    }
  });

  it("hardness h: h = 0 is the relaxed draw, h = 1 the straight-through forward pass, between them the mix; finite gradients", () => {
    for (const withoutReplacement of [true, false]) {
      const key = Key.of(9);
      const opts = (extra: Partial<CappedSparseCodeOptions>) => (la: tf.Tensor, ia: tf.Tensor, loc: tf.Tensor) =>
        cappedSparseCode({ levelLogits: la, indexLogits: ia, loc, scale: 0.5, withoutReplacement, levelTemperature: 0.6, indexTemperature: 0.4, ...extra });
      const args = [tf.tensor([[0.1, 0.4, -0.3], [1, 0, 0]]), tf.tensor([0.5, -1, 0.2, 0.3, 0, 1]), tf.tensor([1, -1, 0.5, 2, -0.5, 0.3])];
      const draw = (extra: Partial<CappedSparseCodeOptions>) => opts(extra)(args[0], args[1], args[2]).sampleWithSupport(key, [16]);
      const relaxed = draw({});
      const hard = draw({ straightThrough: true });
      expect(vals(draw({ hardness: 0 }).z)).toEqual(vals(relaxed.z));
      expect(vals(draw({ hardness: 1 }).support)).toEqual(vals(hard.support));
      const half = draw({ hardness: tf.scalar(0.25) });
      // the level's one-hot and the picks are the mixes (the support is their soft OR)
      for (const part of ["levelOneHot", "indices"] as const) vals(half[part]).forEach((v, i) => expect(v).toBeCloseTo(0.75 * vals(relaxed[part])[i] + 0.25 * vals(hard[part])[i], 5));
      // the hard share passes the relaxed gradient through (straight-through), so every parameter gets one
      const loss = (la: tf.Tensor, ia: tf.Tensor, loc: tf.Tensor) => tf.sum(tf.mul(opts({ hardness: tf.scalar(0.6) })(la, ia, loc).sample(key, [16]), tf.linspace(-1, 1, 6)));
      for (const g of tf.grads(loss)(args)) {
        vals(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
        expect(vals(g).some((v) => v !== 0)).toBe(true);
      }
    }
    expect(() => cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([4]), hardness: 1.5 })).toThrow("CappedSparseCode: hardness must be in [0, 1], got 1.5");
  });

  it("KL = 0 for identical q and p, positive otherwise", () => {
    const q = cappedSparseCode({ levelLogits: tf.tensor([0.3, -0.2, 1]), indexLogits: tf.tensor([1, 0, -1, 0.5]), loc: tf.tensor([0.1, 0.2, -0.3, 1]), scale: tf.tensor([1, 0.5, 2, 1]) });
    expect(hasKL(q, q)).toBe(true);
    expect(Math.abs(kl(q, q).dataSync()[0])).toBeLessThan(1e-6);
    const others = [
      cappedSparseCode({ levelLogits: tf.tensor([0.3, -0.2, 0]), indexLogits: tf.tensor([1, 0, -1, 0.5]), loc: tf.tensor([0.1, 0.2, -0.3, 1]), scale: tf.tensor([1, 0.5, 2, 1]) }),
      cappedSparseCode({ levelLogits: tf.tensor([0.3, -0.2, 1]), indexLogits: tf.tensor([0, 0, 0, 0]), loc: tf.tensor([0.1, 0.2, -0.3, 1]), scale: tf.tensor([1, 0.5, 2, 1]) }),
      cappedSparseCode({ levelLogits: tf.tensor([0.3, -0.2, 1]), indexLogits: tf.tensor([1, 0, -1, 0.5]), loc: tf.zeros([4]), scale: 1 }),
    ];
    for (const p of others) expect(kl(q, p).dataSync()[0]).toBeGreaterThan(1e-4);
  });

  it("KL matches a brute-force enumeration for small K, L0 (binary and slab codes, batched)", () => {
    const cases = [
      { ql: [0.3, -0.5], qi: [1, 0.2, -0.7], pl: [0, 0], pi: [0, 0, 0] },
      { ql: [2, 0, -1], qi: [0.5, -0.5, 1.5, 0], pl: [-1, 0.5, 0.2], pi: [1, 1, 0, -2] },
      { ql: [0], qi: [3, -3], pl: [0], pi: [-1, 1] },
    ];
    for (const c of cases) {
      const q = cappedSparseCode({ levelLogits: tf.tensor(c.ql), indexLogits: tf.tensor(c.qi) });
      const p = cappedSparseCode({ levelLogits: tf.tensor(c.pl), indexLogits: tf.tensor(c.pi) });
      expect(kl(q, p).dataSync()[0]).toBeCloseTo(bruteForceKL(c.ql, c.qi, c.pl, c.pi), 4);
    }
    // batched, with slabs: the slab part adds sum_k KL(N(mu, s^2) || N(0, 1))
    const mu = [0.5, -1, 0];
    const s = [0.5, 2, 1];
    const slabKL = mu.reduce((acc, m, k) => acc + 0.5 * (s[k] ** 2 + m ** 2 - 1 - 2 * Math.log(s[k])), 0);
    const q = cappedSparseCode({ levelLogits: tf.tensor([cases[0].ql, [0, 1]]), indexLogits: tf.tensor(cases[0].qi), loc: tf.tensor(mu), scale: tf.tensor(s) });
    const p = cappedSparseCode({ levelLogits: tf.tensor(cases[0].pl), indexLogits: tf.tensor(cases[0].pi), loc: tf.zeros([3]), scale: 1 });
    const k = kl(q, p);
    expect(k.shape).toEqual([2]);
    expect(vals(k)[0]).toBeCloseTo(bruteForceKL(cases[0].ql, cases[0].qi, cases[0].pl, cases[0].pi) + slabKL, 4);
    expect(vals(k)[1]).toBeCloseTo(bruteForceKL([0, 1], cases[0].qi, cases[0].pl, cases[0].pi) + slabKL, 4);
  });

  it("validates arguments; has no density", () => {
    expect(() => cappedSparseCode({ levelLogits: tf.zeros([5]), indexLogits: tf.zeros([3]) })).toThrow(/cap L0 = 5.*exceeds the width K = 3/);
    expect(() => cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([3]), loc: tf.zeros([3]) })).toThrow(/both loc and scale/);
    expect(() => cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([3]), levelTemperature: 0 })).toThrow(/levelTemperature must be positive/);
    const d = cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([3]) });
    expect(() => d.logProb(tf.zeros([3]))).toThrow(/relaxed densities are never evaluated/);
    expect(d.isRelaxed).toBe(true);
    expect(d.eventShape).toEqual([3]);
    expect(d.sample(Key.of(1), [4]).shape).toEqual([4, 3]);
    const binary = cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([3]) });
    const slab = cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([3]), loc: tf.zeros([3]), scale: 1 });
    expect(() => kl(binary, slab)).toThrow(/slabs/);
  });

  it("does not leak tensors", () => {
    const d = cappedSparseCode({ levelLogits: tf.zeros([2]), indexLogits: tf.zeros([4]), loc: tf.zeros([4]), scale: 1, straightThrough: true });
    d.sample(Key.of(0)).dispose();
    const before = tf.memory().numTensors;
    d.sample(Key.of(1), [3]).dispose();
    const { z, support, level, levelOneHot, indices } = d.sampleWithSupport(Key.of(2));
    tf.dispose([z, support, level, levelOneHot, indices]);
    kl(d, d).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("CappedSupportMass: the point mass on a support, with its exact KL", () => {
  // K = 5, L0 = 3; the prior: level probabilities 0.5 / 0.3 / 0.2, uniform indices drawn without replacement, slab N(0, 1)
  const pLevel = [0.5, 0.3, 0.2];
  const prior = () => cappedSparseCode({ levelLogits: tf.tensor(pLevel.map(Math.log)), indexLogits: tf.zeros([5]), loc: tf.zeros([5]), scale: 1 });

  it("KL = −log p(L = |S|) + log C(K, |S|) + the slab's KL, by hand (two rows: S = {1, 3} and S = {0, 2, 4})", () => {
    const q = new CappedSupportMass({
      support: tf.tensor([
        [0, 1, 0, 1, 0],
        [1, 0, 1, 0, 1],
      ]),
      maxLevel: 3,
      loc: tf.tensor([
        [0, 0.5, 0, -1, 0],
        [0.2, 0, 1, 0, -0.5],
      ]),
      scale: tf.tensor([
        [1, 0.8, 1, 0.5, 1],
        [0.9, 1, 0.4, 1, 1],
      ]),
    });
    expect(q.kind).toBe("CappedSupportMass");
    const nkl = (m: number, s: number) => 0.5 * (s * s + m * m - 1 - 2 * Math.log(s));
    // row 0: p(L = 2) = 0.3, C(5, 2) = 10; row 1: p(L = 3) = 0.2, C(5, 3) = 10
    const want0 = -Math.log(0.3) + Math.log(10) + nkl(0.5, 0.8) + nkl(-1, 0.5);
    const want1 = -Math.log(0.2) + Math.log(10) + nkl(0.2, 0.9) + nkl(1, 0.4) + nkl(-0.5, 1);
    const p = prior();
    const k = vals(kl(q, p));
    expect(k[0]).toBeCloseTo(want0, 4);
    expect(k[1]).toBeCloseTo(want1, 4);
    // the plain capped code with the same logits charges L·log(K/L) for the indices instead: less
    const plain = vals(cappedSparseCodeKL(q, p));
    expect(plain[0]).toBeCloseTo(want0 - Math.log(10) + 2 * Math.log(5 / 2), 3);
    expect(plain[1]).toBeCloseTo(want1 - Math.log(10) + 3 * Math.log(5 / 3), 3);
  });

  it("predicts its support and its hard draws are the support", () => {
    const support = tf.tensor([
      [0, 1, 0, 1, 0],
      [1, 0, 1, 0, 1],
    ]);
    const q = new CappedSupportMass({ support, maxLevel: 3, loc: tf.ones([2, 5]), scale: tf.ones([2, 5]), straightThrough: true });
    const pred = q.predict();
    expect(vals(pred.support)).toEqual(vals(support));
    expect(vals(pred.level)).toEqual([2, 3]);
    for (let s = 0; s < 5; s++) expect(vals(q.sampleWithSupport(Key.of(s)).support)).toEqual(vals(support));
  });

  it("refuses a support of an impossible size, and a prior whose p(S) is not p(L) / C(K, L), naming why", () => {
    expect(() => new CappedSupportMass({ support: tf.tensor([[0, 0, 0, 0, 0]]), maxLevel: 3 })).toThrow("CappedSupportMass: row 0 has a support of 0 units; every row needs 1..3 (0/1 values)");
    expect(() => new CappedSupportMass({ support: tf.tensor([[1, 1, 1, 1, 0]]), maxLevel: 3 })).toThrow(/row 0 has a support of 4 units/);
    const q = new CappedSupportMass({ support: tf.tensor([[1, 1, 0, 0, 0]]), maxLevel: 3 });
    const withReplacement = cappedSparseCode({ levelLogits: tf.zeros([3]), indexLogits: tf.zeros([5]), withoutReplacement: false });
    expect(() => kl(q, withReplacement)).toThrow(/the prior draws its indices with replacement/);
    const skewed = cappedSparseCode({ levelLogits: tf.zeros([3]), indexLogits: tf.tensor([1, 0, 0, 0, 0]) });
    expect(() => kl(q, skewed)).toThrow(/the prior's index logits are not uniform/);
    expect(vals(kl(q, cappedSparseCode({ levelLogits: tf.zeros([3]), indexLogits: tf.zeros([5]) })))[0]).toBeCloseTo(Math.log(3) + Math.log(10), 4);
  });
});
