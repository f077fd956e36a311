/**
 * Issue 22: every reproduction of "Reliability: no silent failures, crash-safe checkpoints, outputs
 * safe for concurrent writers" ends in a clear error or a correct result. One test per
 * reproduction, named after it (the issue's words in quotes). The commands run in-process through
 * the real command line (`cli()`), on the cpu backend, with small data.
 */
import { describe, it, expect, vi, afterEach } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommanderError } from "commander";
import { tf } from "@sparse-dgm/core";
import { loadData } from "@sparse-dgm/data";
import { parseMtxText, parseLdacText } from "@sparse-dgm/data/loaders";
import { readCheckpoint, saveCheckpoint } from "@sparse-dgm/infer/node";
import { deserialize } from "@sparse-dgm/infer";
import { cli } from "../../packages/cli/src/main.js";
import { buildFor, evalCheckpoint, runJob } from "../../packages/cli/src/jobs.js";
import { atomicWrite, ResultStore } from "../../packages/cli/src/results.js";
import { runCompare } from "../../packages/cli/src/compare.js";

const tmp = (p = "sdgm-i22-") => mkdtempSync(join(tmpdir(), p));
afterEach(() => vi.restoreAllMocks());

/** Runs `sdgm <args>` in-process: resolves with stdout and stderr, rejects with the error main() would print. */
async function sdgm(...args: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const p = cli().exitOverride();
  p.configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  for (const c of p.commands) c.exitOverride().configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  try {
    await p.parseAsync(["node", "sdgm", ...args]);
  } catch (e) {
    const ce = e as CommanderError;
    throw new Error(ce.code?.startsWith("commander.") ? err.trim() : (e as Error).message);
  } finally {
    vi.restoreAllMocks();
  }
  return { out, err };
}

/** The run failed: no row in the store, a failure record naming the error. */
function expectFailedRun(out: string, error: RegExp): void {
  const store = new ResultStore(out);
  expect(store.rows()).toEqual([]);
  expect(existsSync(join(out, "results.json")) ? JSON.parse(readFileSync(join(out, "results.json"), "utf8")) : []).toEqual([]);
  const failed = store.failures();
  expect(failed.length).toBeGreaterThan(0);
  expect(failed[0].error).toMatch(error);
}

