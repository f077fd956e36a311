/**
 * Quickstart: declare a small model in the DSL, draw data from it with known weights, fit it with
 * `compile(...).fit`, and print what it learned.
 *
 *   node packages/cli/bin/run-ts.js examples/quickstart.ts [--smoke]
 *
 * The model: x = z · Wᵀ + noise, with z [data, factor] ~ N(0, 1) and W [feature, factor] a global.
 * Values broadcast by plate (canonical layout): z is [B, 1, K], W is [1, G, K], so
 * sum(z * W, -1, keepDims) is [B, G, 1], the canonical layout of x in plates [data, feature].
 */
import { tf, model, initBackend, Key, seed, substitute, trace } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";

const smoke = process.argv.includes("--smoke");
const backend = await initBackend();

const G = 4;
const K = 2;
const m = model("linear-gaussian")
  .plate("data")
  .plate("feature", G)
  .plate("factor", K)
  .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
  .global("W", () => normal(0, 1), { plates: ["feature", "factor"] })
  .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 0.3), { plates: ["data", "feature"] });

// Data from a known truth: substitute W, seed the random sites, trace one run.
const trueW = [
  [1, 0],
  [2, 0],
  [0, 1],
  [0, -1.5],
];
const n = smoke ? 200 : 2000;
const tr = trace(seed(substitute(m, { W: trueW }), Key.of(7))).get({ plateSizes: { data: n } });
const x = tr.value("x"); // [n, G], the site layout of x
console.log(`backend ${backend}; data x ${JSON.stringify(x.shape)}`);

// Fit: an amortised Normal encoder for z, a point estimate for W.
const program = compile(m, { seed: 0 });
const fit = await program.fit(x, {
  epochs: smoke ? 3 : 60,
  batchSize: 100,
  learningRate: 1e-2,
  onEpoch: ({ epoch, loss }) => {
    if (smoke || epoch % 10 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(3)}`);
  },
});
console.log(`${fit.steps} steps, ${fit.msPerStep.toFixed(1)} ms/step, terms: ${program.termNames().join(", ")}`);

// What it learned: W W^T matches the truth, but W itself only up to a rotation of the factors (a
// Gaussian latent is rotation-invariant). Mask sites remove that freedom: examples/custom-mask-model.ts.
const { W } = program.globals();
console.log("learned W (feature x factor), true W is [[1,0],[2,0],[0,1],[0,-1.5]]:");
for (const row of W.arraySync() as number[][]) console.log("  " + row.map((v) => v.toFixed(2).padStart(6)).join(" "));
const ev = program.evaluate(x);
console.log(`training-data MSE ${ev.heldoutMse[0].toFixed(3)} (noise variance 0.09), ELBO/point ${ev.elbo[0].toFixed(3)}`);
const codes = program.encode(tf.slice(x, [0, 0], [3, G]));
console.log("posterior means of z for 3 rows:", JSON.stringify((codes.z.mean.arraySync() as number[][]).map((r) => r.map((v) => +v.toFixed(2)))));
tf.dispose([W, x, codes.z.mean]);
program.dispose();
