/**
 * Numeric fingerprints of compiled training: every zoo entry (and a few user-style models) trained
 * a few steps at a small size, hashed bit for bit over the step losses and term values, the trained
 * parameters, `evaluate`, `encode`, `globals` and `sample`. A refactor of the compiler that must
 * move no number compares the fingerprints before and after:
 *
 *   node packages/cli/bin/run-ts.js bench/fingerprint.ts --write bench/out/fp-before.json
 *   node packages/cli/bin/run-ts.js bench/fingerprint.ts --check bench/out/fp-before.json
 *
 * `--backend wasm` runs on wasm (with step replay); the default is cpu, as the tests.
 */
import { writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { tf, model, initBackend, map, relaxedBernoulli, type BackendName } from "@sparse-dgm/core";
import { normal, laplace, bernoulli } from "@sparse-dgm/distributions";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "./lib/sizes.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
await initBackend((arg("--backend") as BackendName | undefined) ?? "cpu");

/** FNV-1a over the float32 bits of every number. */
class Hasher {
  private h = 0x811c9dc5 >>> 0;
  private readonly buf = new Float32Array(1);
  private readonly bits = new Uint32Array(this.buf.buffer);
  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      this.buf[0] = values[i];
      this.h = Math.imul(this.h ^ this.bits[0], 16777619) >>> 0;
    }
  }
  digest(): string {
    return this.h.toString(16).padStart(8, "0");
  }
}

interface Case {
  name: string;
  build: () => ReturnType<typeof zoo.vae.build>;
  replicas?: number;
  normalisation?: "elbo" | "reference";
  labels?: boolean;
}

const size = { B: 32, G: 8, K: 5, H: 12 };
const fromZoo = (name: string, extra: Record<string, unknown> = {}): Case => ({
  name: Object.keys(extra).length ? `${name}(${JSON.stringify(extra)})` : name,
  build: () => zoo[name].build({ ...configFor(name === "vscVampPrior" ? "vsc" : name, size), ...extra } as never),
  normalisation: zoo[name].training.normalisation,
  labels: name === "vscClass",
});

const laplaceMask = (): Case => ({
  name: "user:laplace-mask",
  build: () =>
    model("laplace-mask")
      .plate("data")
      .plate("feature", size.G)
      .plate("factor", 3)
      .mask("W", () => laplace(0, 1), { rows: "feature", cols: "factor", valueType: "real", estimator: map(), init: "standardNormal" })
      .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
      .observe("x", ({ z, W }, ctx) => normal(ctx.maskedDecoder("f", { input: z, mask: W, hidden: [size.H] }), 0.5), { plates: ["data", "feature"] }) as never,
});

const binaryMask = (): Case => ({
  name: "user:binary-mask-concrete",
  build: () =>
    model("binary-mask")
      .plate("data")
      .plate("feature", size.G)
      .plate("factor", 3)
      .global("A", () => normal(0, 1), { plates: ["feature", "factor"] })
      .mask("M", () => bernoulli({ probs: 0.3 }), { rows: "feature", cols: "factor", valueType: "binary", estimator: relaxedBernoulli({ temperature: 0.5 }) })
      .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
      .observe("x", ({ z, A, M }) => normal(tf.sum(tf.mul(tf.mul(M, A), tf.expandDims(tf.squeeze(z, [-2]), -2)), -1, true), 0.3), {
        plates: ["data", "feature"],
      }) as never,
});

const cases: Case[] = [
  fromZoo("sparseVae"),
  fromZoo("sparseVae", { variant: "reference" }),
  fromZoo("sparseVae", { likelihood: "negativeBinomial" }),
  { ...fromZoo("sparseVae"), name: "sparseVae x2 replicas", replicas: 2 },
  fromZoo("vae"),
  { ...fromZoo("vae"), name: "vae x2 replicas", replicas: 2 },
  fromZoo("betaVae"),
  fromZoo("vsc"),
  fromZoo("vsc", { spikeHead: "sigmoid", inclusionInit: 0.3 }),
  fromZoo("vscVampPrior", { pseudoInputs: 4 }),
  fromZoo("vscClass"),
  fromZoo("sdlgm"),
  fromZoo("sdlgm", { straightThrough: true }),
  fromZoo("mibStructured"),
  fromZoo("mibStructured", { learnDecoderMask: true }),
  laplaceMask(),
  binaryMask(),
];

