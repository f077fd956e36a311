import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sigmaPriorScale, type Dataset } from "@sparse-dgm/data";
import { sparseVae, vae } from "@sparse-dgm/zoo";
import { formatTruth, sparseTruth } from "./arbitraries.js";
import { RecoveryFailure, generatedCases, recoveryStats, recovers, summarise } from "./recovers.js";

// Cheap settings: these tests check the harness (reports, replay, batching), not recovery.
const tiny = sparseTruth({ features: 4, factors: 2, anchorsPerFactor: 1, n: 60 });
const denseVae = (ds: Dataset) => vae.build({ features: ds.g, hidden: 8, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
const smallSparse = (ds: Dataset) => sparseVae.build({ features: ds.g, hidden: 8, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });

describe("recovers", () => {
  it("a failing property reports the worst case with its seed, path and truth, and re-runs to the same failure", async () => {
    // A dense decoder's support F1 is fixed by the truth's density (< 0.7 here), so this fails.
    const prop = recovers(denseVae, tiny, { runs: 3, seed: 11, epochs: 2 });
    const report = await prop.check();
    expect(report.passed).toBe(false);
    expect(report.cases).toHaveLength(3);
    const worst = report.worst!;
    expect(report.message).toContain("FAILED");
    expect(report.message).toContain(`seed 11, path "${worst.path}"`);
    expect(report.message).toContain(formatTruth(worst.truth));
    await expect(prop.assert()).rejects.toThrow(/seed 11, path/);

    // prop.check with the printed seed and path re-runs that case only, to the same numbers.
    const again = await prop.check({ seed: 11, path: worst.path });
    expect(again.cases).toHaveLength(1);
    expect(again.cases[0].truth).toEqual(worst.truth);
    expect(again.cases[0].mcc).toBe(worst.mcc);
    expect(again.cases[0].supportF1).toBe(worst.supportF1);
    expect(again.passed).toBe(false);

    // Plain fast-check replays the same truth from the same seed and path.
    const details = await fc.check(prop.property, { seed: 11, path: worst.path, endOnFailure: true });
    expect(details.failed).toBe(true);
    expect(details.counterexample![0]).toEqual(worst.truth);
    expect(details.errorInstance).toBeInstanceOf(RecoveryFailure);
    expect((details.errorInstance as RecoveryFailure).result.supportF1).toBe(worst.supportF1);
    expect((details.errorInstance as Error).message).toContain(formatTruth(worst.truth));
  });

  it("passes with minPassRate when enough cases pass, and the thresholds decide", async () => {
    const lenient = recovers(denseVae, tiny, { runs: 2, seed: 3, epochs: 1, mcc: 0, supportF1: 0 });
    const r = await lenient.assert();
    expect(r.passed).toBe(true);
    expect(r.passRate).toBe(1);
    expect(r.message).toMatch(/^passed/);
  });

  it("batched replicas (one dataset each) score exactly as separate fits scored by evaluateProgram", async () => {
    const truths = generatedCases(tiny, { seed: 5, numRuns: 3 });
    const batched = await recoveryStats(smallSparse, truths, { epochs: 3 });
    const separate = await recoveryStats(smallSparse, truths, { epochs: 3, batch: false });
    expect(batched.map((c) => c.metrics)).toEqual(separate.map((c) => c.metrics));
    expect(batched[0].metrics).toHaveProperty("supportHamming");
    const s = summarise(batched);
    expect(s.cases).toBe(3);
    expect(Number.isFinite(s.medianMcc)).toBe(true);
  });
});
