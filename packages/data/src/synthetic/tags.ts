/**
 * Synthetic multi-label data with known tag counts (specs/sdlgm.md §3-§5, this project's
 * benchmark for SDLGM's supervised variant): each row has L_i ∈ {1..L0} tags, drawn with a
 * long-tailed count distribution P(L = l) ∝ l^(−countSkew) and a long-tailed tag popularity
 * p_t ∝ (t + 1)^(−tagSkew) (tags drawn without replacement, proportional to p); the features are a
 * noisy linear image of the tagged sparse code, as in `synthetic:sparse-linear`:
 *
 *   v_it ~ N(0, 1) pushed away from 0 (|v| ≥ offset), z_i = y_i ⊙ v_i, x_i = A z_i + noise·ε,
 *   A_dt ~ N(0, 1/T).
 *
 * The tags y_i are the data's `tags` (what a multi-label model predicts); the truth also keeps
 * z, A, the per-row support (= y) and the levels L_i.
 */
import { Key } from "@sparse-dgm/core";
import { DataError, headTailSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";

/** Parameters of `synthetic:tags`. */
export const tagsParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 6000, min: 2, doc: "total rows (5,000 train + 1,000 test)" },
  { name: "ntest", type: "int", min: 1, doc: "test rows (the last ntest rows; default n/6)" },
  { name: "tags", type: "int", default: 50, min: 1, doc: "number of tags T" },
  { name: "l0", type: "int", default: 5, min: 1, doc: "maximum number of tags per row L0" },
  { name: "d", type: "int", default: 100, min: 1, doc: "number of features D" },
  { name: "noise", type: "number", default: 0.3, min: 0, doc: "noise SD of the features" },
  { name: "countSkew", type: "number", default: 1, min: 0, doc: "P(L = l) ∝ l^(−countSkew): 0 = uniform tag counts" },
  { name: "tagSkew", type: "number", default: 0.5, min: 0, doc: "tag popularity ∝ (t + 1)^(−tagSkew): 0 = uniform" },
  { name: "offset", type: "number", default: 0.5, min: 0, doc: "sign-preserving offset so |v| >= offset" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed" },
];

/** Options of {@link syntheticTags}. */
export interface TagsOptions {
  n?: number;
  ntest?: number;
  tags?: number;
  l0?: number;
  d?: number;
  noise?: number;
  countSkew?: number;
  tagSkew?: number;
  offset?: number;
  seed?: number;
}

/**
 * Generates the multi-label data. The split is the first n − ntest rows for training.
 *
 * @example
 * ```ts
 * const ds = syntheticTags({ n: 1200, seed: 1 }); // 1200 × 100, 50 tags, 1–5 per row
 * ds.tags!.names.length; // 50
 * ```
 */
export function syntheticTags(opts: TagsOptions = {}): Dataset {
  const where = "synthetic:tags";
  const p = resolveParams(where, tagsParams, { ...opts });
  const n = p.n as number;
  const ntest = (p.ntest as number | undefined) ?? Math.max(1, Math.round(n / 6));
  const T = p.tags as number;
  const L0 = p.l0 as number;
  const D = p.d as number;
  const noise = p.noise as number;
  const offset = p.offset as number;
  if (L0 > T) throw new DataError(`${where}: l0 must be <= tags (${T}), got ${L0}`);
  if (ntest >= n) throw new DataError(`${where}: ntest must be < n (${n}), got ${ntest}`);
  const countP = Array.from({ length: L0 }, (_, l) => (l + 1) ** -(p.countSkew as number));
  const countSum = countP.reduce((a, b) => a + b, 0);
  const countCdf = countP.map((_, l) => countP.slice(0, l + 1).reduce((a, b) => a + b, 0) / countSum);
  const pop = Array.from({ length: T }, (_, t) => (t + 1) ** -(p.tagSkew as number));
  const [kl, ks, kv, ka, ke] = Key.of(p.seed as number).foldIn("tags").split(5);
  const uL = kl.uniformArray(n);
  const uS = ks.uniformArray(n * L0);
  const ev = kv.normalArray(n * T);
  const ea = ka.normalArray(D * T);
  const ee = ke.normalArray(n * D);
  const A = new Float32Array(D * T);
  for (let t = 0; t < A.length; t++) A[t] = ea[t] / Math.sqrt(T);
  const y = new Uint8Array(n * T);
  const z = new Float32Array(n * T);
  const levels = new Int32Array(n);
  const x = new Float32Array(n * D);
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    let L = 1;
    while (L < L0 && uL[i] > countCdf[L - 1]) L++;
    levels[i] = L;
    picked.length = 0;
    let left = pop.reduce((a, b) => a + b, 0);
    for (let l = 0; l < L; l++) {
      // a tag ∝ popularity among those not yet picked
      let u = uS[i * L0 + l] * left;
      let t = 0;
      for (; t < T; t++) {
        if (y[i * T + t]) continue;
        u -= pop[t];
        if (u <= 0) break;
      }
      if (t === T) for (t = T - 1; y[i * T + t]; t--); // rounding: the last free tag
      y[i * T + t] = 1;
      left -= pop[t];
      picked.push(t);
      const v = ev[i * T + t];
      z[i * T + t] = v + (v >= 0 ? offset : -offset);
    }
    for (let dd = 0; dd < D; dd++) {
      let s = 0;
      for (const t of picked) s += A[dd * T + t] * z[i * T + t];
      x[i * D + dd] = s + noise * ee[i * D + dd];
    }
  }
  return {
    name: "tags",
    source: `${where}${formatQuery(tagsParams, p)}`,
    x,
    n,
    g: D,
    kind: "real",
    tags: { y, names: Array.from({ length: T }, (_, t) => `tag ${t + 1}`) },
    split: headTailSplit(n, n - ntest),
    truth: { k: T, z, W: A, rowSupport: y.slice(), levels, extra: { l0: L0, noise, countProbs: countP.map((c) => c / countSum) } },
    meta: { generator: "tags", params: { ...p }, spec: "specs/sdlgm.md §3 (this project's multi-label benchmark)" },
  };
}