async function fingerprint(c: Case): Promise<Record<string, string>> {
  const m = c.build();
  const program = compile(m, { seed: 7, normalisation: c.normalisation ?? "elbo", encoderHidden: [size.H, size.H], ...(c.replicas ? { replicas: c.replicas, seed: [7, 8] } : {}) });
  const obs = m.ir.sites.find((s) => s.kind === "observe")!;
  const dims = [...obs.plates.filter((p) => p !== "data").map((p) => m.ir.plates.find((q) => q.name === p)!.size as number), ...obs.event];
  const rows = 3 * size.B + 5;
  const x = tf.tidy(() => {
    const n = tf.randomNormal([rows, ...dims], 0, 1, "float32", 11);
    return (m.ir.meta as { likelihood?: string }).likelihood === "bernoulli" ? tf.cast(tf.greater(n, 0.3), "float32") : (m.ir.meta as { likelihood?: string }).likelihood === "negativeBinomial" ? tf.round(tf.exp(n)) : n;
  });
  const data = c.labels ? { x, label: tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 3), "int32") } : x;
  const out: Record<string, string> = {};
  const h = new Hasher();
  await program.fit(data as never, {
    epochs: 3,
    batchSize: size.B,
    learningRate: 1e-2,
    onStep: (s) => {
      h.add(s.replicaLoss);
      h.add(Object.values(s.terms));
      h.add(Object.values(s.weights));
    },
  });
  out.steps = h.digest();
  const hp = new Hasher();
  // by name: the values, not the order in which the compiler happened to create them
  const byName = program.params.all().sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
  for (const { variable } of byName) hp.add(variable.dataSync());
  out.paramNames = byName.map((p) => p.meta.name).join(",");
  out.params = hp.digest();
  const ev = program.evaluate(x);
  const he = new Hasher();
  for (const k of Object.keys(ev).sort()) he.add((ev as unknown as Record<string, number[]>)[k]);
  out.evaluate = he.digest();
  out.evaluateKeys = Object.keys(ev).sort().join(",");
  out.elbo = ev.elbo.map((v) => v.toFixed(4)).join(",");
  const enc = program.encode(x);
  const hc = new Hasher();
  for (const k of Object.keys(enc).sort()) {
    hc.add(enc[k].mean.dataSync());
    if (enc[k].activity) hc.add(enc[k].activity!.dataSync());
  }
  out.encode = hc.digest();
  const g = program.globals();
  const hg = new Hasher();
  for (const k of Object.keys(g).sort()) hg.add(g[k].dataSync());
  out.globals = hg.digest();
  out.globalKeys = Object.keys(g).sort().join(",");
  try {
    const smp = program.sample(4);
    const hs = new Hasher();
    for (const k of Object.keys(smp).sort()) hs.add(smp[k].dataSync());
    out.sample = hs.digest();
    tf.dispose(Object.values(smp));
  } catch (e) {
    out.sample = `error: ${(e as Error).message.split("\n")[0]}`;
  }
  tf.dispose([x, ...Object.values(enc).flatMap((e) => [e.mean, ...(e.activity ? [e.activity] : [])]), ...Object.values(g)]);
  if (c.labels) (data as { label: tf.Tensor }).label.dispose();
  program.dispose();
  return out;
}

const results: Record<string, Record<string, string>> = {};
for (const c of cases) {
  try {
    results[c.name] = await fingerprint(c);
  } catch (e) {
    results[c.name] = { error: (e as Error).message.split("\n")[0] };
  }
  console.log(c.name.padEnd(48), JSON.stringify(results[c.name]));
}

const write = arg("--write");
if (write) {
  mkdirSync(dirname(write), { recursive: true });
  writeFileSync(write, JSON.stringify(results, null, 1));
}
const check = arg("--check");
if (check) {
  const before = JSON.parse(readFileSync(check, "utf8")) as typeof results;
  let moved = 0;
  for (const [name, fp] of Object.entries(before)) {
    const now = results[name];
    const diff = Object.keys(fp).filter((k) => !now || now[k] !== fp[k]);
    if (diff.length) {
      moved++;
      console.log(`MOVED ${name}: ${diff.map((k) => `${k} ${fp[k]} -> ${now?.[k]}`).join("; ")}`);
    }
  }
  console.log(moved ? `${moved} of ${Object.keys(before).length} cases moved` : `all ${Object.keys(before).length} cases identical`);
}
