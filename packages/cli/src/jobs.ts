/**
 * One job = one zoo model fitted on one data source for one or more seeds (the seeds of a job
 * train as replicas of one program unless `replicas: false`). Used by `sdgm fit` and
 * `sdgm compare`; writes checkpoints, and returns one result row per seed (DESIGN §7).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { tf, backendThreads, currentBackend, noteHeapOverflow } from "@sparse-dgm/core";
import { compile, deserialize, observedTensor, sideData, type Program, type StepInfo } from "@sparse-dgm/infer";
import { saveCheckpoint, readCheckpoint, checkpointState } from "@sparse-dgm/infer/node";
import { modelEntry, originConfig, originExtra, useOrigins, type ModelOrigin } from "./user-model.js";
import { cellRef, kFoldSplit, medianLibrarySize, sigmaPriorScale, tagCounts, type Dataset } from "@sparse-dgm/data";
import { evaluateProgram, evaluateProgramWithPanels, DCI_WORK_LIMIT, type TopFeatures } from "@sparse-dgm/metrics";
import type { ResultRow, RunArtifacts, TopFeaturesRecord } from "@sparse-dgm/viz";
import { sourceSlug } from "./slug.js";

export { sourceSlug };

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
  /** Fit on fold `index` of a seeded `k`-fold partition: that fold is the test split (rows carry `fold`). */
  fold?: { k: number; index: number };
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
 * build derived from the data), the training settings with the per-group rates that act
 * (`groupLearningRates`: the entry's and those the model declares), and for a module model (`name` given) where
 * it came from (`modelModule`, `modelSha256`). `sdgm compare` compares it with an entry's settings
 * to tell a saved row that is still valid from one to fit again.
 */
export function runConfig(
  model: { ir: { meta: Record<string, unknown> } },
  training: { epochs: number; batchSize: number; learningRate: number; normalisation?: string; groupLearningRates?: Record<string, number>; replicas: number; resumed: boolean },
  ds?: Pick<Dataset, "meta">,
  fold?: JobSpec["fold"],
  name?: string,
): Record<string, unknown> {
  // what the data went through (filters, vocabulary, preprocess= steps) and the folds, so a row says what it was fitted on
  const steps = ds?.meta.preprocessing as string[] | undefined;
  // the per-group rates that act (the entry's and the model's declared ones), never only the entry's
  const groupLearningRates = groupRatesFor(training, model);
  return { ...(model.ir.meta.config as Record<string, unknown>), ...training, ...(groupLearningRates ? { groupLearningRates } : {}), ...(steps?.length ? { preprocessing: steps } : {}), ...(fold ? { folds: fold.k } : {}), ...(name ? originConfig(name) : {}) };
}

/** The compact top-features record of a result row (effects to 4 significant digits). */
function topFeaturesRecord(t: TopFeatures): TopFeaturesRecord {
  const r4 = (v: number) => Number(v.toPrecision(4));
  return {
    k: t.k,
    factors: t.factors.map((f) => ({
      factor: f.factor,
      direction: f.direction,
      features: f.features,
      effects: f.effects.map(r4),
      ...(f.npmi !== undefined && Number.isFinite(f.npmi) ? { npmi: r4(f.npmi) } : {}),
      ...(f.active !== undefined ? { active: f.active } : {}),
    })),
    ...(t.coherence !== undefined ? { coherence: r4(t.coherence) } : {}),
    ...(t.randomCoherence !== undefined ? { randomCoherence: r4(t.randomCoherence) } : {}),
  };
}

/**
 * The per-group Adam rates of a fit: the entry's (kept only when no learning rate was given, see
 * {@link trainingFor}) and, over them, those the built model declares in `meta.groupLearningRates`
 * (a model hyperparameter recorded in its config, e.g. the Sparse VAE's `maskLearningRate`).
 */
export function groupRatesFor(training: { groupLearningRates?: Record<string, number> }, built: { ir: { meta: Record<string, unknown> } }): Record<string, number> | undefined {
  const declared = built.ir.meta.groupLearningRates as Record<string, number> | undefined;
  return training.groupLearningRates || declared ? { ...training.groupLearningRates, ...declared } : undefined;
}

/** The models whose `--lr` note was printed (once per model per process). */
const lrNoted = new Set<string>();

/**
 * The one rule for `--lr` with a model that declares group rates: `--lr` sets the network's rate
 * (and that of every group with no declared rate); the declared ones still apply (a model option
 * sets them, e.g. the Sparse VAE's `maskLearningRate`). Said once on stderr per model.
 */
export function noteDeclaredRates(model: string, given: number | undefined, built: { ir: { meta: Record<string, unknown> } }): void {
  const declared = built.ir.meta.groupLearningRates as Record<string, number> | undefined;
  if (given === undefined || !declared || lrNoted.has(model)) return;
  lrNoted.add(model);
  const list = Object.entries(declared).map(([g, v]) => `${g} ${v}`).join(", ");
  process.stderr.write(`note: ${model}: --lr ${given} sets the network's rate; the model's declared group rates still apply (${list}); set them with the model's option (--set)\n`);
}

/** The training settings a job runs with: those given, else the zoo entry's reproduction settings. */
export function trainingFor(model: string, given: { epochs?: number; batchSize?: number; learningRate?: number } = {}) {
  const t = modelEntry(model).training;
  // an entry's per-group rates belong to its own learning rate: a rate given here replaces them all
  const groups = given.learningRate === undefined && t.groupLearningRates ? { groupLearningRates: t.groupLearningRates } : {};
  return { epochs: given.epochs ?? t.epochs, batchSize: given.batchSize ?? t.batchSize, learningRate: given.learningRate ?? t.learningRate, normalisation: t.normalisation, ...groups };
}

/**
 * Builds the zoo (or module) model for a dataset: its shape, kind and statistics (the σ-prior
 * scale, the median library size, multi-label tag counts), and, given the training settings, the
 * run's total steps, which warm-ups given as fractions of the run resolve against.
 */
export function buildFor(name: string, ds: Dataset, config: Record<string, unknown> = {}, training?: { epochs: number; batchSize: number }) {
  const entry = modelEntry(name);
  const groups = ds.meta.groups as number[][] | undefined;
  const nTrain = ds.split.train.length;
  const run = training && nTrain > 0 ? { run: { steps: training.epochs * Math.ceil(nTrain / Math.min(training.batchSize, nTrain)) } } : {};
  const tagStats = ds.tags ? { tags: ds.tags.names.length, tagCountDistribution: tagCounts(ds, ds.split.train).distribution } : {};
  // the negative binomial's library-size offset needs l̄ whatever kind the source inferred (a CSV of counts loads as real unless kind=counts)
  const countModel = ds.kind === "counts" || config.likelihood === "negativeBinomial";
  const stats = { sigmaPriorScale: sigmaPriorScale(ds), ...(countModel ? { librarySize: medianLibrarySize(ds) } : {}), ...tagStats };
  const classes = ds.labels ? ds.labels.reduce((a, l) => Math.max(a, l + 1), 0) : 0;
  // the data's view groups, unless the user set groups: then they must be the data's (never one silently replacing the other)
  if (groups && config.groups !== undefined && JSON.stringify(config.groups) !== JSON.stringify(groups)) {
    throw new Error(`${name}: --set groups=${JSON.stringify(config.groups)} disagrees with the data's view groups ${JSON.stringify(groups)} (from the data source); leave groups unset to use the data's`);
  }
  return entry.build({ ...config, features: ds.g, kind: ds.kind, ...(groups && config.groups === undefined ? { groups } : {}), ...(classes ? { classes } : {}), stats, ...run });
}

/**
 * `checkpoints/<model>-s<seed>` for `sdgm fit` (one data source per output folder), and
 * `checkpoints/<model>-<data>-s<seeds>` for comparisons, where several sources share a folder.
 */
function checkpointDir(spec: JobSpec, seeds: number[]): string {
  // s3, s0-2 for a run of consecutive seeds, s0_2_5 otherwise (seeds [0, 2] must not share s0-2 with [0, 1, 2])
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  const tag = seeds.length === 1 ? `s${seeds[0]}` : consecutive ? `s${seeds[0]}-${seeds[seeds.length - 1]}` : `s${seeds.join("_")}`;
  const fold = spec.fold ? `f${spec.fold.index}-` : "";
  const name = spec.dataInCheckpointName ? `${spec.model}-${sourceSlug(spec.source)}-${fold}${tag}` : `${spec.model}-${fold}${tag}`;
  return join(spec.out, "checkpoints", name);
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/**
 * A fingerprint of a dataset's values, kind, labels, tags and split (SHA-256, 16 hex digits): a
 * checkpoint is resumed only for data with the same fingerprint, whatever the source string.
 */
export function dataFingerprint(ds: Dataset): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([ds.n, ds.g, ds.kind]));
  for (const a of [ds.x, ds.split.train, ds.split.test, ...(ds.labels ? [ds.labels] : []), ...(ds.tags ? [ds.tags.y] : [])]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    h.update("|");
  }
  return h.digest("hex").slice(0, 16);
}

