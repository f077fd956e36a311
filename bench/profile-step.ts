// Profiles one training step: kernels per step by name, ms/step.
// usage: node packages/cli/bin/run-ts.js bench/profile-step.ts <model> B G K H [replicas]
import { tf, initBackend } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
const [m = "sparseVae", Bs = "100", Gs = "7", Ks = "5", Hs = "50", Rs = "0", backend = "wasm"] = process.argv.slice(2);
const B = +Bs, G = +Gs, K = +Ks, H = +Hs, R = +Rs;
await initBackend(backend as never);
const model = zoo[m].build({ features: G, factors: K, hidden: H } as never);
const p = compile(model, { seed: 0, normalisation: "reference", encoderHidden: [H, H], ...(R ? { replicas: R, seed: Array.from({ length: R }, (_, i) => i) } : {}) });
const x = tf.randomNormal([B * 4, G]);
await p.fit(x, { epochs: 3, batchSize: B, learningRate: 1e-2 });
const counts: Record<string, number> = {};
const prof = await tf.profile(async () => { await p.fit(x, { epochs: 4, batchSize: B, learningRate: 1e-2, maxSteps: 13 }); });
for (const k of prof.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
const total = prof.kernels.length;
console.log("kernels/step", total, Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k}:${v}`).join(" "));
const times: number[] = [];
const r = await p.fit(x, { epochs: 1000, batchSize: B, learningRate: 1e-2, maxSteps: 13 + 200, onStep: (i) => times.push(i.msPerStep) });
times.sort((a, b) => a - b);
console.log("median ms/step", times[times.length >> 1].toFixed(3), "numTensors", tf.memory().numTensors, r.steps);
