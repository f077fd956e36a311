// VSC on Fashion-MNIST (issue 7, specs/vsc.md b0 §4 anchor): 784-400-200, α 0.01, batch 32,
// Adam 1e-3, Bernoulli (cross-entropy on grey levels, as the PyTorch reference), 5 epochs.
// Prints after each epoch the test negative ELBO per image (codes drawn as in training: relaxed
// gates, the reference's measure) and with hard gates (the spike-and-slab model itself), the mean γ
// and active-set size on the test set, and the training time ("vae": the reference's VAE, for calibration). usage: node packages/cli/bin/run-ts.js bench/vsc-fashion.ts [model=vsc] [epochs=5] [limit] [seed=0] [config overrides as JSON, e.g. '{"inclusionInit":0.1}'; vsc runs its "reference" variant unless '{"variant":"default"}'] [--vs-torch]
import { tf, initBackend, backendThreads, parseThreads, model as dslModel } from "@sparse-dgm/core";
import { normal, bernoulli } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// --vs-torch: then run the PyTorch re-implementation (tools/reference/torch_vsc_fashion.py, Debian's
// python3-torch, one thread) on the same data, epochs and seed, and print the ms/step ratio.
// --steps N: time N training steps only (the median ms per step after the first 20, no evaluation);
// with --vs-torch, PyTorch at its default threads against ours at ours (every core: SDGM_THREADS
// or --threads to change), printed as `ratio <model> fashion vs torch@default`.
const vsTorch = process.argv.includes("--vs-torch");
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const stepsArg = flag("--steps");
const threadsArg = flag("--threads");
const positional = process.argv.slice(2).filter((x, i, all) => x !== "--vs-torch" && !["--steps", "--threads"].includes(x) && !["--steps", "--threads"].includes(all[i - 1]));
const [modelName = "vsc", epochsArg = "5", limitArg, seedArg = "0", configArg] = positional;
const overrides = configArg ? (JSON.parse(configArg) as Record<string, unknown>) : {};
const backend = await initBackend(undefined, threadsArg ? { threads: parseThreads(threadsArg, "--threads") } : {});
const dir = "/usr/share/datasets/fashion-mnist";
const ds = await loadData(
  `idx:${dir}/train-images-idx3-ubyte.gz?labels=${dir}/train-labels-idx1-ubyte.gz&testImages=${dir}/t10k-images-idx3-ubyte.gz&testLabels=${dir}/t10k-labels-idx1-ubyte.gz${limitArg ? `&limit=${limitArg}` : ""}`,
);
// "vae": the reference's VAE (784-400-200, one hidden layer each side with biases, Bernoulli
// cross-entropy on grey levels, no KL warm-up), declared here in the DSL: the zoo's `vae` is the
// Sparse VAE study's baseline (two decoder layers, the first without bias), not this one.
const fashionVae = () =>
  dslModel("fashionVae")
    .plate("data")
    .plate("feature", ds.g)
    .plate("factor", 200)
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
    .observe("x", ({ z }, ctx) => bernoulli({ logits: ctx.layout(ctx.mlp("decoder", { input: z, hidden: [400], output: ds.g }), ["data", "feature"]), targets: "fractional" }), {
      plates: ["data", "feature"],
    });