/** Refuses a dataset whose train or test split is empty, saying why it needs both. */
function requireSplits(ds: Dataset, source: string, why: string, train = true): void {
  if ((train && ds.split.train.length < 1) || ds.split.test.length < 1) {
    throw new Error(`${source}: ${ds.n} row${ds.n === 1 ? "" : "s"} split ${ds.split.train.length} train / ${ds.split.test.length} test; ${why}`);
  }
}

/** Names an entry of a split's tensor by the data's own row and column (1-based, as the loaders do), for support errors. */
function dataCell(ds: Dataset, source: string, split: Int32Array, part: string): (row: number, col?: number) => string {
  return (row, col) => `${source}: ${part} split, ${col === undefined ? `row ${split[row] + 1}` : cellRef(split[row], col, ds.featureNames)}`;
}

/** Curves of a resumed run: those saved with the checkpoint, then this call's (one value per epoch). */
function joinCurves(before: Record<string, Array<number | null>> | undefined, now: Record<string, number[]>): Record<string, number[]> {
  if (!before) return now;
  const out: Record<string, number[]> = {};
  const len = Math.max(0, ...Object.values(before).map((a) => a.length));
  for (const k of new Set([...Object.keys(before), ...Object.keys(now)])) {
    const a = (before[k] ?? []).map((v) => (v === null ? NaN : v));
    while (a.length < len) a.push(NaN);
    out[k] = [...a, ...(now[k] ?? [])];
  }
  return out;
}

