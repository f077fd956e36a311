/**
 * SDLGM's supervised multi-label variant (specs/sdlgm.md §1, reconstructed) against its two
 * baselines on the synthetic tags with known tag counts: `sdlgmTags` predicts L̂ = argmax q(L | x)
 * and the top-L̂ tags (an adaptive number of tags per row), `topKTags` the top k for every row
 * (k = the rounded mean training tag count), `binaryRelevance` every tag whose sigmoid exceeds 0.5;
 * `topKExampleF1` is each model's scores read as a fixed top-k prediction (for `binaryRelevance`, the
 * top-k-of-binary-relevance baseline).
 *
 *   node packages/cli/bin/run-ts.js examples/multi-label.ts [--smoke]
 *
 * The command-line equivalent:
 *   sdgm compare --models sdlgmTags,topKTags,binaryRelevance --data synthetic:tags --seeds 3 --out <dir>
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare } from "../packages/cli/src/compare.js";

const smoke = process.argv.includes("--smoke");
const out = mkdtempSync(join(tmpdir(), "sdgm-multi-label-"));
const data = smoke ? "synthetic:tags?n=600&tags=20&l0=4" : "synthetic:tags";
const epochs = smoke ? 2 : undefined; // the entries' own 50 epochs
const metrics = ["precisionAt1", "precisionAt3", "precisionAt5", "exampleF1", "topKExampleF1", "hammingLoss", "meanPredictedTags", "meanTrueTags", "levelAccuracy", "capViolations"];
const rows = await runCompare({
  entries: ["sdlgmTags", "topKTags", "binaryRelevance"].map((model) => ({ model, data, epochs, metrics })),
  seeds: smoke ? [0] : [0, 1, 2],
  out,
  jobs: 1,
  replicas: true,
  progress: false,
  title: `multi-label prediction on ${data}`,
});
for (const r of rows) {
  const m = r.metrics;
  const f = (k: string) => (m[k] === undefined ? "—" : m[k].toFixed(3));
  console.log(
    `${r.model.padEnd(16)} seed ${r.seed}: P@1 ${f("precisionAt1")}  P@3 ${f("precisionAt3")}  exampleF1 ${f("exampleF1")} (top-k of its scores ${f("topKExampleF1")})  Hamming ${f("hammingLoss")}  ` +
      `tags/row ${f("meanPredictedTags")} (true ${f("meanTrueTags")})  capViolations ${f("capViolations")}`,
  );
  // the capped models never predict more than L0 tags
  if (r.model !== "binaryRelevance" && m.capViolations !== 0) throw new Error(`${r.model}: capViolations ${m.capViolations}, expected 0`);
}
console.log(`results and report in ${out}`);
