/**
 * The handlers on a small model: trace, seed, condition, substitute, intervene (do), mask, scale,
 * block and replay; and the one-line shape error.
 *
 *   node packages/cli/bin/run-ts.js examples/handlers.ts [--smoke]
 */
import { tf, model, initBackend, Key, trace, seed, condition, substitute, intervene, mask, scale, block, replay } from "@sparse-dgm/core";
import { normal, laplace } from "@sparse-dgm/distributions";
import "@sparse-dgm/nn"; // registers ctx.maskedDecoder and ctx.mlp

const smoke = process.argv.includes("--smoke");
await initBackend();
const N = smoke ? 5 : 100;
const G = 3;
const K = 2;

const m = model("handlers-demo")
  .plate("data")
  .plate("feature", G)
  .plate("factor", K)
  .mask("W", () => laplace(0, 1), { rows: "feature", cols: "factor" })
  .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
  .deterministic("zNorm", ({ z }) => tf.sqrt(tf.sum(tf.square(z), -1, true)), { plates: ["data"] })
  .observe("x", ({ z, W }, ctx) => normal(ctx.maskedDecoder("f", { input: z, mask: W, hidden: [8] }), 0.5), { plates: ["data", "feature"] });

const show = (label: string, t: tf.Tensor) => console.log(`${label}: ${JSON.stringify(t.shape)} ${JSON.stringify(Array.from(t.dataSync()).slice(0, 4).map((v) => +v.toFixed(3)))}`);

// trace + seed: run the model forward; the same key gives the same trace.
const tr = trace(seed(m, Key.of(0))).get({ plateSizes: { data: N } });
console.log("trace.formatShapes():\n" + tr.formatShapes());
show("x (site layout [data, feature])", tr.value("x"));
const again = trace(seed(m, Key.of(0))).get({ plateSizes: { data: N } });
console.log("same key, same x:", tf.equal(tr.value("x"), again.value("x")).all().dataSync()[0] === 1);
show("log joint", tr.logJoint());

// condition: observe x (the data plate's size now comes from the data).
const x = tr.value("x");
const conditioned = trace(seed(condition(m, { x }), Key.of(1))).get();
console.log("condition: x observed =", conditioned.site("x").observed);

// substitute: fix W without observing it (its prior density still counts).
const W = [
  [1, 0],
  [0, 1],
  [1, 1],
];
const sub = trace(seed(substitute(m, { W }), Key.of(2))).get({ plateSizes: { data: N } });
show("substitute: W", sub.value("W"));

// intervene (Pearl's do; also exported as do_): z is set and contributes no density.
const zeros = tf.zeros([N, K]);
const done = trace(seed(intervene(m, { z: zeros }), Key.of(3))).get({ plateSizes: { data: N } });
console.log("intervene: z has a density?", done.hasDensity("z"), "| zNorm:", JSON.stringify(Array.from(done.value("zNorm").dataSync()).slice(0, 3)));

// mask: entry (0, 1) of x is missing: it contributes exactly 0 to the log density.
const observedEntries = tf.onesLike(x).bufferSync();
observedEntries.set(0, 0, 1);
const masked = trace(seed(mask(condition(m, { x }), { x: observedEntries.toTensor() }), Key.of(1))).get();
show("mask: log p(x) per entry", tf.reshape(masked.logProb("x"), [N, G]));

// scale: multiply log densities (e.g. N/B for a minibatch).
const scaled = trace(seed(scale(condition(m, { x }), 10, ["x"]), Key.of(1))).get();
console.log("scale x10: log p(x) ratio =", (tf.sum(scaled.logProb("x")).dataSync()[0] / tf.sum(conditioned.logProb("x")).dataSync()[0]).toFixed(3));

// block: hide sites from outer handlers (the trace does not record them).
const blocked = trace(block(seed(m, Key.of(0)), { hide: ["z", "zNorm"] })).get({ plateSizes: { data: N } });
console.log("block: traced sites =", blocked.names().join(", "));

// replay: re-use another trace's values (here the first trace's W and z) at matching sites.
const replayed = trace(seed(replay(condition(m, { x }), tr), Key.of(9))).get();
console.log("replay: same z as the first trace:", tf.equal(replayed.value("z"), tr.value("z")).all().dataSync()[0] === 1);

// Errors name the site and the plate path, with expected and actual shapes.
try {
  trace(seed(condition(m, { x: tf.zeros([N, 1]) }), Key.of(0))).get();
} catch (e) {
  console.log("shape error:", (e as Error).message);
}
