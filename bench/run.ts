// The benchmark (issue 10): median ms per training step after warm-up, peak RSS, tensor counts,
// FLOPs and achieved GFLOP/s next to the backend's plain matMul GFLOP/s, for every zoo entry that
// trains, over a grid of sizes, on every installed backend; JSON out plus a short table.
// `--vs-torch` runs ../shared/bench/torch_sparse_vae.py (Debian's python3-torch) in the same run,
// with the same thread count, and prints `ratio <model> <setting> vs torch-<variant>: <x>x`. The
// compared measurements come first, in pairs: each of ours is followed at once by PyTorch's for the
// same setting (this shared VM's speed drifts by up to 2x over minutes, so only same-minute pairs
// compare like with like); settings a and b run three pairs each and report the median ratio.
// Then what a user runs: ours at its default threads (every core) against PyTorch at its defaults
// (no thread variables: torch's own threads and its BLAS's), at setting b, at the MovieLens-sized
// setting ml (703 x 300 counts, categorical likelihood, K 50, H 300, batch 512, per epoch) and VSC
// on Fashion-MNIST (300 steps), printed as `ratio <model> <setting> vs torch-<variant>@default`.
//
// usage: npm run bench -- [--vs-torch] [--quick] [--backends wasm,cpu] [--models sparseVae,vae]
//                         [--replicas 25] [--out bench/results/latest.json]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { SETTINGS, TRAINABLE, sizeLabel, type Size } from "./lib/sizes.js";
import { linearFit } from "./lib/fit.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

const program = new Command()
  .option("--vs-torch", "run the PyTorch reference in the same run and print ratios")
  .option("--quick", "the default backend only: setting a for every model, b for the Sparse VAE and the VAE, the replicas, and (with --vs-torch) the default-threads comparisons, with fewer timed steps at b; no scaling sweeps; under 15 minutes")
  .option("--backends <list>", "backends to measure (default: every installed one)")
  .option("--models <list>", "zoo entries (default: every entry that trains)", TRAINABLE.join(","))
  .option("--replicas <n>", "replicas for the seed-grid measurement", "25")
  .option("--torch-steps <n>", "timed steps of the PyTorch script at setting b (setting a: 40x as many; default 5, --quick 3)")
  .option("--pairs <n>", "same-minute (ours, PyTorch) pairs at settings a and b", "3")
  .option("--out <file>", "JSON output", "bench/results/latest.json")
  .parse();
const opts = program.opts<{ vsTorch?: boolean; quick?: boolean; backends?: string; models: string; replicas: string; torchSteps?: string; pairs: string; out: string }>();
opts.torchSteps ??= opts.quick ? "3" : "5";

interface Measurement {
  model: string;
  label?: string;
  size: Size;
  replicas: number;
  backend: string;
  msPerStep: number;
  msPerReplicaStep: number;
  threads?: number;
  /** Rows of a per-epoch measurement (msPerStep is then ms per epoch). */
  rows?: number;
  cpuMsPerStep?: number;
  peakRssMb: number;
  wasmHeapMb?: number;
  tensorsAfterFirstStep: number;
  tensorsAfterLastStep: number;
  kernelsPerStep: number;
  gflopPerStep: number;
  achievedGflops: number;
  matMulGflops: number;
  error?: string;
}

