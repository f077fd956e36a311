// The degenerate-code warnings of fit/compare/start: each flagged row named, and whether its Jaccard
// scores were dropped or kept said truthfully.
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResultRow } from "@sparse-dgm/viz";
import { degenerateWarnings, writeResults } from "./results.js";

const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };
const row = (seed: number, metrics: Record<string, number>): ResultRow => ({ model: "vscClass", data: "synthetic:smiley", seed, metrics, train, config: {} }) as ResultRow;

describe("degenerateWarnings", () => {
  it("says dropped scores are not reported, kept ones overstate consistency, and leaves healthy rows alone", () => {
    const w = degenerateWarnings([
      row(0, { emptyCodeFraction: 1, distinctActiveSets: 1, meanActiveSize: 0, linearProbeAccuracy: 0.5 }),
      row(1, { emptyCodeFraction: 0.6, distinctActiveSets: 5, meanActiveSize: 0.4, withinClassJaccard: 0.8, betweenClassJaccard: 0.7 }),
      row(2, { emptyCodeFraction: 0.6, distinctActiveSets: 5, meanActiveSize: 0.4 }),
      row(3, { emptyCodeFraction: 0, distinctActiveSets: 9, meanActiveSize: 3, withinClassJaccard: 0.5 }),
    ]);
    expect(w).toEqual([
      "warning: vscClass on synthetic:smiley, seed 0: code collapsed: every active set (γ > 0.5) is empty; withinClassJaccard and betweenClassJaccard are not reported",
      "warning: vscClass on synthetic:smiley, seed 1: code mostly collapsed: 60% of active sets (γ > 0.5) are empty, so pairs of empty sets dominate the Jaccard scores; withinClassJaccard and betweenClassJaccard are kept but overstate how consistent the codes are",
      "warning: vscClass on synthetic:smiley, seed 2: code mostly collapsed: 60% of active sets (γ > 0.5) are empty",
    ]);
  });

  it("on data without labels says nothing of class Jaccard scores the row never had", () => {
    const w = degenerateWarnings([
      row(0, { emptyCodeFraction: 1, distinctActiveSets: 1, meanActiveSize: 0, heldoutMse: 1 }),
      row(1, { emptyCodeFraction: 0, distinctActiveSets: 1, meanActiveSize: 2 }),
      row(2, { emptyCodeFraction: 0, distinctActiveSets: 3, meanActiveSize: 2, modalActiveSetFraction: 0.95 }),
    ]);
    expect(w).toEqual([
      "warning: vscClass on synthetic:smiley, seed 0: code collapsed: every active set (γ > 0.5) is empty",
      "warning: vscClass on synthetic:smiley, seed 1: code not sample-specific: every point has the same 2 active units",
      "warning: vscClass on synthetic:smiley, seed 2: code nearly fixed: 95% of points have the same active set (γ > 0.5)",
    ]);
    // the same one-set code on labelled data (a label metric in the row): the dropped scores are named
    expect(degenerateWarnings([row(1, { emptyCodeFraction: 0, distinctActiveSets: 1, meanActiveSize: 2, linearProbeAccuracy: 0.4 })])[0]).toMatch(/; withinClassJaccard and betweenClassJaccard are not reported$/);
  });
});

describe("writeResults", () => {
  it("replaces a row of the same model, data and seed, keeps the others, and derives results.json / .csv from the store in key order, or as asked", () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-results-"));
    const r = (model: string, seed: number, elbo: number) => ({ ...row(seed, { elbo }), model }) as ResultRow;
    writeResults(out, [r("c", 0, 3), r("a", 0, 1), r("b", 0, 2)]);
    const merged = writeResults(out, [r("d", 0, 4), r("b", 0, 20)]);
    expect(merged.map((x) => `${x.model}:${x.metrics.elbo}`)).toEqual(["a:1", "b:20", "c:3", "d:4"]);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toEqual(merged);
    expect(readFileSync(join(out, "results.csv"), "utf8").trim().split("\n")).toHaveLength(5);
    const sorted = writeResults(out, [], (x, y) => y.metrics.elbo - x.metrics.elbo);
    expect(sorted.map((x) => x.model)).toEqual(["b", "d", "c", "a"]); // elbo 20, 4, 3, 1
  });
});
