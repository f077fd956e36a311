import { tf, initBackend } from "@sparse-dgm/core";
await initBackend("wasm");
for (const [R, N, I, O] of [[25, 700, 50, 50], [25, 100, 7, 50], [25, 100, 50, 5], [8, 4096, 300, 300]]) {
  const a = tf.randomNormal([R, N, I]), b = tf.randomNormal([R, I, O]);
  const as = tf.unstack(a), bs = tf.unstack(b);
  const t = (label: string, f: () => tf.Tensor | tf.Tensor[], reps = 20) => { tf.dispose(f()); const t0 = performance.now(); for (let i = 0; i < reps; i++) tf.dispose(f()); console.log(`R${R} N${N} ${I}x${O}`, label, ((performance.now() - t0) / reps).toFixed(3), "ms"); };
  t("batched", () => tf.matMul(a, b));
  t("2-D x R (presliced)", () => as.map((x, i) => tf.matMul(x, bs[i])));
  t("2-D x R + slices + concat", () => tf.tidy(() => tf.concat(Array.from({ length: R }, (_, i) => tf.matMul(tf.reshape(tf.slice(a, [i, 0, 0], [1, N, I]), [N, I]), tf.reshape(tf.slice(b, [i, 0, 0], [1, I, O]), [I, O]))))));
}
