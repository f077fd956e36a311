/**
 * End to end: a temperature schedule that would not stay positive and finite is refused by
 * `sdgm compare` before anything trains, with one line naming the model and the option, and a
 * non-zero exit; nothing is written. (An exponential "decay" with a negative rate used to be
 * accepted: the temperature grew as e^t and the loss became NaN later.)
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SDGM = join(process.cwd(), "packages/cli/bin/sdgm.js");

function compare(set: string) {
  const out = join(mkdtempSync(join(tmpdir(), "sdgm-refusal-")), "run");
  const r = spawnSync("node", [SDGM, "compare", "--models", "sdlgm", "--data", "synthetic:sparse-linear?n=60", "--seeds", "1", "--epochs", "1", "--backend", "cpu", "--out", out, "--set", set], { encoding: "utf8" });
  return { ...r, out };
}

/** No result row was written (results.json absent, or listing none). */
function noRows(out: string): boolean {
  const f = join(out, "results.json");
  return !existsSync(f) || (JSON.parse(readFileSync(f, "utf8")) as unknown[]).length === 0;
}

describe("sdgm compare: schedule refusals", () => {
  it("refuses a growing temperature (exponentialDecay with a negative rate), naming sdlgm and temperature", () => {
    const r = compare('temperature={"kind":"exponentialDecay","initial":5,"rate":-1,"every":10}');
    expect(r.status).toBe(1);
    // the job fails before its first step; the comparison lists it as failed and exits 1 (docs/reliability.md)
    expect(r.stderr).toContain("sdlgm on synthetic:sparse-linear?n=60, seeds 0: sdlgm: temperature (a exponentialDecay schedule, at step 1000000000) must be positive, got Infinity");
    expect(noRows(r.out)).toBe(true);
  });
  it("refuses a temperature that reaches 0 (a linear schedule to 0) and an unknown kind", () => {
    const lin = compare('temperature={"kind":"linear","from":5,"to":0,"steps":100}');
    expect(lin.status).toBe(1);
    expect(lin.stderr).toContain("sdlgm on synthetic:sparse-linear?n=60, seeds 0: sdlgm: temperature (a linear schedule, at step 100) must be positive, got 0");
    expect(noRows(lin.out)).toBe(true);
    const bad = compare('temperature={"kind":"cosine","from":5}');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('sdlgm on synthetic:sparse-linear?n=60, seeds 0: sdlgm: temperature: expected a number or a schedule with kind constant, linear, exponentialDecay, warmup, cyclical; got {"kind":"cosine","from":5}');
  });
});
