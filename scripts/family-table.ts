// Prints docs/inference.md's inference-family support table from the registry, or with --write
// rewrites it in place:  node packages/cli/bin/run-ts.js scripts/family-table.ts --write
import { readFileSync, writeFileSync } from "node:fs";
import { familyTable, withFamilyTable } from "../packages/infer/src/families/table.js";

const path = new URL("../docs/inference.md", import.meta.url);
if (process.argv.includes("--write")) {
  writeFileSync(path, withFamilyTable(readFileSync(path, "utf8")));
  console.log("docs/inference.md: family table rewritten");
} else {
  console.log(familyTable());
}
