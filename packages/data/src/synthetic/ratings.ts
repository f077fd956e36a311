/**
 * `synthetic:ratings`: MovieLens-like ratings with a known genre structure ("each movie is
 * described by a few genres", specs/sparse-vae.md §3.1), for tests, examples and the docs.
 *
 * Generative process (defaults: MovieLens 100K's size, 943 users × 1682 items, 100,000 ratings):
 * - genre g has a weight ∝ (g + 1)^−½; item j gets 1 genre (p 0.55), 2 (0.35) or 3 (0.10), drawn
 *   by weight without replacement; a log-normal popularity π_j (σ 1.3) and a quality q_j ~ N(0, 0.4²);
 * - user i has genre preferences z_i ~ N(0, I) (the true factors) and rates 20 + a log-normal
 *   number of items (scaled so the total is `ratings`), chosen without replacement with weights
 *   π_j·exp(a_ij), a_ij = the mean of z_i over item j's genres (users watch what they like);
 * - the rating is round(3.4 + 1.1·a_ij + q_j + 0.7·ε), clipped to 1..5.
 *
 * So whether user i likes item j depends on z_i only through j's genres: the items × genres
 * support (`truth.support`) is what a sparse decoder should recover. `min`, `minUserPositives` and
 * `topItems` filter as the `ratings:` source does (the same code), so
 * `synthetic:ratings?min=4&minUserPositives=20&topItems=300` equals the exported files loaded with
 * `ratings:<dir>/ratings.tsv?items=<dir>/items.csv&min=4&minUserPositives=20&topItems=300`.
 */
import { Key } from "@sparse-dgm/core";
import { randomSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import { ratingsMatrix } from "../ratings-matrix.js";
import { Rng } from "./rng.js";

/** Parameters of `synthetic:ratings`. */
export const ratingsParams: readonly ParamSpec[] = [
  { name: "users", type: "int", default: 943, min: 1, doc: "users (MovieLens 100K: 943)" },
  { name: "items", type: "int", default: 1682, min: 2, doc: "items (MovieLens 100K: 1682)" },
  { name: "genres", type: "int", default: 5, min: 1, max: 40, doc: "genres: the true factors" },
  { name: "ratings", type: "int", default: 100000, min: 1, doc: "about this many ratings in all (each user rates at least 20 items, or all of them)" },
  { name: "min", type: "number", doc: "binarise: rating >= min becomes 1 (as ratings:)" },
  { name: "minUserPositives", type: "int", min: 1, doc: "keep users with at least this many positives (as ratings:)" },
  { name: "topItems", type: "int", min: 1, doc: "keep the items with the most positives (as ratings:)" },
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction of the seeded random split" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed (data and split)" },
];

/** Options of {@link syntheticRatings}. */
export interface SyntheticRatingsOptions {
  users?: number;
  items?: number;
  genres?: number;
  ratings?: number;
  min?: number;
  minUserPositives?: number;
  topItems?: number;
  test?: number;
  seed?: number;
}

const GENRE_NAMES = ["Drama", "Comedy", "Action", "Thriller", "Romance", "Adventure", "Sci-Fi", "Horror", "Crime", "Animation", "Documentary", "Fantasy", "Mystery", "War", "Musical", "Western", "Film-Noir", "Children's"];

/** The raw draws: rating triples, item genres and user preferences. */
export interface RatingsDraw {
  u: Int32Array;
  i: Int32Array;
  r: Float32Array;
  /** Item j's genres (indices into `genreNames`). */
  itemGenres: number[][];
  genreNames: string[];
  /** users × genres preferences (the true factors). */
  z: Float32Array;
  titles: string[];
}

