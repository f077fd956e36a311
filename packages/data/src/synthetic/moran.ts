/**
 * The Sparse VAE synthetic benchmark (Moran et al.; specs/sparse-vae.md §3.1, reference
 * `data/process_data.py: load_simulated_data`).
 *
 * z ~ N(0, [[1, ρ], [ρ, 1]]), x = [z1, 2z1, 3z1², 4z2, 5z2, 6 sin z2, 7 z1 z2] + N(0, σ² I₇).
 */
import { Key } from "@sparse-dgm/core";
import { splitFromFolds, type Dataset, type Split } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import folds from "./moran-folds.json" with { type: "json" };

/** Parameters of `synthetic:moran` (defaults from the spec). */
export const moranParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 1000, min: 2, doc: "number of rows (N = 1000 in the paper)" },
  { name: "rho", type: "number", default: 0, min: -1, max: 1, doc: "correlation of z1 and z2 (paper: 0, 0.2, ..., 0.8)" },
  { name: "sigma", type: "number", default: 0.5, min: 0, doc: "noise SD" },
  { name: "k", type: "int", default: 5, min: 2, doc: "columns of the scoring W (the fitted K; 5 in the paper)" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "data seed (the split does not depend on it)" },
];

/** Options of {@link moran}. */
export interface MoranOptions {
  n?: number;
  rho?: number;
  sigma?: number;
  k?: number;
  seed?: number;
}

/** Feature names x1..x7 with their formulas. */
export const moranFeatureNames = ["z1", "2z1", "3z1^2", "4z2", "5z2", "6sin(z2)", "7z1z2"];

/**
 * The reference split `assign_splits(2, seed=42)`: each row's fold uniform on {0, 1} from
 * numpy's global RNG reset to 42, fold 0 held out (510 train / 490 test at n = 1000). The n = 1000
 * fold vector is committed (`moran-folds.json`, made by `tools/reference/splits.py`); for other n
 * a Key-based split with the same probability (each row test with probability 1/2) is used.
 *
 * @example
 * ```ts
 * const s = moranSplit(1000); // s.train.length === 510, s.test.length === 490
 * ```
 */
export function moranSplit(n: number): Split {
  if (n === folds.n) return splitFromFolds(folds.folds, [0]);
  const u = Key.of(42).foldIn("moran-split").uniformArray(n);
  const f = new Int32Array(n);
  for (let i = 0; i < n; i++) f[i] = u[i] < 0.5 ? 0 : 1;
  return splitFromFolds(f, [0]);
}

/**
 * Generates the Moran synthetic data with its truth: `truth.z` (n×2), `truth.W` (7×k, rows 1–3
 * have 1 in column 1, rows 4–6 1 in column 2, row 7 0.5 in columns 1 and 2: 8 non-zeros at k=5),
 * `truth.support` (W ≠ 0), `truth.anchors` = [[0,1,2],[3,4,5]].
 *
 * @example
 * ```ts
 * const ds = moran({ rho: 0.4, seed: 7 }); // 1000 × 7, 510 train / 490 test
 * ```
 */
export function moran(opts: MoranOptions = {}): Dataset {
  const where = "synthetic:moran";
  const p = resolveParams(where, moranParams, { ...opts });
  const n = p.n as number;
  const rho = p.rho as number;
  const sigma = p.sigma as number;
  const k = p.k as number;
  const seed = p.seed as number;
  const [kz, ke] = Key.of(seed).foldIn("moran").split(2);
  const e = kz.normalArray(2 * n);
  const eps = ke.normalArray(7 * n);
  const g = 7;
  const x = new Float32Array(n * g);
  const z = new Float32Array(n * 2);
  const c = Math.sqrt(Math.max(0, 1 - rho * rho));
  for (let i = 0; i < n; i++) {
    const z1 = e[2 * i];
    const z2 = rho * z1 + c * e[2 * i + 1];
    z[2 * i] = z1;
    z[2 * i + 1] = z2;
    const f = [z1, 2 * z1, 3 * z1 * z1, 4 * z2, 5 * z2, 6 * Math.sin(z2), 7 * z1 * z2];
    for (let j = 0; j < g; j++) x[i * g + j] = f[j] + sigma * eps[i * g + j];
  }
  const W = new Float32Array(g * k);
  for (const j of [0, 1, 2]) W[j * k] = 1;
  for (const j of [3, 4, 5]) W[j * k + 1] = 1;
  W[6 * k] = 0.5;
  W[6 * k + 1] = 0.5;
  const support = Uint8Array.from(W, (v) => (v !== 0 ? 1 : 0));
  return {
    name: "moran",
    source: `${where}${formatQuery(moranParams, p)}`,
    x,
    n,
    g,
    kind: "real",
    featureNames: [...moranFeatureNames],
    split: moranSplit(n),
    truth: { k: 2, z, W, wCols: k, support, anchors: [[0, 1, 2], [3, 4, 5]] },
    meta: { generator: "moran", params: p, spec: "specs/sparse-vae.md §3.1", splitFrom: n === folds.n ? folds.source : "Key(42) Bernoulli(1/2) folds" },
  };
}
