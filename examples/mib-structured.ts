/**
 * MIB-structured models (specs/mib-structured.md, reconstructed), the three measurements of
 * docs/zoo/mib-structured.md in one run:
 * - structure learning: `mibStructured` learns A_out (view × latent group) on `synthetic:two-view`
 *   with hard concrete gates under an L0 sparsity prior, scored by edgeF1 / edgeDensity against the
 *   true shared/private pattern, beside the same model without the sparsity prior (edgePenalty 0);
 * - cross-view prediction: each view predicted from the other (its expert switched off in the
 *   product of experts), against the prior-mean baseline (crossViewMse / crossViewBaselineMse);
 * - the fair instance `mibFair` against the unconstrained model on `synthetic:fair`:
 *   S-predictability from the codes (sensitiveProbeAccuracy vs sensitiveMajorityRate) and target
 *   accuracy (linearProbeAccuracy).
 *
 *   node packages/cli/bin/run-ts.js examples/mib-structured.ts [--smoke]
 *
 * The command-line equivalents are in docs/zoo/mib-structured.md.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCompare } from "../packages/cli/src/compare.js";

const smoke = process.argv.includes("--smoke");
const out = mkdtempSync(join(tmpdir(), "sdgm-mib-"));
const twoView = smoke ? "synthetic:two-view?n=400" : "synthetic:two-view";
const fairData = smoke ? "synthetic:fair?n=400" : "synthetic:fair";
const epochs = smoke ? 2 : undefined; // the entries' own settings
const structure = ["edgeF1", "edgeDensity", "crossViewMse", "crossViewBaselineMse", "heldoutMse"];
const fairness = ["linearProbeAccuracy", "sensitiveProbeAccuracy", "sensitiveMajorityRate", "demographicParityGap"];
const unconstrained = { latentGroups: 1, groupDim: 4, learnDecoderMask: false, decoderMask: [[1]], encoderMask: [[1]], availability: "none" };
const runs: Array<{ label: string; model: string; data: string; metrics: string[]; config?: Record<string, unknown>; epochs?: number }> = [
  { label: "mibStructured (L0 sparsity prior)", model: "mibStructured", data: twoView, metrics: structure, epochs },
  { label: "mibStructured (no sparsity prior)", model: "mibStructured", data: twoView, metrics: structure, epochs, config: { edgePenalty: 0 } },
  { label: "mibFair", model: "mibFair", data: fairData, metrics: fairness, epochs },
  { label: "unconstrained", model: "mibStructured", data: fairData, metrics: fairness, epochs: epochs ?? 50, config: unconstrained },
];
for (const [i, run] of runs.entries()) {
  // one comparison per run: the same (model, data) with other settings needs its own folder
  const rows = await runCompare({
    entries: [{ model: run.model, data: run.data, epochs: run.epochs, metrics: run.metrics, ...(run.config ? { config: run.config } : {}) }],
    seeds: smoke ? [0] : [0, 1, 2, 3, 4],
    out: join(out, String(i)),
    jobs: 1,
    replicas: true,
    progress: false,
    title: run.label,
  });
  for (const r of rows) {
    const m = r.metrics;
    const f = (k: string) => (m[k] === undefined ? "—" : m[k].toFixed(3));
    if (run.data === twoView) {
      console.log(`${run.label.padEnd(36)} seed ${r.seed}: edgeF1 ${f("edgeF1")}  edgeDensity ${f("edgeDensity")}  crossViewMse ${f("crossViewMse")} (prior mean ${f("crossViewBaselineMse")})`);
      if (m.edgeF1 === undefined || m.crossViewMse === undefined) throw new Error(`${run.label}: the structure metrics are missing`);
    } else {
      console.log(`${run.label.padEnd(36)} seed ${r.seed}: target acc ${f("linearProbeAccuracy")}  S-probe ${f("sensitiveProbeAccuracy")} (majority ${f("sensitiveMajorityRate")})  DP gap ${f("demographicParityGap")}`);
      if (m.sensitiveProbeAccuracy === undefined) throw new Error(`${run.label}: the fairness metrics are missing`);
    }
  }
}
console.log(`results and report in ${out}`);
