/**
 * Example: Variational Sparse Coding on Smiley (specs/vsc.md): `vsc` (fixed spike-and-slab prior),
 * `vscVampPrior` (pseudo-input recognition prior) and `vscClass` (class-consistency JSD over the 16
 * presence patterns as labels). Prints each model's test ELBO, mean γ, active latents and the
 * class-Jaccard scores (absent when the codes are degenerate: all inactive, or one fixed set).
 *
 *   node packages/cli/bin/run-ts.js examples/vsc.ts [--smoke] [--n 6000] [--epochs 10]
 */
import { tf, initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { computeMetrics } from "@sparse-dgm/metrics";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const backend = await initBackend();
const ds = await loadData(`synthetic:smiley?n=${smoke ? 400 : opt("--n", "6000")}&seed=0`);
const epochs = smoke ? 1 : Number(opt("--epochs", "10"));
const labelsOf = (idx: ArrayLike<number>) => tf.tensor1d(Array.from(idx, (i) => ds.labels![i]), "int32");
for (const name of ["vsc", "vscVampPrior", "vscClass"]) {
  // run: this fit's optimiser steps, which vsc's and vscClass's c schedule and class warm-up span
  const run = { steps: epochs * Math.ceil(ds.split.train.length / 100) };
  const model = zoo[name].build({ features: ds.g, latents: 40, hidden: smoke ? 64 : 400, run, ...(name === "vscVampPrior" ? { pseudoInputs: 10 } : {}) } as never);
  const program = compile(model, { seed: 0, normalisation: "elbo" });
  const x = observedTensor(model, ds, ds.split.train);
  const data = name === "vscClass" ? { x, label: labelsOf(ds.split.train) } : x;
  const fit = await program.fit(data as never, { epochs, batchSize: 100, learningRate: 1e-3 });
  const xTe = observedTensor(model, ds, ds.split.test);
  const ev = program.evaluate(xTe);
  const code = program.encode(xTe).z;
  const gamma = (await tf.reshape(code.activity!, [ds.split.test.length, -1]).array()) as number[][];
  const m = computeMetrics({ gamma, labelsTest: Array.from(ds.split.test, (i) => ds.labels![i]) });
  const meanGamma = gamma.flat().reduce((a, b) => a + b, 0) / gamma.flat().length;
  console.log(
    `${name.padEnd(13)} ${fit.steps} steps (${fit.msPerStep.toFixed(1)} ms/step, ${backend})  test ELBO ${ev.elbo[0].toFixed(2)}  mean γ ${meanGamma.toFixed(3)}  ` +
      `active/point ${m.meanActiveSize?.toFixed(2)}  distinct sets ${m.distinctActiveSets}  within-class Jaccard ${m.withinClassJaccard?.toFixed(3) ?? "absent (degenerate code)"}`,
  );
}