/**
 * The dataset a job fits: with `fold`, the same rows with fold `index` of the seeded K-fold
 * partition as the test split ({@link kFoldSplit}, seed 0: the same folds for every model and seed).
 */
export function foldData(ds: Dataset, fold: JobSpec["fold"]): Dataset {
  return fold ? { ...ds, split: kFoldSplit(ds.n, fold.k, fold.index) } : ds;
}

/** Bytes the wasm backend's heap can hold (its memory grows to 4 GiB); the training rows may take at most half of it. */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

/** What to change when a job does not fit in memory. */
const MEMORY_ADVICE =
  "lower --batch-size or --set hidden=..., or keep fewer features (ratings: topItems=, ldac: topTerms=, any source: preprocess=topVariance:N) or rows (limit=), or use --backend tensorflow (@tensorflow/tfjs-node) whose memory is not capped";

/** Refuses, before anything is allocated, a training matrix that cannot fit the wasm heap: one line naming its size and what to change. */
export function checkTrainingSize(spec: Pick<JobSpec, "model" | "source">, ds: Dataset, backend: string): void {
  const bytes = ds.split.train.length * ds.g * 4;
  if (backend === "wasm" && bytes > WASM_HEAP_BYTES / 2) {
    throw new Error(
      `${spec.model} on ${spec.source}: the training rows are ${ds.split.train.length} × ${ds.g} = ${(bytes / 1024 ** 3).toFixed(2)} GB as float32, more than half of the wasm backend's 4 GB heap; ${MEMORY_ADVICE}`,
    );
  }
}

