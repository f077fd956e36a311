/**
 * `refine` offline, on a fit written by bench/sdlgm-dump.ts: for each held-out row, the local search
 * of packages/zoo/src/linear-gaussian-support.ts from the encoder's predicted support on the learned
 * decoder (uniform level prior, L0 = 5), and the held-out MSE, level accuracy, mean support size and
 * moves of the encoder's code and of the refined one, with the wall time of the search.
 *
 *   node packages/cli/bin/run-ts.js bench/sdlgm-refine-offline.ts <dump.json> [test|train] [noise]
 */
import { readFileSync } from "node:fs";
import { gramOf, correlationsOf, logPriorOfSize, refineSupport } from "../packages/zoo/src/linear-gaussian-support.js";
const f = JSON.parse(readFileSync(process.argv[2], "utf8"));
const which = process.argv[3] ?? "test";
const noise = Number(process.argv[4] ?? 0.1);
const { K, D, W, c } = f;
const kernel = new Float64Array(K * D);
for (let d = 0; d < D; d++) for (let k = 0; k < K; k++) kernel[k * D + d] = W[d][k];
const s2 = noise * noise;
const G = gramOf(kernel, K, D, s2);
const L0 = 5;
const lp = logPriorOfSize(Array(L0).fill(Math.log(1 / L0)), K);
const set = f[which];
const n = set.x.length;
const acc = { enc: 0, refined: 0, levelEnc: 0, levelRef: 0, sizeRef: 0, sizeEnc: 0, moves: 0, improved: 0 };
const t0 = Date.now();
for (let i = 0; i < n; i++) {
  const x = set.x[i];
  const mse = (units: number[], vals: ArrayLike<number>) => {
    let e = 0;
    for (let d = 0; d < D; d++) {
      let s = x[d] - c[d];
      units.forEach((u, j) => (s -= kernel[u * D + d] * vals[j]));
      e += s * s;
    }
    return e / D;
  };
  const encUnits: number[] = [];
  const encVals: number[] = [];
  for (let k = 0; k < K; k++)
    if (set.activity[i * K + k] > 0.5) {
      encUnits.push(k);
      encVals.push(set.mean[i * K + k]);
    }
  acc.enc += mse(encUnits, encVals);
  acc.sizeEnc += encUnits.length;
  acc.levelEnc += encUnits.length === set.levels[i] ? 1 : 0;
  const p = { K, maxLevel: L0, gram: G, corr: correlationsOf(kernel, c, x, 0, K, D, s2), logPriorOfSize: lp };
  const r = refineSupport(p, encUnits);
  acc.refined += mse(r.units, r.mean);
  acc.sizeRef += r.units.length;
  acc.levelRef += r.units.length === set.levels[i] ? 1 : 0;
  acc.moves += r.moves;
  acc.improved += r.moves > 0 ? 1 : 0;
}
console.log(which, n, Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, +(v / n).toFixed(4)])), "ms", Date.now() - t0, "dump heldoutMse", f.heldoutMse, "mean", f.heldoutMseMean);
