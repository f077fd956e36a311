/**
 * Edge recovery of a learned structure mask (specs/mib-structured.md §3, "Structure learning"):
 * the mask thresholded (default at 0.5, the spec's reporting rule) against the true 0/1 mask, as
 * precision, recall and F1 of the edges, after the best matching of the latent groups.
 *
 * Latent groups are identified only up to a permutation (e.g. the two private groups of the
 * two-view data), so the axis that indexes them (`permute`, default the columns) is matched to the
 * truth's first. The total numbers of learned and true edges do not depend on the matching, so
 * F1 = 2·TP / (learned + true edges) is maximised by the matching with the most true positives: a
 * maximum-weight assignment on the true × learned group overlap (exact, any number of groups). A
 * learned group left unmatched (more learned than true groups) counts its edges as false
 * positives; a true group left unmatched counts its edges as false negatives.
 *
 * @module
 */
import { maxAssignment } from "./assignment.js";
import type { Matrix } from "./types.js";

/** Options of {@link edgeRecovery}. */
export interface EdgeOptions {
  /** An entry ≥ threshold is an edge (default 0.5). */
  threshold?: number;
  /** The axis that indexes latent groups and is matched to the truth's (default "cols"). */
  permute?: "rows" | "cols" | "none";
}

/** Result of {@link edgeRecovery}. */
export interface EdgeRecovery {
  edgeF1: number;
  edgePrecision: number;
  edgeRecall: number;
  /** Fraction of the learned mask's entries that are edges. */
  edgeDensity: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** For each true group (along `permute`), the learned group matched to it (-1: none). */
  matching: number[];
}

function transpose(m: Matrix): number[][] {
  const r = m.length;
  const c = r ? m[0].length : 0;
  return Array.from({ length: c }, (_, j) => Array.from({ length: r }, (_, i) => m[i][j]));
}

/**
 * Edges of a learned mask against the true mask, latent groups matched.
 *
 * @example
 * ```ts
 * // the two private groups swapped: still a perfect recovery
 * edgeRecovery([[0.9, 0.1, 0.8], [0.7, 0.95, 0.2]], [[1, 1, 0], [1, 0, 1]]).edgeF1; // 1
 * ```
 */
export function edgeRecovery(estimated: Matrix, truth: Matrix, options: EdgeOptions = {}): EdgeRecovery {
  const t = options.threshold ?? 0.5;
  const mode = options.permute ?? "cols";
  const E = mode === "rows" ? transpose(estimated) : estimated.map((r) => Array.from(r));
  const T = mode === "rows" ? transpose(truth) : truth.map((r) => Array.from(r));
  if (E.length !== T.length) {
    const axis = mode === "rows" ? "columns" : "rows";
    throw new Error(`edgeRecovery: the learned mask has ${E.length} ${axis}, the true mask ${T.length}; only the latent-group axis may differ`);
  }
  const n = E.length;
  const L = n ? E[0].length : 0;
  const K = n ? T[0].length : 0;
  E.forEach((r, i) => {
    if (r.length !== L) throw new Error(`edgeRecovery: learned mask row ${i} has ${r.length} entries, row 0 has ${L}`);
  });
  T.forEach((r, i) => {
    if (r.length !== K) throw new Error(`edgeRecovery: true mask row ${i} has ${r.length} entries, row 0 has ${K}`);
    r.forEach((v, j) => {
      if (v !== 0 && v !== 1) throw new Error(`edgeRecovery: true mask entry [${i}][${j}] is ${v}, expected 0 or 1`);
    });
  });
  const e = E.map((r) => r.map((v) => (v >= t ? 1 : 0)));
  let learned = 0;
  for (const r of e) for (const v of r) learned += v;
  let actual = 0;
  for (const r of T) for (const v of r) actual += v;
  let matching = Array.from({ length: K }, (_, k) => (mode === "none" ? (k < L ? k : -1) : -1));
  if (mode !== "none") {
    // overlap[k][l] = true positives if true group k is learned group l
    const overlap = Array.from({ length: K }, (_, k) => Array.from({ length: L }, (_, l) => e.reduce((s, r, i) => s + r[l] * T[i][k], 0)));
    matching = maxAssignment(overlap).rowToCol;
  }
  let tp = 0;
  matching.forEach((l, k) => {
    if (l >= 0) for (let i = 0; i < n; i++) tp += e[i][l] * T[i][k];
  });
  const fp = learned - tp;
  const fn = actual - tp;
  const precision = learned ? tp / learned : actual ? 0 : 1;
  const recall = actual ? tp / actual : 1;
  const f1 = learned + actual ? (2 * tp) / (learned + actual) : 1;
  return { edgeF1: f1, edgePrecision: precision, edgeRecall: recall, edgeDensity: n * L ? learned / (n * L) : 0, truePositives: tp, falsePositives: fp, falseNegatives: fn, matching };
}
