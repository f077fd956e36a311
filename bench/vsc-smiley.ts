// VSC on Smiley (issue 7, specs/vsc.md b0 §3): trains a VSC entry on synthetic:smiley, counts the
// active latents, and computes |corr| between the 18 presence-masked sources |s_i·a_i| and the codes
// |E[z_j]| = |γ_j μ_j|; writes the heatmap (latents ordered by their best source) and prints a JSON
// summary with a block-structure score.
// usage: node packages/cli/bin/run-ts.js bench/vsc-smiley.ts [--model vsc] [--n 20000] [--epochs 15]
//   [--latents 40] [--hidden 400] [--batch 100] [--alpha 0.01] [--likelihood bernoulli|gaussian|gaussianHeads]
//   [--noise 0.1] [--warmup 0.5,0.7] [--lr 1e-3] [--sharpness 50|50:200] [--init γ0] [--seed 0] [--out docs/zoo/img/vsc-smiley-corr.svg]
// (warm-up: the slab is N(0, 1) noise until that fraction of the steps, then ramps in; specs/vsc.md)
import { writeFileSync, mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { tf, initBackend, linear } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { activeUnits, classJaccard } from "@sparse-dgm/metrics";
import { matrixHeatmapSpec, renderSpecToSvg } from "@sparse-dgm/viz";

const { values: a } = parseArgs({
  options: {
    model: { type: "string", default: "vsc" },
    n: { type: "string", default: "20000" },
    epochs: { type: "string", default: "15" },
    latents: { type: "string", default: "40" },
    hidden: { type: "string", default: "400" },
    batch: { type: "string", default: "100" },
    alpha: { type: "string", default: "0.01" },
    likelihood: { type: "string", default: "bernoulli" },
    noise: { type: "string", default: "0.1" },
    warmup: { type: "string", default: "0.5,0.7" },
    lr: { type: "string", default: "1e-3" },
    sharpness: { type: "string", default: "50" },
    init: { type: "string" },
    trace: { type: "boolean", default: false },
    head: { type: "string", default: "relu" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "docs/zoo/img/vsc-smiley-corr.svg" },
  },
});
const out = a.out!;
const backend = await initBackend();
const ds = await loadData(`synthetic:smiley?n=${a.n}&seed=0`);
const J = Number(a.latents);
const batchSize = Number(a.batch);
const steps = Math.ceil(ds.split.train.length / batchSize) * Number(a.epochs);
const [ws, we] = a.warmup!.split(",").map(Number);
const config = {
  features: ds.g,
  latents: J,
  hidden: Number(a.hidden),
  alpha: Number(a.alpha),
  likelihood: a.likelihood,
  noiseScale: Number(a.noise),
  spikeHead: a.head,
  // "50" or "50:200" (linear over the run, the paper's schedule)
  sharpness: a.sharpness!.includes(":") ? linear({ from: Number(a.sharpness!.split(":")[0]), to: Number(a.sharpness!.split(":")[1]), steps }) : Number(a.sharpness),
  ...(a.init ? { inclusionInit: Number(a.init) } : {}),
  warmupStartSteps: Math.round(ws * steps),
  warmupEndSteps: Math.round(we * steps),
};
const model = zoo[a.model!].build(config as never);
const program = compile(model, { seed: Number(a.seed), normalisation: "elbo", encoderHidden: [Number(a.hidden)] });
const t0 = Date.now();
// --trace: after each epoch, the codes of 1,000 test images: active latents, active per image, distinct sets
const probe = observedTensor(model, ds, Array.from(ds.split.test).slice(0, 1000));
const probeLabels = Array.from(ds.split.test).slice(0, 1000).map((i) => ds.labels![i]);
const fit = await program.fit(observedTensor(model, ds, ds.split.train), {
  epochs: Number(a.epochs),
  batchSize,
  learningRate: Number(a.lr),
  onEpoch: a.trace
    ? ({ epoch, loss }) => {
        const g = tf.tidy(() => tf.reshape(program.encode(probe).z.activity!, [1000, J]).arraySync() as number[][]);
        const used = Array.from({ length: J }, (_, j) => g.filter((r) => r[j] > 0.5).length);
        const r = classJaccard(g, probeLabels);
        console.log(JSON.stringify({ epoch, loss: +loss.toFixed(2), active: used.filter((u) => u >= 10).length, always: used.filter((u) => u >= 990).length, perImage: +(used.reduce((x, y) => x + y, 0) / 1000).toFixed(2), distinct: r.distinctActiveSets, within: +r.withinClassJaccard.toFixed(3), between: +r.betweenClassJaccard.toFixed(3) }));
      }
    : undefined,
});
const seconds = (Date.now() - t0) / 1000;
const test = Array.from(ds.split.test);
const codes = program.encode(observedTensor(model, ds, ds.split.test)).z;
const mean = (await tf.reshape(codes.mean, [test.length, J]).array()) as number[][];
const gamma = (await tf.reshape(codes.activity!, [test.length, J]).array()) as number[][];
const truth = ds.truth!.z!;
const S = 18;
const src = test.map((r) => Array.from({ length: S }, (_, s) => Math.abs(truth[r * S + s])));
const present = test.map((r) => Array.from({ length: S }, (_, s) => (ds.truth!.rowSupport![r * S + s] ? 1 : 0)));
// Active latents: used (γ > 0.5) by at least 1% of test images.
const use = Array.from({ length: J }, (_, j) => gamma.reduce((a, row) => a + (row[j] > 0.5 ? 1 : 0), 0) / test.length);
const active = use.map((u, j) => (u >= 0.01 ? j : -1)).filter((j) => j >= 0);
const corr = (a: number[], b: number[]) => {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? Math.abs(sab / Math.sqrt(saa * sbb)) : 0;
};
const C = Array.from({ length: S }, (_, s) => Array.from({ length: J }, (_, j) => corr(src.map((r) => r[s]), mean.map((r) => Math.abs(r[j])))));
// Within presence: |corr(|s_i|, |E z_j|)| over the test images where source i's attribute is present
// (presence itself explains the plain matrix's uniform blocks; this asks which latent holds which source).
const Cin = Array.from({ length: S }, (_, s) => {
  const rows = present.map((p, i) => (p[s] ? i : -1)).filter((i) => i >= 0);
  return Array.from({ length: J }, (_, j) => corr(rows.map((i) => src[i][s]), rows.map((i) => Math.abs(mean[i][j]))));
});
const blocks = (ds.truth!.extra as { blocks: Array<{ name: string; start: number; end: number }> }).blocks;
const blockOf = (s: number) => blocks.findIndex((b) => s >= b.start && s < b.end);
// Block structure: for each active latent, the share of its |corr| mass inside its best attribute.
const purity = active.map((j) => {
  const mass = blocks.map((b) => C.slice(b.start, b.end).reduce((a, row) => a + row[j], 0));
  const total = mass.reduce((a, b) => a + b, 0);
  return total > 0 ? Math.max(...mass) / total : 0;
});
const best = active.map((j) => {
  let s = 0;
  for (let i = 1; i < S; i++) if (C[i][j] > C[s][j]) s = i;
  return { j, s, block: blockOf(s), r: C[s][j] };
});
best.sort((a, b) => a.s - b.s || b.r - a.r);
const order = best.map((b) => b.j);
const au = activeUnits(mean);
const ev = program.evaluate(observedTensor(model, ds, ds.split.test));
const summary = {
  backend,
  n: ds.n,
  model: a.model,
  epochs: Number(a.epochs),
  steps,
  config,
  learningRate: Number(a.lr),
  warmup: [Math.round(ws * steps), Math.round(we * steps)],
  seconds,
  msPerStep: +fit.msPerStep.toFixed(2),
  testNegElbo: +(-ev.elbo[0]).toFixed(2),
  activeLatents: active.length,
  activeUnitsVariance: au.activeUnits,
  meanGamma: +(gamma.flat().reduce((a, b) => a + b, 0) / (test.length * J)).toFixed(4),
  jaccard: (() => {
    const r = classJaccard(gamma, test.map((i) => ds.labels![i]));
    return { within: +r.withinClassJaccard.toFixed(3), between: +r.betweenClassJaccard.toFixed(3), collapsed: r.collapsed };
  })(),
  meanActivePerImage: +(gamma.reduce((a, row) => a + row.filter((g) => g > 0.5).length, 0) / test.length).toFixed(2),
  blockPurity: +(purity.reduce((a, b) => a + b, 0) / Math.max(purity.length, 1)).toFixed(3),
  // sources some active latent tracks within presence (|corr| > 0.3), and the best such |corr| per source
  sourcesResolved: Cin.filter((row) => active.some((j) => row[j] > 0.3)).length,
  bestWithinPresence: Cin.map((row) => +Math.max(0, ...active.map((j) => row[j])).toFixed(2)),
  attributesCovered: new Set(best.filter((b) => b.r > 0.2).map((b) => b.block)).size,
  sourcesCovered: new Set(best.filter((b) => b.r > 0.2).map((b) => b.s)).size,
  bestCorrelations: best.map((b) => ({ latent: b.j, source: b.s, attribute: blocks[b.block].name, r: +b.r.toFixed(2) })),
};
console.log(JSON.stringify(summary));
const rowNames = Array.from({ length: S }, (_, s) => `${blocks[blockOf(s)].name} ${s - blocks[blockOf(s)].start + 1}`);
const spec = matrixHeatmapSpec(
  [
    { title: "|corr(|source·presence|, |E z|)|", matrix: C.map((row) => order.map((j) => row[j])), scale: "probability", legend: "|corr|", rowNames, rowTitle: "source", colTitle: "latent" },
    { title: "within presence: |corr(|source|, |E z|)|", matrix: Cin.map((row) => order.map((j) => row[j])), scale: "probability", legend: "|corr|", rowNames, rowTitle: "source", colTitle: "latent" },
  ],
  { title: `${a.model} on Smiley: ${active.length} active latents of ${J} (ordered by best source)` },
);
mkdirSync(out.replace(/\/[^/]*$/, ""), { recursive: true });
writeFileSync(out, await renderSpecToSvg(spec));
console.log(`wrote ${out}`);
