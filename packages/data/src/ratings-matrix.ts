/**
 * A users × items matrix from rating triples, with the Sparse VAE's MovieLens filters in the
 * order of specs/sparse-vae.md §3.1 (reference `load_movielens_small`):
 *
 * 1. binarise: ratings ≥ `min` become 1 (a positive), the rest are dropped;
 * 2. keep the users with at least `minUserPositives` positives (counted over every item);
 * 3. keep the `topItems` items with the most positives among those users;
 * 4. drop the users left without a positive (the reference's pivot has no row for them).
 *
 * Without `min` the values stay ratings (0 = unrated) and `topItems` ranks items by their number
 * of ratings. Shared by the `ratings:` loader and the `synthetic:ratings` generator, so that a
 * generated file and the generated matrix are filtered by the same code. Browser-safe.
 */
import { DataError } from "./dataset.js";

/** Filters of {@link ratingsMatrix} (the `ratings:` source parameters of the same names). */
export interface RatingsFilter {
  /** Binarise: rating ≥ min → 1 (the MovieLens setting: 4). */
  min?: number;
  /** Keep users with at least this many positives (needs `min`; the MovieLens setting: 20). */
  minUserPositives?: number;
  /** Keep the items with the most positives (ratings without `min`); the MovieLens setting: 300. */
  topItems?: number;
}

/** Rating triples by index: user `u[t]` rated item `i[t]` with `r[t]`. */
export interface RatingTriples {
  u: Int32Array;
  i: Int32Array;
  r: Float32Array;
  /** Number of users and items the indices range over. */
  users: number;
  items: number;
}

/** The filtered matrix and what each step kept. */
export interface RatingsMatrix {
  x: Float32Array;
  n: number;
  g: number;
  kind: "binary" | "real";
  /** Original user index of each row, original item index of each column. */
  rows: Int32Array;
  cols: Int32Array;
  /** The steps applied, in order, e.g. `["min:4", "minUserPositives:20", "topItems:300", "dropEmptyUsers"]`. */
  steps: string[];
  /** Users and items before and after the filters, and the users dropped at each step. */
  counts: { users: number; items: number; usersKept: number; itemsKept: number; droppedByMinUserPositives: number; droppedEmpty: number; cells: number };
}

/**
 * Builds the filtered users × items matrix. Later triples of the same (user, item) overwrite
 * earlier ones, as a re-rating does.
 *
 * @example
 * ```ts
 * const m = ratingsMatrix("ratings:r.tsv", triples, { min: 4, minUserPositives: 20, topItems: 300 });
 * m.steps; // ["min:4", "minUserPositives:20", "topItems:300", "dropEmptyUsers"]
 * ```
 */
export function ratingsMatrix(
  where: string,
  t: RatingTriples,
  f: RatingsFilter = {},
  /** Allocates the zeroed n × g matrix (a loader passes one that refuses a size this machine cannot hold, naming it). */
  alloc: (n: number, g: number) => Float32Array = (n, g) => new Float32Array(n * g),
): RatingsMatrix {
  const { min, minUserPositives, topItems } = f;
  if (minUserPositives !== undefined && min === undefined) {
    throw new DataError(`${where}: minUserPositives needs min= (a positive is a rating >= min; the MovieLens setting is min=4&minUserPositives=20)`);
  }
  // the last value of each (user, item): a map from cell to value
  const cell = new Map<number, number>();
  for (let k = 0; k < t.u.length; k++) {
    const v = t.r[k];
    cell.set(t.u[k] * t.items + t.i[k], min !== undefined ? (v >= min ? 1 : 0) : v);
  }
  const steps: string[] = [];
  if (min !== undefined) steps.push(`min:${min}`);
  // 2. users with enough positives (or ratings)
  const perUser = new Int32Array(t.users);
  for (const [c, v] of cell) if (v !== 0) perUser[Math.floor(c / t.items)]++;
  let keepUser = Uint8Array.from(perUser, () => 1);
  let droppedByMin = 0;
  if (minUserPositives !== undefined) {
    keepUser = Uint8Array.from(perUser, (c) => (c >= minUserPositives ? 1 : 0));
    droppedByMin = keepUser.reduce((a, k) => a + (k ? 0 : 1), 0);
    steps.push(`minUserPositives:${minUserPositives}`);
  }
  // 3. items by their positives (ratings) among the kept users; ties keep the earlier item
  const perItem = new Int32Array(t.items);
  for (const [c, v] of cell) if (v !== 0 && keepUser[Math.floor(c / t.items)]) perItem[c % t.items]++;
  let cols = Int32Array.from({ length: t.items }, (_, j) => j);
  if (topItems !== undefined) {
    const ranked = Array.from(cols).sort((a, b) => perItem[b] - perItem[a] || a - b);
    cols = Int32Array.from(ranked.slice(0, topItems)).sort();
    steps.push(`topItems:${topItems}`);
  }
  const colOf = new Int32Array(t.items).fill(-1);
  cols.forEach((j, c) => (colOf[j] = c));
  // 4. with filters, users left without a positive (rating) are dropped (the reference's pivot)
  const filtered = minUserPositives !== undefined || topItems !== undefined;
  const left = new Int32Array(t.users);
  for (const [c, v] of cell) if (v !== 0 && colOf[c % t.items] >= 0) left[Math.floor(c / t.items)]++;
  let droppedEmpty = 0;
  const rowsList: number[] = [];
  for (let u = 0; u < t.users; u++) {
    if (!keepUser[u]) continue;
    if (filtered && left[u] === 0) {
      droppedEmpty++;
      continue;
    }
    rowsList.push(u);
  }
  if (filtered && droppedEmpty > 0) steps.push("dropEmptyUsers");
  const rows = Int32Array.from(rowsList);
  const rowOf = new Int32Array(t.users).fill(-1);
  rows.forEach((u, r) => (rowOf[u] = r));
  const n = rows.length;
  const g = cols.length;
  if (n === 0 || g === 0) {
    throw new DataError(`${where}: the filters (${steps.join(", ") || "none"}) leave ${n} users × ${g} items; relax minUserPositives= or topItems=`);
  }
  const x = alloc(n, g);
  let cells = 0;
  for (const [c, v] of cell) {
    const r = rowOf[Math.floor(c / t.items)];
    const col = colOf[c % t.items];
    if (r >= 0 && col >= 0 && v !== 0) {
      x[r * g + col] = v;
      cells++;
    }
  }
  return {
    x,
    n,
    g,
    kind: min !== undefined ? "binary" : "real",
    rows,
    cols,
    steps,
    counts: { users: t.users, items: t.items, usersKept: n, itemsKept: g, droppedByMinUserPositives: droppedByMin, droppedEmpty, cells },
  };
}
