/**
 * The top features of each factor (words of a topic, items of a genre, genes of a program), read
 * from the fitted decoder the same way for every model: decode z = s·a·e_k (a = 2 prior SDs, s = ±1,
 * the other factors at 0) and z = 0, and rank the features by how much their expected value rises,
 * Δ_j = E[x_j | z = s·a·e_k] − E[x_j | z = 0]; of the two directions s, the one whose top features
 * rise more in sum. For the categorical likelihood E[x_j | z] is the probability of feature j, for
 * the negative binomial the mean at the median library size. A feature that a sparse model's mask
 * disconnects from factor k (w_jk = 0) has Δ_j = 0 exactly.
 *
 * With non-negative data, `topicCoherence` is the mean, over the active factors, of the NPMI of each
 * factor's top-10 features (coherence.ts): a factor is left out when its code does not vary over the
 * data (variance of the encoder means ≤ 0.01, when known) or when no feature moves with it (every
 * |Δ_j| ≤ 1e-6, e.g. a factor the mask disconnects, whose "top features" would be the first ten
 * columns); `coherenceFactors` says how many entered. `randomCoherence` is the same for 100 random 10-feature sets
 * drawn in proportion to their document frequency (a baseline that frequent features alone do not
 * beat). `randomCoherence` the same for 100 random 10-feature sets
 * drawn in proportion to their document frequency (a baseline that frequent features alone do not
 * beat).
 * @module
 */
import { tf, Key } from "@sparse-dgm/core";
import type { Program } from "@sparse-dgm/infer";
import type { Dataset } from "@sparse-dgm/data";
import { Cooccurrence } from "./coherence.js";

/** One factor's top features. */
export interface FactorFeatures {
  /** 0-based factor index (column of the codes). */
  factor: number;
  /** Which direction of z_k raises them: +1 or −1. */
  direction: 1 | -1;
  /** Feature names (or `#<index>` without names), most affected first. */
  features: string[];
  /** Their column indices. */
  indices: number[];
  /** Their Δ_j. */
  effects: number[];
  /** NPMI of the factor's top features (non-negative data). */
  npmi?: number;
  /** Whether the factor's code varies over the data (variance of the encoder means > 0.01). */
  active?: boolean;
}

/** Top features of every factor of one fitted model (one replica). */
export interface TopFeatures {
  /** Features listed per factor. */
  k: number;
  /** The code step a. */
  scale: number;
  factors: FactorFeatures[];
  /** Mean NPMI of the active factors' top features (a factor whose code does not vary, or that moves no feature, is left out). */
  coherence?: number;
  /** How many factors entered `coherence`. */
  coherenceFactors?: number;
  /** Mean NPMI of random feature sets of the same size, drawn by document frequency. */
  randomCoherence?: number;
}

/** Options of {@link topFeatures}. */
export interface TopFeaturesOptions {
  /** Features per factor (default 10). */
  k?: number;
  /** The code step a (default 2). */
  scale?: number;
  /** Variance of each code over the data (marks the active factors). */
  codeVariance?: number[][];
  /** Seed of the random baseline sets. */
  seed?: number;
}

/**
 * The top features of every factor, one record per replica; undefined when the model's code is
 * not one vector per row (or the model has no local latent).
 *
 * @example
 * ```ts
 * const [t] = topFeatures(program, ds)!;
 * t.factors[0].features; // ["sport1", "sport3", ...]
 * t.coherence;            // mean NPMI
 * ```
 */
