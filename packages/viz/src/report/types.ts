/**
 * The input contract of the comparison report (DESIGN §7): the rows of `results.json`, the
 * per-run artifacts (curves, masks, activity) and the context (graphs, data, configuration).
 */
import type { StructurePanel } from "@sparse-dgm/metrics";

/** The training record of one fitted run (DESIGN §7, exactly these field names). */
export interface TrainRecord {
  /** Epochs run. */
  epochs: number;
  /** Optimiser steps taken. */
  steps: number;
  /** Mean wall time per optimiser step, in milliseconds. */
  msPerStep: number;
  /** Wall time of the whole fit, in seconds. */
  seconds: number;
  /** Peak resident set size during the fit, in MiB. */
  peakRssMb: number;
  /** The TensorFlow.js backend the fit ran on (`cpu`, `wasm`, `tensorflow`, ...). */
  backend: string;
  /** Threads the wasm backend ran on in this process (wasm only: `--threads`, `SDGM_THREADS`, else the cores divided among `--jobs`). */
  threads?: number;
  /** Steps the trainer skipped because their loss was not finite (present when any was). */
  skippedSteps?: number;
  /** The first skipped step: site, term and step (present when any was skipped). */
  firstSkipped?: string;
}

/** One factor's top features (words, items, genes), read from the decoder (metrics/top-features.ts). */
export interface FactorFeaturesRecord {
  /** 0-based factor (code column). */
  factor: number;
  /** The direction of z_k that raises them. */
  direction: 1 | -1;
  /** Feature names, most affected first. */
  features: string[];
  /** How much each one's expected value rises (4 significant digits). */
  effects: number[];
  /** NPMI of the factor's top features (non-negative data). */
  npmi?: number;
  /** Whether the factor's code varies over the data. */
  active?: boolean;
}

/** The top features of every factor of one run, with their coherence. */
export interface TopFeaturesRecord {
  /** Features listed per factor. */
  k: number;
  factors: FactorFeaturesRecord[];
  /** Mean NPMI over factors (`topicCoherence`). */
  coherence?: number;
  /** Mean NPMI of random feature sets drawn by document frequency: the baseline. */
  randomCoherence?: number;
}

/** One fitted (model, data, seed[, fold]): one row of `results.json` (DESIGN §7). */
export interface ResultRow {
  /** The zoo entry (model) name. */
  model: string;
  /** The data source string, e.g. `synthetic:moran?n=500`. */
  data: string;
  /** The seed of this replica. */
  seed: number;
  /** With `--folds K`: the held-out fold (0..K−1) of this row; the test split is that fold. */
  fold?: number;
  /** The top features of each factor, for data with feature names. */
  topFeatures?: TopFeaturesRecord;
  /** camelCase metric keys (`heldoutMse`, `supportF1`, ...); a metric that does not apply is absent. */
  metrics: Record<string, number>;
  /** Timing and resources of the fit. */
  train: TrainRecord;
  /** The configuration this run was fitted with. */
  config: Record<string, unknown>;
}

/**
 * A run that did not train as asked (a loss that stayed non-finite, data outside the likelihood's
 * support, ...): it has no row in results.json; the report lists it as failed.
 */
export interface FailedRun {
  model: string;
  data: string;
  seed: number;
  /** The held-out fold, with `--folds K`. */
  fold?: number;
  /** The error, one line. */
  error: string;
  /** ISO time of the failure. */
  at?: string;
  /** The machine it ran on. */
  host?: string;
}

/** Optional per-run artifacts for the plots; matched to rows by (model, data, seed, fold). */
export interface RunArtifacts {
  model: string;
  data: string;
  seed: number;
  /** The held-out fold (with `--folds`). */
  fold?: number;
  /** Per objective term (`distortion:x`, `rate:z`, `maskPrior:W`, `loss`, ...), one value per epoch. */
  curves?: Record<string, number[]>;
  /** Schedule weights per epoch (e.g. `rate:z`). */
  weights?: Record<string, number[]>;
  /** The learned global mask, features x factors, columns aligned to the truth where possible. */
  W?: number[][];
  /** Inclusion probabilities of the global mask, features x factors. */
  pstar?: number[][];
  /** The true mask, features x factors. */
  truthW?: number[][];
  /** Local-mask activity: mean γ per (class or row group) x latent, or rows x latents. */
  activity?: number[][];
  /** Names of the rows of `activity` (class names, or `row <i>`). */
  activityRows?: string[];
  /** What a row of `activity` is: the mean over a class, or one test row. */
  activityBy?: "class" | "row";
  /** Class × class mean Jaccard of the local code's active sets (γ > 0.5) on the held-out split. */
  classJaccard?: number[][];
  /** Names of the classes indexing `classJaccard`. */
  classNames?: string[];
  /** Names of the features (rows of W). */
  featureNames?: string[];
  /** |corr| of each true factor (row) with each code (column) on the held-out split, 0–1. */
  factorCorr?: number[][];
  /**
   * Sparse codes on data with known per-row levels: the share of held-out rows of true level
   * L = 1.. (rows) with |b̂| = 0.. active units (columns); each row sums to 1.
   */
  levelConfusion?: number[][];
  /** Names of the true factors (rows of `factorCorr`). */
  factorNames?: string[];
  /** Names of the codes (columns of `factorCorr`), ordered by the factor each tracks best. */
  factorCorrCols?: string[];
  /**
   * Learned structure masks between observed views and latent groups (a structured model's A_out,
   * A_in): inclusion probabilities 0–1, latent groups aligned to the truth's where it is given.
   */
  structureMasks?: StructureMask[];
}

/**
 * One structure mask of a run (a structured model's A_out / A_in: inclusion probabilities or fixed
 * 0/1 values, rows × columns, latent groups aligned to the truth's), with its truth when the data
 * knows it: the panel evaluation produces.
 */
export type StructureMask = StructurePanel;

/** Everything the report needs. */
export interface ReportInput {
  /** The page title. */
  title: string;
  /** ISO time the comparison was generated. */
  generatedAt: string;
  /** One row per fitted (model, data, seed). */
  rows: ResultRow[];
  /** Per-run artifacts (any subset of the rows). */
  artifacts: RunArtifacts[];
  /** Runs that failed (no row): listed as failed. */
  failed?: FailedRun[];
  /** Model name -> rendered model graph SVG (embedded inline). */
  graphs: Record<string, string>;
  /** A text description (preformatted) of each data source. */
  data: Array<{ source: string; description: string }>;
  /** The comparison's configuration. */
  config: Record<string, unknown>;
  /** Backend, cpus, node version, ... */
  machine?: Record<string, unknown>;
}
