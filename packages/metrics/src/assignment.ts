/**
 * Rectangular maximum-weight assignment (Hungarian / Jonker–Volgenant) on top of the
 * `linear-sum-assignment` package.
 * @module
 */
import { linearSumAssignment } from "linear-sum-assignment";

/** Result of {@link maxAssignment}. */
export interface Assignment {
  /** For each row, the assigned column, or -1 if the row is unmatched (more rows than columns). */
  rowToCol: number[];
  /** For each column, the assigned row, or -1 if unmatched (more columns than rows). */
  colToRow: number[];
  /** Matched (row, col) pairs in increasing row order, like scipy's `linear_sum_assignment`. */
  pairs: Array<[number, number]>;
  /** Sum of the matched weights. */
  total: number;
}

/**
 * Maximum-weight assignment on a rows × cols weight matrix (any shape): every row is
 * matched when rows ≤ cols, every column when cols ≤ rows. Equivalent to scipy's
 * `linear_sum_assignment(-W)`.
 *
 * Uses the `linear-sum-assignment` package (Jonker–Volgenant shortest augmenting path,
 * rectangular). Non-finite weights are rejected.
 *
 * @example
 * ```ts
 * maxAssignment([[0.1, 0.9, 0.2], [0.8, 0.3, 0.1]]).pairs; // [[0, 1], [1, 0]]
 * ```
 */
export function maxAssignment(W: ReadonlyArray<ArrayLike<number>>): Assignment {
  const rows = W.length;
  const cols = rows > 0 ? W[0].length : 0;
  const rowToCol = new Array<number>(rows).fill(-1);
  const colToRow = new Array<number>(cols).fill(-1);
  if (rows === 0 || cols === 0) return { rowToCol, colToRow, pairs: [], total: 0 };
  const M = W.map((r, i) => {
    if (r.length !== cols) throw new Error(`maxAssignment: row ${i} has ${r.length} entries, row 0 has ${cols}`);
    return Array.from(r, (v, j) => {
      if (!Number.isFinite(v)) throw new Error(`maxAssignment: weight [${i}][${j}] is ${v}`);
      return v;
    });
  });
  const res = linearSumAssignment(M, { maximaze: true });
  for (let i = 0; i < rows; i++) {
    const j = res.rowAssignments[i];
    if (j >= 0) {
      rowToCol[i] = j;
      colToRow[j] = i;
    }
  }
  const pairs: Array<[number, number]> = [];
  let total = 0;
  for (let i = 0; i < rows; i++) {
    if (rowToCol[i] >= 0) {
      pairs.push([i, rowToCol[i]]);
      total += M[i][rowToCol[i]];
    }
  }
  return { rowToCol, colToRow, pairs, total };
}
