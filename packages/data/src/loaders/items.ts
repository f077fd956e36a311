/**
 * Item side files of the `ratings:` source (`items=<path>`): each item's title and genres, in the
 * layouts MovieLens ships them, detected from the text:
 *
 * | layout | example line |
 * |---|---|
 * | `movies.csv` (ML-20M/25M/latest): header `movieId,title,genres`, genres `A\|B` | `1,Toy Story (1995),Adventure\|Animation` |
 * | `movies.dat` (ML-1M/10M): `id::title::genres` | `1::Toy Story (1995)::Animation\|Children's` |
 * | `u.item` (ML-100K): `id\|title\|date\|video date\|url\|` then 19 genre flags | `1\|Toy Story (1995)\|01-Jan-1995\|\|http://...\|0\|0\|0\|1\|...` |
 *
 * `(no genres listed)` is no genre. Node-only (reads the file).
 */
import { parse } from "csv-parse/sync";
import { DataError } from "../dataset.js";
import { readBytes } from "./common.js";

/** The 19 genres of MovieLens 100K's `u.item` flags, in column order (its `u.genre`). */
export const ML100K_GENRES = [
  "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
  "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
];

/** Titles and genres by item id. */
export interface ItemInfo {
  /** Item id → title. */
  titles: Map<string, string>;
  /** Item id → indices into `genres`. */
  itemGenres: Map<string, number[]>;
  /** Genre names (the truth's factors), in order of first appearance (u.item: its flag order). */
  genres: string[];
  layout: "movies.csv" | "movies.dat" | "u.item";
}

const NO_GENRES = "(no genres listed)";

/**
 * Parses an item side file (layout detected; see the module comment).
 *
 * @example
 * ```ts
 * parseItemsText("movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n").genres; // ["Adventure", "Animation"]
 * ```
 */
export function parseItemsText(text: string, where = "items"): ItemInfo {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new DataError(`${where}: the items file is empty`);
  const genres: string[] = [];
  const genreIndex = (g: string) => {
    let k = genres.indexOf(g);
    if (k < 0) k = genres.push(g) - 1;
    return k;
  };
  const titles = new Map<string, string>();
  const itemGenres = new Map<string, number[]>();
  const split = (s: string) => (s === NO_GENRES || s === "" ? [] : s.split("|").map(genreIndex));
  if (lines[0].includes("::")) {
    lines.forEach((l, r) => {
      const f = l.split("::");
      if (f.length < 3) throw new DataError(`${where}: line ${r + 1}: expected id::title::genres, got ${JSON.stringify(l)}`);
      titles.set(f[0].trim(), f[1]);
      itemGenres.set(f[0].trim(), split(f[2].trim()));
    });
    return { titles, itemGenres, genres, layout: "movies.dat" };
  }
  const pipes = lines[0].split("|");
  if (pipes.length >= 6 && pipes.slice(-ML100K_GENRES.length).every((c) => c === "0" || c === "1")) {
    const flags = pipes.length - 5;
    const names = flags === ML100K_GENRES.length ? ML100K_GENRES : Array.from({ length: flags }, (_, k) => `genre ${k + 1}`);
    names.forEach(genreIndex);
    lines.forEach((l, r) => {
      const f = l.split("|");
      if (f.length !== flags + 5) throw new DataError(`${where}: line ${r + 1}: expected ${flags + 5} '|'-separated fields (u.item), got ${f.length}`);
      const fl = f.slice(5);
      const bad = fl.findIndex((c) => c !== "0" && c !== "1");
      if (bad >= 0) throw new DataError(`${where}: line ${r + 1}, field ${bad + 6}: genre flag ${JSON.stringify(fl[bad])} is not 0 or 1`);
      titles.set(f[0].trim(), f[1]);
      itemGenres.set(f[0].trim(), fl.flatMap((c, k) => (c === "1" ? [k] : [])));
    });
    return { titles, itemGenres, genres, layout: "u.item" };
  }
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${where}: CSV syntax error: ${(e as Error).message}`);
  }
  const head = records[0].map((h) => h.toLowerCase());
  const idCol = head.findIndex((h) => h === "movieid" || h === "itemid" || h === "item" || h === "id");
  const titleCol = head.indexOf("title");
  const genresCol = head.indexOf("genres");
  if (idCol < 0 || genresCol < 0) {
    throw new DataError(`${where}: expected a header with an id column (movieId, itemId, item or id) and a genres column, as MovieLens movies.csv; got ${records[0].join(",")}`);
  }
  records.slice(1).forEach((rec, r) => {
    if (rec.length !== records[0].length) throw new DataError(`${where}: row ${r + 1} has ${rec.length} fields, the header ${records[0].length}`);
    titles.set(rec[idCol], titleCol >= 0 ? rec[titleCol] : rec[idCol]);
    itemGenres.set(rec[idCol], split(rec[genresCol]));
  });
  return { titles, itemGenres, genres, layout: "movies.csv" };
}

/** Reads an item side file (gzip accepted); u.item's Latin-1 titles are decoded as such. */
export function loadItems(where: string, path: string): ItemInfo {
  const bytes = readBytes(where, path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("latin1").decode(bytes); // ML-100K's u.item is Latin-1, not UTF-8
  }
  return parseItemsText(text.replace(/^\uFEFF/, ""), `${where}: items ${path}`);
}
