/**
 * DCI: Disentanglement, Completeness, Informativeness (Eastwood & Williams, ICLR 2018),
 * as computed by disentanglement_lib's `dci.py` and the sparse-VAE repo's copy of it.
 *
 * @module
 */
import { RandomForestRegression } from "ml-random-forest";
import { scipyEntropy } from "./entropy.js";
import { GradientBoostingRegressor, type GbtOptions } from "./gbt.js";
import { lasso } from "./lasso.js";
import { NumpyRandomState } from "./random.js";
import type { Matrix } from "./types.js";
import { checkSameRows, column, nCols, selectRows, toRows } from "./types.js";

/** The per-factor regressor used to build the importance matrix. */
export type DciRegressor = "gbt" | "lasso" | "randomForest";

/** Options of {@link dci}. */
export interface DciOptions {
  /**
   * - `"gbt"` (default): sklearn-equivalent `GradientBoostingRegressor()` (see `gbt.ts`),
   *   importance = impurity-based `feature_importances_`; raw codes and factors, as
   *   disentanglement_lib / the sparse-VAE repo.
   * - `"lasso"`: coordinate-descent lasso (qedr's "Lasso"), importance = |coef|; codes and
   *   factors are z-scored with the training mean and population std (qedr `normalize()`);
   *   constant codes get importance 0.
   * - `"randomForest"`: `ml-random-forest` regression (all features per tree, bootstrap
   *   rows, seeded), importance = its impurity importances. Not sklearn-equivalent.
   */
  regressor?: DciRegressor;
  /** Completeness weighting: `"importance"` (default, disentanglement_lib) or `"mean"` (qedr's plain average). */
  completenessWeighting?: "importance" | "mean";
  /** Informativeness: `"mse"` (default, sparse-VAE repo: mean over factors of test MSE) or `"nrmse"` (qedr: RMSE / std(target), averaged). Lower is better for both. */
  informativeness?: "mse" | "nrmse";
  /** Options for the GBT regressor (e.g. `randomState` to reproduce sklearn's tie-breaking). */
  gbt?: GbtOptions;
  /** Lasso α for `"lasso"` (on z-scored data). Default 0.01 (qedr tunes it per factor on a dev split; that grid is unverified). */
  lassoAlpha?: number;
  /** Options for `"randomForest"`. Defaults: 100 trees, seed 0. */
  randomForest?: { nEstimators?: number; seed?: number };
}

/** Result of {@link dci}. */
export interface DciResult {
  /** D = Σ_i ρ_i (1 − H_K(P_i·)). Higher is better, in [0, 1]. */
  disentanglement: number;
  /** C (importance-weighted or plain mean over factors). Higher is better, in [0, 1]. */
  completeness: number;
  /** Test-set error (MSE or NRMSE, see `informativenessMetric`). Lower is better. */
  informativeness: number;
  /** The same error on the training set. */
  informativenessTrain: number;
  /** Importance matrix R, codes × factors (`R[i][j]` = importance of code i for factor j). */
  importance: number[][];
  disentanglementPerCode: number[];
  completenessPerFactor: number[];
  regressor: DciRegressor;
  completenessWeighting: "importance" | "mean";
  informativenessMetric: "mse" | "nrmse";
}

/**
 * Per-code disentanglement `1 − H_K(R[i,·] + 1e-11)` (scipy entropy, base K = #factors),
 * as disentanglement_lib `disentanglement_per_code`.
 *
 * @example
 * ```ts
 * disentanglementPerCode([[1, 0], [1, 1]]); // [≈1, 0]
 * ```
 */
export function disentanglementPerCode(R: Matrix): number[] {
  const K = nCols(R);
  return R.map((row) => 1 - scipyEntropy(Array.from(row, (v) => v + 1e-11), K));
}

/**
 * Disentanglement D from an importance matrix R (codes × factors): per-code scores
 * weighted by ρ_i = Σ_j R_ij / Σ R (uniform weights if R is all zero, so D = 0 then).
 *
 * Reference: Eastwood & Williams (2018); matches disentanglement_lib `dci.disentanglement`
 * (and `gemoran/sparse-vae-code/evaluation/dci.py`), including its `dci_test.py` cases.
 *
 * @example
 * ```ts
 * disentanglementFromImportance([[5, 0], [0, 5]]); // 1
 * disentanglementFromImportance([[1, 0], [0, 1], [0, 0]]); // 1 (empty codes do not lower D)
 * ```
 */
