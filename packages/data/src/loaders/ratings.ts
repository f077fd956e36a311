/**
 * Ratings loader (`ratings:<path>`): rows `user, item, rating[, time]` (comma, tab or `::`
 * separated, as in the MovieLens releases; an optional header row is skipped) into a
 * users × items matrix. Unrated cells are 0. With `min=m` the matrix is binarised, rating ≥ m
 * → 1 (the Sparse VAE's MovieLens setting uses m = 4), kind "binary"; otherwise kind "real".
 * `minUserPositives=` and `topItems=` filter users and items in the order of
 * specs/sparse-vae.md §3.1 ({@link ratingsMatrix}); `meta.preprocessing` names the steps applied.
 * Users and items are indexed in order of first appearance; `featureNames` are the item ids (the
 * titles with `items=`) and `rowNames` the user ids. `items=<path>` (MovieLens `movies.csv`,
 * `movies.dat` or `u.item`) also gives each item's genres as the known item × genre structure
 * (`truth.support`, `truth.W`), which support recovery is scored against. `limit` keeps the first
 * users. Node-only.
 */
import { parse } from "csv-parse/sync";
import { DataError, randomSplit, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { ratingsMatrix, type RatingsFilter } from "../ratings-matrix.js";
import { baseName, checkFloat32, denseMatrix, parseNumber, readText, sniffDelimiter } from "./common.js";
import { loadItems, type ItemInfo } from "./items.js";

/** Options of {@link parseRatingsText}. */
export interface RatingsOptions extends RatingsFilter {
  delimiter?: string;
  test?: number;
  seed?: number;
  limit?: number;
  /** Titles and genres of the items (the `items=` side file, parsed). */
  items?: ItemInfo;
}

const COLS = ["user", "item", "rating", "time"];

/**
 * Parses ratings text. Errors name the file's 1-based line (a header counts) and the column:
 * `ratings:r.csv: line 4, column 3 ("rating"): "x" is not a number`. A user rating the same item
 * twice is refused, naming both lines.
 *
 * @example
 * ```ts
 * parseRatingsText("1,10,5\n1,11,3\n2,10,4\n", { min: 4 }); // 2 users × 2 items, binary
 * ```
 */
export function parseRatingsText(text: string, opts: RatingsOptions = {}, where = "ratings:<text>"): Dataset {
  const delimiter = opts.delimiter ?? sniffDelimiter(text, ["::", "\t", ","]);
  // each record with the file line it ends on (csv-parse's info), so errors name the line an editor shows
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (e) {
    throw new DataError(`${where}: syntax error: ${(e as Error).message}`);
  }
  if (records.length && records[0].record.length >= 3 && parseNumber(records[0].record[2]) === undefined) records = records.slice(1);
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  const triples: Array<[number, number, number]> = [];
  // the line of each (user, item) pair seen: a repeated pair is refused (which rating would count is a guess)
  const seen = new Map<string, number>();
  for (const { record: rec, info } of records) {
    const at = `line ${info.lines}`;
    if (rec.length !== 3 && rec.length !== 4) {
      throw new DataError(`${where}: ${at}: expected user, item, rating[, time], got ${rec.length} field${rec.length === 1 ? "" : "s"}`);
    }
    for (const c of [0, 1]) {
      if (rec[c] === "") throw new DataError(`${where}: ${at}, column ${c + 1} ("${COLS[c]}"): empty cell (missing value)`);
    }
    const v = parseNumber(rec[2]);
    if (v === undefined || !Number.isFinite(v)) {
      throw new DataError(`${where}: ${at}, column 3 ("rating"): ${v === undefined ? `${JSON.stringify(rec[2])} is not a number` : `value ${v} is not finite`}`);
    }
    const pair = JSON.stringify([rec[0], rec[1]]);
    const first = seen.get(pair);
    if (first !== undefined) {
      throw new DataError(`${where}: ${at}: user ${JSON.stringify(rec[0])} rates item ${JSON.stringify(rec[1])} again (first on line ${first}); keep one rating per user and item`);
    }
    seen.set(pair, info.lines);
    if (!users.has(rec[0])) {
      if (opts.limit !== undefined && users.size >= opts.limit) continue;
      users.set(rec[0], users.size);
    }
    if (!items.has(rec[1])) items.set(rec[1], items.size);
    triples.push([users.get(rec[0])!, items.get(rec[1])!, checkFloat32(where, `${at}, column 3 ("rating")`, v)]);
  }
  const m = ratingsMatrix(
    where,
    {
      u: Int32Array.from(triples, (t) => t[0]),
      i: Int32Array.from(triples, (t) => t[1]),
      r: Float32Array.from(triples, (t) => t[2]),
      users: users.size,
      items: items.size,
    },
    opts,
    (n, g) => denseMatrix(where, n, g, "users × items is stored densely: filter with min=, minUserPositives=, topItems= or limit="),
  );
  const userIds = [...users.keys()];
  const itemIds = [...items.keys()];
  const ds: Dataset = {
    name: where.replace(/^ratings:/, ""),
    source: where,
    x: m.x,
    n: m.n,
    g: m.g,
    kind: m.kind,
    featureNames: Array.from(m.cols, (j) => itemIds[j]),
    rowNames: Array.from(m.rows, (u) => userIds[u]),
    split: randomSplit(m.n, opts.test ?? 0.2, opts.seed ?? 0),
    meta: {
      users: Array.from(m.rows, (u) => userIds[u]),
      ratings: triples.length,
      delimiter,
      ...(opts.min !== undefined ? { min: opts.min } : {}),
      ...(m.steps.length ? { preprocessing: m.steps, filtered: m.counts } : {}),
    },
  };
  if (opts.items) attachItems(ds, opts.items, where);
  return ds;
}

/**
 * Names the items by their titles and sets the item × genre structure as the truth (one factor
 * per genre that any kept item has). An item missing from the side file is an error naming it.
 */
function attachItems(ds: Dataset, info: ItemInfo, where: string): void {
  const ids = ds.featureNames!;
  const used = [...new Set(ids.flatMap((id, j) => {
    const g = info.itemGenres.get(id);
    if (!g) throw new DataError(`${where}: item ${JSON.stringify(id)} (column ${j + 1}) is not in the items file (${info.layout} layout, ${info.titles.size} items)`);
    return g;
  }))].sort((a, b) => a - b);
  const K = used.length;
  const col = new Map(used.map((k, c) => [k, c]));
  const support = new Uint8Array(ds.g * K);
  ids.forEach((id, j) => {
    for (const k of info.itemGenres.get(id)!) support[j * K + col.get(k)!] = 1;
  });
  ds.meta.itemIds = ids;
  ds.featureNames = ids.map((id) => info.titles.get(id) ?? id);
  if (K > 0) ds.truth = { k: K, W: Float32Array.from(support), support, extra: { factorNames: used.map((k) => info.genres[k]), from: "items file genres" } };
}

/**
 * Loads `ratings:<path>` (gzip is accepted).
 *
 * @example
 * ```ts
 * const ds = loadRatings("ml-25m/ratings.csv", { min: 4 });
 * ```
 */
export function loadRatings(path: string, opts: Omit<RatingsOptions, "items"> & { items?: string } = {}, where = `ratings:${path}`): Dataset {
  const items = opts.items !== undefined ? loadItems(where, opts.items) : undefined;
  const ds = parseRatingsText(readText(where, path), { ...opts, items }, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function ratingsFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadRatings(path, p as Omit<RatingsOptions, "items"> & { items?: string }, where);
}
