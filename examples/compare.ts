/**
 * A comparison run programmatically: `runCompare` (what `sdgm compare` calls) fits two zoo
 * models on the same data, splits and seeds, then writes results.json, results.csv, the report
 * index.html, per-run artefacts and checkpoints into a temporary directory.
 *
 *   node packages/cli/bin/run-ts.js examples/compare.ts [--smoke]
 *
 * The command-line equivalent:
 *   sdgm compare --models sparseVae,vae --data "synthetic:moran?rho=0.6" --seeds 2 --epochs 20 --out <dir>
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare } from "../packages/cli/src/compare.js";

const smoke = process.argv.includes("--smoke");
const out = mkdtempSync(join(tmpdir(), "sdgm-compare-"));
const data = "synthetic:moran?rho=0.6";
const epochs = smoke ? 2 : 40;
const seeds = smoke ? [0] : [0, 1, 2];

const spec = {
  entries: [
    { model: "sparseVae", data, epochs },
    { model: "vae", data, epochs },
  ],
  seeds,
  out,
  jobs: 1, // > 1: each (model, data) job in its own worker thread
  replicas: true, // the seeds of a job train as replicas of one vectorised program
  progress: false,
  title: "sparseVae vs vae on synthetic:moran?rho=0.6",
};
const rows = await runCompare(spec);
for (const r of rows) {
  const m = r.metrics;
  console.log(
    `${r.model.padEnd(10)} seed ${r.seed}: heldoutMse ${m.heldoutMse?.toFixed(3)}  supportF1 ${m.supportF1?.toFixed(3)}  mcc ${m.mcc?.toFixed(3)}  ` +
      `(${r.train.steps} steps, ${r.train.msPerStep} ms/step, ${r.train.backend})`,
  );
}
console.log(`wrote ${readdirSync(out).join(", ")} in ${out}`);

// Resume: a second call finds every (model, data, seed) row in results.json and fits nothing;
// it only rewrites the report.
const t0 = Date.now();
await runCompare(spec);
const again = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as unknown[];
console.log(`re-run with nothing left to fit: ${again.length} rows, ${((Date.now() - t0) / 1000).toFixed(1)} s (report only)`);
