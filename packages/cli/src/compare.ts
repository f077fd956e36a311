/**
 * `sdgm compare` and the main job: every (model, data source) pair is one job; the seeds of a job
 * train as replicas of one program (or one by one with `replicas: false`). Jobs are independent:
 * with `jobs > 1` they run in parallel worker threads. Each finished job's rows are merged into
 * `results.json` / `results.csv` at once, and a re-run skips the rows already there, so an
 * interrupted comparison resumes with only the missing rows; rows saved with other settings
 * (epochs, hyperparameters) are fitted again from the start. At the end the report is written.
 */
import { Worker } from "node:worker_threads";
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import { initBackend, currentBackend, availableCores, type BackendName } from "@sparse-dgm/core";
import { renderReport, renderModel, type ResultRow, type RunArtifacts, type FailedRun } from "@sparse-dgm/viz";
import { runJob, buildFor, runConfig, trainingFor, foldData, type JobSpec } from "./jobs.js";
import type { Dataset } from "@sparse-dgm/data";
import { atomicWrite, byKey, ioError, rowKey, ResultStore } from "./results.js";
import { modelEntry, modelOrigin, originSummary, useOrigins, type ModelOrigin } from "./user-model.js";

/** One (model, data) entry of a comparison. */
export interface CompareEntry {
  model: string;
  data: string;
  /** Hyperparameter overrides. */
  config?: Record<string, unknown>;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Metrics for this entry (default: the comparison's, or all applicable). */
  metrics?: string[];
}

/** A comparison. */
export interface CompareSpec {
  entries: CompareEntry[];
  seeds: number[];
  /** K-fold cross-validation: every entry and seed is fitted K times, fold k held out (rows carry `fold`). */
  folds?: number;
  out: string;
  jobs: number;
  replicas: boolean;
  backend?: BackendName;
  /** wasm threads per job (default: SDGM_THREADS, else the cores divided among the parallel jobs). */
  threads?: number;
  metrics?: string[];
  title?: string;
  /** Show progress bars (default: when stderr is a terminal or CI). */
  progress?: boolean;
}

/** A job as sent to a worker. */
interface WorkerJob {
  spec: Omit<JobSpec, "onProgress">;
  backend?: BackendName;
  /** wasm threads (explicit), and how many jobs share the cores (for the default). */
  threads?: number;
  jobs: number;
  index: number;
  /** The module models the job uses (registered by the command's main thread), loaded again in the worker. */
  origins: ModelOrigin[];
}


/** A pending job; `changed` says which settings differ from the saved rows it replaces. */
export interface PendingJob {
  entry: CompareEntry;
  seeds: number[];
  /** The held-out fold, with `folds`. */
  fold?: number;
  changed?: string;
}

/** The folds of a comparison: 0..K−1, or one run without folds. */
function foldsOf(spec: Pick<CompareSpec, "folds">): Array<number | undefined> {
  return spec.folds ? Array.from({ length: spec.folds }, (_, f) => f) : [undefined];
}

/**
 * The jobs still to run: (entry, seeds) whose rows are not in results.json yet, or whose saved
 * rows were fitted with other settings ({@link changedSettings}; the entry's data is loaded to
 * build the model it would fit now, and kept in `datasets` for the run); those are fitted again
 * and their rows replaced. Two entries of the same model and data source are an error: their rows
 * would overwrite each other.
 */
export async function pendingJobs(spec: CompareSpec, datasets: Map<string, Dataset> = new Map()): Promise<PendingJob[]> {
  const saved = new Map(new ResultStore(spec.out).rows().map((r) => [rowKey(r), r]));
  const seen = new Set<string>();
  for (const entry of spec.entries) {
    modelEntry(entry.model); // unknown names fail before anything runs
    const key = `${entry.model}|${entry.data}`;
    if (seen.has(key)) {
      throw new Error(`${entry.model} on ${entry.data} is listed twice; its rows (one per seed) would overwrite each other: compare other settings in separate --out folders`);
    }
    seen.add(key);
  }
  const jobs: PendingJob[] = [];
  for (const entry of spec.entries) {
    for (const fold of foldsOf(spec)) {
      const missing: number[] = [];
      const changed = new Map<string, number[]>();
      for (const s of spec.seeds) {
        const row = saved.get(rowKey({ model: entry.model, data: entry.data, seed: s, fold }));
        if (!row) {
          missing.push(s);
          continue;
        }
        if (!datasets.has(entry.data)) datasets.set(entry.data, await loadSource(entry.data));
        const why = changedSettings(row, entry, datasets.get(entry.data)!, spec.folds);
        if (why) changed.set(why, [...(changed.get(why) ?? []), s]);
      }
      const groups: PendingJob[] = [
        ...(missing.length ? [{ entry, seeds: missing, ...(fold !== undefined ? { fold } : {}) }] : []),
        ...[...changed].map(([why, seeds]) => ({ entry, seeds, ...(fold !== undefined ? { fold } : {}), changed: why })),
      ];
      for (const g of groups) {
        if (spec.replicas) jobs.push(g);
        else for (const s of g.seeds) jobs.push({ ...g, seeds: [s] });
      }
    }
  }
  return jobs;
}

/** JSON with sorted keys, so equal settings compare equal whatever their key order. */
function stableJson(v: unknown): string {
  if (v === undefined) return "none";
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

/**
 * Row `config` keys that describe how a run went, not what was asked, or where a module model's
 * file lay (its `modelSha256` says whether it is the same model): never compared.
 */
const RUN_KEYS = new Set(["replicas", "resumed", "modelModule"]);

/**
 * The settings in which a saved row differs from what `entry` would fit now on `ds`: the model's
 * hyperparameters as built now (defaults, overrides and what the build derives from them and
 * from the data) and the epochs, batch size, learning rate and normalisation
 * (`"spikeHead \"relu\" → \"sigmoid\", epochs 8 → 20"`), or undefined when they agree.
 * Code changes that leave every setting as it was are not seen.
 */
export function changedSettings(row: ResultRow, entry: CompareEntry, ds: Dataset, folds?: number): string | undefined {
  const training = trainingFor(entry.model, entry);
  const fold = folds && row.fold !== undefined ? { k: folds, index: row.fold } : undefined;
  const fds = foldData(ds, fold);
  const now = runConfig(buildFor(entry.model, fds, entry.config, training), { ...training, replicas: 1, resumed: false }, fds, fold, entry.model);
  const was = (row.config ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(now), ...Object.keys(was)])].filter((k) => !RUN_KEYS.has(k));
  const diffs = keys.filter((k) => stableJson(was[k]) !== stableJson(now[k])).map((k) => `${k} ${stableJson(was[k])} → ${stableJson(now[k])}`);
  return diffs.length ? diffs.join(", ") : undefined;
}

