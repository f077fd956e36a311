/**
 * An interrupted comparison resumes: rows already in results.json are not fitted again, only the
 * missing (model, data, seed) rows are. (test/cli/resume.test.ts kills a real `sdgm fit`.)
 * Rows and checkpoints saved with other settings are fitted again from the start, with a note.
 */
import { describe, it, expect, vi, afterEach } from "vitest";
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare, pendingJobs, changedSettings, type CompareSpec } from "../../packages/cli/src/compare.js";
import { buildFor, runConfig } from "../../packages/cli/src/jobs.js";
import { MAIN_JOB } from "../../packages/cli/src/main-job.js";
import { zoo, zooEntry } from "../../packages/zoo/src/index.js";
import { loadData } from "../../packages/data/src/index.js";
import type { ResultRow } from "../../packages/viz/src/index.js";

/** Captures what a call writes to stderr. */
async function stderrOf<T>(f: () => Promise<T>): Promise<{ value: T; err: string }> {
  let err = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    return { value: await f(), err };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

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

  it("rows saved with other settings are fitted again from the start, and say what changed", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const base: CompareSpec = { entries: [{ model: "vae", data, epochs: 3 }], seeds: [0, 1], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    const first = await runCompare(base);
    expect(pendingJobs(base)).toEqual([]); // its own rows are valid
    const longer: CompareSpec = { ...base, entries: [{ model: "vae", data, epochs: 4 }] };
    expect(pendingJobs(longer)).toEqual([{ entry: longer.entries[0], seeds: [0, 1], changed: "epochs 3 → 4" }]);
    const { value: rows, err } = await stderrOf(() => runCompare(longer));
    expect(err).toContain(`note: vae on ${data}, seeds 0,1: settings changed since ${join(out, "results.json")} was written (epochs 3 → 4); fitting again`);
    expect(rows.map((r) => `${r.model}:${r.seed}`)).toEqual(["vae:0", "vae:1"]); // replaced, not appended
    for (const r of rows) {
      expect(r.config).toMatchObject({ epochs: 4, resumed: false });
      expect(r.train.epochs).toBe(4);
      expect(r.train.steps).toBe((4 / 3) * first[0].train.steps); // from the start, not 3 + 4 epochs
    }
    // a hyperparameter: a default the entry does not set, then an override
    // a replaced row keeps its place: rows of other entries before and after it stay where they were
    const three: CompareSpec = { ...longer, entries: [{ model: "betaVae", data, epochs: 2 }, ...longer.entries, { model: "sparseVae", data, epochs: 2 }] };
    await runCompare(three); // appends betaVae and sparseVae after the vae rows
    const { value: reordered } = await stderrOf(() => runCompare({ ...three, entries: three.entries.map((e) => (e.model === "vae" ? { ...e, epochs: 3 } : e)) }));
    expect(reordered.map((r) => `${r.model}:${r.seed}:${r.config.epochs}`)).toEqual(["vae:0:3", "vae:1:3", "betaVae:0:2", "betaVae:1:2", "sparseVae:0:2", "sparseVae:1:2"]);
    const wider: CompareSpec = { ...base, entries: [{ model: "vae", data, epochs: 3, config: { hidden: 20 } }] };
    expect(pendingJobs(wider)[0].changed).toBe("hidden 50 → 20");
    const { value: widerRows } = await stderrOf(() => runCompare(wider));
    expect(widerRows.filter((r) => r.model === "vae").map((r) => [r.config.hidden, r.config.resumed])).toEqual([[20, false], [20, false]]);
    expect(pendingJobs(wider)).toEqual([]);
  }, 180_000);

  it("an interrupted job's checkpoint saved with other settings is replaced, not resumed", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const spec = (hidden: number): CompareSpec => ({ entries: [{ model: "vae", data, epochs: 2, config: { hidden } }], seeds: [0], out, jobs: 1, replicas: true, backend: "cpu", progress: false });
    await runCompare(spec(30));
    writeFileSync(join(out, "results.json"), "[]"); // the rows were never written: only the checkpoint is left
    const { value: rows, err } = await stderrOf(() => runCompare(spec(20)));
    expect(err).toMatch(/note: vae on synthetic:moran\?rho=0\.2&n=300, seeds 0: the checkpoint in .* was saved with other settings \(declaration \w+, now \w+\); training afresh/);
    expect(rows).toHaveLength(1);
    expect(rows[0].config).toMatchObject({ hidden: 20, resumed: false, epochs: 2 });
  }, 180_000);

  it("every zoo entry's rows count as up to date (no perpetual re-fits), and a changed setting is seen", async () => {
    // the main job's entries with their overrides, and every other zoo entry at its defaults on small data
    const others = Object.keys(zoo)
      .filter((name) => !MAIN_JOB.entries.some((e) => e.model === name))
      .map((name) => ({ model: name, data: `${zoo[name].defaultData}${zoo[name].defaultData.includes("?") ? "&" : "?"}n=300` }));
    expect(others.length).toBeGreaterThan(0);
    for (const e of [...MAIN_JOB.entries, ...others] as CompareSpec["entries"]) {
      const ds = await loadData(e.data);
      const zoo = zooEntry(e.model);
      const training = { epochs: e.epochs ?? zoo.training.epochs, batchSize: e.batchSize ?? zoo.training.batchSize, learningRate: e.learningRate ?? zoo.training.learningRate, replicas: 3, resumed: false };
      const row = { model: e.model, data: e.data, seed: 0, metrics: {}, config: runConfig(buildFor(e.model, ds, e.config), training) } as unknown as ResultRow;
      expect(changedSettings(row, e), `${e.model} on ${e.data}`).toBeUndefined();
      expect(changedSettings(row, { ...e, epochs: training.epochs + 1 })).toBe(`epochs ${training.epochs} → ${training.epochs + 1}`);
    }
  }, 120_000);
});
