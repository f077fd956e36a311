// Review S-5: view groups set by the user are never silently replaced by the data's (or dropped by
// a single-view MIB instance).
import { describe, it, expect } from "vitest";
import { loadData } from "@sparse-dgm/data";
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