export function disentanglementFromImportance(R: Matrix): number {
  const perCode = disentanglementPerCode(R);
  const rowSums = R.map((row) => sumOf(row));
  let total = sumOf(rowSums);
  const uniform = total === 0;
  if (uniform) total = R.length * nCols(R);
  let d = 0;
  for (let i = 0; i < R.length; i++) d += perCode[i] * ((uniform ? nCols(R) : rowSums[i]) / total);
  return d;
}

/**
 * Per-factor completeness `1 − H_L(R[·,j] + 1e-11)` (base L = #codes), as
 * disentanglement_lib `completeness_per_factor`.
 *
 * @example
 * ```ts
 * completenessPerFactor([[1, 0], [0, 1]]); // [≈1, ≈1]
 * ```
 */
export function completenessPerFactor(R: Matrix): number[] {
  const L = R.length;
  const K = nCols(R);
  const out: number[] = [];
  for (let j = 0; j < K; j++) out.push(1 - scipyEntropy(Array.from(R, (row) => row[j] + 1e-11), L));
  return out;
}

/**
 * Completeness C from an importance matrix R (codes × factors).
 * `"importance"` (default): weighted by factor importance Σ_i R_ij / Σ R, as
 * disentanglement_lib `dci.completeness` (uniform weights if R is all zero).
 * `"mean"`: plain mean over factors, as qedr's `complete_avg`.
 *
 * @example
 * ```ts
 * const diag = [[5, 0], [0, 5]];
 * completenessFromImportance([...diag, ...diag]); // 1 − log 2 / log 4 = 0.5
 * ```
 */
export function completenessFromImportance(R: Matrix, weighting: "importance" | "mean" = "importance"): number {
  const perFactor = completenessPerFactor(R);
  const K = perFactor.length;
  if (weighting === "mean") return sumOf(perFactor) / K;
  const colSums = perFactor.map((_, j) => sumOf(Array.from(R, (row) => row[j])));
  let total = sumOf(colSums);
  const uniform = total === 0;
  if (uniform) total = R.length * K;
  let c = 0;
  for (let j = 0; j < K; j++) c += perFactor[j] * ((uniform ? R.length : colSums[j]) / total);
  return c;
}

interface FittedRegressor {
  importance: Float64Array;
  predictTrain: Float64Array;
  predictTest: Float64Array;
}

function zscoreParams(cols: Float64Array[]): { mean: number[]; std: number[] } {
  const mean = cols.map((c) => sumOf(c) / c.length);
  const std = cols.map((c, j) => Math.sqrt(c.reduce((a, v) => a + (v - mean[j]) ** 2, 0) / c.length));
  return { mean, std };
}

function zscoreRows(X: Matrix, mean: number[], std: number[]): number[][] {
  return X.map((row) => Array.from(row, (v, j) => (std[j] > 0 ? (v - mean[j]) / std[j] : 0)));
}

function fitOne(
  regressor: DciRegressor,
  Xtr: Matrix,
  ytr: Float64Array,
  Xte: Matrix,
  opts: DciOptions,
): FittedRegressor {
  if (regressor === "gbt") {
    const m = new GradientBoostingRegressor(opts.gbt).fit(Xtr, ytr);
    return { importance: m.featureImportances.map(Math.abs), predictTrain: m.predict(Xtr), predictTest: m.predict(Xte) };
  }
  if (regressor === "lasso") {
    const m = lasso(Xtr, ytr, { alpha: opts.lassoAlpha ?? 0.01 });
    return { importance: m.coef.map(Math.abs), predictTrain: m.predict(Xtr), predictTest: m.predict(Xte) };
  }
  if (regressor === "randomForest") {
    const p = nCols(Xtr);
    const rf = new RandomForestRegression({
      nEstimators: opts.randomForest?.nEstimators ?? 100,
      seed: opts.randomForest?.seed ?? 0,
      maxFeatures: p, // integer: all features; a float 1.0 would mean "1 feature" in ml-random-forest
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: {},
      isClassifier: false,
      selectionMethod: "mean",
    });
    const toArr = (X: Matrix) => X.map((r) => Array.from(r));
    rf.train(toArr(Xtr), Array.from(ytr));
    // featureImportance() exists at runtime but is missing from ml-random-forest's type declarations.
    const imp = Float64Array.from((rf as unknown as { featureImportance(): number[] }).featureImportance(), (v) => (Number.isFinite(v) ? Math.abs(v) : 0));
    return {
      importance: imp,
      predictTrain: Float64Array.from(rf.predict(toArr(Xtr))),
      predictTest: Float64Array.from(rf.predict(toArr(Xte))),
    };
  }
  throw new Error(`dci: unknown regressor "${String(regressor)}"; expected "gbt", "lasso" or "randomForest"`);
}

