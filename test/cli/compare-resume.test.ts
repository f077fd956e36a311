/**
 * An interrupted comparison resumes: rows already in results.json are not fitted again, only the
 * missing (model, data, seed) rows are. (test/cli/resume.test.ts kills a real `sdgm fit`.)
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare, pendingJobs, type CompareSpec } from "../../packages/cli/src/compare.js";

describe("sdgm compare resumes", () => {
  it("re-running fits only the rows that are missing", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const base: CompareSpec = { entries: [{ model: "vae", data, epochs: 3 }], seeds: [0, 1], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    await runCompare(base); // "interrupted" after the first job: its rows are written
    const first = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(first.map((r: { model: string; seed: number }) => `${r.model}:${r.seed}`)).toEqual(["vae:0", "vae:1"]);
    const full: CompareSpec = { ...base, entries: [...base.entries, { model: "betaVae", data, epochs: 3 }] };
    const pending = pendingJobs(full);
    expect(pending.map((j) => [j.entry.model, j.seeds])).toEqual([["betaVae", [0, 1]]]);
    const rows = await runCompare(full);
    expect(rows.map((r) => `${r.model}:${r.seed}`).sort()).toEqual(["betaVae:0", "betaVae:1", "vae:0", "vae:1"]);
    // the vae rows were not refitted: identical metrics and timings
    expect(rows.filter((r) => r.model === "vae")).toEqual(first);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(readFileSync(join(out, "results.csv"), "utf8").split("\n").filter(Boolean).length).toBe(5);
  }, 180_000);
});
