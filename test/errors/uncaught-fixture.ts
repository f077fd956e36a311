// A user's script that fails: run by test/errors/uncaught.test.ts in a child process on each
// backend. Usage: run-ts.js uncaught-fixture.ts <cpu|wasm> <throw|timer|rejection|site>
import { tf, Key, model, trace, seed, condition, initBackend, type BackendName } from "@sparse-dgm/core";
import { normal } from "@sparse-dgm/distributions";
import "@sparse-dgm/infer"; // the speed layer too, as a training script loads it

const [backend, how] = process.argv.slice(2);
await initBackend(backend as BackendName);
tf.tidy(() => tf.add(tf.ones([4]), 1).dataSync()); // the backend has run a kernel

if (how === "throw") throw new Error("my own error at the top level");
if (how === "timer") setTimeout(() => {
  throw new Error("my own error in a timer");
}, 1);
if (how === "rejection") void Promise.reject(new Error("my own rejected promise"));
if (how === "site") {
  const m = model("toy")
    .plate("data")
    .plate("feature", 3)
    .latent("z", () => normal(0, 1), { plates: ["data"] })
    .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
  trace(seed(condition(m, { x: tf.zeros([100, 1]) }), Key.of(0))).get();
}
