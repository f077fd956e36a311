// How the codes of `vsc` / `vscClass` form on Smiley at their defaults (issue 24): fits the entry
// as `sdgm` does (the run's steps passed to the build, class-balanced minibatches for vscClass,
// seeds as replicas) and, every half epoch, prints per seed the active-set statistics of 1,000 test
// images (mean active units per image, distinct sets, modal share, empty share, within / between-class
// Jaccard) and the term weights, so that one sees when a code becomes fixed.
// usage: node packages/cli/bin/run-ts.js bench/vsc-smiley-trace.ts <vsc|vscClass> <seeds, e.g. 0,2> ['{"alpha":0.05}'] [probe rows]
import { tf, initBackend } from "@sparse-dgm/core";
import { compile, observedTensor, sideData } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { activeSetStats, classJaccard } from "@sparse-dgm/metrics";

const [name = "vsc", seedList = "0", json = "{}", probeArg = "1000"] = process.argv.slice(2);
const entry = zoo[name];
if (!entry) throw new Error(`vsc-smiley-trace: no zoo entry ${JSON.stringify(name)}`);
const seeds = seedList.split(",").map(Number);
const overrides = JSON.parse(json) as Record<string, unknown>;
await initBackend();
const ds = await loadData("synthetic:smiley");
const { epochs, batchSize, learningRate, normalisation } = entry.training;
const nTrain = ds.split.train.length;
const perEpoch = Math.ceil(nTrain / batchSize);
const run = { steps: epochs * perEpoch };
const classes = ds.labels!.reduce((a, l) => Math.max(a, l + 1), 0);
const model = entry.build({ ...overrides, features: ds.g, kind: ds.kind, classes, run } as never);
const R = seeds.length;
const program = compile(model, R === 1 ? { seed: seeds[0], normalisation } : { seed: seeds, replicas: R, normalisation });
const probeRows = Array.from(ds.split.test).slice(0, Number(probeArg));
const probe = observedTensor(model, ds, probeRows);
const probeLabels = probeRows.map((i) => ds.labels![i]);
const J = (model.ir.meta.config as { latents: number }).latents;
const side = sideData(model, ds, ds.split.train);
const x = observedTensor(model, ds, ds.split.train);
const report = (step: number, weights: Record<string, number>, ms: number) => {
  const g = tf.tidy(() => tf.reshape(program.encode(probe).z.activity!, [R, probeRows.length, J]).arraySync() as number[][][]);
  g.forEach((rows, r) => {
    const s = activeSetStats(rows);
    const jac = classJaccard(rows, probeLabels);
    const f = (v: number) => (Number.isFinite(v) ? +v.toFixed(3) : v);
    console.log(
      JSON.stringify({
        seed: seeds[r],
        step,
        epoch: +(step / perEpoch).toFixed(2),
        perImage: f(s.meanActiveSize),
        distinct: s.distinctActiveSets,
        modal: f(s.modalSetFraction),
        empty: f(s.emptyFraction),
        used: s.usedLatents,
        within: f(jac.withinClassJaccard),
        between: f(jac.betweenClassJaccard),
        weights: Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, f(v)])),
        msPerStep: Math.round(ms),
      }),
    );
  });
};
const t0 = Date.now();
const every = Math.round(perEpoch / 2);
await program.fit(Object.keys(side).length ? { x, ...side } : x, {
  epochs,
  batchSize,
  learningRate,
  ...(entry.training.balanceBy ? { balanceBy: entry.training.balanceBy } : {}),
  onStep: (i) => {
    if ((i.step + 1) % every === 0 || i.step + 1 === run.steps) report(i.step + 1, i.weights, i.msPerStep);
  },
});
console.log(JSON.stringify({ name, seeds, overrides, steps: run.steps, seconds: (Date.now() - t0) / 1000 }));
