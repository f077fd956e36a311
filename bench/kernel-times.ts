import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "./lib/sizes.js";
await initBackend("wasm");
const [m, B, G, K, H] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const model = zoo[m].build(configFor(m, { B, G, K, H }) as never);
const R = +(process.env.R ?? 0);
const p = compile(model, { seed: R ? Array.from({ length: R }, (_, i) => i) : 0, ...(R ? { replicas: R } : {}), normalisation: zoo[m].training.normalisation, encoderHidden: [H, H] });
const x = tf.tidy(() => tf.cast(tf.greater(tf.randomNormal([B * (+(process.env.WARM ?? 20) + 3), G]), 0.5), "float32"));
await p.fit(x, { epochs: 1, batchSize: B, maxSteps: +(process.env.WARM ?? 20) });
const prof = await tf.profile(async () => { await p.fit(x, { epochs: 1, batchSize: B, maxSteps: +(process.env.WARM ?? 20) + 1 }); });
const agg: Record<string, { n: number; ms: number }> = {};
let tot = 0;
for (const k of prof.kernels) { const key = k.name + JSON.stringify(k.inputShapes); agg[key] ??= { n: 0, ms: 0 }; agg[key].n++; const t = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0; agg[key].ms += t; tot += t; }
console.log("total kernel ms", tot.toFixed(1), "kernels", prof.kernels.length, "peakMB", (prof.peakBytes / 2 ** 20).toFixed(0));
for (const [k, v] of Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(v.ms.toFixed(2), v.n, k);