const NONFINITE = /site "[^"]+": \d+ non-finite steps in a row; last: non-finite \w+ term "[^"]+"|is (NaN|-?Infinity) on the test split/;

/** vae fitted `epochs` epochs on 200 Moran rows into a fresh folder: its data and checkpoint folder. */
/**
 * vae's KL warm-up fixed in steps: by default it is a fraction of the run, so a run extended with
 * more epochs would be another declaration, which is never resumed.
 */
const WARM = { klWarmupSteps: 2 };

async function fittedVae(epochs: number, out = tmp()) {
  const source = "synthetic:moran?n=200";
  const ds = await loadData(source);
  await runJob({ model: "vae", source, seeds: [0], epochs, out, checkpointEvery: 0, metrics: ["elbo"], config: WARM }, ds);
  return { out, source, ds, dir: join(out, "checkpoints", "vae-s0") };
}

/** `sdgm <args> --backend cpu --out <out>` fails with the trainer's (or a metric's) non-finite error and writes no row. */
async function diverges(out: string, ...args: string[]): Promise<void> {
  await expect(sdgm(...args, "--backend", "cpu", "--out", out)).rejects.toThrow(NONFINITE);
  expectFailedRun(out, NONFINITE);
}

describe("issue 22: silent wrong results now fail loudly", () => {
  it("'A diverging run ends silently: sdgm fit sparseVae --data synthetic:moran?n=200 --epochs 50 --lr 1e6': an error naming the site and term, no row", async () => {
    const out = tmp();
    await expect(sdgm("fit", "sparseVae", "--data", "synthetic:moran?n=200", "--epochs", "50", "--lr", "1e6", "--backend", "cpu", "--out", out)).rejects.toThrow(
      /sparseVae on synthetic:moran\?n=200, seed 0: site "z": 5 non-finite steps in a row; last: non-finite rate term "rate:z" at step \d+; step skipped \(no result row written/,
    );
    expectFailedRun(out, NONFINITE);
  }, 120_000);

  it("'The same with vae': an error, no row", async () => {
    await diverges(tmp(), "fit", "vae", "--data", "synthetic:moran?n=200", "--epochs", "50", "--lr", "1e6");
  }, 120_000);

  it("'with CSV values of 1e30': an error, no row", async () => {
    const dir = tmp();
    const csv = join(dir, "big.csv");
    writeFileSync(csv, ["a,b,c,d", ...Array.from({ length: 60 }, (_, i) => [1e30 * (1 + (i % 3)), i, -1e30, i % 7].join(","))].join("\n"));
    await diverges(join(dir, "out"), "fit", "vae", "--data", `csv:${csv}`, "--epochs", "20");
  }, 120_000);

  it("'with --set spike=1e38': an error, no row", async () => {
    await diverges(tmp(), "fit", "sparseVae", "--data", "synthetic:moran?n=200", "--epochs", "20", "--set", "spike=1e38");
  }, 120_000);

  it("'with sdlgm ... --set noiseScale=1e-30': an error, no row", async () => {
    await diverges(tmp(), "fit", "sdlgm", "--data", "synthetic:sparse-linear?n=300", "--epochs", "5", "--set", "noiseScale=1e-30", "latents=10", "hidden=[32]");
  }, 120_000);

  it("'After an epoch whose steps are all non-finite, later epochs run no step at all': they run, and a row says how many steps were skipped", async () => {
    // the trainer's own test (test/infer/program.test.ts) shows the error is reached across epochs;
    // here the command line's side: a run that skipped steps says so in its row and on stderr
    const out = tmp();
    const ds = await loadData("synthetic:moran?n=200");
    const res = await runJob({ model: "vae", source: "synthetic:moran?n=200", seeds: [0], epochs: 2, out, checkpointEvery: 0, metrics: ["elbo"] }, ds);
    expect(res.rows[0].train.epochs).toBe(2);
    expect(res.rows[0].train.skippedSteps).toBeUndefined(); // none skipped: no field
    const { skippedStepWarnings } = await import("../../packages/cli/src/results.js");
    const row = { ...res.rows[0], train: { ...res.rows[0].train, skippedSteps: 3, firstSkipped: 'site "z": non-finite rate term "rate:z" at step 7; step skipped' } };
    expect(skippedStepWarnings([row])).toEqual([`warning: vae on synthetic:moran?n=200, seed 0: 3 of ${row.train.steps} steps skipped (non-finite loss); first: site "z": non-finite rate term "rate:z" at step 7; step skipped`]);
  }, 120_000);

  it.each([
    ["fit", "--epochs", "0"],
    ["fit", "--epochs", "-1"],
    ["fit", "--epochs", "abc"],
    ["fit", "--checkpoint-every", "abc"],
    ["fit", "--batch-size", "0"],
    ["fit", "--seeds", "0"],
    ["fit", "--lr", "abc"],
    ["compare", "--jobs", "abc"],
    ["compare", "--seeds", "0"],
    ["compare", "--models", ","],
    ["compare", "--data", ";"],
    ["compare", "--epochs", "2.5"],
  ])("'%s %s %s' is refused when parsed, naming the option", async (cmd, opt, value) => {
    const out = tmp();
    const base = cmd === "fit" ? ["fit", "vae", "--data", "synthetic:moran?n=200"] : ["compare", "--models", "vae", "--data", "synthetic:moran?n=200"];
    const args = [...base.filter((_, i) => !(base[i - 1] === opt || base[i] === opt)), opt, value, "--out", out];
    await expect(sdgm(...args)).rejects.toThrow(new RegExp(`option '${opt} <\\w+>' argument '${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' is invalid\\. expected`));
    expect(existsSync(join(out, "rows"))).toBe(false);
  });

  it("'A negative count in a test-split row with a count likelihood leaves heldoutNll and elbo missing': refused before training, naming the file's row and column", async () => {
    const dir = tmp();
    const csv = join(dir, "counts.csv");
    const lines = Array.from({ length: 50 }, (_, i) => [i % 4, (i * 3) % 5, 2, (i * 7) % 3].join(","));
    writeFileSync(csv, ["a,b,c,d", ...lines].join("\n"));
    const source = `csv:${csv}?kind=counts`;
    const test = (await loadData(source)).split.test;
    const bad = test[1]; // a test row (0-based)
    const rows = lines.slice();
    rows[bad] = [1, -3, 2, 0].join(",");
    writeFileSync(csv, ["a,b,c,d", ...rows].join("\n"));
    // the loader itself refuses it as counts ...
    await expect(loadData(source)).rejects.toThrow(`row ${bad + 1}, column 2 ("b"): value -3 is not a non-negative integer (kind counts)`);
    // ... and read as real values, the count likelihood's support check covers the test split, at the loader's row number
    const real = `csv:${csv}`;
    await expect(sdgm("fit", "sparseVae", "--data", real, "--set", "likelihood=negativeBinomial", "--epochs", "2", "--backend", "cpu", "--out", join(dir, "out"))).rejects.toThrow(
      `the data are not in the support of its NegativeBinomial likelihood (nonnegativeInteger): ${real}: test split, row ${bad + 1}, column 2 ("b") is -3`,
    );
  }, 120_000);

  it("'fit resumes a checkpoint fitted on another data source into the same --out (smiley n=300 seed 0, then seed 5)': refused, naming both", async () => {
    const out = tmp();
    await sdgm("fit", "vae", "--data", "synthetic:smiley?n=300&seed=0", "--epochs", "1", "--set", "klWarmupSteps=2", "--backend", "cpu", "--out", out, "--metrics", "elbo");
    await expect(sdgm("fit", "vae", "--data", "synthetic:smiley?n=300&seed=5", "--epochs", "1", "--set", "klWarmupSteps=2", "--backend", "cpu", "--out", out, "--metrics", "elbo")).rejects.toThrow(
      /the checkpoint in .*checkpoints\/vae-s0 is of another run \(it was fitted on synthetic:smiley\?n=300&seed=0; this run's data is synthetic:smiley\?n=300&seed=5\): data "\w+" → "\w+"; use another --out, or remove/,
    );
    // other settings too (the batch size), while more epochs on the same data extend the run
    await expect(sdgm("fit", "vae", "--data", "synthetic:smiley?n=300&seed=0", "--epochs", "1", "--batch-size", "7", "--set", "klWarmupSteps=2", "--backend", "cpu", "--out", out, "--metrics", "elbo")).rejects.toThrow(
      /is of another run: settings \{"batchSize":100,.*\} → \{"batchSize":7,/,
    );
    await sdgm("fit", "vae", "--data", "synthetic:smiley?n=300&seed=0", "--epochs", "2", "--set", "klWarmupSteps=2", "--backend", "cpu", "--out", out, "--metrics", "elbo");
    const rows = new ResultStore(out).rows();
    expect(rows.map((r) => [r.data, r.train.epochs, r.config.resumed])).toEqual([["synthetic:smiley?n=300&seed=0", 2, true]]);
  }, 120_000);

  it("'MatrixMarket: a \"symmetric\" 8 x 3 matrix is accepted and mirrored into the wrong rows; entries beyond the declared count are ignored': refused", () => {
    const sym = "%%MatrixMarket matrix coordinate real symmetric\n8 3 2\n2 1 1.5\n3 3 2\n";
    expect(() => parseMtxText(sym, {}, "mtx:sym.mtx")).toThrow("mtx:sym.mtx: line 2: a symmetric matrix must be square, but the size line says 8 × 3");
    const upper = "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n1 2 1.5\n";
    expect(() => parseMtxText(upper, {}, "mtx:u.mtx")).toThrow("mtx:u.mtx: line 3: entry (1, 2) is above the diagonal; a symmetric matrix lists only the lower triangle and the diagonal");
    const extra = "%%MatrixMarket matrix coordinate integer general\n2 3 2\n1 1 5\n2 3 1\n1 2 7\n";
    expect(() => parseMtxText(extra, {}, "mtx:x.mtx")).toThrow("mtx:x.mtx: line 5: more entries than the 2 declared on line 2");
    const twice = "%%MatrixMarket matrix coordinate integer general\n2 3 2\n1 1 5\n1 1 1\n";
    expect(() => parseMtxText(twice, {}, "mtx:t.mtx")).toThrow("mtx:t.mtx: line 4: entry (1, 1) is given twice");
    // a correct symmetric matrix is mirrored
    const ok = parseMtxText("%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1.5\n3 3 2\n");
    expect(Array.from(ok.x)).toEqual([0, 1.5, 0, 1.5, 0, 0, 0, 0, 2]);
  });

  it("'LDA-C: a count written 0x10 reads as 16': refused", () => {
    expect(() => parseLdacText("1 0:0x10\n", {}, "ldac:a.dat")).toThrow('ldac:a.dat: row 1, column 1: count "0x10" is not a non-negative integer');
    expect(() => parseLdacText("1 0:1e3\n", {}, "ldac:a.dat")).toThrow('count "1e3" is not a non-negative integer');
    expect(Array.from(parseLdacText("1 1:16\n").x)).toEqual([0, 16]);
  });

  it("'eval on a checkpoint with NaN weights prints a header and no metrics': an error naming the parameter", async () => {
    const { out, source, ds, dir } = await fittedVae(1);
    const ck = readCheckpoint(dir);
    const program = deserialize(buildFor("vae", ds, WARM), ck, dir);
    const [first] = program.params.all();
    first.variable.assign(tf.fill(first.variable.shape, NaN));
    const bad = join(out, "checkpoints", "vae-nan");
    saveCheckpoint(program, bad, ck.manifest.extra);
    program.dispose();
    await expect(evalCheckpoint(bad, ds, source)).rejects.toThrow(
      new RegExp(`checkpoint in ${bad}: parameter "${first.meta.name}" holds \\d+ non-finite values \\(NaN\\): the run that saved it diverged; it is not loaded`),
    );
    await expect(sdgm("eval", bad, "--data", source, "--backend", "cpu")).rejects.toThrow(/holds \d+ non-finite values \(NaN\)/);
  }, 120_000);

  it("'after a kill and resume, the curves in artifacts.json hold 290 of 600 epochs': a resumed run's curves hold every epoch", async () => {
    const out = tmp();
    const args = (epochs: number) => ["fit", "vae", "--data", "synthetic:moran?n=200", "--epochs", String(epochs), "--set", "klWarmupSteps=2", "--checkpoint-every", "1", "--backend", "cpu", "--out", out, "--metrics", "elbo"];
    await sdgm(...args(2));
    await sdgm(...args(5)); // resumes at epoch 2 (a kill after epoch 2 leaves the same checkpoint)
    const art = new ResultStore(out).artifact({ model: "vae", data: "synthetic:moran?n=200", seed: 0 })!;
    expect(art.curves!.loss).toHaveLength(5);
    expect(Object.values(art.curves!).every((c) => c.length === 5)).toBe(true);
    // the first two epochs are those of the uninterrupted run
    const full = tmp();
    await sdgm("fit", "vae", "--data", "synthetic:moran?n=200", "--epochs", "5", "--set", "klWarmupSteps=2", "--checkpoint-every", "1", "--backend", "cpu", "--out", full, "--metrics", "elbo");
    expect(art.curves!.loss).toEqual(new ResultStore(full).artifact({ model: "vae", data: "synthetic:moran?n=200", seed: 0 })!.curves!.loss);
  }, 180_000);

  it("'a named pipe as a CSV hangs': refused at once", async () => {
    const dir = tmp();
    const fifo = join(dir, "pipe.csv");
    execFileSync("mkfifo", [fifo]);
    const t0 = Date.now();
    await expect(loadData(`csv:${fifo}`)).rejects.toThrow(`csv:${fifo}: "${fifo}" is a named pipe, not a regular file`);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe("issue 22: a comparison with a failing job", () => {
  it("'no result row for a run that did not train as asked': the other jobs' rows are kept, the failed run is listed in the report, and the call fails naming it", async () => {
    const out = tmp();
    const data = "synthetic:moran?n=200";
    const spec = {
      entries: [
        { model: "vae", data, epochs: 1 },
        { model: "sparseVae", data, epochs: 3, config: { spike: 1e38 } },
      ],
      seeds: [0, 1],
      out,
      jobs: 1,
      replicas: true,
      backend: "cpu" as const,
      progress: false,
      metrics: ["elbo"],
    };
    let err = "";
    vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    await expect(runCompare(spec)).rejects.toThrow(/^1 job failed \(no rows; listed as failed in .*index\.html\):\n  sparseVae on synthetic:moran\?n=200, seeds 0,1: site "\w+": 5 non-finite steps in a row/);
    vi.restoreAllMocks();
    expect(err).toMatch(/error: sparseVae on synthetic:moran\?n=200, seeds 0,1: site "\w+": 5 non-finite steps in a row.* \(no rows written; the report lists the runs as failed\)/);
    const rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ model: string; seed: number }>;
    expect(rows.map((r) => `${r.model}:${r.seed}`)).toEqual(["vae:0", "vae:1"]);
    expect(new ResultStore(out).failures().map((f) => `${f.model}:${f.seed}`)).toEqual(["sparseVae:0", "sparseVae:1"]);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain('<section id="failed-runs">');
    expect(html).toMatch(/<tr class="failed" data-model="sparseVae" data-data="synthetic:moran\?n=200" data-seed="0">.*failed: site &quot;\w+&quot;: 5 non-finite steps in a row/);
    expect(html).toContain('<a class="warn" href="#failed-runs">2 failed</a>');
    // a re-run tries the failed job again (and only it)
    const { pendingJobs } = await import("../../packages/cli/src/compare.js");
    expect((await pendingJobs(spec)).map((j) => j.entry.model)).toEqual(["sparseVae"]);
  }, 120_000);
});

describe("issue 22: data lost or corrupted", () => {
  it("'Torn checkpoints: weights.bin and manifest.json are renamed in two steps': a generation is one unit; a mismatched pair is never loaded", async () => {
    const { out, source, ds, dir } = await fittedVae(1);
    const m1 = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    const w1 = readFileSync(join(dir, m1.files.weights));
    await runJob({ model: "vae", source, seeds: [0], epochs: 2, out, checkpointEvery: 0, metrics: ["elbo"], config: WARM }, ds);
    const m2 = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(m2.files.weights).not.toBe(m1.files.weights);
    expect(readdirSync(dir).filter((f) => f.startsWith("weights-"))).toEqual([m2.files.weights]); // the replaced generation is gone
    // a crash between the new weights file and the new manifest: the old manifest names the old file, which loads
    writeFileSync(join(dir, m1.files.weights), w1);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m1));
    expect(readCheckpoint(dir).manifest.progress).toEqual(m1.progress);
    // the old weights under the new manifest's name (the issue's torn pair): refused, naming the file
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m2));
    writeFileSync(join(dir, m2.files.weights), w1);
    expect(() => readCheckpoint(dir)).toThrow(new RegExp(`checkpoint in ${dir} is corrupt: ${m2.files.weights} has SHA-256 \\w+…, its manifest says \\w+…; it is not loaded`));
    // truncated, or missing
    writeFileSync(join(dir, m2.files.weights), w1.subarray(0, 100));
    expect(() => readCheckpoint(dir)).toThrow(`checkpoint in ${dir} is torn or truncated: ${m2.files.weights} has 100 bytes, its manifest says ${m2.files.bytes}`);
    rmSync(join(dir, m2.files.weights));
    expect(() => readCheckpoint(dir)).toThrow(`checkpoint in ${dir} is torn: its manifest names ${m2.files.weights}, which is missing`);
  }, 120_000);

  it("'Two compare runs writing one --out folder: with a large results.json, 8 of 20 new rows lost': four concurrent writers, 0 rows lost, every file valid at every poll", async () => {
    const out = tmp();
    const store = new ResultStore(out);
    const big = Array.from({ length: 300 }, (_, i) => ({ model: "old", data: `synthetic:moran?n=${100 + i}`, seed: 0, metrics: { elbo: -i }, train: { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" }, config: {} }));
    store.put(big);
    store.derive();
    const writer = join(process.cwd(), "test/cli/fixtures/store-writer.mjs");
    const procs = [0, 1, 2, 3].map((w) => spawn("node", [writer, out, String(w), "6"], { stdio: ["ignore", "ignore", "pipe"] }));
    const errs: string[] = [];
    for (const p of procs) p.stderr.on("data", (d) => errs.push(String(d)));
    let polls = 0;
    let invalid = 0;
    const done = Promise.all(procs.map((p) => new Promise((res) => p.on("exit", res))));
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      for (const f of ["results.json", "results.csv"]) {
        const text = readFileSync(join(out, f), "utf8");
        polls++;
        if (f.endsWith(".json")) {
          try {
            if (!Array.isArray(JSON.parse(text))) invalid++;
          } catch {
            invalid++;
          }
        } else if (!text.endsWith("\r\n")) invalid++;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(errs.join("")).toBe("");
    expect(invalid).toBe(0);
    expect(polls).toBeGreaterThan(4);
    const rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ model: string }>;
    expect(rows.length).toBe(300 + 4 * 6);
    expect(rows.filter((r) => r.model.startsWith("writer")).length).toBe(24);
    expect(readFileSync(join(out, "results.csv"), "utf8").trim().split("\n")).toHaveLength(300 + 24 + 1);
  }, 180_000);

  it("'index.html is not written atomically (left cut mid-SVG on a full disk)': a full disk fails naming the file, and the old file stays whole", async () => {
    const mnt = tmp("sdgm-full-");
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).status === 0;
    try {
      if (mounted) {
        writeFileSync(join(mnt, "index.html"), "<html>old</html>");
        expect(() => atomicWrite(join(mnt, "index.html"), "x".repeat(200_000))).toThrow(`cannot write ${join(mnt, "index.html")}: no space left on device (ENOSPC)`);
        expect(readFileSync(join(mnt, "index.html"), "utf8")).toBe("<html>old</html>");
        expect(readdirSync(mnt)).toEqual(["index.html"]); // no temporary left behind
      } else {
        // no tmpfs here (not root): the same path through another write error
        expect(() => atomicWrite(join(mnt, "missing", "index.html"), "x")).toThrow(`cannot write ${join(mnt, "missing", "index.html")}: no such file or directory (ENOENT)`);
      }
    } finally {
      if (mounted) spawnSync("umount", [mnt]);
    }
  });

  it("'A second fit --seed 1 into the same folder overwrites artifacts.json, losing seed 0's curves': artefacts and rows per seed", async () => {
    const out = tmp();
    const args = (seed: number) => ["fit", "vae", "--data", "synthetic:moran?n=200", "--epochs", "1", "--seed", String(seed), "--backend", "cpu", "--out", out, "--metrics", "elbo"];
    await sdgm(...args(0));
    await sdgm(...args(1));
    const store = new ResultStore(out);
    expect(store.rows().map((r) => r.seed)).toEqual([0, 1]);
    for (const seed of [0, 1]) expect(store.artifact({ model: "vae", data: "synthetic:moran?n=200", seed })!.curves!.loss).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).map((r: { seed: number }) => r.seed)).toEqual([0, 1]);
  }, 120_000);
});

describe("issue 22: unclear errors are clear", () => {
  it("'fit on a header-only or one-row CSV (Cannot infer the missing size in [0,-1])'", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "h.csv"), "a,b,c\n");
    writeFileSync(join(dir, "one.csv"), "a,b,c\n1,2,3\n");
    await expect(sdgm("fit", "vae", "--data", `csv:${join(dir, "h.csv")}`, "--epochs", "1", "--backend", "cpu", "--out", join(dir, "o1"))).rejects.toThrow(
      `csv:${join(dir, "h.csv")}: no data rows (a header alone, or an empty file)`,
    );
    await expect(sdgm("fit", "vae", "--data", `csv:${join(dir, "one.csv")}`, "--epochs", "1", "--backend", "cpu", "--out", join(dir, "o2"))).rejects.toThrow(
      `csv:${join(dir, "one.csv")}: 1 row split 1 train / 0 test; a fit needs at least one row in each`,
    );
  });

  it("'--batch-size 0', '--seeds 0 (compile: replicas must be a positive integer)'", async () => {
    await expect(sdgm("fit", "vae", "--data", "synthetic:moran", "--batch-size", "0")).rejects.toThrow("option '--batch-size <n>' argument '0' is invalid. expected an integer >= 1.");
    await expect(sdgm("compare", "--models", "vae", "--data", "synthetic:moran", "--seeds", "0")).rejects.toThrow("option '--seeds <n>' argument '0' is invalid. expected an integer >= 1.");
  });

  it("'an LDA-C term id of 2e9 without vocabulary (Invalid typed array length)'", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "big.dat"), "2 0:1 2000000000:3\n1 4:1\n");
    // which check speaks first depends on this machine's memory (a loader allocates at most a quarter of it)
    await expect(loadData(`ldac:${join(dir, "big.dat")}`)).rejects.toThrow(
      new RegExp(
        `^ldac:${join(dir, "big.dat")}: (a dense 2 × 2000000001 matrix would hold 4000000002 values \\(14\\.9 GiB\\), more than a loader allocates on this machine \\(\\d+ values, [\\d.]+ GiB: a quarter of its memory\\); the largest term id \\(2000000000\\) fixes the width without a vocabulary \\(vocab=\\)|row 1, column 2000000001: term id 2000000000 would make 2000000001 columns; without a vocabulary \\(vocab=\\) the ids fix the width)`,
      ),
    );
    writeFileSync(join(dir, "huge.dat"), "1 3000000000:3\n");
    await expect(loadData(`ldac:${join(dir, "huge.dat")}`)).rejects.toThrow("row 1, column 3000000001: term id 3000000000 would make 3000000001 columns; without a vocabulary (vocab=)");
  });

  it("'an edited manifest offset'", async () => {
    const { out, source, ds, dir } = await fittedVae(1);
    const ck = readCheckpoint(dir);
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    m.params[1].offset += 3;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
    await expect(evalCheckpoint(dir, ds, source)).rejects.toThrow(`checkpoint manifest ${join(dir, "manifest.json")} was edited or is corrupt (its content does not match its SHA-256); it is not loaded`);
    // without the file's check (a checkpoint in memory), the layout check names the tensor
    ck.manifest.params[1].offset += 3;
    expect(() => deserialize(buildFor("vae", ds, WARM), ck, "memory")).toThrow(new RegExp(`checkpoint in memory: parameter "${ck.manifest.params[1].name}" lies at \\[\\d+, \\d+\\), not where the previous tensor ends \\(\\d+\\): the manifest was edited or is corrupt`));
  }, 60_000);

  it("'an invalid results.json (readRows(...).map is not a function)'", async () => {
    const out = tmp();
    writeFileSync(join(out, "results.json"), JSON.stringify({ rows: [] }));
    await expect(runCompare({ entries: [{ model: "vae", data: "synthetic:moran?n=200", epochs: 1 }], seeds: [0], out, jobs: 1, replicas: true, backend: "cpu", progress: false })).rejects.toThrow(
      `${join(out, "results.json")} is not a results file: expected an array of result rows, got object; fix or remove it`,
    );
    writeFileSync(join(out, "results.json"), "[{]");
    await expect(runCompare({ entries: [{ model: "vae", data: "synthetic:moran?n=200", epochs: 1 }], seeds: [0], out, jobs: 1, replicas: true, backend: "cpu", progress: false })).rejects.toThrow(
      `${join(out, "results.json")} is not valid JSON`,
    );
    writeFileSync(join(out, "results.json"), JSON.stringify([{ model: "vae", data: "x", seed: "0", metrics: {} }]));
    await expect(runCompare({ entries: [{ model: "vae", data: "synthetic:moran?n=200", epochs: 1 }], seeds: [0], out, jobs: 1, replicas: true, backend: "cpu", progress: false })).rejects.toThrow(
      `${join(out, "results.json")}, row 1: not a result row: "seed" must be an integer, got "0"`,
    );
  });

  it("'ENOSPC': a full disk while writing a checkpoint names the file, and the previous generation stays loadable", async () => {
    const mnt = tmp("sdgm-full-");
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=96k", "tmpfs", mnt]).status === 0;
    try {
      const source = "synthetic:moran?n=200";
      const ds = await loadData(source);
      const out = mounted ? mnt : tmp();
      const run = (hidden: number) => runJob({ model: "vae", source, seeds: [0], epochs: 1, out, checkpointEvery: 0, metrics: ["elbo"], config: { hidden }, restartChanged: true, quietRestart: true }, ds);
      await run(8); // small weights fit
      const dir = join(out, "checkpoints", "vae-s0");
      const before = readCheckpoint(dir).manifest.progress;
      if (mounted) {
        await expect(run(400)).rejects.toThrow(new RegExp(`cannot write ${dir}/(weights-\\d+-[0-9a-f]+\\.bin|manifest\\.json): no space left on device \\(ENOSPC\\)`));
      } else {
        rmSync(dir, { recursive: true });
        writeFileSync(dir, ""); // a file where the folder should be
        await expect(run(400)).rejects.toThrow(`cannot create ${dir}`);
        return;
      }
      expect(readCheckpoint(dir).manifest.progress).toEqual(before);
    } finally {
      if (mounted) spawnSync("umount", [mnt]);
    }
  }, 60_000);

  it("'a CSV value over float32's range is reported as \"Infinity is not finite\" instead of out of range'", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "r.csv"), "a,b\n1,2\n3,1e39\n");
    await expect(loadData(`csv:${join(dir, "r.csv")}`)).rejects.toThrow(`csv:${join(dir, "r.csv")}: row 2, column 2 ("b"): 1e+39 is outside float32's range (±3.4e38); values are stored as float32`);
  });

  it("'a negative count is reported at a row number different from the loader's': the same row", async () => {
    // see the test-split reproduction above: the trainer names the file's own row and column; the training split too
    const dir = tmp();
    const csv = join(dir, "c.csv");
    const lines = Array.from({ length: 40 }, (_, i) => [i % 4, (i * 3) % 5, 2].join(","));
    writeFileSync(csv, ["a,b,c", ...lines].join("\n"));
    const train = (await loadData(`csv:${csv}`)).split.train;
    const bad = train[train.length - 1];
    lines[bad] = "2,-1,2";
    writeFileSync(csv, ["a,b,c", ...lines].join("\n"));
    await expect(loadData(`csv:${csv}?kind=counts`)).rejects.toThrow(`row ${bad + 1}, column 2 ("b"): value -1 is not a non-negative integer`);
    await expect(sdgm("fit", "sparseVae", "--data", `csv:${csv}`, "--set", "likelihood=negativeBinomial", "--epochs", "1", "--backend", "cpu", "--out", join(dir, "o"))).rejects.toThrow(
      `csv:${csv}: train split, row ${bad + 1}, column 2 ("b") is -1`,
    );
  }, 60_000);
});
