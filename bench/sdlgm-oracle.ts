/**
 * What the `synthetic:sparse-linear` acceptance checks can reach (docs/zoo/sdlgm.md "What the data
 * allow"): no training, plain least squares on the generator's own rows.
 *
 * - the true level distribution of the held-out rows, the uniform chance level 1/L0 and the
 *   "predict the most frequent training level" baseline;
 * - the held-out MSE of oracles: the true dictionary A and the true supports (per-row least
 *   squares), the true supports with A fitted on the training rows by alternating least squares
 *   (from a random start: what a model that found the supports could reach with this many rows),
 *   and orthogonal matching pursuit with the true A, given the level or stopping by a noise
 *   threshold (its level accuracy and support F1 say whether the level is identifiable at all);
 * - dictionary learning that uses no truth (MOD: OMP with the noise threshold and the
 *   least-squares dictionary, alternately, from K random training rows): what a classical
 *   non-amortised method reaches on the same rows.
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-oracle.ts [--n 3000] [--seed 0] [--rounds 30]
 *
 * The least squares and OMP are bench/least-squares.ts.
 */
import { sparseLinear } from "../packages/data/src/synthetic/sparse-linear.js";
import { maxAssignment } from "../packages/metrics/src/assignment.js";
import { solveSpd, fitColumns, omp as ompColumns } from "./least-squares.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
};
const n = Number(arg("n", "3000"));
const seed = Number(arg("seed", "0"));
const ds = sparseLinear({ n, seed });
const truth = ds.truth!;
const K = truth.k as number;
const D = ds.g;
const L0 = (truth.extra as { l0: number }).l0;
const noise = (truth.extra as { noise: number }).noise;
const A = truth.W!; // D × K, row-major [d * K + k]
const levels = truth.levels!;
const support = truth.rowSupport!;
const train = Array.from(ds.split.train);
const test = Array.from(ds.split.test);
const xRow = (i: number) => ds.x.subarray(i * D, (i + 1) * D);

const solve = solveSpd;
/** Least-squares values of x on the columns `cols` of the dictionary W (D × K): the values and the residual sum of squares. */
const fitRow = (W: Float64Array | Float32Array, x: Float32Array, cols: number[]) => fitColumns(W, D, K, x, cols);

const supportOf = (i: number): number[] => {
  const out: number[] = [];
  for (let k = 0; k < K; k++) if (support[i * K + k]) out.push(k);
  return out;
};
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

// 1. levels
const count = (rows: number[]) => {
  const c = new Array<number>(L0 + 1).fill(0);
  for (const i of rows) c[levels[i]]++;
  return c.slice(1);
};
const trainCounts = count(train);
const testCounts = count(test);
const mode = trainCounts.indexOf(Math.max(...trainCounts)) + 1;
console.log(`synthetic:sparse-linear?n=${n}&seed=${seed}: ${train.length} train / ${test.length} test rows, D ${D}, K ${K}, L0 ${L0}, noise ${noise} (MSE floor ${noise * noise})`);
console.log(`true levels 1..${L0}, train rows: ${trainCounts.join(" / ")}; held-out rows: ${testCounts.join(" / ")} (mean ${mean(test.map((i) => levels[i])).toFixed(3)})`);
console.log(`levelAccuracy baselines on the held-out rows: uniform guess ${(1 / L0).toFixed(3)}; the most frequent training level (${mode}) ${(testCounts[mode - 1] / test.length).toFixed(3)}`);

// 2. oracle: true A, true support
const mseTrueA = mean(test.map((i) => fitRow(A, xRow(i), supportOf(i)).rss / D));
console.log(`oracle, true A and true supports (per-row least squares): held-out MSE ${mseTrueA.toFixed(5)}`);

// 3. oracle: true supports, A by alternating least squares on the training rows from a random start
let W = new Float64Array(D * K);
{
  let s = 12345 + seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let t = 0; t < W.length; t++) W[t] = (Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd())) / Math.sqrt(K);
}
for (let it = 0; it < 30; it++) {
  // values per row on its true support, then the dictionary from the normal equations Z^T Z W^T = Z^T X
  const ZtZ = new Float64Array(K * K);
  const ZtX = new Float64Array(K * D);
  for (const i of train) {
    const cols = supportOf(i);
    const { v } = fitRow(W, xRow(i), cols);
    const x = xRow(i);
    for (let a = 0; a < cols.length; a++) {
      for (let c = 0; c < cols.length; c++) ZtZ[cols[a] * K + cols[c]] += v[a] * v[c];
      for (let d = 0; d < D; d++) ZtX[cols[a] * D + d] += v[a] * x[d];
    }
  }
  const next = new Float64Array(D * K);
  for (let d = 0; d < D; d++) {
    const col = solve(ZtZ, Float64Array.from({ length: K }, (_, k) => ZtX[k * D + d]), K);
    for (let k = 0; k < K; k++) next[d * K + k] = col[k];
  }
  W = next;
}
const trainAls = mean(train.map((i) => fitRow(W, xRow(i), supportOf(i)).rss / D));
const testAls = mean(test.map((i) => fitRow(W, xRow(i), supportOf(i)).rss / D));
console.log(`oracle, true supports, A fitted on the ${train.length} training rows (30 rounds of alternating least squares): training MSE ${trainAls.toFixed(5)}, held-out MSE ${testAls.toFixed(5)}`);