function errorOf(pred: Float64Array, target: Float64Array, metric: "mse" | "nrmse"): number {
  let se = 0;
  for (let i = 0; i < pred.length; i++) se += (pred[i] - target[i]) ** 2;
  const mse = se / pred.length;
  if (metric === "mse") return mse;
  const m = sumOf(target) / target.length;
  const sd = Math.sqrt(target.reduce((a, v) => a + (v - m) ** 2, 0) / target.length);
  return Math.sqrt(mse) / sd;
}

/**
 * DCI from codes (encoder means, samples × codes) and ground-truth factors (samples ×
 * factors): fit one regressor per factor on the training codes, R[i][j] = |importance of
 * code i for factor j|, then D, C from R and informativeness = test error.
 *
 * With the defaults this is `gemoran/sparse-vae-code/evaluation/dci.py::compute_dci`
 * (disentanglement_lib's `dci.py` with `GradientBoostingRegressor()` and MSE), D in entropy
 * base K = #factors, C importance-weighted in base L = #codes. Report the variant
 * (`regressor`, `completenessWeighting`, `informativenessMetric` are echoed in the result):
 * classifier/regressor and MSE/NRMSE/accuracy variants are not comparable.
 *
 * Reference: Eastwood & Williams (2018), "A framework for the quantitative evaluation of
 * disentangled representations"; disentanglement_lib `evaluation/metrics/dci.py`;
 * qedr `lib/eval/regression.py` for the lasso / NRMSE / unweighted-C options.
 * End-to-end fixture vs sklearn in `dci.test.ts`.
 *
 * @example
 * ```ts
 * const r = dci(codesTrain, factorsTrain, codesTest, factorsTest); // GBT, weighted C, MSE
 * r.disentanglement; r.completeness; r.informativeness;
 * dci(codesTrain, factorsTrain, codesTest, factorsTest, { regressor: "lasso", completenessWeighting: "mean", informativeness: "nrmse" });
 * ```
 */
