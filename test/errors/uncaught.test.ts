// Errors read like errors (issue 19 item 6): on every backend an uncaught error (a user's own
// `throw`, a throw in a callback, an unhandled rejection, a site-named error of the library)
// prints its message and where it was thrown, and the process exits with code 1. On wasm,
// emscripten's process handlers used to re-throw it from the backend's minified source: ~38 KB of
// that source on stderr and exit code 7.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUN_TS = fileURLToPath(new URL("../../packages/cli/bin/run-ts.js", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./uncaught-fixture.ts", import.meta.url));

const cases: Array<[string, RegExp]> = [
  ["throw", /Error: my own error at the top level\n\s+at .*uncaught-fixture\.ts:\d+/],
  ["timer", /Error: my own error in a timer\n\s+at .*uncaught-fixture\.ts:\d+/],
  ["rejection", /Error: my own rejected promise\n\s+at .*uncaught-fixture\.ts:\d+/],
  ["site", /ShapeError: site "x" \[plate data=100, feature=3\]: expected shape \[100, 3\], got \[100, 1\]/],
];

// Every case on wasm (the backend that installs process handlers); the first on cpu (~5 s a process).
for (const backend of ["wasm", "cpu"]) {
  describe(`an uncaught error on ${backend}`, () => {
    for (const [how, message] of backend === "wasm" ? cases : cases.slice(0, 1)) {
      it(`${how}: prints the message and its site, exits 1, and no library source`, () => {
        const r = spawnSync(process.execPath, [RUN_TS, FIXTURE, backend, how], { encoding: "utf8", timeout: 60_000, env: { ...process.env, SDGM_BACKEND: backend } });
        expect(r.status, r.stderr.slice(0, 2000)).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/tfjs-backend-wasm\.js:\d+\n|WasmBackendModule|readyPromiseResolve/);
        expect(r.stderr.length).toBeLessThan(4000);
      });
    }
  });
}
