/**
 * Linear-probe accuracy: multinomial logistic regression from codes to labels.
 *
 * Hand-written: the npm candidate `ml-logistic-regression` (2.0.0) is one-vs-rest,
 * unregularised, has no intercept and runs 50 000 fixed-step gradient iterations over the
 * whole data set per class, so it neither matches sklearn's default
 * `LogisticRegression()` nor scales; no other maintained package offers an L2-regularised
 * softmax regression. This is a small L-BFGS on sklearn's objective.
 *
 * @module
 */
import type { Matrix } from "./types.js";
import { toRows } from "./types.js";

/** Options of {@link linearProbe} / {@link fitLogisticRegression}. */
export interface ProbeOptions {
  /** Inverse L2 strength (sklearn `C`). Default 1. */
  C?: number;
  /** Maximum L-BFGS iterations. Default 100 (sklearn's `max_iter`). */
  maxIter?: number;
  /**
   * Stop when the max-abs gradient of sklearn's scaled objective (mean loss + ‖W‖²/(2Cn), as
   * sklearn ≥ 1.2 writes it) falls below this. Default 1e-4 (sklearn's `tol`, its L-BFGS `gtol`).
   */
  tol?: number;
  /** Z-score the codes with training mean/std first (default false: sklearn default uses raw inputs). */
  standardize?: boolean;
}

/** A fitted multinomial logistic regression. */
export interface LogisticModel {
  classes: Array<number | string>;
  /** K × p coefficients. */
  coef: number[][];
  /** K intercepts. */
  intercept: number[];
  nIter: number;
  predict(X: Matrix): Array<number | string>;
}

/**
 * Fit sklearn's default `LogisticRegression()` model: multinomial (softmax) with an L2
 * penalty on the weights (not the intercept), minimising
 * `C · Σ_i −log softmax(W x_i + b)_{y_i} + ½‖W‖²` with L-BFGS. The optimum is unique, so
 * coefficients agree with sklearn's lbfgs solution up to the solvers' tolerances.
 *
 * @example
 * ```ts
 * const m = fitLogisticRegression([[0], [1], [2], [3]], [0, 0, 1, 1]);
 * m.predict([[0.2], [2.8]]); // [0, 1]
 * ```
 */
export function fitLogisticRegression(X: Matrix, y: ArrayLike<number | string>, options: ProbeOptions = {}): LogisticModel {
  const C = options.C ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-4;
  const rows = toRows(X, "fitLogisticRegression X");
  const n = rows.length;
  if (n === 0) throw new Error("fitLogisticRegression: no rows");
  if (y.length !== n) throw new Error(`fitLogisticRegression: ${n} rows but ${y.length} labels`);
  const p = rows[0].length;
  const classes = Array.from(new Set(Array.from(y))).sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1,
  );
  const K = classes.length;
  if (K < 2) throw new Error(`fitLogisticRegression: need at least 2 classes, got ${K}`);
  const ci = new Map(classes.map((c, i) => [c, i]));
  const yi = Int32Array.from(Array.from(y), (v) => ci.get(v) as number);
  const P = p + 1; // weights + intercept per class, layout [k * P + j], j = p is the intercept
  const dim = K * P;
  const logits = new Float64Array(K);

  const fg = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const x = rows[i];
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = w[k * P + p];
        for (let j = 0; j < p; j++) s += w[k * P + j] * x[j];
        logits[k] = s;
        if (s > mx) mx = s;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(logits[k] - mx);
      const lse = mx + Math.log(z);
      f += C * (lse - logits[yi[i]]);
      for (let k = 0; k < K; k++) {
        const r = C * (Math.exp(logits[k] - lse) - (k === yi[i] ? 1 : 0));
        for (let j = 0; j < p; j++) g[k * P + j] += r * x[j];
        g[k * P + p] += r;
      }
    }
    for (let k = 0; k < K; k++)
      for (let j = 0; j < p; j++) {
        const v = w[k * P + j];
        f += 0.5 * v * v;
        g[k * P + j] += v;
      }
    return f;
  };

  const w = new Float64Array(dim);
  // sklearn (≥ 1.2) minimises the mean loss + ‖W‖²/(2Cn) with gtol = tol; this objective is C·n times that one
  const nIter = lbfgs(fg, w, maxIter, tol * C * n);
  const coef = Array.from({ length: K }, (_, k) => Array.from(w.subarray(k * P, k * P + p)));
  const intercept = Array.from({ length: K }, (_, k) => w[k * P + p]);
  return {
    classes,
    coef,
    intercept,
    nIter,
    predict(Xp: Matrix): Array<number | string> {
      return Xp.map((x) => {
        let best = 0;
        let bv = -Infinity;
        for (let k = 0; k < K; k++) {
          let s = intercept[k];
          for (let j = 0; j < p; j++) s += coef[k][j] * x[j];
          if (s > bv) {
            bv = s;
            best = k;
          }
        }
        return classes[best];
      });
    },
  };
}

