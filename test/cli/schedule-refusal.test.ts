/**
 * End to end: a temperature schedule that would not stay positive and finite is refused by
 * `sdgm compare` before anything trains, with one line naming the model and the option, and a
 * non-zero exit; nothing is written. (An exponential "decay" with a negative rate used to be
 * accepted: the temperature grew as e^t and the loss became NaN later.)
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SDGM = join(process.cwd(), "packages/cli/bin/sdgm.js");

function compare(set: string) {
  const out = join(mkdtempSync(join(tmpdir(), "sdgm-refusal-")), "run");
  const r = spawnSync("node", [SDGM, "compare", "--models", "sdlgm", "--data", "synthetic:sparse-linear?n=60", "--seeds", "1", "--epochs", "1", "--backend", "cpu", "--out", out, "--set", set], { encoding: "utf8" });
  return { ...r, out };
}

describe("sdgm compare: schedule refusals", () => {
  it("refuses a growing temperature (exponentialDecay with a negative rate), naming sdlgm and temperature", () => {
    const r = compare('temperature={"kind":"exponentialDecay","initial":5,"rate":-1,"every":10}');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("sdgm: sdlgm: temperature (a exponentialDecay schedule, at step 1000000000) must be positive, got Infinity");
    expect(existsSync(join(r.out, "results.json"))).toBe(false);
  });
  it("refuses a temperature that reaches 0 (a linear schedule to 0) and an unknown kind", () => {
    const lin = compare('temperature={"kind":"linear","from":5,"to":0,"steps":100}');
    expect(lin.status).toBe(1);
    expect(lin.stderr).toContain("sdgm: sdlgm: temperature (a linear schedule, at step 100) must be positive, got 0");
    const bad = compare('temperature={"kind":"cosine","from":5}');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('sdgm: sdlgm: temperature: expected a number or a schedule with kind constant, linear, exponentialDecay, warmup, cyclical; got {"kind":"cosine","from":5}');
  });
});
