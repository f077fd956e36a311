/**
 * The fairness toy of the MIB-masked port (specs/mib-structured.md §4.2), with a sensitive
 * attribute correlated with the target:
 *
 * c ∈ R² ~ N(0, I), y = 1[c1 + c2 > 0], s ∈ {0, 1} with P(s = y) = (1 + corr)/2 (so corr is the
 * correlation of s and y), x = g([c, effect·(2s − 1)]) + noise·ε with g a fixed random 2-layer tanh
 * MLP R³ → R^hidden → R^dim (the two-view data's MLPs). The label is y, the attribute `sensitive` is
 * s; the true factors are [c1, c2, s].
 *
 * An unconstrained code of x carries s (x depends on it strongly); a fair code can drop s and keep
 * y, but no code that carries y predicts s below (1 + |corr|)/2: with the default corr = 0.05 that
 * floor (0.525) is within 0.05 of the majority rate (0.5), larger corr trades target accuracy
 * against S-predictability by construction.
 */
import { Key } from "@sparse-dgm/core";
import { DataError, randomSplit, type Dataset, type Split } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import { randomMlp, applyMlp } from "./random-mlp.js";

/** Parameters of `synthetic:fair`. */
export const fairParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 10000, min: 2, doc: "number of rows" },
  { name: "dim", type: "int", default: 10, min: 1, doc: "number of features of x" },
  { name: "hidden", type: "int", default: 32, min: 1, doc: "hidden width of the random MLP g" },
  { name: "corr", type: "number", default: 0.05, min: -1, max: 1, doc: "correlation of s and y: P(s = y) = (1 + corr)/2" },
  { name: "effect", type: "number", default: 1.5, min: 0, doc: "scale of s's input to g (how strongly x reveals s)" },
  { name: "noise", type: "number", default: 0.1, min: 0, doc: "noise SD" },
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "seed of the latents, s, noise and split" },
  { name: "fseed", type: "int", default: 0, min: 0, doc: "seed of the fixed MLP weights (shared across data seeds)" },
  {
    name: "envCorrs",
    type: "string",
    doc: "environments (invariance): the s–y correlation of each, comma-separated (e.g. 0.8,0.6,-0.8); rows are dealt to them at random, the last is held out (all its rows in the test split) and `environment` is a per-row attribute",
  },
];

/** Options of {@link fair}. */
export interface FairOptions {
  n?: number;
  dim?: number;
  hidden?: number;
  corr?: number;
  effect?: number;
  noise?: number;
  test?: number;
  seed?: number;
  fseed?: number;
  envCorrs?: string;
}

/**
 * Generates the fairness toy: labels y, attribute `sensitive` = s, truth z = [c1, c2, s] and
 * `extra.g` (the MLP).
 *
 * @example
 * ```ts
 * const ds = fair({ n: 2000 }); // 2000 × 10, ds.labels = y, ds.attributes!.sensitive = s
 * ```
 */
export function fair(opts: FairOptions = {}): Dataset {
  const where = "synthetic:fair";
  const p = resolveParams(where, fairParams, { ...opts });
  const n = p.n as number;
  const dim = p.dim as number;
  const noise = p.noise as number;
  const effect = p.effect as number;
  const envCorrs = p.envCorrs === undefined ? undefined : String(p.envCorrs).split(",").map((t) => Number(t.trim()));
  if (envCorrs && (envCorrs.length < 2 || envCorrs.some((v) => !(v >= -1 && v <= 1)))) throw new DataError(`${where}: envCorrs must list at least two correlations in [-1, 1], got "${p.envCorrs}"`);
  // each row's environment from a key of its own, so the data without environments are unchanged
  const envOf = envCorrs ? Array.from(Key.of(p.seed as number).foldIn("fair-env").uniformArray(n), (u) => Math.min(envCorrs.length - 1, Math.floor(u * envCorrs.length))) : undefined;
  const agreeOf = (i: number) => (1 + (envOf ? envCorrs![envOf[i]] : (p.corr as number))) / 2;
  const g = randomMlp(Key.of(p.fseed as number).foldIn("fair-mlp"), 3, p.hidden as number, dim);
  const [kc, ks, ke, ksplit] = Key.of(p.seed as number).foldIn("fair").split(4);
  const c = kc.normalArray(2 * n);
  const us = ks.uniformArray(n);
  const eps = ke.normalArray(dim * n);
  const x = new Float32Array(n * dim);
  const z = new Float32Array(n * 3);
  const labels = new Int32Array(n);
  const sensitive = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = c[2 * i] + c[2 * i + 1] > 0 ? 1 : 0;
    const s = us[i] < agreeOf(i) ? y : 1 - y;
    labels[i] = y;
    sensitive[i] = s;
    z.set([c[2 * i], c[2 * i + 1], s], 3 * i);
    applyMlp(g, [c[2 * i], c[2 * i + 1], effect * (2 * s - 1)], x, i * dim, noise, eps, i * dim);
  }
  return {
    name: "fair",
    source: `${where}${formatQuery(fairParams, p)}`,
    x,
    n,
    g: dim,
    kind: "real",
    featureNames: Array.from({ length: dim }, (_, j) => `x${j + 1}`),
    labels,
    labelNames: ["y=0", "y=1"],
    attributes: { sensitive, ...(envOf ? { environment: Int32Array.from(envOf) } : {}) },
    split: envOf ? heldOutEnvironment(envOf, envCorrs!.length - 1, p.test as number, ksplit) : randomSplit(n, p.test as number, ksplit),
    truth: { k: 3, z, extra: { g, factorNames: ["c1", "c2", "s"] } },
    meta: { generator: "fair", params: p, spec: "specs/mib-structured.md §4.2" },
  };
}

/** `test` of the training environments' rows (at random) and every row of the held-out environment. */
function heldOutEnvironment(env: number[], heldOut: number, test: number, key: Key): Split {
  const inEnv = env.map((e, i) => (e === heldOut ? -1 : i)).filter((i) => i >= 0);
  const split = randomSplit(inEnv.length, test, key);
  const testRows = [...Array.from(split.test, (j) => inEnv[j]), ...env.map((e, i) => (e === heldOut ? i : -1)).filter((i) => i >= 0)].sort((a, b) => a - b);
  return { train: Int32Array.from(Array.from(split.train, (j) => inEnv[j]).sort((a, b) => a - b)), test: Int32Array.from(testRows) };
}