/** Minimal L-BFGS (memory 10) with backtracking Armijo line search; minimises in place, returns iterations. */
function lbfgs(fg: (w: Float64Array, g: Float64Array) => number, w: Float64Array, maxIter: number, tol: number): number {
  const dim = w.length;
  const m = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let g = new Float64Array(dim);
  let f = fg(w, g);
  const d = new Float64Array(dim);
  const wNew = new Float64Array(dim);
  let gNew = new Float64Array(dim);
  const alpha = new Float64Array(m);
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < dim; i++) s += a[i] * b[i];
    return s;
  };
  let it = 0;
  for (; it < maxIter; it++) {
    let gmax = 0;
    for (let i = 0; i < dim; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax <= tol) break;
    // two-loop recursion
    for (let i = 0; i < dim; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (let i = 0; i < dim; i++) d[i] -= alpha[k] * Y[k][i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < dim; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      for (let i = 0; i < dim; i++) d[i] += S[k][i] * (alpha[k] - beta);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      for (let i = 0; i < dim; i++) d[i] = -g[i];
      slope = dot(g, d);
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
    }
    let step = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    let fNew = Infinity;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < dim; i++) wNew[i] = w[i] + step * d[i];
      fNew = fg(wNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // no progress possible
    const s = new Float64Array(dim);
    const yv = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = wNew[i] - w[i];
      yv[i] = gNew[i] - g[i];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    w.set(wNew);
    const tmp = g;
    g = gNew;
    gNew = tmp;
    const decrease = f - fNew;
    f = fNew;
    if (decrease <= 64 * 2.220446049250313e-16 * Math.max(Math.abs(f), 1)) {
      it++;
      break; // relative decrease below scipy's ftol as sklearn sets it
    }
  }
  return it;
}

/** Result of {@link linearProbe}. */
export interface ProbeResult {
  trainAccuracy: number;
  testAccuracy: number;
  model: LogisticModel;
}

/**
 * Linear-probe accuracy: fit a multinomial logistic regression (sklearn
 * `LogisticRegression()` defaults, see {@link fitLogisticRegression}) on training codes →
 * labels and report train and test accuracy. Use it on γ and on z (specs/vsc.md b1 §3).
 *
 * Reference: the standard linear-evaluation protocol (e.g. Alain & Bengio 2016, "Understanding
 * intermediate layers using linear classifier probes"); objective as scikit-learn 1.2.1
 * `LogisticRegression()` (checked against it in `probe.test.ts`).
 *
 * @example
 * ```ts
 * const r = linearProbe(zTrain, yTrain, zTest, yTest);
 * r.testAccuracy;
 * ```
 */
export function linearProbe(
  codesTrain: Matrix,
  labelsTrain: ArrayLike<number | string>,
  codesTest: Matrix,
  labelsTest: ArrayLike<number | string>,
  options: ProbeOptions = {},
): ProbeResult {
  let Xtr: Matrix = codesTrain;
  let Xte: Matrix = codesTest;
  if (options.standardize) {
    const p = codesTrain[0]?.length ?? 0;
    const mean = new Array<number>(p).fill(0);
    const sd = new Array<number>(p).fill(0);
    for (const r of codesTrain) for (let j = 0; j < p; j++) mean[j] += r[j] / codesTrain.length;
    for (const r of codesTrain) for (let j = 0; j < p; j++) sd[j] += (r[j] - mean[j]) ** 2 / codesTrain.length;
    const z = (X: Matrix) => X.map((r) => Array.from(r, (v, j) => (sd[j] > 0 ? (v - mean[j]) / Math.sqrt(sd[j]) : 0)));
    Xtr = z(codesTrain);
    Xte = z(codesTest);
  }
  const model = fitLogisticRegression(Xtr, labelsTrain, options);
  const acc = (X: Matrix, y: ArrayLike<number | string>) => {
    if (X.length !== y.length) throw new Error(`linearProbe: ${X.length} rows but ${y.length} labels`);
    const pred = model.predict(X);
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) ok++;
    return pred.length ? ok / pred.length : NaN;
  };
  return { trainAccuracy: acc(Xtr, labelsTrain), testAccuracy: acc(Xte, labelsTest), model };
}
