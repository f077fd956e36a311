/**
 * The `sdgm` command line (DESIGN §7): fit, compare, eval, render, data, start.
 */
import { Command, Option } from "commander";
import { join } from "node:path";
import { initBackend, type BackendName } from "@sparse-dgm/core";
import { zoo, zooEntry, entryOptions } from "@sparse-dgm/zoo";
import { closest, distance } from "fastest-levenshtein";
import { renderModel } from "@sparse-dgm/viz";
import { runJob, metricOptions, evalCheckpoint } from "./jobs.js";
import { ResultStore, atomicWrite, degenerateWarnings, skippedStepWarnings } from "./results.js";
import { runCompare, type CompareEntry } from "./compare.js";
import { MAIN_JOB } from "./main-job.js";
import { progressBar } from "./progress.js";
import { intOption, listOption, positiveOption } from "./options.js";

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
 * Parses `--set key=value` pairs: numbers and booleans converted, a value starting with `{` or `[`
 * read as JSON (a schedule: `sharpness={"kind":"linear","from":50,"to":200,"steps":9375}`).
 */
export function parseSets(sets: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets ?? []) {
    const i = s.indexOf("=");
    if (i < 1) throw new Error(`--set expects key=value, got "${s}"`);
    const k = s.slice(0, i);
    const v = s.slice(i + 1);
    out[k] = v === "true" ? true : v === "false" ? false : v !== "" && !Number.isNaN(Number(v)) ? Number(v) : /^[[{]/.test(v) ? parseJson(k, v) : v;
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
  const options = Object.fromEntries(models.map((m) => [m, entryOptions(zooEntry(m))]));
  const noSuch = (set: string, key: string, among: readonly string[]) => {
    const known = [...new Set(among.flatMap((m) => options[m]))];
    const near = closest(key, known);
    const hint = distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean ${near}?)` : "";
    const who = among.length === 1 ? `${among[0]} has no option` : `none of ${among.join(", ")} has an option`;
    const lists = among.map((m) => (among.length === 1 ? options[m].join(", ") : `${m}: ${options[m].join(", ")}`)).join("; ");
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

/**
 * The command line's commands and options (tests parse with it: `cli().exitOverride()`); {@link main}
 * runs it.
 */
export function cli(): Command {
  const program = new Command();
  program.name("sdgm").description("sparse-dgm: fit, compare and render sparse deep generative models").showHelpAfterError("(sdgm <command> --help lists the options)");

  program
    .command("render")
    .description("render a zoo model's graph: plates, sites and mask edges")
    .argument("<model>", `zoo model (${Object.keys(zoo).join(", ")})`)
    .addOption(new Option("--format <format>", "output format").choices(["dot", "svg", "json"]).default("json"))
    .option("--features <n>", "number of observed features G (default: the model's render shape)", intOption(1))
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (name: string, opts: { format: "dot" | "svg" | "json"; features?: number; out?: string }) => {
      const entry = zooEntry(name);
      const shape = opts.features ? { ...entry.renderShape, features: opts.features } : entry.renderShape;
      const m = entry.build({ ...shape });
      const text = await renderModel(m, opts.format);
      if (opts.out) atomicWrite(opts.out, text);
      else process.stdout.write(text + "\n");
    });

  program
    .command("data")
    .description("describe a data source: shape, kind, split sizes, a preview")
    .argument("<source>", "e.g. synthetic:moran?rho=0.6, csv:path.csv, idx:images.gz?labels=labels.gz")
    .option("--json", "print JSON")
    .action(async (source: string, opts: { json?: boolean }) => {
      const data = await import("@sparse-dgm/data");
      const ds = await data.loadData(source);
      const d = data.describe(ds);
      process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + "\n" : data.formatDescription(d) + "\n");
    });

  program
    .command("fit")
    .description("fit a zoo model on a data source; writes results.json, results.csv and checkpoints")
    .argument("<model>", `zoo model (${Object.keys(zoo).join(", ")})`)
    .requiredOption("--data <source>", "data source, e.g. synthetic:moran?rho=0.4")
    .option("--epochs <n>", "epochs (default: the model's reproduction setting)", intOption(1))
    .option("--seed <s>", "seed", intOption(0), 0)
    .option("--seeds <n>", "fit seeds seed..seed+n-1 (as replicas of one program)", intOption(1))
    .option("--batch-size <n>", "minibatch size", intOption(1))
    .option("--lr <x>", "learning rate", positiveOption)
    .option("--out <dir>", "output directory (default runs/<timestamp>)")
    .option("--checkpoint-every <n>", "checkpoint every n epochs (0: only at the end)", intOption(0), 10)
    .option("--no-replicas", "fit the seeds one after another instead of as replicas")
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--set <key=value...>", "model hyperparameters, e.g. --set factors=8 spike=20")
    .option("--metrics <list>", "only these metrics (comma-separated; default: every applicable one, DCI only when it takes about a minute or less)", listOption(",", "metric"))
    .action(async (name: string, opts: Record<string, any>) => {
      const entry = zooEntry(name);
      const metrics = await parseMetrics(opts.metrics);
      const backend = await initBackend(opts.backend as BackendName | undefined);
      const data = await import("@sparse-dgm/data");
      const ds = await data.loadData(opts.data);
      const out = opts.out ?? join("runs", timestamp());
      const seeds = Array.from({ length: opts.seeds ?? 1 }, (_, i) => opts.seed + i);
      const epochs = opts.epochs ?? entry.training.epochs;
      const bar = progressBar(`${name} on ${opts.data} (${backend})`, epochs);
      const store = new ResultStore(out);
      let result: Awaited<ReturnType<typeof runJob>>;
      try {
        result = await runJob(
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
            config: modelConfigs([name], opts.set)[name],
            metrics,
            onProgress: (p) => bar.update(p.epoch, { loss: p.loss.toFixed(4), ms: p.msPerStep.toFixed(2) }),
          },
          ds,
        );
      } catch (e) {
        bar.stop();
        // no row for a run that did not train as asked: a failure record, listed by the report
        const error = (e as Error).message.split("\n")[0];
        store.fail(seeds.map((seed) => ({ model: name, data: opts.data, seed, error })));
        throw new Error(`${name} on ${opts.data}, seed${seeds.length > 1 ? "s" : ""} ${seeds.join(",")}: ${error} (no result row written; recorded in ${store.failedDir})`);
      }
      bar.stop();
      store.put(result.rows, result.artifacts);
      store.derive();
      for (const r of result.rows) {
        const m = Object.entries(r.metrics)
          .map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`)
          .join(" ");
        process.stdout.write(`${r.model} seed ${r.seed}: ${m}\n`);
      }
      for (const w of [...skippedStepWarnings(result.rows), ...degenerateWarnings(result.rows)]) process.stderr.write(`${w}\n`);
      process.stdout.write(`wrote ${join(out, "results.json")}, ${join(out, "results.csv")}, ${store.artifactsDir} and checkpoints in ${join(out, "checkpoints")}\n`);
    });

  program
    .command("compare")
    .description("fit every model on the same splits and seeds; writes results.json, results.csv and the report index.html")
    .requiredOption("--models <list>", "comma-separated zoo models", listOption(",", "model"))
    .requiredOption("--data <sources>", "data sources, separated by ';' (a source's own parameters use '&')", listOption(";", "data source"))
    .option("--seeds <n>", "number of seeds (0..n-1)", intOption(1), 3)
    .option("--epochs <n>", "epochs (default: each model's reproduction setting)", intOption(1))
    .option("--out <dir>", "output directory (default runs/<timestamp>)")
    .option("--jobs <n>", "parallel worker threads", intOption(1), 1)
    .option("--no-replicas", "fit seeds one by one instead of as replicas of one program")
    .option("--metrics <list>", "only these metrics (comma-separated)", listOption(",", "metric"))
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .option("--set <key=value...>", "model hyperparameters: key=value for every model that has the option, model.key=value for one")
    .action(async (opts: Record<string, any>) => {
      const models = opts.models as string[];
      for (const m of models) zooEntry(m);
      const data = opts.data as string[];
      const metrics = await parseMetrics(opts.metrics);
      const configs = modelConfigs(models, opts.set);
      const entries: CompareEntry[] = data.flatMap((d) => models.map((model) => ({ model, data: d.trim(), config: configs[model], epochs: opts.epochs })));
      const out = opts.out ?? join("runs", timestamp());
      const rows = await runCompare({
        entries,
        seeds: Array.from({ length: opts.seeds }, (_, i) => i),
        out,
        jobs: opts.jobs,
        replicas: opts.replicas,
        backend: opts.backend,
        metrics,
      });
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
    .action(async (opts: Record<string, any>) => {
      const t0 = Date.now();
      const rows = await runCompare({
        entries: MAIN_JOB.entries,
        seeds: Array.from({ length: opts.seeds }, (_, i) => i),
        out: opts.out,
        jobs: opts.jobs,
        replicas: true,
        backend: opts.backend,
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
    .requiredOption("--data <source>", "data source (its test split is used for held-out metrics)")
    .option("--metrics <list>", "only these metrics (comma-separated; default: every applicable one, DCI only when it takes about a minute or less)", listOption(",", "metric"))
    .option("--json", "print JSON")
    .addOption(new Option("--backend <name>", "TF.js backend").choices(["cpu", "wasm", "tensorflow"]))
    .action(async (dir: string, opts: { data: string; json?: boolean; backend?: BackendName; metrics?: string[] }) => {
      await initBackend(opts.backend);
      const data = await import("@sparse-dgm/data");
      const out = await evalCheckpoint(dir, await data.loadData(opts.data), opts.data, await parseMetrics(opts.metrics));
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      else
        for (const r of out) {
          process.stdout.write(`${r.model} seed ${r.seed} on ${r.data}:\n`);
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
