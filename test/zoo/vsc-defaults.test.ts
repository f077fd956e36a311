// Issue 24: each zoo entry's defaults give a non-degenerate, sample-specific code on its default
// built-in data. `vsc` and `vscClass` are fitted here exactly as `sdgm compare` fits them (runJob:
// every hyperparameter and training setting at the entry's defaults, the run-relative c schedule and
// class warm-up resolved against this run's steps) on a small Smiley, and every seed's test codes
// must pass `degenerateCode`: not collapsed, not one set for every image, not mostly empty, not
// nearly fixed. With the papers' relu spike head (`variant: "reference"`) most such runs gave every
// image the same active set (docs/zoo/vsc.md, "Defaults on Smiley").
import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadData } from "@sparse-dgm/data";
import { degenerateCode } from "@sparse-dgm/metrics";
import { runJob } from "../../packages/cli/src/jobs.js";

const SOURCE = "synthetic:smiley?n=2000";
const METRICS = ["withinClassJaccard", "betweenClassJaccard", "meanActiveSize", "emptyCodeFraction", "distinctActiveSets", "modalActiveSetFraction"];

async function fitAtDefaults(model: string) {
  const ds = await loadData(SOURCE);
  const out = mkdtempSync(join(tmpdir(), "sdgm-vsc-defaults-"));
  const { rows } = await runJob({ model, source: SOURCE, seeds: [0, 1], out, checkpointEvery: 0, metrics: METRICS }, ds);
  return rows.map((r) => r.metrics);
}

describe("vsc and vscClass at their defaults on Smiley (issue 24)", () => {
  it.each(["vsc", "vscClass"])("%s: every seed's code is sample-specific and not degenerate", async (model) => {
    const rows = await fitAtDefaults(model);
    expect(rows).toHaveLength(2);
    for (const m of rows) {
      expect(degenerateCode(m), JSON.stringify(m)).toBeUndefined();
      expect(m.distinctActiveSets).toBeGreaterThan(1);
      expect(m.withinClassJaccard).toBeGreaterThan(m.betweenClassJaccard);
    }
  }, 180_000);
});
