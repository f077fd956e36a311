/**
 * An interrupted comparison resumes: rows already in results.json are not fitted again, only the
 * missing (model, data, seed) rows are. (test/cli/resume.test.ts kills a real `sdgm fit`.)
 * Rows and checkpoints saved with other settings are fitted again from the start, with a note.
 */
import { describe, it, expect, vi, afterEach } from "vitest";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare, pendingJobs, changedSettings, type CompareSpec } from "../../packages/cli/src/compare.js";
import { buildFor, runConfig, sourceSlug } from "../../packages/cli/src/jobs.js";
import { ResultStore, rowFileName } from "../../packages/cli/src/results.js";
import { MAIN_JOB } from "../../packages/cli/src/main-job.js";
import { zoo, zooEntry } from "../../packages/zoo/src/index.js";
import { loadData } from "../../packages/data/src/index.js";
import type { ResultRow, RunArtifacts } from "../../packages/viz/src/index.js";

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
    // the KL warm-up fixed in steps, so that the longer run's first epochs repeat the shorter run's
    const warm = { klWarmupSteps: 2 };
    const base: CompareSpec = { entries: [{ model: "vae", data, epochs: 3, config: warm }], seeds: [0, 1], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    await runCompare(base); // "interrupted" after the first job: its rows are written
    const first = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(first.map((r: { model: string; seed: number }) => `${r.model}:${r.seed}`)).toEqual(["vae:0", "vae:1"]);
    const full: CompareSpec = { ...base, entries: [...base.entries, { model: "betaVae", data, epochs: 3 }] };
    const pending = await pendingJobs(full);
    expect(pending.map((j) => [j.entry.model, j.seeds])).toEqual([["betaVae", [0, 1]]]);
    const rows = await runCompare(full);
    expect(rows.map((r) => `${r.model}:${r.seed}`).sort()).toEqual(["betaVae:0", "betaVae:1", "vae:0", "vae:1"]);
    // rows of runs the spec does not list stay, and a note says so
    const { err } = await stderrOf(() => runCompare({ ...base, entries: [{ model: "betaVae", data, epochs: 3 }], seeds: [1] }));
    expect(err).toContain(`note: ${join(out, "results.json")} also holds 3 rows of other runs (betaVae on ${data}; vae on ${data}); they are kept and shown in the report`);
    // the vae rows were not refitted: identical metrics and timings
    expect(rows.filter((r) => r.model === "vae")).toEqual(first);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    // the artefacts carry how each run's codes track the true factors (the report's "Codes vs true factors")
    const art = JSON.parse(readFileSync(new ResultStore(out).artifactPath({ model: "vae", data, seed: 0 }), "utf8")) as RunArtifacts;
    const k = (await loadData(data)).truth!.k!;
    expect(art.factorCorr).toHaveLength(k);
    expect(art.factorNames).toEqual(Array.from({ length: k }, (_, i) => `factor ${i + 1}`));
    expect(art.factorCorr!.flat().every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain('id="codes-vs-true-factors"');
    expect(readFileSync(join(out, "results.csv"), "utf8").split("\n").filter(Boolean).length).toBe(5);
  }, 180_000);

  it("rows saved with other settings are fitted again from the start, and say what changed", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    // the KL warm-up fixed in steps, so that the longer run's first epochs repeat the shorter run's
    const warm = { klWarmupSteps: 2 };
    const base: CompareSpec = { entries: [{ model: "vae", data, epochs: 3, config: warm }], seeds: [0, 1], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    await runCompare(base);
    const curve = (seed: number) => (JSON.parse(readFileSync(new ResultStore(out).artifactPath({ model: "vae", data, seed }), "utf8")) as RunArtifacts).curves!.loss;
    const firstCurve = curve(0);
    expect(await pendingJobs(base)).toEqual([]); // its own rows are valid
    // a warm-up given as a fraction of the run (the default) lengthens with the run
    const fraction: CompareSpec = { ...base, entries: [{ model: "vae", data, epochs: 4 }] };
    expect((await pendingJobs(fraction))[0].changed).toMatch(/^klWarmupSteps 2 → \d+, epochs 3 → 4$/);
    const longer: CompareSpec = { ...base, entries: [{ model: "vae", data, epochs: 4, config: warm }] };
    expect(await pendingJobs(longer)).toEqual([{ entry: longer.entries[0], seeds: [0, 1], changed: "epochs 3 → 4" }]);
    const { value: rows, err } = await stderrOf(() => runCompare(longer));
    expect(err).toMatch(new RegExp(`note: vae on ${data.replace(/[?.]/g, "\\$&")}, seeds 0,1: settings changed since .*results.json was written \\(epochs 3 → 4\\); fitting again`));
    expect(err).not.toContain("checkpoint"); // one note, not a second one for the checkpoint it replaces
    expect(rows.map((r) => `${r.model}:${r.seed}`)).toEqual(["vae:0", "vae:1"]); // replaced, not appended
    for (const r of rows) {
      expect(r.config).toMatchObject({ epochs: 4, resumed: false });
      expect(r.train.epochs).toBe(4);
    }
    // from the start: the new loss curve covers four epochs and begins as the three-epoch run's did
    // (a run resumed from the 3-epoch checkpoint would record one epoch's curve)
    expect(curve(0).length).toBe((firstCurve.length * 4) / 3);
    expect(curve(0).slice(0, 3)).toEqual(firstCurve.slice(0, 3));
    // results.json (and so the summary and the report) lists rows as the entries are listed,
    // whatever order they were fitted or refitted in
    const three: CompareSpec = { ...longer, entries: [{ model: "betaVae", data, epochs: 2 }, ...longer.entries, { model: "sparseVae", data, epochs: 2 }] };
    const { value: ordered } = await stderrOf(() => runCompare({ ...three, entries: three.entries.map((e) => (e.model === "vae" ? { ...e, epochs: 3 } : e)) }));
    expect(ordered.map((r) => `${r.model}:${r.seed}:${r.config.epochs}`)).toEqual(["betaVae:0:2", "betaVae:1:2", "vae:0:3", "vae:1:3", "sparseVae:0:2", "sparseVae:1:2"]);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toEqual(ordered);
    // a hyperparameter override
    const wider: CompareSpec = { ...base, entries: [{ model: "vae", data, epochs: 3, config: { ...warm, hidden: 20 } }] };
    expect((await pendingJobs(wider))[0].changed).toBe("hidden 50 → 20");
    const { value: widerRows } = await stderrOf(() => runCompare(wider));
    expect(widerRows.filter((r) => r.model === "vae").map((r) => [r.config.hidden, r.config.resumed])).toEqual([[20, false], [20, false]]);
    expect(await pendingJobs(wider)).toEqual([]);
  }, 180_000);

  it("an interrupted job's checkpoint of another declaration, seeds or training settings is replaced, not resumed", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const spec = (hidden: number, epochs = 2, seeds = [0]): CompareSpec => ({ entries: [{ model: "vae", data, epochs, config: { hidden } }], seeds, out, jobs: 1, replicas: true, backend: "cpu", progress: false });
    const lost = () => ["rows", "results.json"].forEach((f) => rmSync(join(out, f), { recursive: true, force: true })); // the rows were never written: only the checkpoint is left
    await runCompare(spec(30));
    lost();
    const { value: rows, err } = await stderrOf(() => runCompare(spec(20)));
    expect(err).toMatch(/note: vae on synthetic:moran\?rho=0\.2&n=300, seeds 0: the checkpoint in .* was saved with other settings \(declaration \w+ → \w+ \(hyperparameters or code\)\); training afresh/);
    expect(rows).toHaveLength(1);
    expect(rows[0].config).toMatchObject({ hidden: 20, resumed: false, epochs: 2 });
    // the same declaration, other epochs: a complete 2-epoch checkpoint is not a 1-epoch run
    lost();
    const { value: shorter, err: err2 } = await stderrOf(() => runCompare(spec(20, 1)));
    expect(err2).toContain('training {"epochs":2,');
    expect(shorter[0].config).toMatchObject({ epochs: 1, resumed: false });
    expect(shorter[0].train.epochs).toBe(1);
    // the same settings: resumed (an interruption after training, before the rows were written)
    lost();
    const { value: again, err: err3 } = await stderrOf(() => runCompare(spec(20, 1)));
    expect(err3).not.toContain("note:");
    expect(again[0].config).toMatchObject({ epochs: 1, resumed: true });
    expect(again[0].metrics).toEqual(shorter[0].metrics);
  }, 180_000);

  it("seeds missing around a saved one train in their own folder, not in the folder of a run with every seed", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const spec: CompareSpec = { entries: [{ model: "vae", data, epochs: 2 }], seeds: [0, 1, 2], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    const all = await runCompare(spec);
    // seeds 0 and 2 lost, seed 1 kept: the job for [0, 2] must not resume the [0, 1, 2] checkpoint (s0-2)
    for (const r of all.filter((x) => x.seed !== 1)) rmSync(join(out, "rows", `${rowFileName(r)}.json`));
    expect((await pendingJobs(spec)).map((j) => j.seeds)).toEqual([[0, 2]]);
    const rows = await runCompare(spec);
    const bySeed = (rs: typeof rows, s: number) => rs.find((r) => r.seed === s)!;
    expect(bySeed(rows, 2).metrics.elbo).not.toBe(bySeed(rows, 1).metrics.elbo);
    expect(existsSync(join(out, "checkpoints", `vae-${sourceSlug(data)}-s0_2`, "manifest.json"))).toBe(true);
    expect(bySeed(rows, 2).config.resumed).toBe(false);
  }, 180_000);

  it("two entries of the same model and data are refused before anything runs", async () => {
    const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
    const data = "synthetic:moran?rho=0.2&n=300";
    const spec: CompareSpec = { entries: [{ model: "vae", data }, { model: "vae", data, config: { hidden: 20 } }], seeds: [0], out, jobs: 1, replicas: true, backend: "cpu", progress: false };
    await expect(runCompare(spec)).rejects.toThrow(`vae on ${data} is listed twice`);
    expect(existsSync(join(out, "results.json"))).toBe(false);
  });

  it("every zoo entry's rows count as up to date (no perpetual re-fits), and a changed setting is seen", async () => {
    // the main job's entries with their overrides, every other zoo entry at its defaults on small
    // data, and overrides whose keys the build derives others from or does not know
    const others = Object.keys(zoo)
      .filter((name) => !MAIN_JOB.entries.some((e) => e.model === name))
      .map((name) => ({ model: name, data: `${zoo[name].defaultData}${zoo[name].defaultData.includes("?") ? "&" : "?"}n=300` }));
    expect(others.length).toBeGreaterThan(0);
    const moran = "synthetic:moran?rho=0.2&n=300";
    const tricky: CompareSpec["entries"] = [
      { model: "mibStructured", data: moran }, // no groups in the data: the build sets latentGroups 1
      { model: "sparseVae", data: moran, config: { variant: "reference" } }, // form and warm-ups follow the variant
      { model: "vae", data: moran, config: { latents: 40 } }, // --set applies to every model, known key or not
    ];
    for (const e of [...MAIN_JOB.entries, ...others, ...tricky] as CompareSpec["entries"]) {
      const ds = await loadData(e.data);
      const zooE = zooEntry(e.model);
      // as runJob records it: an entry's per-group learning rates too, unless a rate is given
      const groups = e.learningRate === undefined && zooE.training.groupLearningRates ? { groupLearningRates: zooE.training.groupLearningRates } : {};
      const training = { epochs: e.epochs ?? zooE.training.epochs, batchSize: e.batchSize ?? zooE.training.batchSize, learningRate: e.learningRate ?? zooE.training.learningRate, normalisation: zooE.training.normalisation, ...groups, replicas: 3, resumed: false };
      const row = { model: e.model, data: e.data, seed: 0, metrics: {}, config: runConfig(buildFor(e.model, ds, e.config, training), training, ds) } as unknown as ResultRow;
      expect(changedSettings(row, e, ds), `${e.model} on ${e.data}`).toBeUndefined();
      // warm-ups given as fractions of the run change with its length too
      expect(changedSettings(row, { ...e, epochs: training.epochs + 1 }, ds)).toMatch(new RegExp(`(^|, )epochs ${training.epochs} → ${training.epochs + 1}$`));
    }
  }, 120_000);
});
