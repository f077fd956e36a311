/**
 * Ratings loader (`ratings:<path>`): rows `user, item, rating[, time]` (comma, tab or `::`
 * separated, as in the MovieLens releases; an optional header row is skipped) into a
 * users × items matrix. Unrated cells are 0. With `min=m` the matrix is binarised, rating ≥ m
 * → 1 (the Sparse VAE's MovieLens setting uses m = 4), kind "binary"; otherwise kind "real".
 * Users and items are indexed in order of first appearance; `featureNames` are the item ids and
 * `meta.users` the user ids. `limit` keeps the first users. Node-only.
 */
import { parse } from "csv-parse/sync";
import { DataError, randomSplit, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { baseName, checkFloat32, denseMatrix, parseNumber, readText, sniffDelimiter } from "./common.js";

/** Options of {@link parseRatingsText}. */
export interface RatingsOptions {
  min?: number;
  delimiter?: string;
  test?: number;
  seed?: number;
  limit?: number;
}

const COLS = ["user", "item", "rating", "time"];

/**
 * Parses ratings text. Errors name the 1-based data row and the column:
 * `ratings:r.csv: row 4, column 3 ("rating"): "x" is not a number`.
 *
 * @example
 * ```ts
 * parseRatingsText("1,10,5\n1,11,3\n2,10,4\n", { min: 4 }); // 2 users × 2 items, binary
 * ```
 */
export function parseRatingsText(text: string, opts: RatingsOptions = {}, where = "ratings:<text>"): Dataset {
  const delimiter = opts.delimiter ?? sniffDelimiter(text, ["::", "\t", ","]);
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${where}: syntax error: ${(e as Error).message}`);
  }
  if (records.length && records[0].length >= 3 && parseNumber(records[0][2]) === undefined) records = records.slice(1);
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  const triples: Array<[number, number, number]> = [];
  for (let r = 0; r < records.length; r++) {
    const rec = records[r];
    if (rec.length !== 3 && rec.length !== 4) {
      throw new DataError(`${where}: row ${r + 1}: expected user, item, rating[, time], got ${rec.length} fields`);
    }
    for (const c of [0, 1]) {
      if (rec[c] === "") throw new DataError(`${where}: row ${r + 1}, column ${c + 1} ("${COLS[c]}"): empty cell (missing value)`);
    }
    const v = parseNumber(rec[2]);
    if (v === undefined || !Number.isFinite(v)) {
      throw new DataError(
        `${where}: row ${r + 1}, column 3 ("rating"): ${v === undefined ? `${JSON.stringify(rec[2])} is not a number` : `value ${v} is not finite`}`,
      );
    }
    if (!users.has(rec[0])) {
      if (opts.limit !== undefined && users.size >= opts.limit) continue;
      users.set(rec[0], users.size);
    }
    if (!items.has(rec[1])) items.set(rec[1], items.size);
    triples.push([users.get(rec[0])!, items.get(rec[1])!, checkFloat32(where, `row ${r + 1}, column 3 ("rating")`, v)]);
  }
  const n = users.size;
  const g = items.size;
  const x = denseMatrix(where, n, g, "users × items is stored densely");
  const min = opts.min;
  for (const [u, i, v] of triples) x[u * g + i] = min !== undefined ? (v >= min ? 1 : 0) : v;
  return {
    name: where.replace(/^ratings:/, ""),
    source: where,
    x,
    n,
    g,
    kind: min !== undefined ? "binary" : "real",
    featureNames: [...items.keys()],
    split: randomSplit(n, opts.test ?? 0.2, opts.seed ?? 0),
    meta: { users: [...users.keys()], ratings: triples.length, delimiter, ...(min !== undefined ? { min } : {}) },
  };
}

/**
 * Loads `ratings:<path>` (gzip is accepted).
 *
 * @example
 * ```ts
 * const ds = loadRatings("ml-25m/ratings.csv", { min: 4 });
 * ```
 */
export function loadRatings(path: string, opts: RatingsOptions = {}, where = `ratings:${path}`): Dataset {
  const ds = parseRatingsText(readText(where, path), opts, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function ratingsFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadRatings(path, p as RatingsOptions, where);
}
