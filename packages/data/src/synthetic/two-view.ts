/**
 * The shared/private two-view benchmark proposed for the MIB-masked port
 * (specs/mib-structured.md §4.1).
 *
 * s, p1, p2 ∈ R² ~ N(0, I); x1 = f1([s, p1]) + 0.1ε, x2 = f2([s, p2]) + 0.1ε, where f1, f2 are
 * fixed random 2-layer MLPs R⁴ → R^hidden (tanh) → R^dim (linear). The dataset is x = [x1, x2]
 * (g = 2·dim) with `meta.groups` = [[0..dim-1], [dim..2dim-1]]; the true decoder mask between
 * the observed groups (x1, x2) and the latent groups (s, p1, p2) is A_out = [[1,1,0],[1,0,1]].
 */
import { Key } from "@sparse-dgm/core";
import { randomSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import { randomMlp, applyMlp } from "./random-mlp.js";

/** Parameters of `synthetic:two-view`. */
export const twoViewParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 5000, min: 2, doc: "number of rows" },
  { name: "dim", type: "int", default: 10, min: 1, doc: "dimension of each view" },
  { name: "hidden", type: "int", default: 32, min: 1, doc: "hidden width of the random MLPs f1, f2" },
  { name: "noise", type: "number", default: 0.1, min: 0, doc: "noise SD" },
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "seed of the latents, noise and split" },
  { name: "fseed", type: "int", default: 0, min: 0, doc: "seed of the fixed MLP weights (shared across data seeds)" },
  { name: "missing", type: "number", default: 0, min: 0, max: 1, doc: "fraction of rows that lack one of the two views (which one at random; its features are 0, viewMask says so)" },
];

/** Options of {@link twoView}. */
export interface TwoViewOptions {
  n?: number;
  dim?: number;
  hidden?: number;
  noise?: number;
  test?: number;
  seed?: number;
  fseed?: number;
  missing?: number;
}

/** The true observed-group × latent-group decoder mask (x1, x2) × (s, p1, p2). */
export const TWO_VIEW_A_OUT: number[][] = [
  [1, 1, 0],
  [1, 0, 1],
];

/**
 * Generates the two-view data with truth `z` = [s, p1, p2] (n×6), `support` (g×6: view-1
 * features depend on s and p1, view-2 features on s and p2) and `extra` = { Aout, masks: { Aout }
 * (the true value of a model's mask site `Aout`, scored by `edgeF1`), latentGroups, f1, f2 } (the
 * MLP weights).
 *
 * @example
 * ```ts
 * const ds = twoView({ n: 1000 }); // 1000 × 20, ds.meta.groups = [[0..9], [10..19]]
 * ```
 */
export function twoView(opts: TwoViewOptions = {}): Dataset {
  const where = "synthetic:two-view";
  const p = resolveParams(where, twoViewParams, { ...opts });
  const n = p.n as number;
  const dim = p.dim as number;
  const hidden = p.hidden as number;
  const noise = p.noise as number;
  const [kf1, kf2] = Key.of(p.fseed as number).foldIn("two-view-mlp").split(2);
  const f1 = randomMlp(kf1, 4, hidden, dim);
  const f2 = randomMlp(kf2, 4, hidden, dim);
  const [kz, ke, ks] = Key.of(p.seed as number).foldIn("two-view").split(3);
  const missing = p.missing as number;
  const e = kz.normalArray(6 * n);
  const eps = ke.normalArray(2 * dim * n);
  const g = 2 * dim;
  const x = new Float32Array(n * g);
  const z = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 6; k++) z[i * 6 + k] = e[i * 6 + k];
    const s = [e[i * 6], e[i * 6 + 1]];
    applyMlp(f1, [...s, e[i * 6 + 2], e[i * 6 + 3]], x, i * g, noise, eps, i * g);
    applyMlp(f2, [...s, e[i * 6 + 4], e[i * 6 + 5]], x, i * g + dim, noise, eps, i * g + dim);
  }
  const support = new Uint8Array(g * 6);
  for (let j = 0; j < g; j++) {
    const view = j < dim ? 0 : 1;
    const cols = view === 0 ? [0, 1, 2, 3] : [0, 1, 4, 5];
    for (const c of cols) support[j * 6 + c] = 1;
  }
  // rows that lack a view: drawn from their own key, so the data with missing = 0 are unchanged
  let viewMask: Uint8Array | undefined;
  if (missing > 0) {
    viewMask = new Uint8Array(2 * n).fill(1);
    const u = Key.of(p.seed as number).foldIn("two-view-missing").uniformArray(2 * n);
    for (let i = 0; i < n; i++) {
      if (u[2 * i] >= missing) continue;
      const v = u[2 * i + 1] < 0.5 ? 0 : 1;
      viewMask[2 * i + v] = 0;
      x.fill(0, i * g + v * dim, i * g + (v + 1) * dim);
    }
  }
  const groups = [Array.from({ length: dim }, (_, j) => j), Array.from({ length: dim }, (_, j) => dim + j)];
  const featureNames = groups.flatMap((gr, v) => gr.map((_, j) => `x${v + 1}_${j + 1}`));
  return {
    name: "two-view",
    source: `${where}${formatQuery(twoViewParams, p)}`,
    x,
    n,
    g,
    kind: "real",
    featureNames,
    split: randomSplit(n, p.test as number, ks),
    ...(viewMask ? { viewMask } : {}),
    truth: {
      k: 6,
      z,
      support,
      extra: { Aout: TWO_VIEW_A_OUT.map((r) => [...r]), masks: { Aout: TWO_VIEW_A_OUT.map((r) => [...r]) }, latentGroups: [[0, 1], [2, 3], [4, 5]], latentGroupNames: ["s", "p1", "p2"], f1, f2 },
    },
    meta: { generator: "two-view", params: p, groups, groupNames: ["x1", "x2"], spec: "specs/mib-structured.md §4.1" },
  };
}
