// vscClass's class-consistency weight λ swept over {0.1, 1, 10} against plain `vsc` (issue 7,
// specs/vsc.md b1), on Smiley with its 16 presence patterns as class labels or on Fashion-MNIST with
// its 10 classes: withinClassJaccard should rise with λ while the test ELBO changes by less than 5%.
// Every run uses the same class-balanced minibatches (two members of each class), so the rows
// differ only in the loss. Weight "vsc" is the plain `vsc` entry with vscClass's spike head and c
// schedule (the fair baseline: only the class term differs); "vscReference" is `vsc` with
// `variant: "reference"` (the papers' relu spike head, c = 50). Head, c schedule and class warm-up
// default to the entries' defaults (the sigmoid head, c from 50 to 200 over the run, λ warmed up
// over 40 % of it; zoo/src/vsc.ts), resolved against this run's steps.
// usage: node packages/cli/bin/run-ts.js bench/vsc-class-sweep.ts [--data smiley|fashion] [--weights vsc,0.1,1,10]
//   [--n 20000] [--epochs 20] [--latents 40] [--hidden 400] [--alpha 0.01] [--likelihood gaussianHeads]
//   [--noise 0.03] [--init 0.5] [--warmup 0.2,0.3] [--classWarmup 3750 (steps)] [--klWarmup 0 (fraction)] [--variant pairs|centroid]
//   [--head relu|sigmoid] [--sharpness 50|50:200 (linear over the whole run)] [--seed 0]
//   [--matrix docs/zoo/img/vsc-class-matrix.svg]: the class × class mean-Jaccard matrix of each row's test codes
// (one weight per process runs the sweep on both cores: `--weights vsc,0.1 & --weights 1,10`)
import { parseArgs } from "node:util";
import { tf, initBackend, linear } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { evaluateProgramWithPanels } from "@sparse-dgm/metrics";
import { matrixHeatmapSpec, renderSpecToSvg, type MatrixPanel } from "@sparse-dgm/viz";
import { writeFileSync } from "node:fs";

