/**
 * The pieces of issue 21 that live in the model and the program: the reference's categorical
 * "held-out NLL" against the full multinomial NLL, the negative binomial's library-size offset,
 * the masked decoder in feature blocks inside a real fit, warm-ups relative to the run, the dense
 * baselines' count likelihoods, and `program.decode`.
 */
import { describe, it, expect, afterEach, vi } from "vitest";
import { tf, lgamma } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { decoderBlocking } from "@sparse-dgm/nn";
import { loadData, medianLibrarySize } from "@sparse-dgm/data";
import { evaluateRows, rankingSums, topFeatures } from "@sparse-dgm/metrics";

const saved = { ...decoderBlocking };
afterEach(() => Object.assign(decoderBlocking, saved));

async function topics() {
  const ds = await loadData("synthetic:topics?docs=120&vocab=200&topics=3&wordsPerTopic=30&length=60");
  return { ds, train: observedTensor(zoo.sparseVae.build({ features: ds.g, likelihood: "categorical" }), ds, ds.split.train) };
}

describe("categorical likelihood: heldoutNll is the reference's loss, heldoutMultinomialNll the full NLL", () => {
  it("they differ by the mean log multinomial coefficient log n!/Π x_j! of the held-out rows", async () => {
    const { ds, train } = await topics();
    const m = zoo.vae.build({ features: ds.g, likelihood: "categorical" });
    const p = compile(m, { seed: 0, normalisation: "reference" });
    await p.fit(train, { epochs: 1, batchSize: 50, learningRate: 1e-2 });
    const ev = evaluateRows(p, ds, ds.split.test);
    const coef = tf.tidy(() => {
      const x = observedTensor(m, ds, ds.split.test);
      return tf.mean(tf.sub(lgamma(tf.add(tf.sum(x, -1), 1)), tf.sum(lgamma(tf.add(x, 1)), -1))).dataSync()[0];
    });
    // the reference adds 1e-6 inside its log: a difference of at most Σ_j x_j · 1e-6 / p_j, tiny here
    expect(ev.heldoutNll[0] - ev.exactNll![0]).toBeCloseTo(coef, 1);
    expect(ev.heldoutNll[0]).toBeGreaterThan(ev.exactNll![0]);
    train.dispose();
  }, 60_000);
});

describe("evaluateRows decodes each draw once", () => {
  it("the ranking reuses heldoutMse's x̂ (two reconstructions per chunk, not three), with the numbers of a direct ranking", async () => {
    const { ds, train } = await topics();
    const m = zoo.sparseVae.build({ features: ds.g, likelihood: "categorical", factors: 3, hidden: 16 });
    const p = compile(m, { seed: 0, normalisation: "reference" });
    await p.fit(train, { epochs: 1, batchSize: 50, learningRate: 1e-2 });
    const spy = vi.spyOn(p, "reconstruct");
    const ev = evaluateRows(p, ds, ds.split.test, { recall: [5], ndcg: [10] });
    expect(spy).toHaveBeenCalledTimes(2); // heldoutMse's sampled z and heldoutMseMean's mean
    spy.mockRestore();
    const xTe = observedTensor(m, ds, ds.split.test);
    const xh = p.reconstruct(xTe, { sample: true, seed: 0 });
    const direct = rankingSums(
      xh.arraySync() as number[][],
      Array.from(ds.split.test, (i) => ds.x.subarray(i * ds.g, (i + 1) * ds.g)),
      [5],
      [10],
    );
    expect(ev.ranking![0]).toEqual(direct);
    tf.dispose([xTe, xh, train]);
  }, 60_000);
});

describe("negative binomial with the library-size offset", () => {
  it("a row with twice the counts gets twice the mean (same code: the encoder sees x / Σx)", async () => {
    const ds = await loadData("synthetic:cells?cells=60&genes=40&types=2");
    const l = medianLibrarySize(ds);
    const m = zoo.vae.build({ features: ds.g, likelihood: "negativeBinomial", encoderInput: "normalise", stats: { librarySize: l } });
    expect(zoo.vae.build({ features: 4, likelihood: "negativeBinomial" }).ir.meta.config).toMatchObject({ encoderInput: "log1p" });
    expect(m.ir.meta.config).toMatchObject({ likelihood: "negativeBinomial", libraryOffset: true, librarySize: l, encoderInput: "normalise" });
    const p = compile(m, { seed: 0 });
    const x = observedTensor(m, ds, ds.split.train);
    await p.fit(x, { epochs: 1, batchSize: 20, learningRate: 1e-3 });
    const row = tf.slice(x, [0, 0], [1, ds.g]);
    const two = tf.concat([row, tf.mul(row, 2)], 0);
    const mean = p.reconstruct(two, { sample: false }).arraySync() as number[][];
    mean[0].forEach((v, j) => expect(mean[1][j]).toBeCloseTo(2 * v, 3));
    const off = zoo.vae.build({ features: ds.g, likelihood: "negativeBinomial", libraryOffset: false });
    expect(off.ir.meta.config).toMatchObject({ libraryOffset: false });
    expect(() => zoo.vae.build({ features: 4, likelihood: "categorical", libraryOffset: true })).toThrow("vae: libraryOffset applies to likelihood negativeBinomial only");
    tf.dispose([x, row, two]);
  }, 60_000);
});

