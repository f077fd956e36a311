// The degenerate-code warnings of fit/compare/start: each flagged row named, and whether its Jaccard
// scores were dropped or kept said truthfully.
import { describe, it, expect } from "vitest";
import type { ResultRow } from "@sparse-dgm/viz";
import { degenerateWarnings } from "./results.js";

const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };
const row = (seed: number, metrics: Record<string, number>): ResultRow => ({ model: "vscClass", data: "synthetic:smiley", seed, metrics, train, config: {} }) as ResultRow;

describe("degenerateWarnings", () => {
  it("says dropped scores are not reported, kept ones overstate consistency, and leaves healthy rows alone", () => {
    const w = degenerateWarnings([
      row(0, { emptyCodeFraction: 1, distinctActiveSets: 1, meanActiveSize: 0 }),
      row(1, { emptyCodeFraction: 0.6, distinctActiveSets: 5, meanActiveSize: 0.4, withinClassJaccard: 0.8, betweenClassJaccard: 0.7 }),
      row(2, { emptyCodeFraction: 0.6, distinctActiveSets: 5, meanActiveSize: 0.4 }),
      row(3, { emptyCodeFraction: 0, distinctActiveSets: 9, meanActiveSize: 3, withinClassJaccard: 0.5 }),
    ]);
    expect(w).toEqual([
      "warning: vscClass on synthetic:smiley, seed 0: code collapsed: every active set (γ > 0.5) is empty; withinClassJaccard and betweenClassJaccard are not reported",
      "warning: vscClass on synthetic:smiley, seed 1: code mostly collapsed: 60% of active sets (γ > 0.5) are empty, so pairs of empty sets dominate the Jaccard scores; withinClassJaccard and betweenClassJaccard are kept but overstate how consistent the codes are",
      "warning: vscClass on synthetic:smiley, seed 2: code mostly collapsed: 60% of active sets (γ > 0.5) are empty, so pairs of empty sets dominate the Jaccard scores",
    ]);
  });
});
