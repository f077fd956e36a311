/**
 * The anchor-feature condition of the Sparse VAE's identifiability result (Moran, Sridhar, Wang,
 * Blei, "Identifiable Deep Generative Models via Sparse Decoding", TMLR 2022): every factor has
 * at least one feature that depends on that factor alone.
 */
import { tf } from "@sparse-dgm/core";

/** A G×K matrix: nested arrays or a rank-2 tensor. */
export type MatrixLike = number[][] | tf.Tensor;

/** Options of {@link checkAnchors}. */
export interface CheckAnchorsOptions {
  /** An entry is in the support iff |W| ≥ threshold (and W ≠ 0). Default 0.01 (sim1_eval.R's). */
  threshold?: number;
  /** Posterior inclusion probabilities p* (G×K): entries with p* < 0.5 are dropped. */
  pStar?: MatrixLike;
  /**
   * Whether factors whose thresholded column is all zero (pruned factors, e.g. the 3 unused of a
   * Sparse VAE fitted with K = 5 on 2 true factors) are left out of the condition. Default true:
   * they are reported in `emptyColumns` and not in `missing`. With false they count as lacking
   * an anchor.
   */
  ignoreEmptyColumns?: boolean;
  /** Anchors each factor needs (default 1; the paper's synthetic design has 3, its theorem 2). */
  minAnchors?: number;
}

/** Result of {@link checkAnchors}. */
export interface AnchorReport {
  /** Every (non-ignored) factor has at least `minAnchors` anchors, and at least one column is non-empty. */
  ok: boolean;
  /** `anchors[k]`: the features (0-based rows) that depend on factor k alone. */
  anchors: number[][];
  /** Factors lacking an anchor (0-based columns), empty columns excluded unless `ignoreEmptyColumns: false`. */
  missing: number[];
  /** Factors whose thresholded column is all zero. */
  emptyColumns: number[];
  /** The thresholded 0/1 support that was checked (G×K). */
  support: number[][];
}

function toRows(m: MatrixLike, what: string): number[][] {
  if (m instanceof tf.Tensor) {
    if (m.rank !== 2) throw new Error(`checkAnchors: ${what} must be a G×K matrix, got shape [${m.shape.join(", ")}]`);
    return m.arraySync() as number[][];
  }
  if (!Array.isArray(m) || m.some((r) => !Array.isArray(r))) throw new Error(`checkAnchors: ${what} must be a G×K array of rows`);
  const k = m[0]?.length ?? 0;
  if (m.some((r) => r.length !== k)) throw new Error(`checkAnchors: ${what} rows have different lengths`);
  return m;
}

/**
 * Whether a mask (declared or learned, G features × K factors) satisfies the anchor-feature
 * condition: after thresholding (|W| ≥ `threshold`, W ≠ 0, and p* ≥ 0.5 when `pStar` is given),
 * every factor has at least one feature whose only nonzero is that factor. Says which factors
 * lack an anchor.
 *
 * @example
 * ```ts
 * checkAnchors([[1, 0], [0.7, 0], [0, 2], [1, 1]]).ok;              // true
 * checkAnchors([[1, 1], [0, 2], [1, 1]]).missing;                  // [0]
 * const g = program.globals();
 * checkAnchors(g.W, { pStar: g["W.pstar"] });                      // a fitted Sparse VAE (unreplicated)
 * ```
 */
export function checkAnchors(W: MatrixLike, options: CheckAnchorsOptions = {}): AnchorReport {
  const threshold = options.threshold ?? 0.01;
  const minAnchors = options.minAnchors ?? 1;
  const ignoreEmpty = options.ignoreEmptyColumns ?? true;
  const w = toRows(W, "W");
  const p = options.pStar === undefined ? undefined : toRows(options.pStar, "pStar");
  const K = w[0]?.length ?? 0;
  if (p && (p.length !== w.length || (p[0]?.length ?? 0) !== K)) {
    throw new Error(`checkAnchors: pStar is ${p.length}×${p[0]?.length ?? 0}, W is ${w.length}×${K}`);
  }
  const support: number[][] = w.map((row, g) => row.map((v, k) => (v !== 0 && Math.abs(v) >= threshold && (!p || p[g][k] >= 0.5) ? 1 : 0)));
  const anchors: number[][] = Array.from({ length: K }, () => []);
  support.forEach((row, g) => {
    const on = row.reduce((s, v) => s + v, 0);
    if (on === 1) anchors[row.indexOf(1)].push(g);
  });
  const emptyColumns: number[] = [];
  for (let k = 0; k < K; k++) if (support.every((row) => row[k] === 0)) emptyColumns.push(k);
  const missing: number[] = [];
  for (let k = 0; k < K; k++) {
    if (ignoreEmpty && emptyColumns.includes(k)) continue;
    if (anchors[k].length < minAnchors) missing.push(k);
  }
  return { ok: missing.length === 0 && emptyColumns.length < K, anchors, missing, emptyColumns, support };
}