describe("the masked decoder in feature blocks inside a fit", () => {
  it("trains as the one-shot decoder does (same losses to float tolerance)", async () => {
    const { ds, train } = await topics();
    const losses = async () => {
      const p = compile(zoo.sparseVae.build({ features: ds.g, likelihood: "categorical", hidden: 16 }), { seed: 3, normalisation: "reference" });
      const out: number[] = [];
      await p.fit(train, { epochs: 3, batchSize: 32, learningRate: 1e-2, onStep: (i) => out.push(i.loss) });
      const ev = evaluateRows(p, ds, ds.split.test);
      p.dispose();
      return [...out, ev.heldoutNll[0], ev.elbo[0]];
    };
    const oneShot = await losses();
    decoderBlocking.thresholdFloats = 0; // every call in blocks
    decoderBlocking.blockFloats = 32 * 16 * 25; // 25 features per block at batch 32
    const blocked = await losses();
    expect(blocked.length).toBe(oneShot.length);
    blocked.forEach((v, i) => expect(v).toBeCloseTo(oneShot[i], 2));
    train.dispose();
  }, 120_000);
});

describe("defaults that follow the data", () => {
  it("categorical: raw encoder input on 0/1 data, row-normalised on counts; the Sparse VAE's scaleIn is recorded", () => {
    const c = (m: { ir: { meta: Record<string, unknown> } }) => m.ir.meta.config as Record<string, unknown>;
    for (const entry of [zoo.sparseVae, zoo.vae] as const) {
      expect(c(entry.build({ features: 4, likelihood: "categorical", kind: "binary" }))).toMatchObject({ encoderInput: "raw" });
      expect(c(entry.build({ features: 4, likelihood: "categorical", kind: "counts" }))).toMatchObject({ encoderInput: "normalise" });
      expect(c(entry.build({ features: 4, likelihood: "categorical", kind: "binary", encoderInput: "normalise" }))).toMatchObject({ encoderInput: "normalise" });
    }
    expect(c(zoo.sparseVae.build({ features: 4, likelihood: "categorical" }))).toMatchObject({ scaleIn: "network" });
    expect(c(zoo.sparseVae.build({ features: 4, scaleIn: "mask" }))).toMatchObject({ scaleIn: "mask" });
    expect(c(zoo.sparseVae.build({ features: 4, likelihood: "categorical", scaleIn: "spectral" }))).toMatchObject({ scaleIn: "spectral" });
    expect(() => zoo.sparseVae.build({ features: 4, scaleIn: "layer" as never })).toThrow(/scaleIn/);
  });
});

describe("the Sparse VAE's KL and mask-prior normalisations (site options klNormalisation, priorNormalisation)", () => {
  it("inside the reference objective, \"elbo\" sums the KL over the K factors and divides the mask prior by N instead of B", async () => {
    const { ds, train } = await topics();
    const N = train.shape[0];
    const B = 32;
    const firstTerms = async (cfg: Record<string, unknown>) => {
      const m = zoo.sparseVae.build({ features: ds.g, likelihood: "categorical", hidden: 8, priorWarmupSteps: 0, klWarmupSteps: 0, ...cfg });
      const p = compile(m, { seed: 4, normalisation: "reference" });
      let terms: Record<string, number> = {};
      await p.fit(train, { epochs: 1, batchSize: B, learningRate: 1e-2, maxSteps: 1, onStep: (i) => (terms = i.terms) });
      p.dispose();
      return { terms, config: m.ir.meta.config as Record<string, unknown> };
    };
    const ref = await firstTerms({});
    const elbo = await firstTerms({ klNormalisation: "elbo", priorNormalisation: "elbo" });
    expect(ref.config).not.toHaveProperty("priorNormalisation");
    expect(elbo.config).toMatchObject({ klNormalisation: "elbo", priorNormalisation: "elbo" });
    // same seed, same first batch and weights: only the divisors differ
    expect(elbo.terms["rate:z"] / ref.terms["rate:z"]).toBeCloseTo(5, 3); // K = 5
    expect(elbo.terms["maskPrior:W"] / ref.terms["maskPrior:W"]).toBeCloseTo(B / N, 4);
    expect(elbo.terms["distortion:x"]).toBeCloseTo(ref.terms["distortion:x"], 4);
    expect(() => zoo.sparseVae.build({ features: 4, priorNormalisation: "batch" as never })).toThrow(/priorNormalisation/);
    train.dispose();
  }, 60_000);
});

