// VSC on Fashion-MNIST (issue 7, specs/vsc.md b0 §4 anchor): 784-400-200, α 0.01, batch 32,
// Adam 1e-3, Bernoulli (cross-entropy on grey levels, as the PyTorch reference), 5 epochs.
// Prints after each epoch the test negative ELBO per image (codes drawn as in training: relaxed
// gates, the reference's measure) and with hard gates (the spike-and-slab model itself), the mean γ
// and active-set size on the test set, and the training time ("vae": the reference's VAE, for calibration). usage: node packages/cli/bin/run-ts.js bench/vsc-fashion.ts [model=vsc] [epochs=5] [limit] [seed=0] [config overrides as JSON, e.g. '{"inclusionInit":0.1}']
import { tf, initBackend, model as dslModel } from "@sparse-dgm/core";
import { normal, bernoulli } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";

const [modelName = "vsc", epochsArg = "5", limitArg, seedArg = "0", configArg] = process.argv.slice(2);
const overrides = configArg ? (JSON.parse(configArg) as Record<string, unknown>) : {};
const backend = await initBackend();
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
const model = modelName === "vae" ? fashionVae() : zoo[modelName].build({ features: ds.g, ...overrides } as never);
const program = compile(model, { seed: Number(seedArg), normalisation: "elbo", encoderHidden: [400] });
const train = observedTensor(model, ds, ds.split.train);
const test = observedTensor(model, ds, ds.split.test);
console.log(`${modelName} on Fashion-MNIST: ${ds.split.train.length} train, ${ds.split.test.length} test, backend ${backend}${configArg ? `, config ${configArg}` : ""}`);
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
console.log(JSON.stringify({ model: modelName, backend, epochs: Number(epochsArg), final: rows[rows.length - 1] }));
