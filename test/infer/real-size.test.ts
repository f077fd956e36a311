/**
 * Issue 21's memory at a real size, inside the test budget: a generated topic corpus of 2,200
 * terms at batch 512 and hidden 64, where one [batch, features, hidden] activation is 72M floats
 * (288 MB) and the default thresholds send the masked decoder into feature blocks (8M floats), in
 * training and in the evaluation of the 500 held-out documents. One training step and every metric
 * on the default wasm backend, with the engine's peak tensor memory (tf.profile): the step's below
 * two such activations (the least the one-shot decoder keeps for its backward pass: both layers'
 * outputs), the evaluation's below one (the one-shot forward holds a layer's pre-activation and
 * output at once). The AP-sized run, 2246 × 10,473 at hidden 300, is docs/data/text.md's.
 */
import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { decoderBlocking } from "@sparse-dgm/nn";
import { loadData } from "@sparse-dgm/data";
import { evaluateProgramWithPanels } from "@sparse-dgm/metrics";
import { useBackend } from "../support/backend.js";

describe("a 2,500 × 2,200 topic corpus at batch 512, hidden 64, on wasm", () => {
  useBackend("wasm");

  it("trains a step and evaluates every metric in feature blocks, with peak tensor memory below what one-shot decoding holds", async () => {
    const ds = await loadData("synthetic:topics?docs=2500&vocab=2200&topics=5&wordsPerTopic=40");
    const B = 512;
    const H = 64;
    const test = ds.split.test.length;
    const activation = B * ds.g * H * 4; // bytes of one [B, G, H] float32 activation
    // the default thresholds block both the training batch and the held-out rows
    expect(B * ds.g * H).toBeGreaterThan(decoderBlocking.thresholdFloats);
    expect(test * ds.g * H).toBeGreaterThan(decoderBlocking.thresholdFloats);
    const model = zoo.sparseVae.build({ features: ds.g, likelihood: "categorical", factors: 5, hidden: H });
    const p = compile(model, { seed: 0, normalisation: "reference" });
    const x = observedTensor(model, ds, ds.split.train);
    let loss = NaN;
    const fit = await tf.profile(async () => {
      await p.fit(x, { epochs: 1, batchSize: B, maxSteps: 1, onStep: (s) => (loss = s.loss) });
    });
    expect(Number.isFinite(loss)).toBe(true);
    expect(fit.peakBytes).toBeLessThan(2 * activation);
    let out: ReturnType<typeof evaluateProgramWithPanels> | undefined;
    const ev = await tf.profile(() => {
      out = evaluateProgramWithPanels(p, ds);
    });
    expect(ev.peakBytes).toBeLessThan((test / B) * activation);
    const [m] = out!.metrics;
    for (const k of ["heldoutNll", "heldoutMultinomialNll", "elbo", "heldoutMse", "heldoutMseMean", "recallAt5", "ndcgAt10", "activeUnits"]) {
      expect(Number.isFinite(m[k]), k).toBe(true);
    }
    // after one step the codes may not vary yet: topicCoherence averages the active factors only, absent when there are none
    const t = out!.topFeatures[0];
    if (t.coherenceFactors) expect(Number.isFinite(m.topicCoherence)).toBe(true);
    else expect(m.topicCoherence).toBeUndefined();
    expect(out!.topFeatures[0].factors).toHaveLength(5);
    expect(out!.topFeatures[0].factors[0].features).toHaveLength(10);
    x.dispose();
    p.dispose();
  }, 240_000);
});