describe("warm-ups relative to the run", () => {
  it("resolve the fraction against the run's steps, or take explicit steps", () => {
    const c = (m: { ir: { meta: Record<string, unknown> } }) => m.ir.meta.config as Record<string, number>;
    expect(c(zoo.sparseVae.build({ features: 7, run: { steps: 200 } }))).toMatchObject({ klWarmupSteps: 50, priorWarmupSteps: 100 });
    expect(c(zoo.sparseVae.build({ features: 7 }))).toMatchObject({ klWarmupSteps: 300, priorWarmupSteps: 600 }); // the synthetic study's 1,200 steps
    expect(c(zoo.sparseVae.build({ features: 7, run: { steps: 200 }, klWarmupSteps: 10 }))).toMatchObject({ klWarmupSteps: 10 });
    expect(c(zoo.vae.build({ features: 7, run: { steps: 80 } }))).toMatchObject({ klWarmupSteps: 40 }); // half the run (docs/zoo/vae.md)
    expect(c(zoo.betaVae.build({ features: 7, run: { steps: 80 }, klWarmup: 0 }))).toMatchObject({ klWarmupSteps: 0 });
    expect(() => zoo.vae.build({ features: 7, klWarmup: 2 })).toThrow("vae: klWarmup is a fraction of the run in [0, 1], got 2; give a number of steps as klWarmupSteps");
  });

  it("the Sparse VAE's reference variant has none by default and honours one given (never ignores it)", () => {
    const c = (m: { ir: { meta: Record<string, unknown> } }) => m.ir.meta.config as Record<string, number>;
    const ref = zoo.sparseVae.build({ features: 7, variant: "reference", run: { steps: 200 } });
    expect(c(ref)).toMatchObject({ klWarmupSteps: 0, priorWarmupSteps: 0 });
    expect(ref.ir.meta.run).toBeUndefined(); // nothing resolved against the run
    const given = zoo.sparseVae.build({ features: 7, variant: "reference", run: { steps: 200 }, klWarmup: 0.5, priorWarmupSteps: 30 });
    expect(c(given)).toMatchObject({ klWarmupSteps: 100, priorWarmupSteps: 30 });
    expect(given.ir.meta.run).toEqual({ steps: 200, told: true });
    const weights = (m: typeof given) => m.ir.sites.filter((s) => s.options.klWeight !== undefined || ("priorWeight" in s.options && s.options.priorWeight !== undefined)).length;
    expect(weights(given)).toBe(2); // both warm-ups reach the sites
    expect(weights(ref)).toBe(0);
  });
});

describe("program.decode and top features", () => {
  it("decodes chosen codes to the likelihood's mean and names each factor's top features", async () => {
    const { ds, train } = await topics();
    const p = compile(zoo.vae.build({ features: ds.g, likelihood: "categorical", factors: 3 }), { seed: 0, normalisation: "reference" });
    await p.fit(train, { epochs: 2, batchSize: 40, learningRate: 1e-2 });
    const probs = p.decode({ z: tf.zeros([4, 3]) });
    expect(probs.shape).toEqual([4, ds.g]);
    const sums = tf.sum(probs, -1).arraySync() as number[];
    sums.forEach((v) => expect(v).toBeCloseTo(1, 4)); // categorical: probabilities of one draw
    const [t] = topFeatures(p, ds)!;
    expect(t.factors).toHaveLength(3);
    expect(t.factors[0].features).toHaveLength(10);
    expect(t.factors[0].features.every((f) => ds.featureNames!.includes(f))).toBe(true);
    // T-1: the fitted factors' top words co-occur more than random words of the same frequency (was: NPMI ∈ [−1, 1], always true)
    expect(t.coherence!).toBeGreaterThan(t.randomCoherence! + 0.05);
    tf.dispose([probs, train]);
  }, 60_000);

  it("S-6: topicCoherence leaves out a factor that moves no feature (a mask-disconnected factor's 'top features' are the first ten columns)", async () => {
    const { ds, train } = await topics();
    const p = compile(zoo.sparseVae.build({ features: ds.g, likelihood: "categorical", factors: 3 }), { seed: 0, normalisation: "reference" });
    await p.fit(train, { epochs: 2, batchSize: 40, learningRate: 1e-2 });
    // disconnect factor 2: its mask column to 0
    const W = p.params.get("global/W") as tf.Variable;
    W.assign(tf.mul(W, tf.tensor1d([1, 1, 0])));
    const [t] = topFeatures(p, ds)!;
    expect(t.factors[2].effects.every((v) => v === 0)).toBe(true);
    expect(t.factors[2].indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const npmi = t.factors.map((f) => f.npmi!);
    // before: the mean of all three (the disconnected factor's first-ten-columns NPMI included)
    expect(t.coherenceFactors).toBe(2);
    expect(t.coherence).toBeCloseTo((npmi[0] + npmi[1]) / 2, 6);
    expect(Math.abs(t.coherence! - (npmi[0] + npmi[1] + npmi[2]) / 3)).toBeGreaterThan(1e-3);
    tf.dispose(train);
  }, 60_000);
});
