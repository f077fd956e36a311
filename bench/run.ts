// The benchmark (issue 10): median ms per training step after warm-up, peak RSS, tensor counts,
// FLOPs and achieved GFLOP/s next to the backend's plain matMul GFLOP/s, for every zoo entry that
// trains, over a grid of sizes, on every installed backend; JSON out plus a short table.
// `--vs-torch` runs ../shared/bench/torch_sparse_vae.py (Debian's python3-torch) in the same run,
// with the same thread count, and prints `ratio <model> <setting> vs torch-<variant>: <x>x`.
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
  .option("--quick", "settings a and b and the replicas only (no scaling sweeps)")
  .option("--backends <list>", "backends to measure (default: every installed one)")
  .option("--models <list>", "zoo entries (default: every entry that trains)", TRAINABLE.join(","))
  .option("--replicas <n>", "replicas for the seed-grid measurement", "25")
  .option("--torch-steps <n>", "timed steps of the PyTorch script", "20")
  .option("--out <file>", "JSON output", "bench/results/latest.json")
  .parse();
const opts = program.opts<{ vsTorch?: boolean; quick?: boolean; backends?: string; models: string; replicas: string; torchSteps: string; out: string }>();

interface Measurement {
  model: string;
  label?: string;
  size: Size;
  replicas: number;
  backend: string;
  msPerStep: number;
  msPerReplicaStep: number;
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

function measure(job: { model: string; size: Size; backend: string; replicas?: number; steps: number; warmup: number; label?: string }): Measurement {
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
  if (work * scale > 5e9) return { steps: 5, warmup: 2 };
  if (work * scale > 5e8) return { steps: 10, warmup: 3 };
  if (work * scale > 5e7) return { steps: 40, warmup: 10 };
  return { steps: 200, warmup: 30 };
}

/** Whether a size is worth running on a backend (the pure-JS cpu backend runs about 1 GFLOP/s). */
function feasible(s: Size, backend: string, replicas = 1): boolean {
  return backend !== "cpu" || s.B * s.G * s.H * s.H * replicas <= 2e8;
}

const backends = opts.backends ? opts.backends.split(",") : installedBackends();
const models = opts.models.split(",");
const R = Number(opts.replicas);
const results: Measurement[] = [];
const started = Date.now();
const log = (m: Measurement) => {
  results.push(m);
  const what = `${m.backend.padEnd(10)} ${m.model.padEnd(14)} ${(m.label ?? sizeLabel(m.size)).padEnd(22)} R=${String(m.replicas).padEnd(3)}`;
  if (m.error) console.log(`${what} FAILED: ${m.error}`);
  else
    console.log(
      `${what} ${m.msPerStep.toFixed(2).padStart(10)} ms/step ${m.msPerReplicaStep.toFixed(2).padStart(9)} ms/replica-step ${String(m.peakRssMb).padStart(5)} MB  ${m.achievedGflops.toFixed(1).padStart(5)} GFLOP/s (matMul ${m.matMulGflops.toFixed(1)})  tensors ${m.tensorsAfterFirstStep}->${m.tensorsAfterLastStep}`,
    );
};

console.log(`backends: ${backends.join(", ")}; models: ${models.join(", ")}; node ${process.version}; ${new Date().toISOString()}`);
for (const backend of backends) {
  for (const model of models) {
    for (const [name, size] of Object.entries(SETTINGS)) {
      if (!feasible(size, backend)) continue;
      log(measure({ model, size, backend, label: name, ...stepsFor(size, backend) }));
    }
  }
  if (models.includes("sparseVae") && feasible(SETTINGS.a, backend, R)) {
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

// PyTorch in the same run, one thread as ours (wasm in Node is single-threaded).
interface TorchLine {
  engine: string;
  setting: string;
  model: string;
  ms_per_step: number;
  threads: number;
}
const torch: TorchLine[] = [];
if (opts.vsTorch) {
  const script = [resolve(root, "../shared/bench/torch_sparse_vae.py"), resolve(here, "torch/torch_sparse_vae.py")].find((p) => existsSync(p));
  const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { encoding: "utf8" }).status === 0);
  if (!script || !python) console.log("--vs-torch: PyTorch or the reference script is not available (apt-get install python3-torch); no ratios");
  else {
    console.log(`torch: ${python} ${script} (OMP_NUM_THREADS=1)`);
    const r = spawnSync(python, [script, "--steps", opts.torchSteps, "--settings", "a,b"], {
      encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      maxBuffer: 1 << 24,
    });
    for (const l of r.stdout.split("\n")) if (l.startsWith("{")) torch.push(JSON.parse(l) as TorchLine);
    for (const t of torch) console.log(`torch ${t.setting} ${t.model}: ${t.ms_per_step} ms/step (threads ${t.threads})`);
  }
}
const ratios: Array<{ model: string; setting: string; variant: string; ratio: number }> = [];
const def = backends.includes("wasm") ? "wasm" : backends[0];
if (torch.length) {
  const ours = (model: string, label: string) => results.find((m) => m.backend === def && m.model === model && m.label === label && !m.error);
  const ref = (setting: string, model: string) => torch.find((t) => t.setting === setting && t.model === model)?.ms_per_step;
  const add = (model: string, setting: string, variant: string, mine?: number, theirs?: number) => {
    if (mine === undefined || theirs === undefined) return;
    const ratio = mine / theirs;
    ratios.push({ model, setting, variant, ratio });
    console.log(`ratio ${model} ${setting} vs torch-${variant}: ${ratio.toFixed(2)}x`);
  };
  for (const s of ["a", "b"]) {
    add("sparseVae", s, "vectorised", ours("sparseVae", s)?.msPerStep, ref(s, "sparse_vectorised"));
    add("sparseVae", s, "looped", ours("sparseVae", s)?.msPerStep, ref(s, "sparse_looped"));
    add("vae", s, "vae", ours("vae", s)?.msPerStep, ref(s, "vae"));
  }
  add("sparseVae", `a-${R}replicas`, "looped", ours("sparseVae", `a-${R}replicas`)?.msPerReplicaStep, ref("a", "sparse_looped"));
  add("sparseVae", `a-${R}replicas`, "vectorised", ours("sparseVae", `a-${R}replicas`)?.msPerReplicaStep, ref("a", "sparse_vectorised"));
}
const b = results.find((m) => m.backend === def && m.model === "sparseVae" && m.label === "b" && !m.error);
if (b) console.log(`setting b (${def}): ${b.achievedGflops} GFLOP/s over the whole step = ${((100 * b.achievedGflops) / b.matMulGflops).toFixed(0)}% of plain matMul (${b.matMulGflops} GFLOP/s); peak RSS ${b.peakRssMb} MB`);

const out = resolve(root, opts.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cpus: (await import("node:os")).cpus().length, seconds: (Date.now() - started) / 1000, backends, results, scaling, torch, ratios },
    null,
    1,
  ),
);
console.log(`wrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