/**
 * Runs `f`, turning the backends' out-of-memory failures (wasm's `memory access out of bounds`, an
 * allocation that failed) into one line that names the job, the phase, the sizes and what to
 * change.
 */
export async function withMemoryContext<T>(what: string, sizes: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    // a replayed step runs its kernels outside the engine's scopes: mark the heap dead here too,
    // before any disposal on the way out (after an overflow a free deadlocks with threads)
    noteHeapOverflow(e);
    if (/memory access out of bounds|out of memory|Array buffer allocation failed|Invalid typed array length|Cannot allocate|WebAssembly\.Memory/i.test(msg)) {
      throw new Error(`${what}: ran out of memory on the ${currentBackend()} backend (${sizes}; peak RSS ${Math.round(peakRssMb())} MB): ${MEMORY_ADVICE}. (${msg})`);
    }
    throw e;
  }
}

/**
 * Runs a job on an already loaded dataset (with `spec.fold`, on that fold's split). It fails
 * (throws, one line) rather than return rows of a run that did not train as asked: a split without
 * rows, data outside the likelihood's support in any split, a loss that stays non-finite (the
 * trainer's error names the site and the term), a checkpoint of other data, fold, settings or
 * module (`sdgm fit`; a comparison replaces it), fewer epochs than asked, or a non-finite held-out
 * metric.
 */
