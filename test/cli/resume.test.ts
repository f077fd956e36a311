/**
 * Kill `sdgm fit` half-way, run the same command again: it resumes from its last checkpoint and
 * ends with exactly the weights (and optimiser state) of an uninterrupted run (cpu backend).
 */
import { describe, it, expect } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCheckpoint } from "@sparse-dgm/infer/node";

const SDGM = join(process.cwd(), "packages/cli/bin/sdgm.js");
const args = (out: string) => ["fit", "vae", "--data", "synthetic:moran?rho=0.4&n=400", "--epochs", "60", "--checkpoint-every", "1", "--backend", "cpu", "--out", out];

function progress(out: string): number {
  const p = join(out, "checkpoints/vae-s0/manifest.json");
  if (!existsSync(p)) return 0;
  try {
    return JSON.parse(readFileSync(p, "utf8")).progress.position.epoch as number;
  } catch {
    return 0;
  }
}

describe("sdgm fit: kill and resume", () => {
  it("a killed run, re-run, ends with the uninterrupted run's weights, bit for bit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-resume-"));
    const full = join(dir, "full");
    const cut = join(dir, "cut");
    const r = spawnSync("node", [SDGM, ...args(full)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);

    const child = spawn("node", [SDGM, ...args(cut)], { stdio: "ignore" });
    const killedAt = await new Promise<number>((resolve, reject) => {
      const t = setInterval(() => {
        const e = progress(cut);
        if (e >= 10) {
          clearInterval(t);
          child.kill("SIGKILL");
          resolve(e);
        }
      }, 20);
      child.on("exit", () => {
        clearInterval(t);
        reject(new Error("the run finished before it could be killed"));
      });
    });
    await new Promise((res) => child.on("exit", res));
    expect(killedAt).toBeGreaterThanOrEqual(10);
    expect(killedAt).toBeLessThan(60);
    expect(existsSync(join(cut, "results.json"))).toBe(false);

    const again = spawnSync("node", [SDGM, ...args(cut)], { encoding: "utf8" });
    expect(again.status, again.stderr).toBe(0);
    const a = readCheckpoint(join(full, "checkpoints/vae-s0")).weights;
    const b = readCheckpoint(join(cut, "checkpoints/vae-s0")).weights;
    expect(b.length).toBe(a.length);
    expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer))).toBe(0);
    const rows = JSON.parse(readFileSync(join(cut, "results.json"), "utf8"));
    expect(rows[0].config.resumed).toBe(true);
    // the resume is said on stderr, with where it picked up (never silent)
    expect(again.stderr).toMatch(/note: vae on .*, seeds 0: resuming the checkpoint in .*checkpoints\/vae-s0 at epoch \d+ of \d+ \(same data and settings\)/);
    // run once more: nothing left, evaluating only, said too
    const third = spawnSync("node", [SDGM, ...args(cut)], { encoding: "utf8" });
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toContain("nothing left to train: evaluating only");
  }, 300_000);
});
