/**
 * The SDLGM synthetic benchmark proposed for the TS port (specs/sdlgm.md §4): sparse codes with
 * a per-row sparsity level and a linear (or tanh) decoder.
 *
 * L_i ~ U{1..L0}; the support b_i is L_i of the K dimensions drawn uniformly without
 * replacement (so |b_i| = L_i exactly); v ~ N(0, 1) pushed away from 0 by a sign-preserving
 * offset, v ← v + 0.5·sign(v), so |v| ≥ 0.5; z_i = b_i ⊙ v_i; A_dk ~ N(0, 1/K);
 * x = A z + 0.1 ε, or x = tanh(A z) + ε with `nonlinear=true`.
 */
import { Key } from "@sparse-dgm/core";
import { DataError, headTailSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";

/** Parameters of `synthetic:sparse-linear`. */
export const sparseLinearParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 12000, min: 2, doc: "total rows (10,000 train + 2,000 test)" },
  { name: "ntest", type: "int", min: 1, doc: "test rows (the last ntest rows; default 2000 of 12000, i.e. n/6 when n is given)" },
  { name: "k", type: "int", default: 50, min: 1, doc: "latent width K" },
  { name: "l0", type: "int", default: 5, min: 1, doc: "maximum sparsity level L0" },
  { name: "d", type: "int", default: 100, min: 1, doc: "observed dimension D" },
  { name: "nonlinear", type: "bool", default: false, doc: "x = tanh(Az) + noise·ε instead of Az + noise·ε" },
  { name: "noise", type: "number", min: 0, doc: "noise SD (default 0.1, or 1 with nonlinear=true)" },
  { name: "offset", type: "number", default: 0.5, min: 0, doc: "sign-preserving offset so |v| >= offset" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed" },
];

/** Options of {@link sparseLinear}. */
export interface SparseLinearOptions {
  n?: number;
  ntest?: number;
  k?: number;
  l0?: number;
  d?: number;
  nonlinear?: boolean;
  noise?: number;
  offset?: number;
  seed?: number;
}

/**
 * Generates the sparse-linear data with truth `z` (n×K), `W` = A (D×K), `rowSupport` (n×K) and
 * `levels` (L_i). The split is the first n−ntest rows for train, the last ntest for test.
 *
 * @example
 * ```ts
 * const ds = sparseLinear({ n: 1200, ntest: 200, seed: 3 }); // 1200 × 100, 1000 / 200
 * ```
 */
export function sparseLinear(opts: SparseLinearOptions = {}): Dataset {
  const where = "synthetic:sparse-linear";
  const p = resolveParams(where, sparseLinearParams, { ...opts });
  const n = p.n as number;
  const ntest = (p.ntest as number | undefined) ?? Math.max(1, Math.round(n / 6));
  const K = p.k as number;
  const L0 = p.l0 as number;
  const D = p.d as number;
  const nonlinear = p.nonlinear as boolean;
  const noise = (p.noise as number | undefined) ?? (nonlinear ? 1 : 0.1);
  const offset = p.offset as number;
  if (L0 > K) throw new DataError(`${where}: l0 must be <= k (${K}), got ${L0}`);
  if (ntest >= n) throw new DataError(`${where}: ntest must be < n (${n}), got ${ntest}`);
  const [kl, ks, kv, ka, ke] = Key.of(p.seed as number).foldIn("sparse-linear").split(5);
  const uL = kl.uniformArray(n);
  const uS = ks.uniformArray(n * L0);
  const ev = kv.normalArray(n * K);
  const ea = ka.normalArray(D * K);
  const ee = ke.normalArray(n * D);
  const A = new Float32Array(D * K);
  const sa = 1 / Math.sqrt(K);
  for (let t = 0; t < A.length; t++) A[t] = sa * ea[t];
  const z = new Float32Array(n * K);
  const rowSupport = new Uint8Array(n * K);
  const levels = new Int32Array(n);
  const idx = new Int32Array(K);
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const L = Math.min(L0, Math.floor(uL[i] * L0) + 1);
    levels[i] = L;
    for (let k = 0; k < K; k++) idx[k] = k;
    for (let l = 0; l < L; l++) {
      // Partial Fisher-Yates: pick from idx[l..K).
      const j = l + Math.min(K - l - 1, Math.floor(uS[i * L0 + l] * (K - l)));
      const t = idx[l];
      idx[l] = idx[j];
      idx[j] = t;
      const k = idx[l];
      const v = ev[i * K + k];
      rowSupport[i * K + k] = 1;
      z[i * K + k] = v + (v >= 0 ? offset : -offset);
    }
    for (let dd = 0; dd < D; dd++) {
      let s = 0;
      for (let l = 0; l < L; l++) {
        const k = idx[l];
        s += A[dd * K + k] * z[i * K + k];
      }
      x[i * D + dd] = (nonlinear ? Math.tanh(s) : s) + noise * ee[i * D + dd];
    }
  }
  return {
    name: "sparse-linear",
    source: `${where}${formatQuery(sparseLinearParams, p)}`,
    x,
    n,
    g: D,
    kind: "real",
    split: headTailSplit(n, n - ntest),
    truth: { k: K, z, W: A, rowSupport, levels, extra: { l0: L0, noise, nonlinear } },
    meta: { generator: "sparse-linear", params: { ...p, noise }, spec: "specs/sdlgm.md §4" },
  };
}
