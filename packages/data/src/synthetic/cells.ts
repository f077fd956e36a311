/**
 * `synthetic:cells`: a single-cell count matrix with cell types, gene programs and a wide
 * library-size variation, for tests, examples and the docs ("each gene is active in a few
 * processes", specs/sparse-vae.md §3.1). Defaults: the 1464 cells × 1000 genes of the held-out
 * data set described in issue 21.
 *
 * Generative process: `types` cell types, one gene program per type (the true factors); a cell of
 * type t has program activities z_i = 2.5·e_t + 0.5·ε (its own program on, the others near 0).
 * Gene j has a baseline log-expression b_j ~ N(0, 1) and belongs to 0 programs (60 %, housekeeping),
 * 1 (30 %) or 2 (10 %) with loadings W_jk ~ U(0.8, 1.6) (the support is `truth.support`). The
 * library size is log-normal, l_i = exp(N(log 2500, `libSd`²)) (default SD 0.6: a 2.3× spread
 * between the 16th and 84th percentiles), and the counts are negative binomial with mean
 * l_i·softmax_j(b + W z_i) and dispersion r_j ~ Gamma(4, 1)·1.5. Cell types are balanced up to
 * a random draw (`labels`, named `type 1` ... or from a list).
 */
import { Key } from "@sparse-dgm/core";
import { randomSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import { Rng } from "./rng.js";

/** Parameters of `synthetic:cells`. */
export const cellsParams: readonly ParamSpec[] = [
  { name: "cells", type: "int", default: 1464, min: 2, doc: "cells (rows)" },
  { name: "genes", type: "int", default: 1000, min: 2, doc: "genes (features)" },
  { name: "types", type: "int", default: 6, min: 1, max: 30, doc: "cell types, one gene program each (the true factors)" },
  { name: "libSize", type: "number", default: 2500, gt: 0, doc: "median library size (total counts per cell)" },
  { name: "libSd", type: "number", default: 0.6, min: 0, doc: "SD of the log library size" },
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction of the seeded random split" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed (data and split)" },
];

/** Options of {@link syntheticCells}. */
export interface SyntheticCellsOptions {
  cells?: number;
  genes?: number;
  types?: number;
  libSize?: number;
  libSd?: number;
  test?: number;
  seed?: number;
}

const TYPE_NAMES = ["T cell", "B cell", "NK cell", "monocyte", "dendritic", "neuron", "astrocyte", "oligodendrocyte", "microglia", "endothelial", "fibroblast", "epithelial"];

/**
 * Generates the counts with labels (cell types) and the truth (`z`, `W`, `support`).
 *
 * @example
 * ```ts
 * const ds = syntheticCells({ cells: 500, genes: 200 }); // 500 × 200 counts, 6 types
 * ```
 */
export function syntheticCells(opts: SyntheticCellsOptions = {}): Dataset {
  const where = "synthetic:cells";
  const p = resolveParams(where, cellsParams, { ...opts });
  const n = p.cells as number;
  const G = p.genes as number;
  const T = p.types as number;
  const rng = new Rng(Key.of(p.seed as number).foldIn("synthetic-cells"));
  const base = Float64Array.from({ length: G }, () => rng.normal());
  const W = new Float32Array(G * T);
  for (let j = 0; j < G; j++) {
    const u = rng.uniform();
    const m = Math.min(T, u < 0.6 ? 0 : u < 0.9 ? 1 : 2);
    const picked = new Set<number>();
    while (picked.size < m) picked.add(Math.min(T - 1, Math.floor(rng.uniform() * T)));
    for (const k of picked) W[j * T + k] = 0.8 + 0.8 * rng.uniform();
  }
  const disp = Float64Array.from({ length: G }, () => 1.5 * rng.gamma(4));
  const labels = new Int32Array(n);
  const z = new Float32Array(n * T);
  const lib = new Float64Array(n);
  const x = new Float32Array(n * G);
  const logit = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const t = Math.min(T - 1, Math.floor(rng.uniform() * T));
    labels[i] = t;
    for (let k = 0; k < T; k++) z[i * T + k] = (k === t ? 2.5 : 0) + 0.5 * rng.normal();
    lib[i] = Math.exp(Math.log(p.libSize as number) + (p.libSd as number) * rng.normal());
    let mx = -Infinity;
    for (let j = 0; j < G; j++) {
      let s = base[j];
      for (let k = 0; k < T; k++) s += W[j * T + k] * z[i * T + k];
      logit[j] = s;
      if (s > mx) mx = s;
    }
    let tot = 0;
    for (let j = 0; j < G; j++) tot += Math.exp(logit[j] - mx);
    for (let j = 0; j < G; j++) x[i * G + j] = rng.negativeBinomial((lib[i] * Math.exp(logit[j] - mx)) / tot, disp[j]);
  }
  const support = Uint8Array.from(W, (w) => (w !== 0 ? 1 : 0));
  const names = Array.from({ length: T }, (_, t) => TYPE_NAMES[t] ?? `type ${t + 1}`);
  return {
    name: "cells",
    source: `${where}${formatQuery(cellsParams, p)}`,
    x,
    n,
    g: G,
    kind: "counts",
    featureNames: Array.from({ length: G }, (_, j) => {
      const progs = names.filter((_, k) => W[j * T + k] !== 0);
      return progs.length ? `${progs.map((s) => s.replace(/ .*/, "")).join("+")}-g${j + 1}` : `hk-g${j + 1}`;
    }),
    rowNames: Array.from({ length: n }, (_, i) => `cell${String(i + 1).padStart(5, "0")}`),
    labels,
    labelNames: names,
    split: randomSplit(n, p.test as number, p.seed as number),
    truth: { k: T, z, W, support, extra: { factorNames: names.map((s) => `${s} program`), librarySize: Array.from(lib) } },
    meta: { generator: "cells", params: p },
  };
}