/**
 * Runs a comparison; returns every row of results.json afterwards. A job that fails (a loss that
 * stays non-finite, data outside the likelihood's support, a worker that dies) leaves a failure
 * record instead of rows, the other jobs go on, and at the end, after the report (which lists the
 * failed runs), the call throws an error naming every failed job.
 */
export async function runCompare(spec: CompareSpec): Promise<ResultRow[]> {
  try {
    mkdirSync(spec.out, { recursive: true });
  } catch (e) {
    throw ioError("create", spec.out, e);
  }
  const store = new ResultStore(spec.out);
  // every source parses (scheme, generator, parameters) before anything runs
  const { parseSource } = await import("@sparse-dgm/data");
  for (const e of spec.entries) parseSource(e.data);
  const datasets = new Map<string, Dataset>();
  const jobs = await pendingJobs(spec, datasets);
  const total = spec.entries.length * spec.seeds.length * foldsOf(spec).length;
  const showProgress = spec.progress ?? true;
  const multi = showProgress
    ? new cliProgress.MultiBar(
        {
          format: "{name} [{bar}] {value}/{total} {unit} | {info}",
          hideCursor: true,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const inSpec = new Set(spec.entries.flatMap((e) => foldsOf(spec).flatMap((fold) => spec.seeds.map((seed) => rowKey({ model: e.model, data: e.data, seed, fold })))));
  const others = store.rows().filter((r) => !inSpec.has(rowKey(r)));
  if (others.length) {
    const what = [...new Set(others.map((r) => `${r.model} on ${r.data}`))];
    process.stderr.write(
      `note: ${join(spec.out, "results.json")} also holds ${others.length} row${others.length === 1 ? "" : "s"} of other runs (${what.slice(0, 4).join("; ")}${what.length > 4 ? "; ..." : ""}); they are kept and shown in the report (another --out starts clean)\n`,
    );
  }
  for (const j of jobs) {
    if (j.changed) process.stderr.write(`note: ${j.entry.model} on ${j.entry.data}${j.fold !== undefined ? `, fold ${j.fold}` : ""}, seeds ${j.seeds.join(",")}: settings changed since ${join(spec.out, "results.json")} was written (${j.changed}); fitting again\n`);
  }
  const overall = multi?.create(total, total - jobs.reduce((a, j) => a + j.seeds.length, 0), { name: "all runs".padEnd(28), unit: "runs", info: `${jobs.length} jobs to run` });
  const started = performance.now();
  const order = specOrder(spec);
  const onRows = (rows: ResultRow[], artifacts: RunArtifacts[]) => {
    store.put(rows, artifacts);
    store.derive(order);
    overall?.increment(rows.length, { info: `${((performance.now() - started) / 1000).toFixed(0)} s elapsed` });
  };
  const failures: string[] = [];
  const onFail = (j: PendingJob, error: string) => {
    const line = error.split("\n")[0];
    store.fail(j.seeds.map((seed) => ({ model: j.entry.model, data: j.entry.data, seed, ...(j.fold !== undefined ? { fold: j.fold } : {}), error: line })));
    const what = `${j.entry.model} on ${j.entry.data}${j.fold !== undefined ? `, fold ${j.fold}` : ""}, seeds ${j.seeds.join(",")}`;
    failures.push(`${what}: ${line}`);
    process.stderr.write(`error: ${what}: ${line} (no rows written; the report lists the runs as failed)\n`);
  };
  const workersWanted = Math.max(1, Math.min(spec.jobs, jobs.length));
  const threadsWanted = spec.threads ?? (process.env.SDGM_THREADS?.trim() ? Number(process.env.SDGM_THREADS) : undefined);
  if (workersWanted > 1 && threadsWanted !== undefined && threadsWanted > 1 && (spec.backend ?? process.env.SDGM_BACKEND ?? "wasm") === "wasm") {
    const cores = await availableCores();
    if (workersWanted * threadsWanted > cores) {
      process.stderr.write(`note: ${workersWanted} parallel jobs × ${threadsWanted} wasm threads = ${workersWanted * threadsWanted} threads on ${cores} cores: threads will wait for each other (without --threads, each job gets ${Math.max(1, Math.floor(cores / workersWanted))})\n`);
    }
  }
  try {
    if (workersWanted <= 1) {
      await initBackend(spec.backend, { threads: spec.threads });
      for (const j of jobs) {
        const bar = multi?.create(trainingFor(j.entry.model, j.entry).epochs, 0, { name: label(j), unit: "epochs", info: "" });
        let res: Awaited<ReturnType<typeof runJob>>;
        try {
          const ds = datasets.get(j.entry.data) ?? (await loadSource(j.entry.data));
          res = await runJob({ ...jobSpec(spec, j), onProgress: (p) => bar?.update(p.epoch, { info: `loss ${p.loss.toFixed(3)} | ${p.msPerStep.toFixed(1)} ms/step` }) }, ds);
        } catch (e) {
          onFail(j, (e as Error).message);
          continue;
        } finally {
          bar?.stop();
        }
        onRows(res.rows, res.artifacts);
      }
    } else {
      await runInWorkers(spec, jobs, workersWanted, multi, onRows, onFail);
    }
  } finally {
    // stopping the bars also stops their timers, so a failed job never leaves the process hanging
    multi?.stop();
  }
  // rewrites results.csv from results.json even when nothing was left to fit, the rows in the
  // order of the entries and seeds (rows of other entries after them, as they were)
  const rows = store.derive(order);
  await writeReportFor(spec, order);
  if (failures.length) {
    throw new Error(`${failures.length} job${failures.length === 1 ? "" : "s"} failed (no rows; listed as failed in ${join(spec.out, "index.html")}):\n  ${failures.join("\n  ")}`);
  }
  return rows;
}

/** Orders rows as the spec lists entries, then folds, then seeds; rows of no entry go last, in their order. */
function specOrder(spec: Pick<CompareSpec, "entries">): (a: ResultRow, b: ResultRow) => number {
  const rank = new Map(spec.entries.map((e, i) => [`${e.model}|${e.data}`, i]));
  const at = (r: ResultRow) => rank.get(`${r.model}|${r.data}`) ?? spec.entries.length;
  return (a, b) => at(a) - at(b) || (at(a) < spec.entries.length ? (a.fold ?? -1) - (b.fold ?? -1) || a.seed - b.seed : byKey(a, b));
}

/**
 * A job's progress-bar label, 28 characters: model, source (without `synthetic:`), fold and seeds; a
 * source too long for it ends in "…", so a cut `n=1000` never reads as `n=100`.
 */
export function label(j: { entry: Pick<CompareEntry, "model" | "data">; seeds: number[]; fold?: number }): string {
  const s = j.seeds.length === 1 ? `s${j.seeds[0]}` : `s${j.seeds[0]}-${j.seeds[j.seeds.length - 1]}`;
  const f = j.fold === undefined ? "" : ` f${j.fold}`;
  const full = `${j.entry.model} ${j.entry.data.replace(/^synthetic:/, "")}`;
  const room = 28 - s.length - f.length - 1;
  const name = full.length > room ? `${full.slice(0, room - 1)}…` : full;
  return `${name}${f} ${s}`.padEnd(28);
}

function jobSpec(spec: CompareSpec, j: PendingJob): Omit<JobSpec, "onProgress"> {
  return {
    model: j.entry.model,
    source: j.entry.data,
    seeds: j.seeds,
    epochs: j.entry.epochs,
    batchSize: j.entry.batchSize,
    learningRate: j.entry.learningRate,
    replicas: spec.replicas,
    out: spec.out,
    config: j.entry.config,
    metrics: j.entry.metrics ?? spec.metrics,
    checkpointEvery: 0,
    dataInCheckpointName: true,
    // a checkpoint of other settings (declaration, seeds, epochs, batch size, learning rate) is replaced, not resumed
    restartChanged: true,
    quietRestart: j.changed !== undefined, // the note on the changed rows has said why
    ...(j.fold !== undefined && spec.folds ? { fold: { k: spec.folds, index: j.fold } } : {}),
  };
}

async function loadSource(source: string): Promise<Dataset> {
  const data = await import("@sparse-dgm/data");
  return data.loadData(source);
}

async function runInWorkers(
  spec: CompareSpec,
  jobs: PendingJob[],
  n: number,
  multi: cliProgress.MultiBar | undefined,
  onRows: (rows: ResultRow[], artifacts: RunArtifacts[]) => void,
  onFail: (j: PendingJob, error: string) => void,
): Promise<void> {
  const bootstrap = fileURLToPath(new URL("../bin/worker.js", import.meta.url));
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const j = jobs[index];
      const bar = multi?.create(trainingFor(j.entry.model, j.entry).epochs, 0, { name: label(j), unit: "epochs", info: "" });
      await new Promise<void>((resolve) => {
        const w = new Worker(bootstrap);
        const origin = modelOrigin(j.entry.model);
        const msg: WorkerJob = { spec: jobSpec(spec, j), backend: spec.backend, threads: spec.threads, jobs: n, index, origins: origin ? [origin] : [] };
        let settled = false;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          try {
            f();
          } catch (e) {
            onFail(j, (e as Error).message);
          }
        };
        w.postMessage(msg);
        w.on("message", (m: { type: string; epoch?: number; loss?: number; ms?: number; rows?: ResultRow[]; artifacts?: RunArtifacts[]; error?: string }) => {
          if (m.type === "progress") bar?.update(m.epoch!, { info: `loss ${m.loss!.toFixed(3)} | ${m.ms!.toFixed(1)} ms/step` });
          else if (m.type === "done") settle(() => onRows(m.rows!, m.artifacts!));
          else if (m.type === "error") settle(() => onFail(j, m.error!));
        });
        w.on("error", (e) => settle(() => onFail(j, `the worker thread failed: ${e.message}`)));
        w.on("exit", (code) => {
          bar?.stop();
          // a worker that ends without rows or an error (out of memory, killed) is a failure too, never silence
          settle(() => onFail(j, `the worker thread exited (code ${code}) before reporting rows`));
          resolve();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: n }, runOne));
}

/** The body of a worker thread: run one job, report progress and rows. */
export async function workerMain(port: { on(e: "message", f: (m: WorkerJob) => void): void; postMessage(m: unknown): void }): Promise<void> {
  port.on("message", async (job: WorkerJob) => {
    try {
      // parallel jobs share the cores: by default each job's wasm runs cores / jobs threads
      await initBackend(job.backend, { threads: job.threads, jobs: job.jobs });
      await useOrigins(job.origins, { check: false, why: "the comparison began" }); // checked by the main thread
      const ds = await loadSource(job.spec.source);
      const res = await runJob({ ...job.spec, onProgress: (p) => port.postMessage({ type: "progress", epoch: p.epoch, loss: p.loss, ms: p.msPerStep }) }, ds);
      port.postMessage({ type: "done", rows: res.rows, artifacts: res.artifacts });
    } catch (e) {
      port.postMessage({ type: "error", error: (e as Error).message ?? String(e) });
    }
    process.exit(0);
  });
}

/**
 * The report's record of module models: those registered in this process, and those named by the
 * rows' `modelModule` / `modelSha256` (rows of other writers into the folder, or of merged folders).
 */
function moduleOrigins(names: readonly string[], rows: readonly ResultRow[]): { modules?: Record<string, string> } {
  const modules: Record<string, string> = {};
  for (const r of rows) {
    const c = (r.config ?? {}) as Record<string, unknown>;
    if (typeof c.modelModule === "string") modules[r.model] = `${c.modelModule} (sha256 ${String(c.modelSha256)})`;
  }
  Object.assign(modules, originSummary(names).modules);
  return Object.keys(modules).length ? { modules } : {};
}

/**
 * Writes `index.html` from the results store of `spec.out` (every row, the failed runs, the
 * artefacts), atomically; writes it again while other writers change the store meanwhile, so the
 * last writer's report shows every row.
 */
export async function writeReportFor(
  spec: Pick<CompareSpec, "out" | "title" | "entries" | "seeds" | "jobs" | "replicas" | "folds">,
  order?: (a: ResultRow, b: ResultRow) => number,
): Promise<void> {
  const store = new ResultStore(spec.out);
  const data = await import("@sparse-dgm/data");
  const descriptions = new Map<string, string>();
  const datasets = new Map<string, Dataset>();
  const graphs: Record<string, string> = {};
  for (let round = 0; round < 20; round++) {
    const before = store.signature();
    const rows = store.rows().sort(order ?? byKey);
    const failed: FailedRun[] = store.failures();
    const artifacts = rows.map((r) => store.artifact(r)).filter((a): a is RunArtifacts => a !== undefined);
    for (const s of new Set([...rows, ...failed].map((r) => r.data))) {
      if (descriptions.has(s)) continue;
      try {
        const ds = await data.loadData(s);
        datasets.set(s, ds);
        descriptions.set(s, data.formatDescription(data.describe(ds)));
      } catch (e) {
        descriptions.set(s, `(could not be loaded for this report: ${(e as Error).message})`);
      }
    }
    for (const e of spec.entries) {
      const ds = datasets.get(e.data);
      if (graphs[e.model] || !ds) continue;
      try {
        graphs[e.model] = await renderModel(buildFor(e.model, ds, e.config), "svg");
      } catch {
        // a model that cannot be built for this data has failed runs, which the report lists
      }
    }
    const html = await renderReport({
      title: spec.title ?? "sparse-dgm comparison",
      generatedAt: new Date().toISOString(),
      rows,
      artifacts,
      failed,
      graphs,
      data: [...new Set(rows.map((r) => r.data))].map((source) => ({ source, description: descriptions.get(source)! })),
      config: { entries: spec.entries, seeds: spec.seeds, ...(spec.folds ? { folds: spec.folds } : {}), jobs: spec.jobs, replicas: spec.replicas, ...moduleOrigins(spec.entries.map((e) => e.model), rows) },
      machine: { backend: currentBackend(), cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    });
    atomicWrite(join(spec.out, "index.html"), html);
    if (store.signature() === before) break;
  }
}