/** Draws the ratings (see the module comment). */
export function drawRatings(o: { users: number; items: number; genres: number; ratings: number; seed: number }): RatingsDraw {
  const { users: U, items: I, genres: Gn } = o;
  const rng = new Rng(Key.of(o.seed).foldIn("synthetic-ratings"));
  const genreNames = Array.from({ length: Gn }, (_, g) => GENRE_NAMES[g] ?? `Genre ${g + 1}`);
  const gw = Array.from({ length: Gn }, (_, g) => 1 / Math.sqrt(g + 1));
  const itemGenres: number[][] = [];
  const pop = new Float64Array(I);
  const quality = new Float64Array(I);
  for (let j = 0; j < I; j++) {
    const u = rng.uniform();
    const m = Math.min(Gn, u < 0.55 ? 1 : u < 0.9 ? 2 : 3);
    const w = gw.slice();
    const gs: number[] = [];
    for (let t = 0; t < m; t++) {
      let s = w.reduce((a, b) => a + b, 0) * rng.uniform();
      let g = 0;
      while (g < Gn - 1 && (s -= w[g]) > 0) g++;
      if (w[g] === 0) g = w.findIndex((v) => v > 0); // rounding past the last open genre
      gs.push(g);
      w[g] = 0;
    }
    itemGenres.push(gs.sort((a, b) => a - b));
    pop[j] = Math.exp(1.3 * rng.normal());
    quality[j] = 0.4 * rng.normal();
  }
  const z = new Float32Array(U * Gn);
  for (let t = 0; t < z.length; t++) z[t] = rng.normal();
  const extra = Float64Array.from({ length: U }, () => Math.exp(Math.log(45) + 0.9 * rng.normal()));
  const base = Math.min(20, I);
  const sumExtra = extra.reduce((a, b) => a + b, 0);
  const scale = Math.max(0, o.ratings - base * U) / Math.max(sumExtra, 1e-9);
  const u: number[] = [];
  const it: number[] = [];
  const r: number[] = [];
  const keys = new Float64Array(I);
  const order = new Int32Array(I);
  for (let i = 0; i < U; i++) {
    const count = Math.min(I, base + Math.round(extra[i] * scale));
    const aff = new Float64Array(I);
    for (let j = 0; j < I; j++) {
      let a = 0;
      for (const g of itemGenres[j]) a += z[i * Gn + g];
      aff[j] = a / itemGenres[j].length;
      // Gumbel top-k: the `count` largest log w + Gumbel are a draw without replacement ∝ w
      keys[j] = Math.log(pop[j]) + aff[j] - Math.log(-Math.log(rng.uniform()));
      order[j] = j;
    }
    const chosen = Array.from(order).sort((a, b) => keys[b] - keys[a]).slice(0, count).sort((a, b) => a - b);
    for (const j of chosen) {
      const s = 3.4 + 1.1 * aff[j] + quality[j] + 0.7 * rng.normal();
      u.push(i);
      it.push(j);
      r.push(Math.min(5, Math.max(1, Math.round(s))));
    }
  }
  const titles = itemGenres.map((gs, j) => `${gs.map((g) => genreNames[g]).join("/")} #${j + 1}`);
  return { u: Int32Array.from(u), i: Int32Array.from(it), r: Float32Array.from(r), itemGenres, genreNames, z, titles };
}

/**
 * Generates the ratings matrix, filtered as `ratings:` would, with the truth: `z` (users ×
 * genres), `support` / `W` (items × genres, the genres of each kept item) and the genre names.
 *
 * @example
 * ```ts
 * const ds = syntheticRatings({ min: 4, minUserPositives: 20, topItems: 300 }); // ≈ 850 × 300, binary
 * ```
 */
export function syntheticRatings(opts: SyntheticRatingsOptions = {}): Dataset {
  const where = "synthetic:ratings";
  const p = resolveParams(where, ratingsParams, { ...opts });
  const users = p.users as number;
  const items = p.items as number;
  const Gn = p.genres as number;
  const d = drawRatings({ users, items, genres: Gn, ratings: p.ratings as number, seed: p.seed as number });
  // items indexed in order of first appearance in the ratings, as the ratings: loader reads a file
  const first: number[] = [];
  const seen = new Int32Array(items).fill(-1);
  for (const j of d.i) if (seen[j] < 0) seen[j] = first.push(j) - 1;
  const m = ratingsMatrix(
    where,
    { u: d.u, i: Int32Array.from(d.i, (j) => seen[j]), r: d.r, users, items: first.length },
    { min: p.min as number | undefined, minUserPositives: p.minUserPositives as number | undefined, topItems: p.topItems as number | undefined },
  );
  const cols = Int32Array.from(m.cols, (c) => first[c]); // original item index of each column
  const support = new Uint8Array(m.g * Gn);
  cols.forEach((j, c) => {
    for (const g of d.itemGenres[j]) support[c * Gn + g] = 1;
  });
  const z = new Float32Array(m.n * Gn);
  m.rows.forEach((uu, r) => z.set(d.z.subarray(uu * Gn, (uu + 1) * Gn), r * Gn));
  return {
    name: "ratings",
    source: `${where}${formatQuery(ratingsParams, p)}`,
    x: m.x,
    n: m.n,
    g: m.g,
    kind: m.kind,
    featureNames: Array.from(cols, (j) => d.titles[j]),
    rowNames: Array.from(m.rows, (uu) => String(uu + 1)),
    split: randomSplit(m.n, p.test as number, p.seed as number),
    truth: { k: Gn, z, W: Float32Array.from(support), support, extra: { factorNames: d.genreNames } },
    meta: {
      generator: "ratings",
      params: p,
      itemIds: Array.from(cols, (j) => String(j + 1)),
      itemGenres: Array.from(cols, (j) => d.itemGenres[j].map((g) => d.genreNames[g])),
      ratings: d.u.length,
      ...(m.steps.length ? { preprocessing: m.steps, filtered: m.counts } : {}),
    },
  };
}
