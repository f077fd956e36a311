/**
 * Shared array types and small conversions for the metric functions.
 * @module
 */

/**
 * A dense matrix given as rows (samples × dimensions): `number[][]`, an array of
 * `Float64Array`/`Float32Array` rows, or anything row-indexable.
 */
export type Matrix = ReadonlyArray<ArrayLike<number>>;

/** A vector: `number[]`, `Float64Array`, `Float32Array`, ... */
export type Vector = ArrayLike<number>;

/**
 * Return the rows of a matrix after checking that it is rectangular.
 * @example
 * ```ts
 * toRows([[1, 2], [3, 4]]).length; // 2
 * ```
 */
export function toRows(X: Matrix, name = "matrix"): ReadonlyArray<ArrayLike<number>> {
  if (X.length > 0) {
    const p = X[0].length;
    for (let i = 1; i < X.length; i++) {
      if (X[i].length !== p) throw new Error(`${name}: row ${i} has ${X[i].length} columns, row 0 has ${p}`);
    }
  }
  return X;
}

/**
 * Number of columns of a matrix (0 for an empty matrix).
 * @example
 * ```ts
 * nCols([[1, 2, 3]]); // 3
 * ```
 */
export function nCols(X: Matrix): number {
  return X.length > 0 ? X[0].length : 0;
}

/**
 * Column j of a matrix as a Float64Array.
 * @example
 * ```ts
 * column([[1, 2], [3, 4]], 1); // Float64Array [2, 4]
 * ```
 */
export function column(X: Matrix, j: number): Float64Array {
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = X[i][j];
  return out;
}

/**
 * All columns of a matrix (column-major copy).
 * @example
 * ```ts
 * columns([[1, 2], [3, 4]]); // [Float64Array [1, 3], Float64Array [2, 4]]
 * ```
 */
export function columns(X: Matrix): Float64Array[] {
  const p = nCols(toRows(X));
  return Array.from({ length: p }, (_, j) => column(X, j));
}

/**
 * Select rows by index.
 * @example
 * ```ts
 * selectRows([[1], [2], [3]], [2, 0]); // [[3], [1]]
 * ```
 */
export function selectRows<T extends ArrayLike<number>>(X: ReadonlyArray<T>, idx: ArrayLike<number>): T[] {
  const out: T[] = [];
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < X.length)) throw new Error(`selectRows: index ${i} out of range [0, ${X.length})`);
    out.push(X[i]);
  }
  return out;
}

/** Check that two matrices have the same number of rows. */
export function checkSameRows(a: Matrix, b: Matrix, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} rows vs ${b.length} rows`);
}