function installedBackends(): string[] {
  const out = ["cpu"];
  const probe = (mod: string) =>
    spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(mod)})`], { cwd: root, encoding: "utf8" }).status === 0;
  if (probe("@tensorflow/tfjs-backend-wasm")) out.push("wasm");
  if (probe("@tensorflow/tfjs-node")) out.push("tensorflow");
  return out;
}

function measure(job: { model: string; size: Size; backend: string; replicas?: number; steps: number; warmup: number; label?: string; threads?: number | "default"; rows?: number; likelihood?: string }): Measurement {
  const r = spawnSync(process.execPath, [resolve(root, "packages/cli/bin/run-ts.js"), resolve(here, "step.ts"), JSON.stringify(job)], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const line = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (r.status !== 0 || !line) {
    const err = (r.stderr || "").split("\n").filter((l) => /Error|error/.test(l)).slice(-1)[0] ?? `exit ${r.status}`;
    return { ...job, replicas: job.replicas ?? 1, error: err.slice(0, 300) } as unknown as Measurement;
  }
  return JSON.parse(line) as Measurement;
}

/** Steps to time: enough for a stable median, fewer for big sizes. */
function stepsFor(s: Size, backend: string, replicas = 1): { steps: number; warmup: number } {
  const work = s.B * s.G * s.H * s.H * replicas; // ~ FLOPs of the decoder body
  const scale = backend === "cpu" ? 30 : 1;
  // --quick: fewer timed steps where a step takes seconds (the median of 3 after 2 warm-ups)
  if (work * scale > 5e9) return opts.quick ? { steps: 3, warmup: 2 } : { steps: 5, warmup: 2 };
  if (opts.quick && work * scale > 1e7) return { steps: 40, warmup: 10 };
  if (work * scale > 5e8) return { steps: 10, warmup: 3 };
  if (work * scale > 5e7) return { steps: 40, warmup: 10 };
  return { steps: 200, warmup: 30 };
}

/** Whether a size is worth running on a backend (the pure-JS cpu backend runs about 1 GFLOP/s). */
function feasible(s: Size, backend: string, replicas = 1): boolean {
  return backend !== "cpu" || s.B * s.G * s.H * s.H * replicas <= 2e8;
}

// --quick measures the default backend only (wasm when installed) unless --backends names others
const backends = opts.backends ? opts.backends.split(",") : opts.quick ? installedBackends().filter((b) => b === "wasm").slice(0, 1) : installedBackends();
if (!backends.length) backends.push("cpu");
const models = opts.models.split(",");
const R = Number(opts.replicas);
const results: Measurement[] = [];
const started = Date.now();
const log = (m: Measurement) => {
  results.push(m);
  const what = `${m.backend.padEnd(10)} ${m.model.padEnd(14)} ${(m.label ?? sizeLabel(m.size)).padEnd(22)} R=${String(m.replicas).padEnd(3)} T=${m.threads ?? 1}`;
  if (m.error) console.log(`${what} FAILED: ${m.error}`);
  else
    console.log(
      `${what} ${m.msPerStep.toFixed(2).padStart(10)} ${m.rows ? "ms/epoch" : "ms/step "} ${m.msPerReplicaStep.toFixed(2).padStart(9)} ms/replica-step ${String(m.peakRssMb).padStart(5)} MB  ${m.achievedGflops.toFixed(1).padStart(5)} GFLOP/s (matMul ${m.matMulGflops.toFixed(1)})  tensors ${m.tensorsAfterFirstStep}->${m.tensorsAfterLastStep}`,
    );
};

// PyTorch, one thread as ours (wasm in Node is single-threaded).
interface TorchLine {
  engine: string;
  setting: string;
  model: string;
  ms_per_step: number;
  threads: number;
  blas_threads?: number | null;
  /** "equal": OMP_NUM_THREADS=1 (as ours on one thread); "default": PyTorch's own thread settings. */
  mode?: "equal" | "default";
}
const torch: TorchLine[] = [];
// the project's copy first: it has the MovieLens-sized setting and reports BLAS threads
const torchScript = [resolve(here, "torch/torch_sparse_vae.py"), resolve(root, "../shared/bench/torch_sparse_vae.py")].find((p) => existsSync(p));
const python = opts.vsTorch ? ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { encoding: "utf8" }).status === 0) : undefined;
if (opts.vsTorch && (!torchScript || !python)) console.log("--vs-torch: PyTorch or the reference script is not available (apt-get install python3-torch); no ratios");
const canTorch = Boolean(opts.vsTorch && torchScript && python);
/** The environment without thread variables: PyTorch (and its BLAS) as a user runs it. */
const defaultEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OMP|MKL|OPENBLAS)_NUM_THREADS$/.test(k)));
/** One run of the PyTorch script for one setting. */
function runTorch(setting: string, pair: number, mode: "equal" | "default" = "equal"): TorchLine[] {
  const steps = setting === "a" ? 40 * Number(opts.torchSteps) : Number(opts.torchSteps);
  // --quick at b and ml: only the variants a printed ratio needs at that setting (the vectorised
  // Sparse VAE is compared at setting a), 2 warm-up steps, exactly --torch-steps timed steps
  const trim = opts.quick && setting !== "a" ? ["--models", "sparse_looped,vae", "--warmup", "2", "--exact-steps"] : [];
  const r = spawnSync(python!, [torchScript!, "--steps", String(steps), "--settings", setting, ...trim], {
    encoding: "utf8",
    env: mode === "equal" ? { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } : defaultEnv(),
    maxBuffer: 1 << 24,
  });
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => ({ ...(JSON.parse(l) as TorchLine), pair, mode }));
  for (const t of lines) console.log(`torch ${t.setting}${mode === "default" ? "@default" : ""} ${t.model}: ${t.ms_per_step} ms/${t.setting === "ml" ? "epoch" : "step"} (threads ${t.threads}, BLAS threads ${t.blas_threads ?? "?"}, pair ${pair})`);
  torch.push(...lines);
  return lines;
}

/** VSC on Fashion-MNIST, 300 steps, ours at its default threads against PyTorch at its defaults (bench/vsc-fashion.ts). */
let vscFashion: { ratio: number; oursMs: number; torchMs: number; threads: number; torchThreads: number } | undefined;
function runVscFashion(): typeof vscFashion {
  if (!existsSync("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    console.log("vsc fashion: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipped");
    return undefined;
  }
  const r = spawnSync(process.execPath, [resolve(root, "packages/cli/bin/run-ts.js"), resolve(here, "vsc-fashion.ts"), "vsc", "--steps", "300", "--vs-torch"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24, env: defaultEnv() });
  for (const l of r.stdout.split("\n")) if (/^(vsc fashion|torch vsc)/.test(l)) console.log(l);
  const line = r.stdout.split("\n").filter((l) => l.startsWith("{")).pop();
  if (r.status !== 0 || !line) {
    console.log(`vsc fashion: failed (${(r.stderr || "").split("\n").filter(Boolean).slice(-1)[0] ?? `exit ${r.status}`})`);
    return undefined;
  }
  const out = JSON.parse(line) as { msPerStep: number; threads: number; torch?: { msPerStep: number; threads: number } };
  if (!out.torch) return undefined;
  return { ratio: out.msPerStep / out.torch.msPerStep, oursMs: out.msPerStep, torchMs: out.torch.msPerStep, threads: out.threads, torchThreads: out.torch.threads };
}

console.log(`backends: ${backends.join(", ")}; models: ${models.join(", ")}; node ${process.version}; ${new Date().toISOString()}`);
const def = backends.includes("wasm") ? "wasm" : backends[0];
// Same-minute pairs on the default backend: our compared measurements, then PyTorch's at once.
const paired: Array<{ pair: number; setting: string; ours: Measurement[] }> = [];
if (canTorch) {
  console.log(`torch: ${python} ${torchScript} (OMP_NUM_THREADS=1), paired with ${def}`);
  const pairsA = Math.max(1, Number(opts.pairs));
  for (let i = 0; i < pairsA; i++) {
    const ours: Measurement[] = [];
    for (const model of ["sparseVae", "vae"].filter((m) => models.includes(m))) ours.push(measure({ model, size: SETTINGS.a, backend: def, label: "a", ...stepsFor(SETTINGS.a, def) }));
    if (models.includes("sparseVae")) ours.push(measure({ model: "sparseVae", size: SETTINGS.a, backend: def, replicas: R, label: `a-${R}replicas`, ...stepsFor(SETTINGS.a, def, R) }));
    ours.forEach(log);
    runTorch("a", i + 1);
    paired.push({ pair: i + 1, setting: "a", ours });
  }
  for (let i = 0; i < pairsA; i++) {
    const oursB: Measurement[] = [];
    for (const model of ["sparseVae", "vae"].filter((m) => models.includes(m))) oursB.push(measure({ model, size: SETTINGS.b, backend: def, label: "b", ...stepsFor(SETTINGS.b, def) }));
    oursB.forEach(log);
    runTorch("b", i + 1);
    paired.push({ pair: i + 1, setting: "b", ours: oursB });
  }
  // What a user runs: ours at its default threads, PyTorch at its defaults.
  for (let i = 0; i < pairsA; i++) {
    const ours: Measurement[] = [];
    for (const model of ["sparseVae", "vae"].filter((m) => models.includes(m))) ours.push(measure({ model, size: SETTINGS.b, backend: def, label: "b@default", threads: "default", ...stepsFor(SETTINGS.b, def) }));
    ours.forEach(log);
    runTorch("b", i + 1, "default");
    paired.push({ pair: i + 1, setting: "b@default", ours });
  }
  const ml = { size: SETTINGS.b, rows: 703, likelihood: "categorical", steps: 3, warmup: 2 };
  for (let i = 0; i < Math.min(opts.quick ? 1 : 2, pairsA); i++) {
    const ours: Measurement[] = [];
    for (const model of ["sparseVae", "vae"].filter((m) => models.includes(m))) ours.push(measure({ model, backend: def, label: "ml@default", threads: "default", ...ml }));
    ours.forEach(log);
    runTorch("ml", i + 1, "default");
    paired.push({ pair: i + 1, setting: "ml@default", ours });
  }
  if (models.includes("vsc")) vscFashion = runVscFashion();
}
const done = (model: string, label: string, backend: string) => results.some((m) => m.model === model && m.label === label && m.backend === backend);
for (const backend of backends) {
  for (const model of models) {
    for (const [name, size] of Object.entries(SETTINGS)) {
      if (!feasible(size, backend) || done(model, name, backend)) continue;
      // --quick: setting b only for the models PyTorch is compared with (sdlgm's b alone takes minutes)
      if (opts.quick && name === "b" && !["sparseVae", "vae"].includes(model)) continue;
      log(measure({ model, size, backend, label: name, ...stepsFor(size, backend) }));
    }
  }
  if (models.includes("sparseVae") && feasible(SETTINGS.a, backend, R) && !done("sparseVae", `a-${R}replicas`, backend)) {
    log(measure({ model: "sparseVae", size: SETTINGS.a, backend, replicas: R, label: `a-${R}replicas`, ...stepsFor(SETTINGS.a, backend, R) }));
  }
  if (!opts.quick && models.includes("sparseVae")) {
    const sweeps: Array<[string, Size[]]> = [
      ["G", [7, 30, 100, 300, 1000, 3000].map((G) => ({ B: 100, G, K: 5, H: 50 }))],
      ["B", [32, 128, 512, 1024].map((B) => ({ B, G: 100, K: 5, H: 50 }))],
      ["K", [5, 20, 50, 100].map((K) => ({ B: 100, G: 100, K, H: 50 }))],
      ["H", [50, 100, 300].map((H) => ({ B: 100, G: 100, K: 5, H }))],
    ];
    for (const [axis, sizes] of sweeps) {
      for (const size of sizes) {
        if (!feasible(size, backend)) continue;
        log(measure({ model: "sparseVae", size, backend, label: `sweep-${axis}`, ...stepsFor(size, backend) }));
      }
    }
  }
}

// Scaling: time per step against G and against B (least squares, R²).
const scaling: Record<string, { slope: number; intercept: number; r2: number; points: number }> = {};
for (const backend of backends) {
  for (const axis of ["G", "B"] as const) {
    const pts = results.filter((m) => m.backend === backend && m.label === `sweep-${axis}` && !m.error);
    if (pts.length >= 3) scaling[`${backend}/${axis}`] = { ...linearFit(pts.map((m) => m.size[axis]), pts.map((m) => m.msPerStep)), points: pts.length };
  }
}
for (const [k, f] of Object.entries(scaling)) console.log(`scaling ${k}: ms/step = ${f.intercept.toFixed(2)} + ${f.slope.toFixed(4)}·${k.split("/")[1]}  (R² ${f.r2.toFixed(4)}, ${f.points} sizes)`);

const ratios: Array<{ model: string; setting: string; variant: string; ratio: number; pairs: number[] }> = [];
if (paired.length) {
  const median = (xs: number[]) => {
    const v = [...xs].sort((p, q) => p - q);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const ref = (setting: string, model: string, pair: number) => {
    const [name, at] = setting.split("@");
    const mode = at === "default" ? "default" : "equal";
    return torch.find((t) => t.setting === name && t.model === model && t.mode === mode && (t as TorchLine & { pair: number }).pair === pair)?.ms_per_step;
  };
  /** The median over same-minute pairs of ours / PyTorch's. */
  const add = (model: string, label: string, setting: string, variant: string, torchModel: string, perReplica = false) => {
    const each: number[] = [];
    for (const p of paired.filter((x) => x.setting === setting)) {
      const m = p.ours.find((o) => o.model === model && o.label === label && !o.error);
      const theirs = ref(setting, torchModel, p.pair);
      if (m && theirs) each.push((perReplica ? m.msPerReplicaStep : m.msPerStep) / theirs);
    }
    if (!each.length) return;
    const ratio = median(each);
    ratios.push({ model, setting: label, variant, ratio, pairs: each });
    const [name, at] = label.split("@");
    console.log(`ratio ${model} ${name} vs torch-${variant}${at ? `@${at}` : ""}: ${ratio.toFixed(2)}x${each.length > 1 ? `  (median of ${each.length} same-minute pairs: ${each.map((x) => x.toFixed(2)).join(", ")})` : ""}`);
  };
  for (const s of ["a", "b"]) {
    add("sparseVae", s, s, "vectorised", "sparse_vectorised");
    add("sparseVae", s, s, "looped", "sparse_looped");
    add("vae", s, s, "vae", "vae");
  }
  add("sparseVae", `a-${R}replicas`, "a", "looped", "sparse_looped", true);
  add("sparseVae", `a-${R}replicas`, "a", "vectorised", "sparse_vectorised", true);
  for (const s of ["b@default", "ml@default"]) {
    add("sparseVae", s, s, "looped", "sparse_looped");
    add("sparseVae", s, s, "vectorised", "sparse_vectorised");
    add("vae", s, s, "vae", "vae");
  }
}
if (vscFashion) {
  ratios.push({ model: "vsc", setting: "fashion@default", variant: "torch", ratio: vscFashion.ratio, pairs: [vscFashion.ratio] });
  console.log(`ratio vsc fashion vs torch@default: ${vscFashion.ratio.toFixed(2)}x  (ours ${vscFashion.oursMs.toFixed(2)} ms/step on ${vscFashion.threads} threads, PyTorch ${vscFashion.torchMs.toFixed(2)} at torch threads ${vscFashion.torchThreads})`);
}
const bs = results.filter((m) => m.backend === def && m.model === "sparseVae" && m.label === "b" && !m.error);
if (bs.length) {
  // the share of plain matMul per measurement (each against its own process's matMul), median; RSS, the largest
  const shares = bs.map((m) => (100 * m.achievedGflops) / m.matMulGflops).sort((p, q) => p - q);
  const share = shares[Math.floor((shares.length - 1) / 2)];
  const rss = Math.max(...bs.map((m) => m.peakRssMb));
  console.log(`setting b (${def}): ${share.toFixed(0)}% of plain matMul over the whole step (median of ${bs.length}: ${shares.map((x) => x.toFixed(0)).join(", ")}%); peak RSS ${rss} MB (largest)`);
}

const out = resolve(root, opts.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cpus: (await import("node:os")).cpus().length, seconds: (Date.now() - started) / 1000, backends, results, scaling, torch, ratios, vscFashion },
    null,
    1,
  ),
);
console.log(`wrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
