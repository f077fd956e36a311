/**
 * One reduced-size `sdlgm` fit (refine on, its default), its per-epoch validation losses and the
 * held-out evaluate() numbers, for comparing two commits on the same seed. Exploration only.
 *
 *   node packages/cli/bin/run-ts.js bench/refine-elbo-check.ts [steps] [seed]
 */
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zooEntry } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";

const [steps, seed] = [Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 0)];
await initBackend("wasm");
const ds = await loadData("synthetic:sparse-linear");
const model = zooEntry("sdlgm").build({ features: ds.g, kind: ds.kind });
const program = compile(model, { seed });
const x = observedTensor(model, ds, ds.split.train.slice(0, 3000));
const validation: number[] = [];
await program.fit(x, { epochs: 1000, maxSteps: steps, batchSize: 128, learningRate: 3e-3, validationFraction: 0.1, onEpoch: (i) => validation.push(i.validationLoss!) });
const xt = observedTensor(model, ds, ds.split.test.slice(0, 1000));
const ev = program.evaluate(xt, { seed });
console.log(
  JSON.stringify({
    steps,
    seed,
    refine: (model.ir.meta.config as { refine: boolean }).refine,
    validation: validation.map((v) => +v.toFixed(4)),
    heldoutMse: ev.heldoutMse,
    heldoutMseMean: ev.heldoutMseMean,
    elbo: ev.elbo,
  }),
);