export async function runJob(spec: JobSpec, data: Dataset): Promise<JobResult> {
  const ds = foldData(data, spec.fold);
  checkTrainingSize(spec, ds, currentBackend());
  const entry = modelEntry(spec.model);
  const origin = originExtra(spec.model);
  // recorded in the rows and beside the checkpoints: a checkpoint is resumed only for the same data
  // (values and split, so the same fold), seeds, batch size, learning rate, normalisation and module
  // (a comparison also asks for the same epochs; sdgm fit may extend a run with more epochs)
  const training = trainingFor(spec.model, spec);
  const { epochs, batchSize, learningRate, normalisation } = training;
  requireSplits(ds, spec.source, "a fit needs at least one row in each (the held-out metrics are computed on the test rows)");
  const fingerprint = dataFingerprint(ds);
  const settings = { batchSize, learningRate, normalisation };
  const groupsOfSeeds = spec.replicas === false || spec.seeds.length === 1 ? spec.seeds.map((s) => [s]) : [spec.seeds];
  const rowsOut: ResultRow[] = [];
  const artifacts: RunArtifacts[] = [];
  const built = buildFor(spec.model, ds, spec.config, training);
  // the rates that act (Program.fit applies the declared ones too): recorded in each row's config
  const groupLearningRates = groupRatesFor(training, built);
  noteDeclaredRates(spec.model, spec.learningRate, built);
  const xTrain = observedTensor(built, ds, ds.split.train);
  const xTest = observedTensor(built, ds, ds.split.test);
  const cellOf = (split: Int32Array, part: string) => dataCell(ds, spec.source, split, part);
  let program: Program | undefined;
  try {
    for (const seeds of groupsOfSeeds) {
      const model = buildFor(spec.model, ds, spec.config, training);
      const compileOptions = seeds.length === 1 ? { seed: seeds[0], normalisation } : { seed: seeds, replicas: seeds.length, normalisation };
      const dir = checkpointDir(spec, seeds);
      program = undefined;
      const expect = { data: fingerprint, seeds, settings, ...(spec.restartChanged ? { training } : {}), ...origin };
      const saved = checkpointState(model, dir, expect);
      if (saved.state === "changed" && spec.restartChanged) {
        if (!spec.quietRestart) process.stderr.write(`note: ${spec.model} on ${spec.source}, seeds ${seeds.join(",")}: the checkpoint in ${dir} was saved with other settings (${saved.reason}); training afresh\n`);
        // not removed: the first save of the new run replaces it as one unit (a concurrent reader never sees it half gone)
      } else if (saved.state === "changed") {
        if (origin.modelOrigin && saved.keys?.includes("modelOrigin")) {
          throw new Error(`${dir} holds a checkpoint of ${spec.model} as it was before its module changed (${saved.reason}): fit into another --out, or delete it to start afresh`);
        }
        const other = saved.saved?.source !== undefined && saved.keys?.includes("data") ? ` (it was fitted on ${saved.saved.source}; this run's data is ${spec.source})` : "";
        throw new Error(`the checkpoint in ${dir} is of another run${other}: ${saved.reason}; use another --out, or remove ${dir} to train afresh`);
      }
      // the weights and the curves saved with them come from one read of one generation
      let before: { curves?: Record<string, Array<number | null>>; termWeights?: Record<string, Array<number | null>> } = {};
      if (saved.state === "same") {
        try {
          const ck = readCheckpoint(dir);
          program = deserialize(model, ck, dir);
          before = ck.manifest.extra ?? {};
        } catch (e) {
          // a torn or corrupt checkpoint is never loaded: sdgm fit stops, naming it; a comparison replaces it
          if (!spec.restartChanged) throw e;
          process.stderr.write(`note: ${spec.model} on ${spec.source}, seeds ${seeds.join(",")}: ${(e as Error).message}; training afresh\n`);
        }
      }
      const resumed = program !== undefined;
      program ??= compile(model, { ...compileOptions, encoderHidden: encoderHidden(model) });
      if (program.position.epoch > epochs) {
        throw new Error(`the checkpoint in ${dir} has trained ${program.position.epoch} epochs, more than the ${epochs} asked: ask for ${program.position.epoch} or more, use another --out, or remove ${dir}`);
      }
      // sdgm fit's resumed run is said, never silent: its timing covers only the epochs trained now
      // (a comparison resumes its interrupted jobs as a matter of course; its progress shows the epochs)
      if (resumed && !spec.restartChanged) {
        const left = epochs - program.position.epoch;
        process.stderr.write(`note: ${spec.model} on ${spec.source}, seeds ${seeds.join(",")}: resuming the checkpoint in ${dir} at epoch ${program.position.epoch} of ${epochs} (same data and settings)${left === 0 ? "; nothing left to train: evaluating only" : ""}; use another --out or remove it to train afresh\n`);
      }
      const p = program;
      const every = spec.checkpointEvery ?? 10;
      const t0 = performance.now();
      let lastStep: StepInfo | undefined;
      const obsName = model.ir.sites.find((s) => s.kind === "observe")!.name;
      // side data the model's sites need (class labels, multi-label tags, per-row attributes), the same training rows
      const side = sideData(model, ds, ds.split.train);
      // the held-out rows' side data, for the support check of every split (those the data have)
      const sideTest = sideData(model, ds, ds.split.test, { evaluation: true });
      const labels = side.label;
      // Class-balanced minibatches when the entry asks and the batch can hold every class twice.
      const classes = labels ? new Set(Array.from(ds.split.train, (i) => ds.labels![i]).filter((v) => v >= 0)).size : 0;
      const balance = labels && entry.training.balanceBy && classes * 2 <= batchSize ? { balanceBy: entry.training.balanceBy } : {};
      const cfg = model.ir.meta.config as { factors?: number; hidden?: number } | undefined;
      const sizes = `${ds.split.train.length} training rows × ${ds.g} features, batch ${batchSize}${cfg?.hidden ? `, hidden ${cfg.hidden}` : ""}${cfg?.factors ? `, factors ${cfg.factors}` : ""}`;
      const what = `${spec.model} on ${spec.source}${spec.fold ? ` fold ${spec.fold.index}` : ""}`;
      const extra = (complete: boolean, curves: Record<string, number[]>, weights: Record<string, number[]>) => ({
        source: spec.source,
        data: fingerprint,
        seeds,
        ...(spec.fold ? { fold: spec.fold } : {}),
        settings,
        training,
        ...(complete ? { complete: true } : {}),
        modelConfig: model.ir.meta.config,
        ...origin,
        curves: joinCurves(before.curves, curves),
        termWeights: joinCurves(before.termWeights, weights),
      });
      let fit;
      try {
        fit = await withMemoryContext(`${what}: training`, sizes, () =>
          p.fit(Object.keys(side).length ? { [obsName]: xTrain, ...side } : xTrain, {
            epochs,
            batchSize,
            learningRate,
            ...(groupLearningRates ? { groupLearningRates } : {}),
            ...balance,
            supportCell: cellOf(ds.split.train, "train"),
            checkSupportOf: [{ x: xTest, cell: cellOf(ds.split.test, "test"), side: sideTest }],
            onStep: (i) => {
              lastStep = i;
            },
            onEpoch: (e) => {
              spec.onProgress?.({ epoch: e.epoch + 1, epochs, loss: e.loss, step: lastStep?.step ?? 0, msPerStep: lastStep?.msPerStep ?? 0 });
              if (every > 0 && (e.epoch + 1) % every === 0 && e.epoch + 1 < epochs) saveCheckpoint(p, dir, extra(false, e.curves, e.weights));
            },
          }),
        );
      } finally {
        tf.dispose(Object.values(side));
        tf.dispose(Object.values(sideTest));
      }
      if (p.position.epoch !== epochs || p.position.batch !== 0) {
        throw new Error(`${what}: trained ${p.position.epoch} of ${epochs} epochs`);
      }
      const curves = joinCurves(before.curves, fit.curves);
      const termWeights = joinCurves(before.termWeights, fit.weights);
      saveCheckpoint(p, dir, extra(true, fit.curves, fit.weights));
      const seconds = (performance.now() - t0) / 1000;
      const { metrics, panels, factorPanels, structurePanels, topFeatures } = await withMemoryContext(`${what}: evaluation of ${ds.split.test.length} held-out rows`, sizes, () =>
        evaluateProgramWithPanels(p, ds, metricOptions(`${spec.model} on ${spec.source}`, spec.metrics)),
      );
      const globals = p.globals();
      const maskSite = model.ir.sites.find((s) => s.kind === "mask" && s.mask?.scope === "global" && s.mask.valueType === "real");
      seeds.forEach((seed, r) => {
        const rr = seeds.length === 1 ? undefined : r;
        const tops = topFeatures[r] ? topFeaturesRecord(topFeatures[r]) : undefined;
        rowsOut.push({
          model: spec.model,
          data: spec.source,
          seed,
          ...(spec.fold ? { fold: spec.fold.index } : {}),
          metrics: metrics[r],
          ...(tops ? { topFeatures: tops } : {}),
          train: {
            epochs: p.position.epoch,
            steps: p.steps,
            msPerStep: round(seeds.length > 1 ? fit.msPerStep / seeds.length : fit.msPerStep, 3),
            seconds: round(seeds.length > 1 ? seconds / seeds.length : seconds, 2),
            peakRssMb: peakRssMb(),
            backend: currentBackend(),
            ...(currentBackend() === "wasm" && backendThreads() !== undefined ? { threads: backendThreads() } : {}),
            // a step the non-finite guard skipped is said, never hidden (the CLI and the report warn)
            ...(fit.skippedSteps ? { skippedSteps: fit.skippedSteps, firstSkipped: fit.firstSkipped } : {}),
          },
          config: runConfig(model, { ...training, replicas: seeds.length > 1 ? seeds.length : 1, resumed }, ds, spec.fold, spec.model),
        });
        const art: RunArtifacts = { model: spec.model, data: spec.source, seed, ...(spec.fold ? { fold: spec.fold.index } : {}), curves, weights: termWeights };
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
      p.dispose();
      program = undefined;
    }
  } finally {
    program?.dispose();
    xTrain.dispose();
    xTest.dispose();
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
 * `sdgm eval`: rebuilds the model a checkpoint was saved from (the manifest names the zoo entry,
 * or records the module of a user's model, which is loaded again, from `options.module` when it
 * moved, and refused when its files changed since; the recorded config gives the hyperparameters),
 * restores it and computes the metrics on `ds`, one row per seed (replica). Fails clearly when the
 * data's feature count differs.
 */
export async function evalCheckpoint(
  dir: string,
  ds: Dataset,
  source: string,
  metrics?: string[],
  options: { module?: string } = {},
): Promise<Array<{ model: string; data: string; seed: number; fold?: number; metrics: Record<string, number> }>> {
  const ckpt = readCheckpoint(dir);
  // a fold's checkpoint is scored on that fold's held-out rows of its own source (the source's
  // default split would overlap the rows it trained on); on other data, on that data's test split
  const fold = ckpt.manifest.extra?.fold as JobSpec["fold"];
  const ownFold = fold && ckpt.manifest.extra?.source === source ? fold : undefined;
  if (ownFold) ds = foldData(ds, ownFold);
  else if (fold) process.stderr.write(`note: ${dir} was fitted on fold ${fold.index} of ${fold.k} of ${String(ckpt.manifest.extra?.source)}; ${source} is scored on its own test split\n`);
  const sameFold = ownFold ? { fold: ownFold.index } : {};
  const recorded = ckpt.manifest.extra?.modelOrigin as ModelOrigin | undefined;
  if (options.module && !recorded) throw new Error(`--model: ${dir} holds a checkpoint of the zoo's ${ckpt.manifest.model}, not of a model module`);
  if (recorded) await useOrigins([recorded], { at: options.module, why: `the checkpoint in ${dir} was saved` });
  const entry = modelEntry(recorded?.name ?? ckpt.manifest.model);
  const config = (ckpt.manifest.extra?.modelConfig ?? {}) as Record<string, unknown>;
  if (typeof config.features === "number" && config.features !== ds.g) {
    throw new Error(`the checkpoint's model has ${config.features} features; ${source} has ${ds.g}`);
  }
  // the build of a fit (buildFor): the data's groups win, the recorded sigmaScale is kept
  const model = buildFor(entry.name, ds, config);
  requireSplits(ds, source, "the held-out metrics are computed on the test rows", false);
  const program = deserialize(model, ckpt, dir);
  try {
    const xTest = observedTensor(model, ds, ds.split.test);
    // the held-out rows' side data (a decoder may read a label or attribute as a parent)
    const sideTest = sideData(model, ds, ds.split.test, { evaluation: true });
    try {
      program.checkSupport(xTest, dataCell(ds, source, ds.split.test, "test"), sideTest);
    } finally {
      xTest.dispose();
      tf.dispose(Object.values(sideTest));
    }
    const cfg = model.ir.meta.config as { factors?: number; hidden?: number } | undefined;
    const sizes = `${ds.split.test.length} held-out rows × ${ds.g} features${cfg?.hidden ? `, hidden ${cfg.hidden}` : ""}${cfg?.factors ? `, factors ${cfg.factors}` : ""}`;
    const rows = await withMemoryContext(`${ckpt.manifest.model} on ${source}: evaluation`, sizes, () => evaluateProgram(program, ds, metricOptions(`${ckpt.manifest.model} on ${source}`, metrics)));
    const seeds = (ckpt.manifest.extra?.seeds as number[] | undefined) ?? [0];
    return rows.map((m, i) => ({ model: entry.name, data: source, seed: seeds[i], ...sameFold, metrics: m }));
  } finally {
    program.dispose?.();
  }
}

