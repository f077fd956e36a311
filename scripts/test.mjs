#!/usr/bin/env node
// `npm test`: type-check every package and the type tests (tsc -b), lint every package (eslint),
// check the formatting of the packages the formatter covers so far (prettier), then run the vitest
// suites. Ends with the line "N passed, N failed" (the type check, the lint and the format check
// count as one test each).
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync, existsSync, rmSync } from "node:fs";

const extra = process.argv.slice(2);
/** The sources prettier checks (and `npm run format` writes). */
const FORMATTED = ["packages/core/src/**/*.ts", "packages/infer/src/**/*.ts", "packages/speed/src/**/*.ts"];
let passed = 0;
let failed = 0;

/** Runs one whole-repo check (a command) that counts as one test. */
function check(name, args) {
  const t0 = Date.now();
  const r = spawnSync("npx", args, { stdio: "inherit", shell: false });
  if (r.status === 0) {
    passed++;
    console.log(`${name}: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } else {
    failed++;
    console.log(`${name}: FAILED`);
  }
}

check("typecheck", ["tsc", "-b"]);
// Lint (eslint.config.js): every package's sources.
check("lint", ["eslint", "packages"]);
// Formatting (.prettierrc.json): the packages formatted so far (FORMATTED, as `npm run format`
// writes them; the others join once their concurrent branches have landed, docs/contributing.md).
check("format", ["prettier", "--check", "--log-level", "warn", ...FORMATTED]);

mkdirSync(".vitest-cache", { recursive: true });
const out = ".vitest-cache/results.json";
// a previous run's results must never be counted as this run's (vitest killed before writing: counted as failed below)
rmSync(out, { force: true });
const vt = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra], {
  stdio: "inherit",
  env: { ...process.env, SDGM_BACKEND: process.env.SDGM_BACKEND ?? "cpu" },
});
if (vt.signal || vt.error) console.log(`vitest did not finish: ${vt.signal ?? vt.error?.message}`);
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  // A file that fails to load has no failed assertions but must count as a failure too.
  failed += (r.testResults ?? []).filter((t) => t.status === "failed" && !(t.assertionResults ?? []).some((a) => a.status === "failed")).length;
  if (vt.status !== 0 && failed === 0) failed++;
} else {
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
