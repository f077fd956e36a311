import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { cappedSparseCode, type CappedSparseCode } from "@sparse-dgm/distributions";
import { sdlgm, kSparse, sdlgmTags, topKTags, tagLogLikelihood } from "./sdlgm.js";
import { binaryRelevance, tagCrossEntropy } from "./binary-relevance.js";
import { correlationsOf, gramOf, logPriorOfSize, refineSupport } from "./linear-gaussian-support.js";

/** Exact log P(the first |y| draws without replacement are the set y) under Plackett-Luce weights p. */
function exactSetLogProb(p: number[], set: number[]): number {
  const perms = (a: number[]): number[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((r) => [x, ...r])));
  let total = 0;
  for (const order of perms(set)) {
    let left = 1;
    let pr = 1;
    for (const t of order) {
      pr *= p[t] / left;
      left -= p[t];
    }
    total += pr;
  }
  return Math.log(total);
}

describe("sdlgm entries", () => {
  it("builds with the data's kind: Gaussian for real data, Bernoulli for binary, Poisson for counts", () => {
    expect(sdlgm.build({ features: 20, kind: "real" }).ir.meta.likelihood).toBe("gaussian");
    expect(sdlgm.build({ features: 20, kind: "binary" }).ir.meta.likelihood).toBe("bernoulli");
    expect(sdlgm.build({ features: 20, kind: "counts" }).ir.meta.likelihood).toBe("poisson");
    expect(sdlgm.build({ features: 20, kind: "binary", likelihood: "gaussian" }).ir.meta.likelihood).toBe("gaussian");
  });

  it("records its options and refuses contradictory ones, naming them", () => {
    const m = sdlgm.build({ features: 20, levelPrior: "learned", sampling: "withReplacement" });
    expect(m.ir.sites.some((s) => s.name === "levelPrior")).toBe(true);
    expect((m.ir.meta.config as Record<string, unknown>).sampling).toBe("withReplacement");
    expect(() => sdlgm.build({ features: 20, levelPrior: "empirical" })).toThrow(/levelPrior "empirical" needs multi-label data/);
    expect(() => sdlgm.build({ features: 20, fixedLevel: 9 })).toThrow(/fixedLevel must be an integer in \[1, maxActive = 5\]/);
    expect(() => sdlgm.build({ features: 20, maxActive: 60 })).toThrow(/maxActive \(60\) must be at most latents \(50\)/);
    expect((kSparse.build({ features: 20 }).ir.meta.config as Record<string, unknown>).fixedLevel).toBe(5);
    expect(() => sdlgm.build({ features: 20, indexFromSlab: -1 })).toThrow("sdlgm: indexFromSlab must be a number >= 0, got -1");
    expect(() => sdlgm.build({ features: 20, hardness: 2 })).toThrow("sdlgm: hardness must be in [0, 1], got 2");
    expect(() => sdlgm.build({ features: 20, hardness: { kind: "warmup", from: 0, to: 3, start: 0, end: 10 } })).toThrow("sdlgm: hardness (a warmup schedule, at step 10) must be in [0, 1], got 3");
    expect(() => sdlgm.build({ features: 20, hardness: 0.5, straightThrough: true })).toThrow(/sdlgm: hardness is the share of the hard forward pass when straightThrough is false/);
  });

  it("couples the selection to the slab by default in the unsupervised entries only (guide.indexFromSlab)", () => {
    const guideOf = (m: { ir: { sites: Array<{ name: string; options: Record<string, unknown> }> } }) => m.ir.sites.find((s) => s.name === "z")!.options.guide as Record<string, unknown>;
    expect(guideOf(sdlgm.build({ features: 20 })).indexFromSlab).toBe(5);
    expect(guideOf(kSparse.build({ features: 20 })).indexFromSlab).toBe(5);
    expect(guideOf(sdlgm.build({ features: 20, indexFromSlab: 0 })).indexFromSlab).toBeUndefined();
    expect(guideOf(sdlgmTags.build({ features: 8, stats: { tags: 12 } })).indexFromSlab).toBeUndefined();
    // the level counts the large slab means (not for a fixed level), and the draws turn hard late in the run
    expect(guideOf(sdlgm.build({ features: 20 })).levelFromSlab).toBe(5);
    expect(guideOf(sdlgm.build({ features: 20, levelFromSlab: 0 })).levelFromSlab).toBeUndefined();
    expect(guideOf(sdlgm.build({ features: 20, levelFromSlab: 5 })).levelFromSlab).toBe(5);
    expect(guideOf(kSparse.build({ features: 20 })).levelFromSlab).toBeUndefined(); // a fixed level has no level logits
    expect(guideOf(sdlgmTags.build({ features: 8, stats: { tags: 12 } })).levelFromSlab).toBeUndefined();
    expect(guideOf(sdlgm.build({ features: 20 })).hardness).toEqual({ kind: "warmup", from: 0, to: 1, start: 2500, end: 3000 });
    expect(guideOf(sdlgm.build({ features: 20, straightThrough: true })).hardness).toBeUndefined();
    expect(guideOf(sdlgm.build({ features: 20, hardness: 0 })).hardness).toBeUndefined();
    expect(guideOf(sdlgmTags.build({ features: 8, stats: { tags: 12 } })).hardness).toBeUndefined();
    expect(() => sdlgm.build({ features: 20, levelFromSlab: -2 })).toThrow("sdlgm: levelFromSlab must be a number >= 0, got -2");
  });

  it("a fixed level (kSparse, topKTags, fixedLevel) neither records nor accepts levelFromSlab and levelThreshold: it has no level logits", () => {
    const cfg = kSparse.build({ features: 20 }).ir.meta.config as Record<string, unknown>;
    // was: levelThreshold true, levelFromSlab 5 recorded (and shown in results rows) though the guide used neither
    expect(cfg).not.toHaveProperty("levelThreshold");
    expect(cfg).not.toHaveProperty("levelFromSlab");
    expect(cfg.fixedLevel).toBe(5);
    expect(kSparse.build(cfg as never).ir.meta.config).toEqual(cfg); // rebuilds from its recorded config
    expect(kSparse.defaults).not.toHaveProperty("levelThreshold");
    expect(topKTags.defaults).not.toHaveProperty("levelFromSlab");
    // given explicitly: refused naming the option and why (was: accepted and ignored; levelFromSlab 0 refused for a reason that does not apply)
    expect(() => kSparse.build({ features: 20, levelThreshold: true })).toThrow("kSparse: levelThreshold (true) has no effect with a fixed level (fixedLevel = 5: a fixed level has no level logits to shape); drop it");
    expect(() => kSparse.build({ features: 20, levelThreshold: true, levelFromSlab: 0 })).toThrow(/^kSparse: levelFromSlab \(0\) and levelThreshold \(true\) have no effect with a fixed level/);
    expect(() => sdlgm.build({ features: 20, fixedLevel: 3, levelFromSlab: 5 })).toThrow(/^sdlgm: levelFromSlab \(5\) has no effect with a fixed level \(fixedLevel = 3/);
    expect(() => topKTags.build({ features: 8, stats: { tags: 12 }, levelThreshold: false })).toThrow(/^topKTags: levelThreshold \(false\) has no effect with a fixed level/);
    expect(kSparse.optional).toEqual(expect.arrayContaining(["levelFromSlab", "levelThreshold"])); // so --set reaches this refusal, not "no option"
  });

  it("levelFromSlab and indexFromSlab reach the guide's code as documented: logits + w·(a_(1) + … + a_(l)) and + w·|μ|", async () => {
    await initBackend("cpu");
    const x = tf.randomNormal([16, 12], 0, 1, "float32", 3);
    const L0 = 3;
    // the guide's code at the first step (the same initial weights for every w: the heads do not depend on it)
    const peek = async (c: Record<string, number | boolean>) => {
      let got: { level: number[]; index: number[]; loc: number[] } | undefined;
      const m = sdlgm.build({ features: 12, latents: 6, maxActive: L0, hidden: [8], ...c }).factor(
        "peek",
        (_s, ctx) => {
          const q = ctx.posterior("z") as unknown as CappedSparseCode | undefined;
          if (q && !got) got = { level: Array.from(q.levelLogits.dataSync()), index: Array.from(q.indexLogits.dataSync()), loc: Array.from(q.loc!.dataSync()) };
          return tf.scalar(0);
        },
        { term: "auxiliary", doc: "reads the guide's code" },
      );
      const p = compile(m, { seed: 0 });
      await p.fit(x, { epochs: 1, maxSteps: 1, batchSize: 16, learningRate: 1e-3 });
      p.dispose();
      return got!;
    };
    const logSoftmax = (v: number[]) => {
      const mx = Math.max(...v);
      const lse = mx + Math.log(v.reduce((a, b) => a + Math.exp(b - mx), 0));
      return v.map((u) => u - lse);
    };
    const base = await peek({ levelFromSlab: 0, indexFromSlab: 0 });
    const both = await peek({ levelFromSlab: 2, indexFromSlab: 3, levelThreshold: false });
    expect(both.loc).toEqual(base.loc);
    for (let r = 0; r < 16; r++) {
      const mu = base.loc.slice(r * 6, r * 6 + 6);
      const top = mu.map(Math.abs).sort((a, b) => b - a);
      const level = base.level.slice(r * L0, r * L0 + L0).map((v, l) => v + 2 * top.slice(0, l + 1).reduce((a, b) => a + b, 0));
      logSoftmax(level).forEach((v, l) => expect(both.level[r * L0 + l]).toBeCloseTo(v, 4));
      const index = base.index.slice(r * 6, r * 6 + 6).map((v, k) => v + 3 * Math.abs(mu[k]));
      logSoftmax(index).forEach((v, k) => expect(both.index[r * 6 + k]).toBeCloseTo(v, 4));
    }
    // not vacuous: the coupling moved the level logits
    expect(both.level).not.toEqual(base.level);
  });

  it("levelThreshold: the guide's level logits are w·Σ_{j ≤ l} (a_(j) − θ) for one θ per row; refused without levelFromSlab", async () => {
    await initBackend("cpu");
    const guideOf = (m: { ir: { sites: Array<{ name: string; options: Record<string, unknown> }> } }) => m.ir.sites.find((s) => s.name === "z")!.options.guide as Record<string, unknown>;
    expect(guideOf(sdlgm.build({ features: 20 })).levelThreshold).toBe(true); // the default where levelFromSlab > 0
    expect(guideOf(sdlgm.build({ features: 20, levelFromSlab: 0 })).levelThreshold).toBeUndefined(); // nothing to count: the default does not apply
    expect(guideOf(sdlgm.build({ features: 20, levelThreshold: false })).levelThreshold).toBeUndefined();
    expect(guideOf(kSparse.build({ features: 20 })).levelThreshold).toBeUndefined(); // a fixed level
    expect(() => sdlgm.build({ features: 20, levelThreshold: true, levelFromSlab: 0 })).toThrow(/^sdlgm: levelThreshold counts the slab magnitudes with weight levelFromSlab, which is 0/);
    expect(() => sdlgmTags.build({ features: 8, stats: { tags: 12 }, levelThreshold: true })).toThrow(/^sdlgmTags: levelThreshold counts the slab magnitudes/);
    const x = tf.randomNormal([16, 12], 0, 1, "float32", 4);
    const L0 = 4;
    const w = 2;
    let got: { level: number[]; loc: number[] } | undefined;
    const m = sdlgm.build({ features: 12, latents: 6, maxActive: L0, hidden: [8], levelFromSlab: w, levelThreshold: true }).factor(
      "peek",
      (_s, ctx) => {
        const q = ctx.posterior("z") as unknown as CappedSparseCode | undefined;
        if (q && !got) got = { level: Array.from(q.levelLogits.dataSync()), loc: Array.from(q.loc!.dataSync()) };
        return tf.scalar(0);
      },
      { term: "auxiliary", doc: "reads the guide's code" },
    );
    const p = compile(m, { seed: 0 });
    await p.fit(x, { epochs: 1, maxSteps: 1, batchSize: 16, learningRate: 1e-3 });
    p.dispose();
    const perRow: number[] = [];
    for (let r = 0; r < 16; r++) {
      const a = got!.loc.slice(r * 6, r * 6 + 6).map(Math.abs).sort((u, v) => v - u);
      const lg = got!.level.slice(r * L0, r * L0 + L0);
      // logit_{l+1} − logit_l = w·(a_(l+1) − θ): the same θ from every step
      const thetas = [0, 1, 2].map((l) => a[l + 1] - (lg[l + 1] - lg[l]) / w);
      thetas.forEach((t) => expect(t).toBeCloseTo(thetas[0], 4));
      perRow.push(thetas[0]);
    }
    // θ is the head's output for the row (not a constant, and not left out): it varies across rows
    expect(Math.max(...perRow) - Math.min(...perRow)).toBeGreaterThan(1e-3);
  });

  it("the multi-label entries take the tag count from the data; topKTags' k is the rounded mean tag count", () => {
    const stats = { tags: 12, tagCountDistribution: [0, 0.2, 0.5, 0.3] }; // mean 2.1
    expect((sdlgmTags.build({ features: 8, stats }).ir.meta.config as Record<string, unknown>).latents).toBe(12);
    expect((topKTags.build({ features: 8, stats }).ir.meta.config as Record<string, unknown>).fixedLevel).toBe(2);
    expect(() => binaryRelevance.build({ features: 8, latents: 5, stats })).toThrow(/must equal the data's number of tags \(12\)/);
  });
});

describe("S-1: sdlgmTags' options that act only through the ELBO of x", () => {
  const stats = { tags: 6, tagCountDistribution: [0, 0.6, 0.3, 0.1] };
  it("are refused at reconstruction 0, naming them (before: accepted, recorded, and the loss identical)", () => {
    expect(() => sdlgmTags.build({ features: 8, stats, maxActive: 3, levelPrior: "learned" })).toThrow(
      /^sdlgmTags: levelPrior="learned" has no effect at reconstruction 0 \(the objective is the tag likelihood alone/,
    );
    expect(() => topKTags.build({ features: 8, stats, maxActive: 3, straightThrough: true, temperature: 3, sampling: "withReplacement" })).toThrow(
      /^topKTags: temperature=3, straightThrough=true, sampling="withReplacement" have no effect at reconstruction 0 .*: set reconstruction > 0 or drop them$/,
    );
    // defaults given explicitly are harmless; with reconstruction > 0 they act and are accepted
    expect(sdlgmTags.build({ features: 8, stats, maxActive: 3, levelPrior: "uniform", straightThrough: false })).toBeDefined();
    expect((sdlgmTags.build({ features: 8, stats, maxActive: 3, levelPrior: "empirical", reconstruction: 1 }).ir.meta.config as Record<string, unknown>).levelPrior).toBe("empirical");
  });

  it("at reconstruction > 0: levelPrior learned is a trained param, empirical changes the loss, klWarmupSteps warms the code's KL up to the reconstruction weight", async () => {
    await initBackend("cpu");
    const x = tf.randomNormal([64, 8], 0, 1, "float32", 1);
    const tags = tf.tensor2d(Array.from({ length: 64 * 6 }, (_, i) => ((i * 7) % 5 === 0 ? 1 : 0)), [64, 6]);
    const run = async (c: Record<string, unknown>) => {
      const p = compile(sdlgmTags.build({ features: 8, maxActive: 3, hidden: [16], stats, reconstruction: 0.5, ...c }), { seed: 0 });
      const r = await p.fit({ x, tags }, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
      return { p, r };
    };
    const learned = await run({ levelPrior: "learned" });
    // before: no levelPrior param was declared (the prior stayed uniform)
    const logits = Array.from(learned.p.params.get("site/levelPrior").dataSync());
    expect(logits).toHaveLength(3);
    expect(logits.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    const uniform = await run({ levelPrior: "uniform" });
    const empirical = await run({ levelPrior: "empirical" });
    // the same draws, a different prior on L: the rate and so the loss differ from the first step
    expect(Math.abs(empirical.r.history[0] - uniform.r.history[0])).toBeGreaterThan(1e-4);
    const warm = await run({ klWarmupSteps: 4 });
    // before: the warm-up was overwritten by the constant weight 0.5; now 0 → 0.5 over 4 steps (the weight at each epoch's last step, steps 1 and 3)
    expect(warm.r.weights["rate:z"]).toEqual([0.125, 0.375]);
    for (const o of [learned, uniform, empirical, warm]) o.p.dispose();
    tf.dispose([x, tags]);
  }, 60_000);
});

describe("levelPrior learned", () => {
  it("trains, alone and with replicas, and its logits move", async () => {
    await initBackend("cpu");
    const m = sdlgm.build({ features: 6, latents: 4, maxActive: 2, hidden: [8], levelPrior: "learned" });
    const x = tf.randomNormal([64, 6], 0, 1, "float32", 1);
    for (const replicas of [undefined, 2]) {
      const p = compile(m, { seed: 0, ...(replicas ? { replicas } : {}) });
      const fit = await p.fit(x, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
      expect(fit.curves.loss.every(Number.isFinite)).toBe(true);
      const logits = Array.from(p.params.get("site/levelPrior").dataSync());
      expect(logits).toHaveLength(2 * (replicas ?? 1));
      expect(logits.some((v) => Math.abs(v) > 1e-4)).toBe(true);
      p.dispose();
    }
    x.dispose();
  }, 120_000);
});

describe("the tag likelihood", () => {
  it("is log q(L = |y|) + a lower bound on the set's probability, exact for one tag (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }),
        (index, level, set) =>
          tf.tidy(() => {
            const q = cappedSparseCode({ levelLogits: tf.tensor(level), indexLogits: tf.tensor(index) });
            const y = tf.tensor(Array.from({ length: 6 }, (_, t) => (set.includes(t) ? 1 : 0)));
            const got = tagLogLikelihood(q, y).dataSync()[0];
            const p = Array.from(tf.exp(q.indexLogits).dataSync());
            const lv = Array.from(q.levelLogits.dataSync())[set.length - 1];
            const exact = lv + exactSetLogProb(p, set);
            return got <= exact + 1e-4 && (set.length > 1 || Math.abs(got - exact) < 1e-4) && Number.isFinite(got);
          }),
      ),
      { numRuns: 60 },
    );
  });

  it("binary relevance's cross-entropy by hand", () => {
    const v = tagCrossEntropy(tf.tensor([[0.9, 0.2]]), tf.tensor([[1, 0]])).dataSync()[0];
    expect(v).toBeCloseTo(-Math.log(0.9) - Math.log(0.8), 5);
  });
});

/** The residual sum of squares of y on the columns `units` of a kernel [K, D] (normal equations by Gaussian elimination). */
function residualOnColumns(kernel: ArrayLike<number>, D: number, units: number[], y: number[]): number {
  const m = units.length;
  const A = units.map((a) => [...units.map((b) => Array.from({ length: D }, (_, d) => kernel[a * D + d] * kernel[b * D + d]).reduce((s, v) => s + v, 0)), Array.from({ length: D }, (_, d) => kernel[a * D + d] * y[d]).reduce((s, v) => s + v, 0)]);
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      const f = A[j][i] / A[i][i];
      for (let k = i; k <= m; k++) A[j][k] -= f * A[i][k];
    }
  const v = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) v[i] = (A[i][m] - A[i].slice(i + 1, m).reduce((s, a, k) => s + a * v[i + 1 + k], 0)) / A[i][i];
  const yy = y.reduce((s, u) => s + u * u, 0);
  return y.reduce((s, u, d) => s + (u - units.reduce((a, k, j) => a + kernel[k * D + d] * v[j], 0)) ** 2, 0) / Math.max(yy, 1e-12);
}

describe("refine: the code's posterior mode under the linear-Gaussian decoder", () => {
  it("is recorded, and refused (one line naming what is missing) without a linear decoder, a Gaussian likelihood, indices without replacement, or in the tag entries", () => {
    const cfg = (m: { ir: { meta: Record<string, unknown> } }) => m.ir.meta.config as Record<string, unknown>;
    // the default: on where the posterior is closed form, off elsewhere
    expect(cfg(sdlgm.build({ features: 20 })).refine).toBe(true);
    expect(cfg(kSparse.build({ features: 20 })).refine).toBe(true);
    expect(cfg(sdlgm.build({ features: 20, kind: "binary" })).refine).toBe(false);
    expect(cfg(sdlgm.build({ features: 20, decoder: "mlp" })).refine).toBe(false);
    expect(cfg(sdlgm.build({ features: 20, sampling: "withReplacement" })).refine).toBe(false);
    expect(cfg(sdlgm.build({ features: 20, refine: false })).refine).toBe(false);
    expect(cfg(sdlgmTags.build({ features: 8, stats: { tags: 12 } })).refine).toBe(false);
    const guideOf = (m: { ir: { sites: Array<{ name: string; options: Record<string, unknown> }> } }) => m.ir.sites.find((s) => s.name === "z")!.options.guide as Record<string, unknown>;
    expect(guideOf(sdlgm.build({ features: 20 })).refine).toBeDefined();
    expect(guideOf(sdlgm.build({ features: 20, refine: false })).refine).toBeUndefined();
    expect(cfg(kSparse.build({ features: 20, refine: true })).refine).toBe(true);
    expect(() => sdlgm.build({ features: 20, refine: true, decoder: "mlp" })).toThrow('sdlgm: refine computes the support\'s posterior in closed form under a linear decoder with a Gaussian likelihood and indices drawn without replacement; not with decoder "mlp" (needs "linear"): set refine false');
    expect(() => sdlgm.build({ features: 20, refine: true, kind: "binary" })).toThrow(/not with likelihood "bernoulli" \(needs "gaussian"\)/);
    expect(() => sdlgm.build({ features: 20, refine: true, sampling: "withReplacement" })).toThrow(/not with sampling "withReplacement"/);
    expect(() => sdlgmTags.build({ features: 8, stats: { tags: 12 }, refine: true })).toThrow("sdlgmTags: refine infers the code under the decoder of x; the tag entries predict tags from the encoder: set refine false");
  });

  it("the validation loss (early stopping's) is the amortised guide's: the same with refine on and off on the same fit (before: the refined guide's)", async () => {
    await initBackend("cpu");
    const [D, K, L0] = [12, 6, 3];
    const x = tf.randomNormal([60, D], 0, 1, "float32", 6);
    const curves: number[][] = [];
    for (const refine of [false, true]) {
      const p = compile(sdlgm.build({ features: D, latents: K, maxActive: L0, hidden: [8], hardness: 1, refine }), { seed: 2 });
      const seen: number[] = [];
      await p.fit(x, { epochs: 3, batchSize: 15, learningRate: 1e-2, validationFraction: 0.25, onEpoch: ({ validationLoss }) => seen.push(validationLoss!) });
      curves.push(seen);
      p.dispose();
    }
    expect(curves[0]).toHaveLength(3);
    expect(curves[0].every(Number.isFinite)).toBe(true);
    expect(curves[1]).toEqual(curves[0]);
    x.dispose();
  }, 60_000);

  it("encode, reconstruct and the sampled code use the refined support: the local search from the amortised support on the fitted decoder, computed here on the host (alone, with replicas, a learned level prior, a fixed level)", async () => {
    await initBackend("cpu");
    const [D, K, L0] = [12, 6, 3];
    const x = tf.randomNormal([40, D], 0, 1, "float32", 5);
    const cases: Array<{ entry: typeof sdlgm; extra: Record<string, unknown>; replicas?: number }> = [
      { entry: sdlgm, extra: {} },
      { entry: sdlgm, extra: {}, replicas: 2 },
      { entry: sdlgm, extra: { levelPrior: "learned" } },
      { entry: kSparse, extra: {} },
    ];
    for (const { entry, extra, replicas } of cases) {
      const build = (refine: boolean) => entry.build({ features: D, latents: K, maxActive: L0, hidden: [8], hardness: 1, ...extra, refine } as Parameters<typeof sdlgm.build>[0]);
      // training ignores refine: the same seed gives the same fit, so the amortised program is the refined one's proposal
      const [amortised, refined] = [build(false), build(true)].map((m) => compile(m, { seed: 1, ...(replicas ? { replicas } : {}) }));
      for (const p of [amortised, refined]) await p.fit(x, { epochs: 1, maxSteps: 4, batchSize: 20, learningRate: 1e-2 });
      const R = replicas ?? 1;
      const kernel = refined.params.get("mlp/decoder/0/kernel").dataSync();
      expect(Array.from(amortised.params.get("mlp/decoder/0/kernel").dataSync())).toEqual(Array.from(kernel));
      const bias = refined.params.get("mlp/decoder/0/bias").dataSync();
      const start = amortised.encode(x).z;
      const got = refined.encode(x).z;
      const xs = x.dataSync();
      const [act, mean, got1, gotMean] = [start.activity!.dataSync(), start.mean.dataSync(), got.activity!.dataSync(), got.mean.dataSync()];
      const logPrior = (r: number): number[] => {
        if (entry === kSparse) return [-Infinity, -Infinity, 0];
        if (extra.levelPrior !== "learned") return [0, 0, 0].map(() => -Math.log(L0));
        const v = Array.from(refined.params.get("site/levelPrior").dataSync()).slice(r * L0, (r + 1) * L0);
        const lse = Math.log(v.reduce((a, b) => a + Math.exp(b), 0));
        return v.map((u) => u - lse);
      };
      let changed = 0;
      const recon = refined.reconstruct(x, { sample: false }).dataSync();
      // the sampled code (hard draws): x̂ − c lies in the span of the refined support's columns, and differs from the mean's x̂ (the slab is drawn)
      const sampled = refined.reconstruct(x, { sample: true }).dataSync();
      let drawn = 0;
      for (let r = 0; r < R; r++) {
        const kr = kernel.subarray(r * K * D, (r + 1) * K * D);
        const cr = bias.subarray(r * D, (r + 1) * D);
        const base = { K, maxLevel: L0, gram: gramOf(kr, K, D, 0.01), logPriorOfSize: logPriorOfSize(logPrior(r), K) };
        for (let i = 0; i < 40; i++) {
          const o = (r * 40 + i) * K;
          const units = [0, 1, 2, 3, 4, 5].filter((k) => act[o + k] > 0.5);
          const want = refineSupport({ ...base, corr: correlationsOf(kr, cr, xs, i * D, K, D, 0.01) }, units);
          const gotUnits = [0, 1, 2, 3, 4, 5].filter((k) => got1[o + k] > 0.5);
          expect(gotUnits).toEqual(want.units);
          if (entry === kSparse) expect(gotUnits).toHaveLength(L0);
          want.units.forEach((k, j) => expect(gotMean[o + k]).toBeCloseTo(want.mean[j], 3));
          if (gotUnits.join() !== units.join() || want.units.some((k, j) => Math.abs(mean[o + k] - want.mean[j]) > 1e-3)) changed++;
          // x̂ = c + W_S m (the decoder at the refined code)
          for (let d = 0; d < D; d++) expect(recon[(r * 40 + i) * D + d]).toBeCloseTo(cr[d] + want.units.reduce((a, k, j) => a + kr[k * D + d] * want.mean[j], 0), 3);
          const y = Array.from({ length: D }, (_, d) => sampled[(r * 40 + i) * D + d] - cr[d]);
          expect(residualOnColumns(kr, D, want.units, y)).toBeLessThan(1e-8);
          drawn += y.some((v, d) => Math.abs(v + cr[d] - recon[(r * 40 + i) * D + d]) > 1e-4) ? 1 : 0;
        }
      }
      // not vacuous: the refinement changed the amortised code, and the slab is drawn
      expect(changed).toBeGreaterThan(0);
      expect(drawn).toBeGreaterThan(0);
      const ev = refined.evaluate(x);
      expect(ev.heldoutMse.every(Number.isFinite) && ev.elbo.every(Number.isFinite)).toBe(true);
      expect(ev.heldoutMseMean[0]).toBeLessThan(amortised.evaluate(x).heldoutMseMean[0]);
      tf.dispose([start.mean, start.activity!, start.scores!, got.mean, got.activity!, got.scores!]);
      amortised.dispose();
      refined.dispose();
    }
    x.dispose();
  }, 120_000);
});
