/**
 * One job = one zoo model fitted on one data source for one or more seeds (the seeds of a job
 * train as replicas of one program unless `replicas: false`). Used by `sdgm fit` and
 * `sdgm compare`; writes checkpoints, and returns one result row per seed (DESIGN §7).
 */
import { mkdirSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { tf, currentBackend } from "@sparse-dgm/core";
import { compile, deserialize, observedTensor, sideData, type Program, type StepInfo } from "@sparse-dgm/infer";
import { saveCheckpoint, loadCheckpoint, readCheckpoint, checkpointState } from "@sparse-dgm/infer/node";
import { zooEntry } from "@sparse-dgm/zoo";
import { sigmaPriorScale, type Dataset } from "@sparse-dgm/data";
import { evaluateProgram, evaluateProgramWithPanels, DCI_WORK_LIMIT } from "@sparse-dgm/metrics";
import type { ResultRow, RunArtifacts } from "@sparse-dgm/viz";

/** A job's settings. */
export interface JobSpec {
  model: string;
  source: string;
  seeds: number[];
  /** Epochs (default: the zoo entry's). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Train the seeds as replicas of one program (default true). */
  replicas?: boolean;
  /** Output directory (checkpoints go under `checkpoints/`). */
  out: string;
  /** Save a checkpoint every this many epochs (default 10; 0 = only at the end). */
  checkpointEvery?: number;
  /** Model hyperparameter overrides. */
  config?: Record<string, unknown>;
  /** Metrics to compute (default: all applicable). */
  metrics?: string[];
  /** Put the data source in the checkpoint folder's name (comparisons over several sources). */
  dataInCheckpointName?: boolean;
  /**
   * Resume a checkpoint only when it was saved for the same declaration, seeds, epochs, batch size
   * and learning rate; otherwise replace it and train afresh, saying so on stderr (comparisons,
   * whose folders are reused by design). Default false (`sdgm fit`): a checkpoint of the same
   * declaration is resumed with the current training settings, and one of another declaration
   * fails to load, naming both.
   */
  restartChanged?: boolean;
  /** Say nothing when restartChanged replaces a checkpoint (the caller has said why already). */
  quietRestart?: boolean;
  /** Progress callback (epoch granularity). */
  onProgress?: (p: { epoch: number; epochs: number; loss: number; step: number; msPerStep: number }) => void;
}

/** A finished job: rows and the artefacts the report plots. */
export interface JobResult {
  rows: ResultRow[];
  artifacts: RunArtifacts[];
}

/**
 * A result row's `config`: the model's hyperparameters as built (defaults, overrides and what the
 * build derived from the data) and the training settings. `sdgm compare` compares it with an
 * entry's settings to tell a saved row that is still valid from one to fit again.
 */
export function runConfig(
  model: { ir: { meta: Record<string, unknown> } },
  training: { epochs: number; batchSize: number; learningRate: number; normalisation?: string; replicas: number; resumed: boolean },
): Record<string, unknown> {
  return { ...(model.ir.meta.config as Record<string, unknown>), ...training };
}

/** The training settings a job runs with: those given, else the zoo entry's reproduction settings. */
export function trainingFor(model: string, given: { epochs?: number; batchSize?: number; learningRate?: number } = {}) {
  const t = zooEntry(model).training;
  // an entry's per-group rates belong to its own learning rate: a rate given here replaces them all
  const groups = given.learningRate === undefined && t.groupLearningRates ? { groupLearningRates: t.groupLearningRates } : {};
  return { epochs: given.epochs ?? t.epochs, batchSize: given.batchSize ?? t.batchSize, learningRate: given.learningRate ?? t.learningRate, normalisation: t.normalisation, ...groups };
}

/** Builds the zoo model for a dataset. */
export function buildFor(name: string, ds: Dataset, config: Record<string, unknown> = {}) {
  const entry = zooEntry(name);
  const groups = ds.meta.groups as number[][] | undefined;
  const classes = ds.labels ? ds.labels.reduce((a, l) => Math.max(a, l + 1), 0) : 0;
  return entry.build({ ...config, features: ds.g, ...(groups ? { groups } : {}), ...(classes ? { classes } : {}), stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
}

/**
 * Longest slug kept whole: with the model, the seeds and `.json` around it a file name stays below
 * the usual 255-byte limit (a two-file `idx:` source's 130-character slug is kept as it was).
 */
const SLUG_MAX = 160;

/**
 * A data source as a file-name-safe slug (`synthetic:smiley?n=2000` → `synthetic_smiley_n_2000`).
 * A long source (an `idx:` path with its label and test files) keeps its first characters and a
 * hash of the whole, so that distinct sources still get distinct names.
 */
export function sourceSlug(source: string): string {
  const slug = source.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
  if (slug.length <= SLUG_MAX) return slug;
  return `${slug.slice(0, SLUG_MAX - 11).replace(/_$/, "")}_${createHash("sha256").update(source).digest("hex").slice(0, 10)}`;
}

/**
 * `checkpoints/<model>-s<seed>` for `sdgm fit` (one data source per output folder), and
 * `checkpoints/<model>-<data>-s<seeds>` for comparisons, where several sources share a folder.
 */
function checkpointDir(spec: JobSpec, seeds: number[]): string {
  // s3, s0-2 for a run of consecutive seeds, s0_2_5 otherwise (seeds [0, 2] must not share s0-2 with [0, 1, 2])
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  const tag = seeds.length === 1 ? `s${seeds[0]}` : consecutive ? `s${seeds[0]}-${seeds[seeds.length - 1]}` : `s${seeds.join("_")}`;
  const name = spec.dataInCheckpointName ? `${spec.model}-${sourceSlug(spec.source)}-${tag}` : `${spec.model}-${tag}`;
  return join(spec.out, "checkpoints", name);
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** Runs a job on an already loaded dataset. */
export async function runJob(spec: JobSpec, ds: Dataset): Promise<JobResult> {
  const entry = zooEntry(spec.model);
  // recorded in the rows and beside the checkpoints: a comparison resumes a checkpoint only when they
  // match (sdgm fit resumes on the declaration alone)
  const training = trainingFor(spec.model, spec);
  const { epochs, batchSize, learningRate, normalisation, groupLearningRates } = training;
  const groupsOfSeeds = spec.replicas === false || spec.seeds.length === 1 ? spec.seeds.map((s) => [s]) : [spec.seeds];
  const rowsOut: ResultRow[] = [];
  const artifacts: RunArtifacts[] = [];
  const xTrain = observedTensor(buildFor(spec.model, ds, spec.config), ds, ds.split.train);
  try {
    for (const seeds of groupsOfSeeds) {
      const model = buildFor(spec.model, ds, spec.config);
      const compileOptions = seeds.length === 1 ? { seed: seeds[0], normalisation } : { seed: seeds, replicas: seeds.length, normalisation };
      const dir = checkpointDir(spec, seeds);
      let program: Program | undefined;
      const saved = checkpointState(model, dir, spec.restartChanged ? { seeds, training } : {});
      if (saved.state === "changed" && spec.restartChanged) {
        if (!spec.quietRestart) process.stderr.write(`note: ${spec.model} on ${spec.source}, seeds ${seeds.join(",")}: the checkpoint in ${dir} was saved with other settings (${saved.reason}); training afresh\n`);
        rmSync(dir, { recursive: true, force: true });
      } else if (saved.state !== "none") {
        program = loadCheckpoint(model, dir); // another declaration without restartChanged fails here, naming both
      }
      const resumed = program !== undefined;
      program ??= compile(model, { ...compileOptions, encoderHidden: encoderHidden(model) });
      mkdirSync(dir, { recursive: true });
      const every = spec.checkpointEvery ?? 10;
      const t0 = performance.now();
      let lastStep: StepInfo | undefined;
      const obsName = model.ir.sites.find((s) => s.kind === "observe")!.name;
      // side data the model's sites need (class labels, per-row attributes), the same training rows
      const side = sideData(model, ds, ds.split.train);
      const labels = side.label;
      // Class-balanced minibatches when the entry asks and the batch can hold every class twice.
      const classes = labels ? new Set(Array.from(ds.split.train, (i) => ds.labels![i]).filter((v) => v >= 0)).size : 0;
      const balance = labels && entry.training.balanceBy && classes * 2 <= batchSize ? { balanceBy: entry.training.balanceBy } : {};
      const fit = await program.fit(Object.keys(side).length ? { [obsName]: xTrain, ...side } : xTrain, {
        epochs,
        batchSize,
        learningRate,
        ...(groupLearningRates ? { groupLearningRates } : {}),
        ...balance,
        onStep: (i) => {
          lastStep = i;
        },
        onEpoch: (e) => {
          spec.onProgress?.({ epoch: e.epoch + 1, epochs, loss: e.loss, step: lastStep?.step ?? 0, msPerStep: lastStep?.msPerStep ?? 0 });
          if (every > 0 && (e.epoch + 1) % every === 0 && e.epoch + 1 < epochs) saveCheckpoint(program, dir, { source: spec.source, seeds, training, modelConfig: model.ir.meta.config });
        },
      });
      tf.dispose(Object.values(side));
      saveCheckpoint(program, dir, { source: spec.source, seeds, training, complete: true, modelConfig: model.ir.meta.config });
      const seconds = (performance.now() - t0) / 1000;
      const { metrics, panels, factorPanels, structurePanels } = evaluateProgramWithPanels(program, ds, metricOptions(`${spec.model} on ${spec.source}`, spec.metrics));
      const globals = program.globals();
      const maskSite = model.ir.sites.find((s) => s.kind === "mask" && s.mask?.scope === "global" && s.mask.valueType === "real");
      seeds.forEach((seed, r) => {
        const rr = seeds.length === 1 ? undefined : r;
        rowsOut.push({
          model: spec.model,
          data: spec.source,
          seed,
          metrics: metrics[r],
          train: {
            epochs: program.position.epoch,
            steps: program.steps,
            msPerStep: round(seeds.length > 1 ? fit.msPerStep / seeds.length : fit.msPerStep, 3),
            seconds: round(seeds.length > 1 ? seconds / seeds.length : seconds, 2),
            peakRssMb: peakRssMb(),
            backend: currentBackend(),
          },
          config: runConfig(model, { ...training, replicas: seeds.length > 1 ? seeds.length : 1, resumed }),
        });
        const art: RunArtifacts = { model: spec.model, data: spec.source, seed, curves: fit.curves, weights: fit.weights };
        if (maskSite && globals[maskSite.name]) {
          art.W = pick(globals[maskSite.name], rr);
          if (globals[`${maskSite.name}.pstar`]) art.pstar = pick(globals[`${maskSite.name}.pstar`], rr);
          const t = ds.truth;
          if (t?.W) {
            const cols = t.wCols ?? t.k ?? 1;
            art.truthW = Array.from({ length: ds.g }, (_, j) => Array.from(t.W!.subarray(j * cols, (j + 1) * cols)));
          }
        }
        if (ds.featureNames) art.featureNames = ds.featureNames;
        if (panels[r]) Object.assign(art, panels[r]);
        if (factorPanels[r]) Object.assign(art, factorPanels[r]);
        if (structurePanels[r]?.length) art.structureMasks = structurePanels[r];
        artifacts.push(art);
      });
      tf.dispose(Object.values(globals));
      program.dispose();
    }
  } finally {
    xTrain.dispose();
  }
  return { rows: rowsOut, artifacts };
}

/**
 * The command line's metric options: the named metrics, or every applicable one with DCI left out
 * when its boosted trees would take minutes (a note on stderr says so, once per call: one job or
 * replica group).
 */
export function metricOptions(what: string, metrics: string[] | undefined) {
  const told = new Set<string>();
  return {
    metrics,
    dciWorkLimit: DCI_WORK_LIMIT,
    onSkip: (keys: string[], reason: string) => {
      const line = `note: ${what}: ${keys.join(", ")} not reported: ${reason}`;
      if (!told.has(line)) process.stderr.write(`${line}\n`);
      told.add(line);
    },
  };
}

function encoderHidden(model: { ir: { meta: Record<string, unknown> } }): number[] | undefined {
  const c = model.ir.meta.config as { hidden?: number } | undefined;
  return typeof c?.hidden === "number" ? [c.hidden, c.hidden] : undefined;
}

function pick(t: tf.Tensor, r: number | undefined): number[][] {
  return (r === undefined ? t.arraySync() : (t.arraySync() as number[][][])[r]) as number[][];
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/**
 * `sdgm eval`: rebuilds the zoo model a checkpoint was saved from (the manifest names the entry;
 * its recorded config gives the hyperparameters), restores it and computes the metrics on `ds`,
 * one row per seed (replica). Fails clearly when the data's feature count differs.
 */
export async function evalCheckpoint(
  dir: string,
  ds: Dataset,
  source: string,
  metrics?: string[],
): Promise<Array<{ model: string; data: string; seed: number; metrics: Record<string, number> }>> {
  const ckpt = readCheckpoint(dir);
  const entry = zooEntry(ckpt.manifest.model);
  const config = (ckpt.manifest.extra?.modelConfig ?? {}) as Record<string, unknown>;
  if (typeof config.features === "number" && config.features !== ds.g) {
    throw new Error(`the checkpoint's model has ${config.features} features; ${source} has ${ds.g}`);
  }
  // the build of a fit (buildFor): the data's groups win, the recorded sigmaScale is kept
  const model = buildFor(entry.name, ds, config);
  const program = deserialize(model, ckpt);
  try {
    const rows = evaluateProgram(program, ds, metricOptions(`${ckpt.manifest.model} on ${source}`, metrics));
    const seeds = (ckpt.manifest.extra?.seeds as number[] | undefined) ?? [0];
    return rows.map((m, i) => ({ model: ckpt.manifest.model, data: source, seed: seeds[i], metrics: m }));
  } finally {
    program.dispose?.();
  }
}