export function dci(
  codesTrain: Matrix,
  factorsTrain: Matrix,
  codesTest: Matrix,
  factorsTest: Matrix,
  options: DciOptions = {},
): DciResult {
  const regressor = options.regressor ?? "gbt";
  const weighting = options.completenessWeighting ?? "importance";
  const infoMetric = options.informativeness ?? "mse";
  toRows(codesTrain, "dci codesTrain");
  toRows(codesTest, "dci codesTest");
  checkSameRows(codesTrain, factorsTrain, "dci: codesTrain vs factorsTrain");
  checkSameRows(codesTest, factorsTest, "dci: codesTest vs factorsTest");
  const L = nCols(codesTrain);
  const K = nCols(factorsTrain);
  if (L === 0 || K === 0) throw new Error(`dci: need at least one code and one factor (got ${L} codes, ${K} factors)`);
  if (nCols(codesTest) !== L) throw new Error(`dci: codesTest has ${nCols(codesTest)} columns, codesTrain has ${L}`);
  if (nCols(factorsTest) !== K) throw new Error(`dci: factorsTest has ${nCols(factorsTest)} columns, factorsTrain has ${K}`);

  let Xtr: Matrix = codesTrain;
  let Xte: Matrix = codesTest;
  let ftr = Array.from({ length: K }, (_, j) => column(factorsTrain, j));
  let fte = Array.from({ length: K }, (_, j) => column(factorsTest, j));
  if (regressor === "lasso") {
    // qedr normalize(): z-score codes and factors with the training mean / population std.
    const cz = zscoreParams(Array.from({ length: L }, (_, j) => column(codesTrain, j)));
    Xtr = zscoreRows(codesTrain, cz.mean, cz.std);
    Xte = zscoreRows(codesTest, cz.mean, cz.std);
    const fz = zscoreParams(ftr);
    const z = (c: Float64Array, j: number) => c.map((v) => (fz.std[j] > 0 ? (v - fz.mean[j]) / fz.std[j] : 0));
    ftr = ftr.map(z);
    fte = fte.map(z);
  }
  const R: number[][] = Array.from({ length: L }, () => new Array<number>(K).fill(0));
  let errTr = 0;
  let errTe = 0;
  for (let j = 0; j < K; j++) {
    const fit = fitOne(regressor, Xtr, ftr[j], Xte, options);
    for (let i = 0; i < L; i++) R[i][j] = fit.importance[i];
    errTr += errorOf(fit.predictTrain, ftr[j], infoMetric);
    errTe += errorOf(fit.predictTest, fte[j], infoMetric);
  }
  return {
    disentanglement: disentanglementFromImportance(R),
    completeness: completenessFromImportance(R, weighting),
    informativeness: errTe / K,
    informativenessTrain: errTr / K,
    importance: R,
    disentanglementPerCode: disentanglementPerCode(R),
    completenessPerFactor: completenessPerFactor(R),
    regressor,
    completenessWeighting: weighting,
    informativenessMetric: infoMetric,
  };
}

/** Options of {@link dci16}. */
export interface Dci16Options extends DciOptions {
  /** numpy seed of the reference (`np.random.seed(42)`). Default 42. */
  seed?: number;
  /** Points drawn from each split. Default 16 (`batch_size=16`). */
  batchSize?: number;
  /** Use these row indices instead of drawing them. */
  indices?: { train: ArrayLike<number>; test: ArrayLike<number> };
}

/** Result of {@link dci16}: a {@link DciResult} plus the rows used. */
export interface Dci16Result extends DciResult {
  indicesTrain: number[];
  indicesTest: number[];
}

/**
 * The sparse-VAE repo's DCI variant (`Evaluator.evaluate_dci`): DCI on only 16 random
 * training and 16 random test points. The draw reproduces the reference **bit-for-bit**:
 * `np.random.seed(42); np.random.choice(range(n_train), 16, replace=False)`, then the same
 * for the test split, via a port of numpy's legacy MT19937 stream (checked against numpy
 * in `random.test.ts`). Pass `indices` to use committed indices instead. When the
 * reference has a single split, pass the training set as the test set too. The result is
 * very noisy (16 points); report it as `dciDisentanglement16`, never as DCI.
 *
 * Reference: `gemoran/sparse-vae-code/evaluation/evaluator.py::evaluate_dci` (seed 42,
 * batch_size 16) + `evaluation/dci.py`.
 *
 * @example
 * ```ts
 * const r = dci16(codesTrain, factorsTrain, codesTest, factorsTest);
 * r.disentanglement; // dciDisentanglement16
 * ```
 */
export function dci16(
  codesTrain: Matrix,
  factorsTrain: Matrix,
  codesTest: Matrix,
  factorsTest: Matrix,
  options: Dci16Options = {},
): Dci16Result {
  const size = options.batchSize ?? 16;
  let itr: number[];
  let ite: number[];
  if (options.indices) {
    itr = Array.from(options.indices.train);
    ite = Array.from(options.indices.test);
  } else {
    const rs = new NumpyRandomState(options.seed ?? 42);
    itr = Array.from(rs.choiceWithoutReplacement(codesTrain.length, size));
    ite = Array.from(rs.choiceWithoutReplacement(codesTest.length, size));
  }
  const r = dci(
    selectRows(codesTrain, itr),
    selectRows(factorsTrain, itr),
    selectRows(codesTest, ite),
    selectRows(factorsTest, ite),
    options,
  );
  return { ...r, indicesTrain: itr, indicesTest: ite };
}

function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
