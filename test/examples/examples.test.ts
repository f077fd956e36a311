/**
 * Runs every program in examples/ (globbed at test time, so examples added later are included)
 * with --smoke on the wasm backend, and asserts that it exits with code 0.
 */
import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const examples = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
  .sort();

function runExample(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["packages/cli/bin/run-ts.js", join("examples", file), "--smoke"],
      { cwd: root, env: { ...process.env, SDGM_BACKEND: "wasm" }, timeout: 115_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe("examples run with --smoke", () => {
  it("finds the examples folder", () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  for (const file of examples) {
    it(
      file,
      async () => {
        const r = await runExample(file);
        // On failure show the end of the output (the wasm module prints its whole source on a crash).
        const tail = (s: string) => s.slice(-3000);
        expect(r.code, `examples/${file} --smoke failed\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`).toBe(0);
      },
      120_000,
    );
  }
});
