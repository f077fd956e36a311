// vscClass's class-consistency weight λ swept over {0 (plain vsc), 0.1, 1, 10} (issue 7), on Smiley
// with its 16 presence patterns as class labels or on Fashion-MNIST with its 10 classes:
// withinClassJaccard should rise with λ while the test ELBO changes by less than 5%. Minibatches
// are class-balanced (two members of each class) for every λ.
// usage: node packages/cli/bin/run-ts.js bench/vsc-class-sweep.ts [n=6000] [epochs=10] [data=smiley|fashion] [weights=0,0.1,1,10]
// (one λ per process runs the sweep on both cores: ... fashion 0 & ... fashion 0.1 &)
import { initBackend } from "@sparse-dgm/core";
import { compile, observedTensor } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { loadData } from "@sparse-dgm/data";
import { evaluateProgram } from "@sparse-dgm/metrics";
import { tf } from "@sparse-dgm/core";

const [nArg = "6000", epochsArg = "10", dataArg = "smiley", weightsArg = "0,0.1,1,10"] = process.argv.slice(2);
const backend = await initBackend();
const fm = "/usr/share/datasets/fashion-mnist";
const fashion = dataArg === "fashion";
const ds = await loadData(
  fashion
    ? `idx:${fm}/train-images-idx3-ubyte.gz?labels=${fm}/train-labels-idx1-ubyte.gz&testImages=${fm}/t10k-images-idx3-ubyte.gz&testLabels=${fm}/t10k-labels-idx1-ubyte.gz`
    : `synthetic:smiley?n=${nArg}&seed=0`,
);
const batchSize = fashion ? 32 : 100;
const rows: Array<Record<string, number | string>> = [];
for (const weight of weightsArg.split(",").map(Number)) {
  const model = zoo.vscClass.build({ features: ds.g, latents: fashion ? 200 : 40, hidden: 400, classWeight: weight } as never);
  const program = compile(model, { seed: 0, normalisation: "elbo" });
  const t0 = Date.now();
  const train = { x: observedTensor(model, ds, ds.split.train), label: tf.tensor1d(Array.from(ds.split.train, (i) => ds.labels![i]), "int32") };
  await program.fit(train as never, { epochs: Number(epochsArg), batchSize, learningRate: 1e-3, balanceBy: "label" });
  const m = evaluateProgram(program, ds)[0];
  const row = { weight, seconds: (Date.now() - t0) / 1000, testElbo: m.elbo ?? NaN, withinClassJaccard: m.withinClassJaccard ?? NaN, betweenClassJaccard: m.betweenClassJaccard ?? NaN, meanActiveSetSize: m.meanActiveSetSize ?? NaN, probeAccuracy: m.linearProbeAccuracy ?? m.probeAccuracy ?? NaN };
  rows.push(row);
  console.log(JSON.stringify(row));
}
const base = rows[0].testElbo as number;
for (const r of rows) console.log(`λ=${r.weight}: withinClassJaccard ${(r.withinClassJaccard as number).toFixed(3)}, test ELBO ${(r.testElbo as number).toFixed(2)} (${((100 * ((r.testElbo as number) - base)) / Math.abs(base)).toFixed(2)}% vs λ=0)`);
console.log(JSON.stringify({ backend, data: dataArg, n: ds.n, epochs: Number(epochsArg), rows }));
