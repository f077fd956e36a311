// buildFor (the CLI's zoo model for a data set): view groups set by the user are never silently
// replaced by the data's or dropped by a single-view MIB instance (review S-5); the negative
// binomial's l̄ comes from the data whatever kind the source inferred (new-user review 1).
import { describe, it, expect } from "vitest";
import { loadData, medianLibrarySize } from "@sparse-dgm/data";
import { entryOptions, zoo } from "@sparse-dgm/zoo";
import { buildFor } from "../../packages/cli/src/jobs.js";

describe("--set groups against the data's view groups", () => {
  it("refuses groups that disagree with the data's, accepts the same ones, and single-view instances do not accept groups at all", async () => {
    const ds = await loadData("synthetic:two-view?n=60");
    const groups = ds.meta.groups as number[][];
    expect(groups.length).toBe(2);
    const swapped = [groups[1], groups[0]];
    expect(() => buildFor("mibMultimodal", ds, { groups: swapped })).toThrow(
      `mibMultimodal: --set groups=${JSON.stringify(swapped)} disagrees with the data's view groups ${JSON.stringify(groups)} (from the data source); leave groups unset to use the data's`,
    );
    expect(() => buildFor("mibMultimodal", ds, { groups })).not.toThrow();
    expect(entryOptions(zoo.mibMultimodal)).toContain("groups");
    for (const name of ["mibConditional", "mibFair", "mibInvariant"] as const) expect(entryOptions(zoo[name])).not.toContain("groups");
  });
});

describe("the negative binomial's library size", () => {
  it("is the data's median library size also when a CSV of counts loaded as kind real", async () => {
    const counts = await loadData("synthetic:cells?cells=80&genes=40&types=2");
    const asReal = { ...counts, kind: "real" as const };
    const l = medianLibrarySize(counts);
    expect(l).toBeGreaterThan(10);
    const cfg = (ds: typeof counts) => (buildFor("sparseVae", ds, { likelihood: "negativeBinomial" }).ir.meta.config as { librarySize?: number }).librarySize;
    expect(cfg(counts)).toBe(l);
    expect(cfg(asReal)).toBe(l);
  });
});
