/**
 * One SDLGM-style fit on synthetic:sparse-linear?n=3000 for a fixed number of steps, printing the
 * objective's terms every 50 steps and the code metrics at the end, with the held-out level
 * confusion (the recipe tables of docs/zoo/sdlgm.md).
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-recipe.ts [model] [config JSON] [steps] [learning rate] [data source] [seed]
 *   node packages/cli/bin/run-ts.js bench/sdlgm-recipe.ts sdlgm '{"straightThrough":true}' 600 3e-3
 */
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zooEntry } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { evaluateProgram, evaluateProgramWithPanels } from "@sparse-dgm/metrics";

const [name, extra, steps, lr] = [process.argv[2] ?? "sdlgm", process.argv[3] ?? "{}", Number(process.argv[4] ?? 600), Number(process.argv[5] ?? 3e-3)];
const source = process.argv[6] ?? "synthetic:sparse-linear?n=3000";
const seed = Number(process.argv[7] ?? 0);
await initBackend("wasm");
const ds = await loadData(source);
const model = zooEntry(name).build({ features: ds.g, kind: ds.kind, ...JSON.parse(extra) });
const program = compile(model, { seed });
const x = observedTensor(model, ds, ds.split.train);
await program.fit(x, {
  epochs: 1000,
  maxSteps: steps,
  batchSize: 128,
  learningRate: lr,
  onStep: (i) => {
    if (i.step % 50 === 0) console.log(i.step, JSON.stringify(Object.fromEntries(Object.entries(i.terms).map(([k, v]) => [k, +v.toFixed(2)]))));
  },
});
const {
  metrics: [r],
  panels: [panel],
} = evaluateProgramWithPanels(program, ds, { metrics: ["heldoutMse", "heldoutMseMean", "mcc", "levelAccuracy", "codeSupportPrecision", "codeSupportRecall", "codeSupportF1", "meanActiveSize"] });
console.log(name, extra, steps, lr, source, seed, JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(3)]))));
// the held-out level confusion, rows the true level L = 1..L0, columns the predicted |b̂| = 0.., each row's shares
if (panel?.levelConfusion) panel.levelConfusion.forEach((row, l) => console.log(`  true L = ${l + 1}: |b̂| shares ${row.map((v) => v.toFixed(2)).join(" ")}`));
// the same metrics on the training rows (a gap to the held-out ones is overfitting, not the relaxation)
const [tr] = evaluateProgram(program, { ...ds, split: { train: ds.split.train, test: ds.split.train } }, { metrics: ["heldoutMse", "heldoutMseMean", "codeSupportF1"] });
console.log("train rows", JSON.stringify(Object.fromEntries(Object.entries(tr).map(([k, v]) => [k, +v.toFixed(3)]))));
x.dispose();
program.dispose();
