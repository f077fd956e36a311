// docs/inference.md's support table is generated from the family registry: a registered family
// missing from the committed table (or a changed selection) fails here.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { withFamilyTable } from "../../packages/infer/src/families/table.js";

describe("docs/inference.md family table", () => {
  it("is the one the registry generates (rewrite: node packages/cli/bin/run-ts.js scripts/family-table.ts --write)", () => {
    const doc = readFileSync(new URL("../../docs/inference.md", import.meta.url), "utf8");
    expect(withFamilyTable(doc) === doc, "docs/inference.md's family table is stale: run node packages/cli/bin/run-ts.js scripts/family-table.ts --write").toBe(true);
  });
});