const { values: a } = parseArgs({
  options: {
    data: { type: "string", default: "smiley" },
    weights: { type: "string", default: "vsc,0.1,1,10" },
    n: { type: "string", default: "20000" },
    epochs: { type: "string" },
    latents: { type: "string" },
    hidden: { type: "string", default: "400" },
    alpha: { type: "string", default: "0.01" },
    likelihood: { type: "string" },
    noise: { type: "string", default: "0.03" },
    init: { type: "string" },
    warmup: { type: "string" },
    classWarmup: { type: "string" },
    klWarmup: { type: "string" },
    variant: { type: "string", default: "pairs" },
    head: { type: "string" },
    sharpness: { type: "string" },
    seed: { type: "string", default: "0" },
    matrix: { type: "string" },
  },
});
const backend = await initBackend();
const fm = "/usr/share/datasets/fashion-mnist";
const fashion = a.data === "fashion";
const ds = await loadData(
  fashion
    ? `idx:${fm}/train-images-idx3-ubyte.gz?labels=${fm}/train-labels-idx1-ubyte.gz&testImages=${fm}/t10k-images-idx3-ubyte.gz&testLabels=${fm}/t10k-labels-idx1-ubyte.gz`
    : `synthetic:smiley?n=${a.n}&seed=0`,
);
// Fashion: the 784-400-200 recipe; Smiley: the recipe of docs/zoo/vsc.md (Gaussian decoder heads, γ0 = 0.5, spike pre-training).
const batchSize = fashion ? 32 : 100;
const epochs = Number(a.epochs ?? (fashion ? 5 : 20));
const steps = Math.ceil(ds.split.train.length / batchSize) * epochs;
const [ws, we] = (a.warmup ?? (fashion ? "0,0" : "0.2,0.3")).split(",").map(Number);
const base = {
  features: ds.g,
  latents: Number(a.latents ?? (fashion ? 200 : 40)),
  hidden: Number(a.hidden),
  alpha: Number(a.alpha),
  likelihood: a.likelihood ?? (fashion ? "bernoulli" : "gaussianHeads"),
  noiseScale: Number(a.noise),
  // unset: the entries' defaults (the sigmoid head; c from 50 to 200 over the run's steps, given as `run`)
  ...(a.head === undefined ? {} : { spikeHead: a.head }),
  // "50" or "50:200" (linear over the run, the paper's c schedule)
  ...(a.sharpness === undefined ? {} : { sharpness: a.sharpness.includes(":") ? linear({ from: Number(a.sharpness.split(":")[0]), to: Number(a.sharpness.split(":")[1]), steps }) : Number(a.sharpness) }),
  run: { steps },
  ...(a.init ?? (fashion ? undefined : "0.5") ? { inclusionInit: Number(a.init ?? 0.5) } : {}),
  // the KL warm-up as a fraction of the run: 0 unless given (the sweep in docs/zoo/vsc.md ran without; the entries' default is 0.5)
  klWarmup: Number(a.klWarmup ?? 0),
  warmupStartSteps: Math.round(ws * steps),
  warmupEndSteps: Math.round(we * steps),
};
const labels = tf.tensor1d(Array.from(ds.split.train, (i) => ds.labels![i]), "int32");
const rows: Array<Record<string, number | string | boolean>> = [];
const panels: MatrixPanel[] = [];
// Fashion-MNIST's super-categories (specs/vsc.md b1 §3): tops {T-shirt, pullover, coat, shirt}, shoes {sandal, sneaker, ankle boot}
const superCategories = fashion ? [[0, 2, 4, 6], [5, 7, 9]] : [];
const FASHION = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];
for (const w of a.weights!.split(",")) {
  const plain = w === "vsc" || w === "vscReference";
  // "vscReference": the vsc entry's reference variant (the papers' spike head and c), everything else as the sweep
  const { spikeHead: _h, sharpness: _c, ...shared } = base as typeof base & { spikeHead?: string; sharpness?: unknown };
  const model =
    w === "vscReference"
      ? zoo.vsc.build({ ...shared, variant: "reference" } as never)
      : plain
        ? zoo.vsc.build(base as never)
        : zoo.vscClass.build({ ...base, classWeight: Number(w), classVariant: a.variant, ...(a.classWarmup === undefined ? {} : { classWarmupSteps: Number(a.classWarmup) }) } as never);
  const program = compile(model, { seed: Number(a.seed), normalisation: "elbo", encoderHidden: [base.hidden] });
  const t0 = Date.now();
  const train = { x: observedTensor(model, ds, ds.split.train), label: labels };
  await program.fit(train as never, { epochs, batchSize, learningRate: 1e-3, balanceBy: "label" });
  const seconds = (Date.now() - t0) / 1000;
  // the class matrix comes with the metrics (one O(n²) pass over the test codes)
  const evaluated = evaluateProgramWithPanels(program, ds, { metrics: ["elbo", "elboHard", "withinClassJaccard", "betweenClassJaccard", "meanActiveSize", "emptyCodeFraction", "distinctActiveSets", "activeUnits", "linearProbeAccuracy"] });
  const m = evaluated.metrics[0];
  const row = {
    model: plain ? w : "vscClass",
    weight: plain ? 0 : Number(w),
    seconds,
    elbo: m.elbo ?? NaN,
    elboHard: m.elboHard ?? NaN,
    withinClassJaccard: m.withinClassJaccard ?? NaN,
    betweenClassJaccard: m.betweenClassJaccard ?? NaN,
    meanActiveSize: m.meanActiveSize ?? NaN,
    distinctActiveSets: m.distinctActiveSets ?? NaN,
    activeUnits: m.activeUnits ?? NaN,
    probeAccuracy: m.linearProbeAccuracy ?? NaN,
    emptyCodeFraction: m.emptyCodeFraction ?? NaN,
  };
  const { classJaccard: M, classNames } = evaluated.panels[0] ?? {};
  if (a.matrix && !(M && classNames)) console.log(`${w}: no class matrix (degenerate code, see distinctActiveSets / emptyCodeFraction)`);
  if (a.matrix && M && classNames) {
    const name = (c: string) => (fashion ? `${c} ${FASHION[Number(c)]}` : c);
    panels.push({ title: plain ? `${w} (λ = 0)` : `vscClass λ = ${w}`, matrix: M, scale: "probability", legend: "Jaccard", rowNames: classNames.map(name), rowTitle: "class", colTitle: "class" });
    // mean Jaccard within the super-categories (off-diagonal) against pairs of classes from different ones
    const inSuper = (p: number, q: number) => superCategories.some((g) => g.includes(p) && g.includes(q));
    const within: number[] = [], across: number[] = [];
    for (let p = 0; p < M.length; p++) for (let q = p + 1; q < M.length; q++) (inSuper(p, q) ? within : across).push(M[p][q]);
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
    if (superCategories.length) Object.assign(row, { superCategoryJaccard: mean(within), otherClassPairsJaccard: mean(across) });
  }
  rows.push(row);
  console.log(JSON.stringify(row));
  program.dispose?.();
}
const ref = rows.find((r) => r.model === "vsc");
for (const r of rows) {
  const change = ref ? ` (${((100 * ((r.elbo as number) - (ref.elbo as number))) / Math.abs(ref.elbo as number)).toFixed(2)}% vs vsc)` : "";
  console.log(`${r.model} λ=${r.weight}: withinClassJaccard ${(r.withinClassJaccard as number).toFixed(3)}, between ${(r.betweenClassJaccard as number).toFixed(3)}, test ELBO ${(r.elbo as number).toFixed(2)}${change}`);
}
if (a.matrix) {
  writeFileSync(a.matrix, await renderSpecToSvg(matrixHeatmapSpec(panels, { title: `Mean Jaccard of active sets between test points of two classes (${a.data}, seed ${a.seed})` })));
  console.log(`wrote ${a.matrix}`);
}
console.log(JSON.stringify({ backend, data: a.data, n: ds.n, epochs, config: base, seed: Number(a.seed), rows }));
