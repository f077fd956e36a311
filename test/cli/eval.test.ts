/**
 * `sdgm eval` rebuilds every zoo entry from its checkpoint: the manifest names the entry, so each
 * entry's declaration must carry the entry's own name (vscClass once declared itself "vsc", and
 * eval rebuilt plain vsc and refused the checkpoint as "a different declaration"). The restored
 * program scores the held-out data as the fitted one did.
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zoo } from "../../packages/zoo/src/index.js";
import { loadData } from "../../packages/data/src/index.js";
import { buildFor, evalCheckpoint, runJob } from "../../packages/cli/src/jobs.js";

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
});