// 4. orthogonal matching pursuit: the next unit is the one most correlated with the residual, the
// values the least-squares fit on the units chosen so far
const omp = (W: Float64Array | Float32Array, x: Float32Array, stop: (l: number, rssBefore: number, rssAfter: number) => boolean) => ompColumns(W, D, K, x, L0, stop);
// a unit is added while it explains more than 2 log(K) noise variances (a BIC-style rule; a true unit with |v| >= 0.5 explains about 0.5)
const threshold = 2 * Math.log(K) * noise * noise;
const byNoise = (_l: number, before: number, after: number) => before - after < threshold;
/** Support F1 per held-out row of units (mapped to true dimensions by `toTrue`) against the truth. */
const f1 = (pred: number[], i: number, toTrue: (u: number) => number) => {
  const t = supportOf(i);
  const hit = pred.filter((u) => t.includes(toTrue(u))).length;
  return (2 * hit) / (pred.length + t.length);
};
const report = (what: string, W: Float64Array | Float32Array, pick: (i: number) => number[], toTrue: (u: number) => number = (u) => u) => {
  const picks = test.map((i) => [i, pick(i)] as const);
  const acc = mean(picks.map(([i, p]) => (p.length === levels[i] ? 1 : 0)));
  const mse = mean(picks.map(([i, p]) => fitRow(W, xRow(i), p).rss / D));
  console.log(`${what}: levelAccuracy ${acc.toFixed(3)}, support F1 ${mean(picks.map(([i, p]) => f1(p, i, toTrue))).toFixed(3)}, held-out MSE ${mse.toFixed(5)}, mean |b| ${mean(picks.map(([, p]) => p.length)).toFixed(3)}`);
};
report("OMP with the true A, the true level given", A, (i) => omp(A, xRow(i), (l) => l > levels[i]));
report(`OMP with the true A, the level by a noise threshold (a unit must explain >= 2 log(K) sigma^2 = ${threshold.toFixed(3)})`, A, (i) => omp(A, xRow(i), byNoise));
report("OMP with the true A, fixed level 5 (a perfect top-5 code)", A, (i) => omp(A, xRow(i), () => false));

// 5. dictionary learning without the truth (MOD: OMP with the noise rule, then the least-squares dictionary), from a random start
let M = new Float64Array(D * K);
{
  let s = 777 + seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  // start from K random training rows (normalised), the usual initialisation of MOD / K-SVD
  for (let k = 0; k < K; k++) {
    const x = xRow(train[Math.floor(rnd() * train.length)]);
    const nrm = Math.sqrt(x.reduce((a, v) => a + v * v, 0)) || 1;
    for (let d = 0; d < D; d++) M[d * K + k] = (x[d] / nrm) * Math.sqrt(D / K);
  }
}
const rounds = Number(arg("rounds", "30"));
for (let it = 0; it < rounds; it++) {
  const ZtZ = new Float64Array(K * K);
  const ZtX = new Float64Array(K * D);
  let rss = 0;
  for (const i of train) {
    const x = xRow(i);
    const cols = omp(M, x, byNoise);
    const { v, rss: r } = fitRow(M, x, cols);
    rss += r / D;
    for (let a = 0; a < cols.length; a++) {
      for (let c = 0; c < cols.length; c++) ZtZ[cols[a] * K + cols[c]] += v[a] * v[c];
      for (let d = 0; d < D; d++) ZtX[cols[a] * D + d] += v[a] * x[d];
    }
  }
  for (let k = 0; k < K; k++) ZtZ[k * K + k] += 1e-6; // an unused unit keeps a finite (zero) column
  const next = new Float64Array(D * K);
  for (let d = 0; d < D; d++) {
    const col = solve(ZtZ, Float64Array.from({ length: K }, (_, k) => ZtX[k * D + d]), K);
    for (let k = 0; k < K; k++) next[d * K + k] = col[k];
  }
  // a unit no row used restarts at the worst-fitted training row (as K-SVD does)
  for (let k = 0; k < K; k++) {
    let used = 0;
    for (let d = 0; d < D; d++) used += Math.abs(next[d * K + k]);
    if (used > 1e-8) continue;
    const x = xRow(train[(it * 31 + k * 17) % train.length]);
    const nrm = Math.sqrt(x.reduce((a, v) => a + v * v, 0)) || 1;
    for (let d = 0; d < D; d++) next[d * K + k] = (x[d] / nrm) * Math.sqrt(D / K);
  }
  M = next;
  if (it % 10 === 9 || it === rounds - 1) console.log(`  MOD round ${it + 1}: training MSE ${(rss / train.length).toFixed(5)}`);
}
// align the learned units to the true columns by |cosine| (Hungarian), for support F1 only
const cos = Array.from({ length: K }, (_, t) =>
  Array.from({ length: K }, (_, u) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let d = 0; d < D; d++) {
      ab += A[d * K + t] * M[d * K + u];
      aa += A[d * K + t] ** 2;
      bb += M[d * K + u] ** 2;
    }
    return Math.abs(ab) / Math.sqrt(aa * bb || 1);
  }),
);
const aligned = maxAssignment(cos);
const recovered = aligned.pairs.filter(([t, u]) => cos[t][u] > 0.9).length;
report(`MOD dictionary learning (no truth used, ${rounds} rounds; ${recovered} of ${K} true columns recovered at |cos| > 0.9), OMP with the noise threshold`, M, (i) => omp(M, xRow(i), byNoise), (u) => aligned.colToRow[u]);
