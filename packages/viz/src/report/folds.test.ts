import { describe, expect, it } from "vitest";
import { foldSummaries, formatFoldSummaries, meanSd } from "./folds.js";
import type { ResultRow } from "./types.js";

const row = (model: string, fold: number, ndcg: number, nll: number): ResultRow => ({
  model,
  data: "ratings:x",
  seed: 0,
  fold,
  metrics: { ndcgAt10: ndcg, heldoutNll: nll },
  train: { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" },
  config: {},
});

describe("fold summary", () => {
  it("mean ± SD over folds, paired differences on the same fold, and who is better by the metric's direction", () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    const rows = [row("a", 0, 0.6, 10), row("a", 1, 0.7, 12), row("b", 0, 0.5, 11), row("b", 1, 0.72, 11), row("c", 0, 0.1, 1)];
    const [s] = foldSummaries(rows);
    expect(s.folds).toEqual([0, 1]);
    const a = s.stats.find((x) => x.model === "a" && x.metric === "ndcgAt10")!;
    expect([a.mean, a.sd, a.n]).toEqual([expect.closeTo(0.65, 12), expect.closeTo(Math.SQRT1_2 * 0.1, 12), 2]);
    const nd = s.pairs.find((p) => p.a === "a" && p.b === "b" && p.metric === "ndcgAt10")!;
    expect(nd.mean).toBeCloseTo((0.1 - 0.02) / 2, 12);
    expect([nd.n, nd.aBetter]).toEqual([2, 1]);
    const nll = s.pairs.find((p) => p.a === "a" && p.b === "b" && p.metric === "heldoutNll")!;
    expect(nll.aBetter).toBe(1); // lower is better: 10 < 11 on fold 0 only
    expect(s.pairs.find((p) => p.a === "a" && p.b === "c")!.n).toBe(1); // c has fold 0 only
    expect(formatFoldSummaries([s], ["ndcgAt10"])).toContain("a − b ndcgAt10: 0.04 ± 0.08485 (a better in 1 of 2)");
    expect(foldSummaries(rows.map(({ fold, ...r }) => r))).toEqual([]); // rows without folds: no summary
  });
});

describe("folds in the rest of the report", () => {
  it("the representative run is a (seed, fold) pair, named with its fold; the comparison table counts runs", async () => {
    const { representativeSeed, renderReport } = await import("./report.js");
    const rows = [0, 1, 2].map((f) => ({ ...row("a", f, 0.5, 1), metrics: { heldoutMse: [0.3, 0.1, 0.2][f] } }));
    const rep = representativeSeed(rows, "a", "ratings:x", rows);
    expect(rep).toEqual({ seed: 0, fold: 2, reason: "seed 0 fold 2, the median-heldoutMse run (heldoutMse by run: seed 0 fold 0: 0.3, seed 0 fold 1: 0.1, seed 0 fold 2: 0.2)" });
    // without folds, as before
    expect(representativeSeed([{ ...rows[0], fold: undefined }], "a", "ratings:x", [0]).reason).toBe("seed 0 (the only seed with this plot; heldoutMse 0.3)");
    const html = await renderReport({ rows, artifacts: [], config: {} } as never);
    expect(html).toContain('title="runs: seeds × folds">runs</th>');
    expect(html).toMatch(/<th scope="row" class="rowhead">a<\/th><td class="num">3<\/td>/);
  });
});