// vsc: the reference variant (the papers' relu spike head, c = 50), the settings the PyTorch re-implementation runs; '{"variant":"default"}' for the entry's defaults
const model = modelName === "vae" ? fashionVae() : zoo[modelName].build({ features: ds.g, ...(modelName === "vsc" ? { variant: "reference" } : {}), ...overrides } as never);
const program = compile(model, { seed: Number(seedArg), normalisation: "elbo", encoderHidden: [400] });
const train = observedTensor(model, ds, ds.split.train);
const test = observedTensor(model, ds, ds.split.test);
const threads = backendThreads() ?? 1;
console.log(`${modelName} on Fashion-MNIST: ${ds.split.train.length} train, ${ds.split.test.length} test, backend ${backend}${backend === "wasm" ? ` (${threads} thread${threads === 1 ? "" : "s"})` : ""}${configArg ? `, config ${configArg}` : ""}`);
if (stepsArg) {
  const n = Number(stepsArg);
  const times: number[] = [];
  await program.fit(train, { epochs: 1, batchSize: 32, learningRate: 1e-3, maxSteps: n, onStep: (st) => times.push(st.msPerStep) });
  const timed = times.slice(20).sort((a, b) => a - b);
  const ours = timed[Math.floor(timed.length / 2)];
  console.log(`${modelName} fashion: ${ours.toFixed(2)} ms/step (median of steps 21-${n}, ${backend}, ${threads} thread${threads === 1 ? "" : "s"})`);
  const summary: Record<string, unknown> = { model: modelName, backend, threads, steps: n, msPerStep: ours, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  if (vsTorch) {
    const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { encoding: "utf8" }).status === 0);
    const script = resolve(dirname(fileURLToPath(import.meta.url)), "../tools/reference/torch_vsc_fashion.py");
    if (!python || !["vsc", "vae"].includes(modelName)) console.log("--vs-torch: needs python3-torch and model vsc or vae; skipped");
    else {
      // PyTorch as a user runs it: no thread settings (the environment's OMP_NUM_THREADS and friends removed)
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OMP|MKL|OPENBLAS)_NUM_THREADS$/.test(k)));
      const r = spawnSync(python, [script, "--seed", seedArg, "--model", modelName, "--threads", "0", "--steps", String(n)], { encoding: "utf8", env });
      const line = r.stdout.split("\n").filter((l) => l.startsWith("{")).pop();
      if (r.status !== 0 || !line) console.log(`--vs-torch: the PyTorch run failed: ${r.stderr.slice(-500)}`);
      else {
        const theirs = JSON.parse(line) as { msPerStep: number; threads: number };
        summary.torch = theirs;
        console.log(`torch ${modelName} fashion@default: ${theirs.msPerStep.toFixed(2)} ms/step (torch threads ${theirs.threads}, its BLAS's own threads as it defaults)`);
        console.log(`ratio ${modelName} fashion vs torch@default: ${(ours / theirs.msPerStep).toFixed(2)}x (ours ${threads} thread${threads === 1 ? "" : "s"})`);
      }
    }
  }
  console.log(JSON.stringify(summary));
  process.exit(0);
}
let trainSeconds = 0;
const rows: Array<Record<string, number>> = [];
for (let e = 1; e <= Number(epochsArg); e++) {
  const r = await program.fit(train, { epochs: e, batchSize: 32, learningRate: 1e-3 });
  trainSeconds += r.seconds;
  const ev = program.evaluate(test);
  const codes = program.encode(test).z ?? Object.values(program.encode(test))[0];
  const row: Record<string, number> = { seed: Number(seedArg), epoch: e, testNegElbo: -ev.elbo[0] };
  if (ev.elboHard) row.testNegElboHard = -ev.elboHard[0];
  if (codes?.activity) {
    // γ on the test images: its mean, the active set size (γ > 0.5) and the units on for > 90% of images
    const g = (await codes.activity.array()) as number[][];
    const J = g[0].length;
    const on = Array.from({ length: J }, (_, j) => g.reduce((acc, row) => acc + (row[j] > 0.5 ? 1 : 0), 0) / g.length);
    row.meanGamma = g.reduce((acc, row) => acc + row.reduce((x, y) => x + y, 0), 0) / (g.length * J);
    row.meanActiveSetSize = on.reduce((x, y) => x + y, 0);
    row.unitsOnAlmostAlways = on.filter((v) => v > 0.9).length;
  }
  Object.assign(row, { trainSeconds, msPerStep: r.msPerStep });
  rows.push(row);
  console.log(JSON.stringify(row));
}
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
const final = rows[rows.length - 1];
const summary: Record<string, unknown> = { model: modelName, backend, epochs: Number(epochsArg), peakRssMb, final };
if (vsTorch) {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), "../tools/reference/torch_vsc_fashion.py");
  const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { encoding: "utf8" }).status === 0);
  if (!python || limitArg || configArg || !["vsc", "vae"].includes(modelName)) {
    console.log("--vs-torch: needs python3-torch, the full data (no limit), no config overrides, and model vsc or vae; skipped");
  } else {
    // ours on one thread: PyTorch on one (OMP_NUM_THREADS=1); ours on more: PyTorch at its defaults
    const atDefault = threads > 1;
    const env = atDefault ? Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OMP|MKL|OPENBLAS)_NUM_THREADS$/.test(k))) : { ...process.env, OMP_NUM_THREADS: "1" };
    const r = spawnSync(python, [script, "--seed", seedArg, "--epochs", epochsArg, "--model", modelName, "--threads", atDefault ? "0" : "1"], { encoding: "utf8", env });
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, number>);
    const theirs = lines[lines.length - 1];
    if (r.status !== 0 || !theirs) console.log(`--vs-torch: the PyTorch run failed: ${r.stderr.slice(-500)}`);
    else {
      const steps = Math.ceil(ds.split.train.length / 32) * Number(epochsArg);
      const torchMsPerStep = (theirs.trainSeconds * 1000) / steps;
      const oursMsPerStep = (trainSeconds * 1000) / steps;
      summary.torch = { ...theirs, msPerStep: Number(torchMsPerStep.toFixed(2)) };
      console.log(`torch ${modelName} fashion${atDefault ? "@default" : ""}: ${torchMsPerStep.toFixed(2)} ms/step, test -ELBO ${theirs.testNegElbo.toFixed(2)} (PyTorch ${python}, ${atDefault ? "its default threads" : "one thread"})`);
      console.log(`ratio ${modelName} fashion vs torch${atDefault ? "@default" : ""}: ${(oursMsPerStep / torchMsPerStep).toFixed(2)}x (ours ${oursMsPerStep.toFixed(2)} ms/step on ${backend}, ${threads} thread${threads === 1 ? "" : "s"}, same data, epochs and seed)`);
    }
  }
}
console.log(JSON.stringify(summary));
