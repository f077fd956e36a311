/**
 * Several writers, one output folder: three `sdgm compare` processes (as the array tasks of a
 * cluster's batch engine would be) write into one `--out` at the same time; every row is kept,
 * and results.json / results.csv / index.html hold all of them. Then two folders written apart
 * are joined with `sdgm merge`.
 *
 *   node packages/cli/bin/run-ts.js examples/shared-folder.ts [--smoke]
 *
 * The command-line equivalent of one task:
 *   sdgm compare --models vae --data "synthetic:moran?rho=0.2" --seeds 2 --epochs 20 --out runs/shared
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultStore } from "../packages/cli/src/results.js";

const smoke = process.argv.includes("--smoke");
const SDGM = join(process.cwd(), "packages/cli/bin/sdgm.js");
const backend = process.env.SDGM_BACKEND ?? "wasm";
const epochs = smoke ? "1" : "20";
const n = smoke ? 200 : 1000;

function sdgm(args: string[]): Promise<number | null> {
  const all = args[0] === "compare" ? [...args, "--backend", backend] : args;
  return new Promise((done) => spawn("node", [SDGM, ...all], { stdio: ["ignore", "ignore", "inherit"] }).on("exit", done));
}

// three tasks, one shared folder, all at once
const shared = mkdtempSync(join(tmpdir(), "sdgm-shared-"));
const tasks = [
  ["vae", `synthetic:moran?rho=0.2&n=${n}`],
  ["vae", `synthetic:moran?rho=0.6&n=${n}`],
  ["sparseVae", `synthetic:moran?rho=0.6&n=${n}`],
];
const codes = await Promise.all(tasks.map(([model, data]) => sdgm(["compare", "--models", model, "--data", data, "--seeds", "2", "--epochs", epochs, "--metrics", "elbo,heldoutMse", "--out", shared])));
const rows = JSON.parse(readFileSync(join(shared, "results.json"), "utf8")) as Array<{ model: string; data: string; seed: number; metrics: Record<string, number> }>;
console.log(`3 tasks into one folder (exit codes ${codes.join(", ")}): ${rows.length} rows in results.json, ${new ResultStore(shared).rows().length} in the store (rows/)`);
for (const r of rows) console.log(`  ${r.model.padEnd(10)} ${r.data.padEnd(30)} seed ${r.seed}: elbo ${r.metrics.elbo.toFixed(3)}`);
if (codes.some((c) => c !== 0) || rows.length !== tasks.length * 2) throw new Error("a task failed or a row is missing");

// two folders written apart, merged
const a = mkdtempSync(join(tmpdir(), "sdgm-task-a-"));
const b = mkdtempSync(join(tmpdir(), "sdgm-task-b-"));
await Promise.all([
  sdgm(["compare", "--models", "vae", "--data", `synthetic:sparse-linear?n=${n}`, "--seeds", "1", "--epochs", epochs, "--metrics", "elbo", "--out", a]),
  sdgm(["compare", "--models", "betaVae", "--data", `synthetic:sparse-linear?n=${n}`, "--seeds", "1", "--epochs", epochs, "--metrics", "elbo", "--out", b]),
]);
const merged = mkdtempSync(join(tmpdir(), "sdgm-merged-"));
const code = await sdgm(["merge", merged, a, b]);
const mrows = JSON.parse(readFileSync(join(merged, "results.json"), "utf8")) as unknown[];
console.log(`merged two folders (exit ${code}): ${mrows.length} rows; report ${join(merged, "index.html")}`);
if (code !== 0 || mrows.length !== 2) throw new Error("the merge lost a row");
