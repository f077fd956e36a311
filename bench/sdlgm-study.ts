/**
 * The SDLGM acceptance table (specs/sdlgm.md §4; docs/zoo/sdlgm.md "Measured here"): `sdlgm`,
 * `kSparse` (the fixed top-5 code) and `vsc` (J = 50, likelihood from the data's kind) on
 * `synthetic:sparse-linear` (K = 50, L0 = 5, noise 0.1: the MSE floor is 0.01), every seed, with
 * the level accuracy, the cap check, the aligned support precision / recall / F1, MCC and the
 * held-out MSE of the deterministic code (heldoutMseMean) and of a sampled one (heldoutMse).
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-study.ts [--n 3000] [--seeds 5] [--epochs 100]
 *        [--hidden 256,128] [--models sdlgm,kSparse,vsc] [--set '{"sdlgm":{...}}'] [--jobs 2] [--no-replicas] [--smoke]
 *        [--out dir (default: a new directory under the system's tmpdir)]
 *
 * The defaults are the reduced size measured on a shared 2-core machine (n = 3,000 rows, encoder
 * [256, 128], 100 epochs = 2,000 steps); `--n 12000 --epochs 50 --hidden 512,256` is the
 * benchmark's full size and the entries' own training. Prints one line per row and the mean of
 * each metric per model.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare } from "../packages/cli/src/compare.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const smoke = process.argv.includes("--smoke");
const n = Number(arg("n", smoke ? "300" : "3000"));
const seeds = Number(arg("seeds", smoke ? "1" : "5"));
const epochs = Number(arg("epochs", smoke ? "1" : "100"));
const hidden = arg("hidden", smoke ? "16" : "256,128").split(",").map(Number);
const models = arg("models", "sdlgm,kSparse,vsc").split(",");
const extra = JSON.parse(arg("set", "{}")) as Record<string, Record<string, unknown>>;
const jobs = Number(arg("jobs", "1"));
const data = `synthetic:sparse-linear?n=${n}`;
// sdlgm's temperature reaches its floor at 60 % of the run and its draws turn hard between 60 % and 75 % (the
// default schedules: the floor at step 2,500 of 3,950, hard from 2,500 to 3,000)
const steps = Math.ceil((n - Math.round(n / 6)) / 128) * epochs;
const temperature = { kind: "exponentialDecay", initial: 5, rate: Math.log(10) / (0.6 * steps), every: 10, min: 0.5 };
const hardness = { kind: "warmup", from: 0, to: 1, start: Math.round(0.6 * steps), end: Math.round(0.75 * steps) };
const metrics = ["levelAccuracy", "capViolations", "codeSupportPrecision", "codeSupportRecall", "codeSupportF1", "mcc", "heldoutMse", "heldoutMseMean", "meanActiveSize"];
const configs: Record<string, Record<string, unknown>> = {
  sdlgm: { hidden, temperature, hardness },
  kSparse: { hidden, temperature, hardness },
  vsc: { latents: 50, hidden: hidden[0] },
};
const out = arg("out", "") || mkdtempSync(join(tmpdir(), "sdgm-sdlgm-study-"));
const rows = await runCompare({
  entries: models.map((model) => ({ model, data, config: { ...configs[model], ...extra[model] }, ...(model === "vsc" ? { epochs: Math.max(1, Math.round(epochs * 0.3)) } : { epochs }), metrics })),
  seeds: Array.from({ length: seeds }, (_, s) => s),
  out,
  jobs,
  replicas: !process.argv.includes("--no-replicas"),
  progress: false,
  title: `SDLGM study on ${data}`,
});
const f = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(3));
for (const r of rows) console.log(`${r.model.padEnd(8)} seed ${r.seed}: ${metrics.map((k) => `${k} ${f(r.metrics[k])}`).join("  ")}`);
for (const m of models) {
  const mine = rows.filter((r) => r.model === m);
  const mean = (k: string) => {
    const v = mine.map((r) => r.metrics[k]).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  console.log(`${m.padEnd(8)} mean of ${mine.length}: ${metrics.map((k) => `${k} ${f(mean(k))}`).join("  ")}`);
}
console.log(`results and report in ${out}`);
