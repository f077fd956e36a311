/**
 * `sdgm eval` rebuilds every zoo entry from its checkpoint: the manifest names the entry, so each
 * entry's declaration must carry the entry's own name (vscClass once declared itself "vsc", and
 * eval rebuilt plain vsc and refused the checkpoint as "a different declaration"). The restored
 * program scores the held-out data as the fitted one did.
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zoo } from "../../packages/zoo/src/index.js";
import { loadData } from "../../packages/data/src/index.js";
import { buildFor, evalCheckpoint, runJob } from "../../packages/cli/src/jobs.js";
import { main } from "../../packages/cli/src/main.js";
import { degenerateWarnings } from "../../packages/cli/src/results.js";
import { vi } from "vitest";

const small = (source: string) => `${source}${source.includes("?") ? "&" : "?"}n=300`;

describe("sdgm eval", () => {
  it.each(Object.keys(zoo))("%s: the checkpoint of a fit is rebuilt and scores as the fitted program did", async (name) => {
    const source = small(zoo[name].defaultData);
    const ds = await loadData(source);
    expect(buildFor(name, ds).name).toBe(name);
    const out = mkdtempSync(join(tmpdir(), "sdgm-eval-"));
    const metrics = ["heldoutMseMean", "elbo"];
    const config = name.startsWith("vsc") ? { latents: 8, hidden: 32 } : {}; // small: the point is the round trip
    const fit = await runJob({ model: name, source, seeds: [0], epochs: 1, out, checkpointEvery: 0, metrics, config }, ds);
    const rows = await evalCheckpoint(join(out, "checkpoints", `${name}-s0`), ds, source, metrics);
    expect(rows.map((r) => [r.model, r.seed])).toEqual([[name, 0]]);
    const fitted = fit.rows[0].metrics;
    expect(Object.keys(rows[0].metrics).sort()).toEqual(Object.keys(fitted).sort());
    // z = the guide's mean: deterministic, so the restored program must match (up to float32 noise)
    if (fitted.heldoutMseMean !== undefined) expect(rows[0].metrics.heldoutMseMean).toBeCloseTo(fitted.heldoutMseMean, 5);
    expect(Number.isFinite(rows[0].metrics.elbo)).toBe(true);
  }, 60_000);

  it("mibStructured on csv data with views given by --set groups: fitted, saved and rebuilt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-eval-"));
    const csv = join(dir, "views.csv");
    const rows = Array.from({ length: 120 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 0.37 + j * (j < 3 ? 0.5 : 1.3)).toFixed(4)).join(","));
    writeFileSync(csv, ["a,b,c,d,e,f", ...rows].join("\n"));
    const source = `csv:${csv}`;
    const ds = await loadData(source);
    const config = { groups: [[0, 1, 2], [3, 4, 5]] };
    const fit = await runJob({ model: "mibStructured", source, seeds: [0], epochs: 1, out: dir, checkpointEvery: 0, metrics: ["heldoutMseMean"], config }, ds);
    expect(fit.rows[0].config).toMatchObject({ views: 2, viewDim: 3, groups: config.groups });
    const again = await evalCheckpoint(join(dir, "checkpoints", "mibStructured-s0"), ds, source, ["heldoutMseMean"]);
    expect(again[0].metrics.heldoutMseMean).toBeCloseTo(fit.rows[0].metrics.heldoutMseMean, 5);
  }, 60_000);

  it("a fold's checkpoint is scored on that fold's held-out rows of its own source (not the default split, which overlaps its training rows), and says so on other data", async () => {
    const source = "synthetic:moran?rho=0.2&n=300";
    const ds = await loadData(source);
    const out = mkdtempSync(join(tmpdir(), "sdgm-eval-"));
    const metrics = ["heldoutMseMean"];
    const fold = { k: 3, index: 1 };
    const fit = await runJob({ model: "vae", source, seeds: [0], epochs: 2, out, checkpointEvery: 0, metrics, fold }, ds);
    const dir = join(out, "checkpoints", "vae-f1-s0");
    const again = await evalCheckpoint(dir, ds, source, metrics);
    expect(again[0].fold).toBe(1);
    expect(again[0].metrics.heldoutMseMean).toBeCloseTo(fit.rows[0].metrics.heldoutMseMean, 5);
    const other = "synthetic:moran?rho=0.4&n=300";
    const notes: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string) => (notes.push(String(c)), true)) as typeof process.stderr.write;
    try {
      const elsewhere = await evalCheckpoint(dir, await loadData(other), other, metrics);
      expect(elsewhere[0].fold).toBeUndefined();
    } finally {
      process.stderr.write = write;
    }
    expect(notes.join("")).toContain(`was fitted on fold 1 of 3 of ${source}; ${other} is scored on its own test split`);
  }, 60_000);

  it("refuses data with another feature count, naming both", async () => {
    const source = "synthetic:moran?rho=0.2&n=300";
    const ds = await loadData(source);
    const out = mkdtempSync(join(tmpdir(), "sdgm-eval-"));
    await runJob({ model: "vae", source, seeds: [0], epochs: 1, out, checkpointEvery: 0, metrics: ["elbo"] }, ds);
    const other = "synthetic:sparse-linear?n=300";
    await expect(evalCheckpoint(join(out, "checkpoints", "vae-s0"), await loadData(other), other)).rejects.toThrow(
      `the checkpoint's model has ${ds.g} features; ${other} has`,
    );
  }, 60_000);

  it("sdgm eval prints the degenerate-code warnings fit prints (on stderr; --json stays parseable)", async () => {
    const source = "synthetic:smiley?n=300";
    const ds = await loadData(source);
    const out = mkdtempSync(join(tmpdir(), "sdgm-eval-"));
    const metrics = ["emptyCodeFraction", "distinctActiveSets", "modalActiveSetFraction", "meanActiveSize"];
    // one epoch of 7 steps: far too short for vsc's defaults, so its code is degenerate
    const fit = await runJob({ model: "vsc", source, seeds: [0], epochs: 1, out, checkpointEvery: 0, metrics, config: { latents: 8, hidden: 32 } }, ds);
    const expected = degenerateWarnings(fit.rows);
    expect(expected.length).toBe(1);
    const err: string[] = [];
    const outLines: string[] = [];
    const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (outLines.push(String(c)), true));
    try {
      await main(["node", "sdgm", "eval", join(out, "checkpoints", "vsc-s0"), "--data", source, "--metrics", metrics.join(","), "--json"]);
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
    expect(err.join("").trim().split("\n").filter((l) => l.startsWith("warning:"))).toEqual(expected);
    expect(JSON.parse(outLines.join(""))[0].metrics).toEqual(fit.rows[0].metrics);
  }, 60_000);
});