export function topFeatures(program: Program, ds: Dataset, opts: TopFeaturesOptions = {}): TopFeatures[] | undefined {
  const k = opts.k ?? 10;
  const a = opts.scale ?? 2;
  const ir = program.model.ir;
  const code = ir.sites.find((s) => s.kind === "latent" && s.plates.includes("data"));
  if (!code) return undefined;
  const others = code.plates.filter((p) => p !== "data");
  if (others.length + code.event.length !== 1) return undefined;
  const K = others.length ? (ir.plates.find((p) => p.name === others[0])?.size ?? 0) : code.event[0];
  if (!(K >= 1)) return undefined;
  // rows: z = 0, then +a·e_k and −a·e_k for each k
  const z = new Float32Array((2 * K + 1) * K);
  for (let f = 0; f < K; f++) {
    z[(1 + 2 * f) * K + f] = a;
    z[(2 + 2 * f) * K + f] = -a;
  }
  const means = tf.tidy(() => {
    const m = program.decode({ [code.name]: tf.tensor2d(z, [2 * K + 1, K]) });
    return m.reshape(program.replicas === undefined ? [1, 2 * K + 1, -1] : [program.replicas, 2 * K + 1, -1]);
  });
  const M = means.arraySync() as number[][][];
  means.dispose();
  const G = M[0][0].length;
  const name = (j: number) => ds.featureNames?.[j] ?? `#${j + 1}`;
  let nonNegative = true;
  for (let t = 0; t < ds.x.length && nonNegative; t++) nonNegative = ds.x[t] >= 0;
  const co = nonNegative && G === ds.g ? new Cooccurrence(ds.x, ds.n, ds.g) : undefined;
  const randomCoherence = co ? randomBaseline(co, ds.g, Math.min(k, ds.g), opts.seed ?? 0) : undefined;
  return M.map((rows, r) => {
    const base = rows[0];
    const inert = new Set<number>(); // factors that move no feature
    const factors: FactorFeatures[] = Array.from({ length: K }, (_, f) => {
      const pick = (row: number[]) => {
        const d = row.map((v, j) => v - base[j]);
        const idx = Array.from({ length: G }, (_, j) => j).sort((x, y) => d[y] - d[x] || x - y).slice(0, k);
        return { idx, eff: idx.map((j) => d[j]), sum: idx.reduce((s, j) => s + d[j], 0), moves: d.some((v) => Math.abs(v) > MOVES) };
      };
      const up = pick(rows[1 + 2 * f]);
      const down = pick(rows[2 + 2 * f]);
      const best = down.sum > up.sum ? { ...down, direction: -1 as const } : { ...up, direction: 1 as const };
      const out: FactorFeatures = { factor: f, direction: best.direction, features: best.idx.map(name), indices: best.idx, effects: best.eff };
      if (co) out.npmi = co.setNpmi(best.idx);
      const v = opts.codeVariance?.[r]?.[f];
      if (v !== undefined) out.active = v > 0.01;
      if (!up.moves && !down.moves) inert.add(f);
      return out;
    });
    const ok = factors.filter((f) => f.active !== false && !inert.has(f.factor)).map((f) => f.npmi).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return {
      k,
      scale: a,
      factors,
      ...(ok.length ? { coherence: ok.reduce((s, v) => s + v, 0) / ok.length, coherenceFactors: ok.length } : {}),
      ...(randomCoherence !== undefined && Number.isFinite(randomCoherence) ? { randomCoherence } : {}),
    };
  });
}

/** A factor moves a feature when |Δ_j| exceeds this (a disconnected factor's Δ are exactly 0). */
const MOVES = 1e-6;

/** Mean NPMI of 100 random k-feature sets, features drawn without replacement in proportion to their document frequency. */
function randomBaseline(co: Cooccurrence, g: number, k: number, seed: number): number {
  const df = Array.from({ length: g }, (_, j) => co.df(j));
  const total = df.reduce((s, v) => s + v, 0);
  if (total === 0 || df.filter((v) => v > 0).length < k) return NaN;
  const u = Key.of(seed).foldIn("random-coherence").uniformArray(100 * k * 4);
  let t = 0;
  let sum = 0;
  for (let s = 0; s < 100; s++) {
    const chosen = new Set<number>();
    while (chosen.size < k && t < u.length) {
      let x = u[t++] * total;
      let j = 0;
      while (j < g - 1 && (x -= df[j]) > 0) j++;
      if (df[j] > 0) chosen.add(j);
    }
    sum += co.setNpmi([...chosen]);
  }
  return sum / 100;
}
