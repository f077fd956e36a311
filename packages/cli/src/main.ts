/**
 * The `sdgm` command line (DESIGN §7): fit, compare, eval, render, data, start.
 */
import { Command, Option } from "commander";
import { join } from "node:path";
import { initBackend, parseThreads, type BackendName } from "@sparse-dgm/core";
import { zoo, entryOptions } from "@sparse-dgm/zoo";
import { closest, distance } from "fastest-levenshtein";
import { renderModel, foldSummaries, formatFoldSummaries, type ResultRow, type RunArtifacts } from "@sparse-dgm/viz";
import { runJob, evalCheckpoint, buildFor, trainingFor } from "./jobs.js";
import { ResultStore, atomicWrite, degenerateWarnings, skippedStepWarnings } from "./results.js";
import { runCompare, type CompareEntry } from "./compare.js";
import { MAIN_JOB } from "./main-job.js";
import { progressBar } from "./progress.js";
import { intOption, listOption, positiveOption } from "./options.js";
import { resolveModels, modelEntry, moduleKind } from "./user-model.js";

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
}

/** `--metrics a,b,c`: the names, each checked against the metric registry (an unknown name is an error naming it). */
async function parseMetrics(names: string[] | undefined): Promise<string[] | undefined> {
  if (!names) return undefined;
  const { getMetric } = await import("@sparse-dgm/metrics");
  names.forEach((m) => getMetric(m));
  return names;
}

function summarise(rows: Array<{ model: string; data: string; metrics: Record<string, number> }>): string {
  const keys = ["heldoutMse", "dciDisentanglement", "supportF1", "mcc", "activeUnits", "withinClassJaccard", "meanActiveSize"];
  const groups = new Map<string, Array<Record<string, number>>>();
  for (const r of rows) {
    const k = `${r.model} on ${r.data}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r.metrics);
  }
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const lines = ["", "median over seeds:"];
  for (const [k, ms] of groups) {
    const parts = keys.filter((m) => ms.some((x) => m in x)).map((m) => `${m} ${median(ms.filter((x) => m in x).map((x) => x[m])).toPrecision(3)}`);
    lines.push(`  ${k}: ${parts.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Parses `--set key=value` pairs: numbers and true/false (any case) converted, a value starting with `{` or `[`
 * read as JSON; a boolean option also takes yes/no, on/off and 1/0 (the zoo's `bool` check reads them,
 * or refuses a value that is none of these) (a schedule: `sharpness={"kind":"linear","from":50,"to":200,"steps":9375}`).
 */
export function parseSets(sets: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets ?? []) {
    const i = s.indexOf("=");
    if (i < 1) throw new Error(`--set expects key=value, got "${s}"`);
    const k = s.slice(0, i);
    const v = s.slice(i + 1);
    out[k] = /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : v !== "" && !Number.isNaN(Number(v)) ? Number(v) : /^[[{]/.test(v) ? parseJson(k, v) : v;
  }
  return out;
}

function parseJson(key: string, v: string): unknown {
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new Error(`--set ${key}: the value starts like JSON but does not parse (${(e as Error).message}): ${v}`);
  }
}

/**
 * The hyperparameters of each model from `--set` pairs: `key=value` applies to every model that
 * has that option, `model.key=value` to that model only (it wins over an unscoped key). A scope
 * that names none of the models, a scoped key the model does not have, and an unscoped key that
 * none of the models has are refused, listing the options (and the closest one), so a typo cannot
 * be silently ignored.
 *
 * @example
 * ```ts
 * modelConfigs(["vsc", "vscClass"], ["latents=40", "vscClass.classWeight=10"]);
 * // { vsc: { latents: 40 }, vscClass: { latents: 40, classWeight: 10 } }
 * modelConfigs(["vscClass"], ["classWieght=10"]);
 * // throws: --set classWieght: vscClass has no option "classWieght" (did you mean classWeight?); the options are ...
 * ```
 */
export function modelConfigs(models: readonly string[], sets: string[] | undefined): Record<string, Record<string, unknown>> {
  const all = parseSets(sets);
  const options = Object.fromEntries(models.map((m) => [m, entryOptions(modelEntry(m))]));
  const noSuch = (set: string, key: string, among: readonly string[]) => {
    const known = [...new Set(among.flatMap((m) => options[m]))];
    const near = known.length ? closest(key, known) : undefined; // a module's DSL model has no options
    const hint = near && distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean ${near}?)` : "";
    const who = among.length === 1 ? `${among[0]} has no option` : `none of ${among.join(", ")} has an option`;
    const lists = among.map((m) => (among.length === 1 ? options[m].join(", ") || "(none)" : `${m}: ${options[m].join(", ") || "(none)"}`)).join("; ");
    return new Error(`--set ${set}: ${who} "${key}"${hint}; the options are ${lists}`);
  };
  const shared: Record<string, Record<string, unknown>> = Object.fromEntries(models.map((m) => [m, {}]));
  const scoped: Record<string, Record<string, unknown>> = Object.fromEntries(models.map((m) => [m, {}]));
  for (const [k, v] of Object.entries(all)) {
    const dot = k.indexOf(".");
    if (dot < 0) {
      const takers = models.filter((m) => options[m].includes(k));
      if (!takers.length) throw noSuch(k, k, models);
      for (const m of takers) shared[m][k] = v;
      continue;
    }
    const [model, key] = [k.slice(0, dot), k.slice(dot + 1)];
    if (!scoped[model]) throw new Error(`--set ${k}: "${model}" is not one of the models (${models.join(", ")})`);
    if (!key) throw new Error(`--set ${k}: expected ${model}.<key>=<value>`);
    if (!options[model].includes(key)) throw noSuch(k, key, [model]);
    scoped[model][key] = v;
  }
  return Object.fromEntries(models.map((m) => [m, { ...shared[m], ...scoped[m] }]));
}

/** The `<model>` argument's help. */
const MODEL_ARG = `a zoo model (${Object.keys(zoo).join(", ")}) or a model module: ./file.ts#export (a DSL model or a zoo-style entry; default export without #)`;

/** A run's top features per factor for the terminal: active factors first, with NPMI and the random baseline. */
function formatTopFeatures(r: ResultRow): string {
  const t = r.topFeatures!;
  const factors = [...t.factors].sort((a, b) => Number(b.active ?? true) - Number(a.active ?? true) || (b.npmi ?? -2) - (a.npmi ?? -2));
  const lines = [`top ${t.k} features per factor (${r.model} seed ${r.seed}${r.fold !== undefined ? ` fold ${r.fold}` : ""}):`];
  for (const f of factors) {
    const tags = [f.active === false ? "inactive" : "", f.npmi !== undefined ? `NPMI ${f.npmi}` : ""].filter(Boolean).join(", ");
    lines.push(`  z${f.factor + 1}${f.direction > 0 ? "+" : "-"}${tags ? ` (${tags})` : ""}: ${f.features.join(", ")}`);
  }
  if (t.coherence !== undefined) lines.push(`  topicCoherence ${t.coherence}${t.randomCoherence !== undefined ? `; random ${t.k}-feature sets by document frequency: ${t.randomCoherence}` : ""}`);
  return lines.join("\n") + "\n";
}

/**
 * The command line's commands and options (tests parse with it: `cli().exitOverride()`); {@link main}
 * runs it.
 */
export function cli(): Command {
  const program = new Command();
  program.name("sdgm").description("sparse-dgm: fit, compare and render sparse deep generative models").showHelpAfterError("(sdgm <command> --help lists the options)");

  program
    .command("render")
    .description("render a model's graph: plates, sites and mask edges")
    .argument("<model>", MODEL_ARG)
    .addOption(new Option("--format <format>", "output format").choices(["dot", "svg", "json"]).default("json"))
    .option("--features <n>", "number of observed features G (default: the model's render shape)", intOption(1))
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (name: string, opts: { format: "dot" | "svg" | "json"; features?: number; out?: string }) => {
      const [model] = await resolveModels([name]);
      const entry = modelEntry(model);
      if (opts.features && moduleKind(model) === "model") throw new Error(`--features: ${name} is a DSL model of a fixed shape (export a zoo-style entry to build it for a shape)`);
      const shape = opts.features ? { ...entry.renderShape, features: opts.features } : entry.renderShape;
      if (!shape) throw new Error(`${name} has no renderShape: pass --features N`);
      const m = entry.build({ ...shape });
      const text = await renderModel(m, opts.format);
      if (opts.out) atomicWrite(opts.out, text);
      else process.stdout.write(text + "\n");
    });

  program
    .command("models")
    .description("list the zoo's models, or one model's options (--set) with their defaults and its training settings")
    .argument("[model]", "a zoo model")
    .option("--json", "print JSON")
    .option("--data <source>", "also print the config the model is built with on this data (defaults that follow the data's kind, size and statistics resolved)")
    .option("--set <key=value...>", "with --data: hyperparameters, as for fit")
    .action(async (name: string | undefined, opts: { json?: boolean; data?: string; set?: string[] }) => {
      const { describeModel, formatModel, formatModelList } = await import("./models.js");
      if (name === undefined) {
        const entries = Object.values(zoo);
        process.stdout.write((opts.json ? JSON.stringify(entries.map((e) => describeModel(e)), null, 2) : formatModelList(entries)) + "\n");
        return;
      }
      const entry = zoo[name];
      if (!entry) {
        const names = Object.keys(zoo);
        throw new Error(`models: unknown model "${name}"${distance(closest(name, names), name) <= 3 ? ` (did you mean ${closest(name, names)}?)` : ""}; the zoo holds ${names.join(", ")}`);
      }
      if (opts.set && !opts.data) throw new Error("models: --set needs --data <source> (the config is resolved on data)");
      let resolved: { source: string; config: Record<string, unknown> } | undefined;
      if (opts.data) {
        const config = modelConfigs([name], opts.set)[name];
        const data = await import("@sparse-dgm/data");
        const ds = await data.loadData(opts.data);
        const built = buildFor(name, ds, config, trainingFor(name));
        resolved = { source: opts.data, config: built.ir.meta.config as Record<string, unknown> };
      }
      const d = describeModel(entry, resolved);
      process.stdout.write((opts.json ? JSON.stringify(d, null, 2) : formatModel(d)) + "\n");
    });

  program
    .command("data")
    .description("describe a data source: shape, kind, split sizes, a preview")
    .argument("<source>", "e.g. synthetic:moran?rho=0.6, csv:path.csv, idx:images.gz?labels=labels.gz")
    .option("--json", "print JSON")
    .option("--export <dir>", "write the data as the files of its kind (ratings: ratings.tsv + items.csv; cells: 10x matrix.mtx + features + barcodes + labels; topics: LDA-C + vocab) and print the source that reads them back")
    .addOption(new Option("--format <format>", "the export's file format (default: the data's kind)").choices(["ratings", "mtx", "csv", "ldac", "h5ad"]))
    .action(async (source: string, opts: { json?: boolean; export?: string; format?: "ratings" | "mtx" | "csv" | "ldac" | "h5ad" }) => {
      const data = await import("@sparse-dgm/data");
      const ds = await data.loadData(source);
      if (opts.format && !opts.export) throw new Error("--format needs --export <dir>");
      if (opts.export) {
        const { exportDataset } = await import("@sparse-dgm/data/loaders");
        const e = await exportDataset(ds, opts.export, opts.format);
        process.stdout.write(`wrote ${e.files.join(", ")}\nread them back with: ${e.source}\n`);
        return;
      }
      const d = data.describe(ds);
      process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + "\n" : data.formatDescription(d) + "\n");
    });

  program
    .command("fit")
    .description("fit a model on a data source; writes results.json, results.csv and checkpoints")
    .argument("<model>", MODEL_ARG)
    .requiredOption("--data <source>", "data source, e.g. synthetic:moran?rho=0.4")
    .option("--epochs <n>", "epochs (default: the model's reproduction setting)", intOption(1))
    .option("--seed <s>", "seed", intOption(0), 0)
    .option("--seeds <n>", "fit seeds seed..seed+n-1 (as replicas of one program)", intOption(1))
    .option("--batch-size <n>", "minibatch size", intOption(1))
    .option("--lr <x>", "learning rate (of the network; a model's declared group rates, e.g. sparseVae's maskLearningRate, still apply)", positiveOption)
    .option("--out <dir>", "output directory (default runs/<timestamp>)")
    .option("--checkpoint-every <n>", "checkpoint every n epochs (0: only at the end)", intOption(0), 10)
    .option("--no-replicas", "fit the seeds one after another instead of as replicas")
    .option("--folds <k>", "K-fold cross-validation: fit K times, fold k held out each time (rows carry fold)", intOption(2))
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--threads <n>", "wasm threads per training process (default: SDGM_THREADS, else the available cores divided among --jobs; 1 is faster for tiny models, see docs/backends.md)", (v) => parseThreads(v, "--threads"))
    .option("--set <key=value...>", "model hyperparameters, e.g. --set factors=8 spike=20")
    .option("--metrics <list>", "only these metrics (comma-separated; default: every applicable one, DCI only when it takes about a minute or less)", listOption(",", "metric"))
    .action(async (ref: string, opts: Record<string, any>) => {
      const [name] = await resolveModels([ref]);
      const entry = modelEntry(name);
      const metrics = await parseMetrics(opts.metrics);
      const config = modelConfigs([name], opts.set)[name];
      const backend = await initBackend(opts.backend as BackendName | undefined, { threads: opts.threads });
      const data = await import("@sparse-dgm/data");
      const ds = await data.loadData(opts.data);
      const out = opts.out ?? join("runs", timestamp());
      const seeds = Array.from({ length: opts.seeds ?? 1 }, (_, i) => opts.seed + i);
      const epochs = opts.epochs ?? entry.training.epochs;
      const folds: Array<{ k: number; index: number } | undefined> = opts.folds ? Array.from({ length: opts.folds }, (_, index) => ({ k: opts.folds, index })) : [undefined];
      const store = new ResultStore(out);
      const result: { rows: ResultRow[]; artifacts: RunArtifacts[] } = { rows: [], artifacts: [] };
      for (const fold of folds) {
        const bar = progressBar(`${name} on ${opts.data}${fold ? ` fold ${fold.index + 1}/${fold.k}` : ""} (${backend})`, epochs);
        let res: Awaited<ReturnType<typeof runJob>>;
        try {
          res = await runJob(
          {
            model: name,
            source: opts.data,
            seeds,
            epochs,
            batchSize: opts.batchSize,
            learningRate: opts.lr,
            replicas: opts.replicas,
            out,
            checkpointEvery: opts.checkpointEvery,
            config,
            metrics,
            ...(fold ? { fold } : {}),
            onProgress: (p) => bar.update(p.epoch, { loss: p.loss.toFixed(4), ms: p.msPerStep.toFixed(2) }),
          },
          ds,
        );
        } catch (e) {
          bar.stop();
          // no row for a run that did not train as asked: a failure record, listed by the report
          const error = (e as Error).message.split("\n")[0];
          store.fail(seeds.map((seed) => ({ model: name, data: opts.data, seed, ...(fold ? { fold: fold.index } : {}), error })));
          throw new Error(`${name} on ${opts.data}${fold ? `, fold ${fold.index}` : ""}, seed${seeds.length > 1 ? "s" : ""} ${seeds.join(",")}: ${error} (no result row written; recorded in ${store.failedDir})`);
        }
        bar.stop();
        result.rows.push(...res.rows);
        result.artifacts.push(...res.artifacts);
        // each fold's rows are stored as soon as it ends
        store.put(res.rows, res.artifacts);
        store.derive();
      }
      for (const r of result.rows) {
        const m = Object.entries(r.metrics)
          .map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`)
          .join(" ");
        process.stdout.write(`${r.model} seed ${r.seed}${r.fold !== undefined ? ` fold ${r.fold}` : ""}: ${m}\n`);
      }
      const first = result.rows[0];
      if (first?.topFeatures) process.stdout.write(formatTopFeatures(first));
      process.stdout.write(formatFoldSummaries(foldSummaries(result.rows)));
      for (const w of [...skippedStepWarnings(result.rows), ...degenerateWarnings(result.rows)]) process.stderr.write(`${w}\n`);
      process.stdout.write(`wrote ${join(out, "results.json")}, ${join(out, "results.csv")}, ${store.artifactsDir} and checkpoints in ${join(out, "checkpoints")}\n`);
    });

  program
    .command("compare")
    .description("fit every model on the same splits and seeds; writes results.json, results.csv and the report index.html")
    .requiredOption("--models <list>", "comma-separated zoo models or model modules (./file.ts#export)", listOption(",", "model"))
    .requiredOption("--data <sources>", "data sources, separated by ';' (a source's own parameters use '&')", listOption(";", "data source"))
    .option("--seeds <n>", "number of seeds (0..n-1)", intOption(1), 3)
    .option("--epochs <n>", "epochs (default: each model's reproduction setting)", intOption(1))
    .option("--out <dir>", "output directory (default runs/<timestamp>)")
    .option("--jobs <n>", "parallel worker threads", intOption(1), 1)
    .option("--no-replicas", "fit seeds one by one instead of as replicas of one program")
    .option("--folds <k>", "K-fold cross-validation: every model and seed fitted K times, fold k held out; the report adds the fold summary", intOption(2))
    .option("--metrics <list>", "only these metrics (comma-separated)", listOption(",", "metric"))
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--threads <n>", "wasm threads per training process (default: SDGM_THREADS, else the available cores divided among --jobs; 1 is faster for tiny models, see docs/backends.md)", (v) => parseThreads(v, "--threads"))
    .option("--set <key=value...>", "model hyperparameters: key=value for every model that has the option, model.key=value for one")
    .action(async (opts: Record<string, any>) => {
      const models = await resolveModels(opts.models as string[]);
      const data = opts.data as string[];
      const metrics = await parseMetrics(opts.metrics);
      const configs = modelConfigs(models, opts.set);
      const entries: CompareEntry[] = data.flatMap((d) => models.map((model) => ({ model, data: d.trim(), config: configs[model], epochs: opts.epochs })));
      const out = opts.out ?? join("runs", timestamp());
      const rows = await runCompare({
        entries,
        seeds: Array.from({ length: opts.seeds }, (_, i) => i),
        ...(opts.folds ? { folds: opts.folds } : {}),
        out,
        jobs: opts.jobs,
        replicas: opts.replicas,
        backend: opts.backend,
        threads: opts.threads,
        metrics,
      });
      process.stdout.write(formatFoldSummaries(foldSummaries(rows), ["recallAt5", "ndcgAt10", "heldoutNll", "supportF1", "topicCoherence", "linearProbeAccuracy", "heldoutMse"]));
      for (const w of [...skippedStepWarnings(rows), ...degenerateWarnings(rows)]) process.stderr.write(`${w}\n`);
      process.stdout.write(`wrote ${join(out, "results.json")}, ${join(out, "results.csv")} and ${join(out, "index.html")}\n`);
    });

  program
    .command("merge")
    .description("merge output folders written apart (each array task its own --out) into one: rows, failures, artefacts, checkpoints; then results.json, results.csv and index.html")
    .argument("<into>", "the folder to merge into (created if missing; may already hold rows)")
    .argument("<folders...>", "folders to merge from")
    .option("--replace", "a row that differs between folders: the later folder's wins (default: refused, naming them)")
    .option("--title <title>", "the report's title")
    .action(async (into: string, folders: string[], opts: { replace?: boolean; title?: string }) => {
      const { mergeFolders } = await import("./merge.js");
      const s = await mergeFolders(into, folders, opts);
      process.stdout.write(
        `merged ${folders.length} folder${folders.length === 1 ? "" : "s"} into ${into}: ${s.rows} row${s.rows === 1 ? "" : "s"} added or replaced, ${s.same} already there, ${s.failed} failed run${s.failed === 1 ? "" : "s"}, ${s.checkpoints} checkpoint${s.checkpoints === 1 ? "" : "s"}; wrote ${join(into, "results.json")}, ${join(into, "results.csv")} and ${join(into, "index.html")}\n`,
      );
    });

  program
    .command("start")
    .description("the main job: compare the trainable zoo on built-in synthetic data with known structure; writes report/")
    .option("--out <dir>", "output directory", "report")
    .option("--jobs <n>", "parallel worker threads", intOption(1), 2)
    .option("--seeds <n>", "seeds per model", intOption(1), MAIN_JOB.seeds)
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--threads <n>", "wasm threads per training process (default: SDGM_THREADS, else the available cores divided among --jobs; 1 is faster for tiny models, see docs/backends.md)", (v) => parseThreads(v, "--threads"))
    .action(async (opts: Record<string, any>) => {
      const t0 = Date.now();
      const rows = await runCompare({
        entries: MAIN_JOB.entries,
        seeds: Array.from({ length: opts.seeds }, (_, i) => i),
        out: opts.out,
        jobs: opts.jobs,
        replicas: true,
        backend: opts.backend,
        threads: opts.threads,
        title: "sparse-dgm: the zoo on synthetic data with known structure",
      });
      process.stdout.write(summarise(rows));
      for (const w of [...skippedStepWarnings(rows), ...degenerateWarnings(rows)]) process.stderr.write(`${w}\n`);
      process.stdout.write(`\nmain job done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${join(opts.out, "index.html")}, results.json, results.csv\n`);
    });

  program
    .command("eval")
    .description("compute every applicable metric of a saved model on a data source")
    .argument("<checkpoint>", "a checkpoint directory (e.g. runs/<time>/checkpoints/sparseVae-s0)")
    .requiredOption("--data <source>", "data source (its test split is used for held-out metrics; a fold's checkpoint on its own source: that fold's held-out rows)")
    .option("--metrics <list>", "only these metrics (comma-separated; default: every applicable one, DCI only when it takes about a minute or less)", listOption(",", "metric"))
    .option("--json", "print JSON")
    .option("--model <file#export>", "where a module model's file is now, when it moved since the fit (its content must be unchanged)")
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--threads <n>", "wasm threads per training process (default: SDGM_THREADS, else the available cores divided among --jobs; 1 is faster for tiny models, see docs/backends.md)", (v) => parseThreads(v, "--threads"))
    .action(async (dir: string, opts: { data: string; json?: boolean; backend?: BackendName; threads?: number; metrics?: string[]; model?: string }) => {
      await initBackend(opts.backend, { threads: opts.threads });
      const data = await import("@sparse-dgm/data");
      const out = await evalCheckpoint(dir, await data.loadData(opts.data), opts.data, await parseMetrics(opts.metrics), { module: opts.model });
      // the degenerate-code warnings `fit` prints, on stderr (the JSON on stdout stays parseable)
      for (const w of degenerateWarnings(out)) process.stderr.write(`${w}\n`);
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      else
        for (const r of out) {
          process.stdout.write(`${r.model} seed ${r.seed}${r.fold !== undefined ? ` fold ${r.fold}` : ""} on ${r.data}:\n`);
          for (const [k, v] of Object.entries(r.metrics)) process.stdout.write(`  ${k.padEnd(22)} ${Number(v.toPrecision(5))}\n`);
        }
    });

  return program;
}

/** Runs the command line with `argv` (process.argv). */
export async function main(argv: string[]): Promise<void> {
  const program = cli();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.stderr.write(`sdgm: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
