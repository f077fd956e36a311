/** The synthetic generators of DESIGN §7, with their parameter declarations. */
import type { Dataset } from "../dataset.js";
import type { ParamSpec, ParamValue } from "../params.js";
import { moran, moranParams, type MoranOptions } from "./moran.js";
import { smiley, smileyParams, type SmileyOptions } from "./smiley.js";
import { sparseLinear, sparseLinearParams, type SparseLinearOptions } from "./sparse-linear.js";
import { twoView, twoViewParams, type TwoViewOptions } from "./two-view.js";
import { syntheticTags, tagsParams, type TagsOptions } from "./tags.js";
import { syntheticRatings, ratingsParams, type SyntheticRatingsOptions } from "./ratings.js";
import { syntheticCells, cellsParams, type SyntheticCellsOptions } from "./cells.js";
import { syntheticTopics, topicsParams, type SyntheticTopicsOptions } from "./topics.js";
import { fair, fairParams, type FairOptions } from "./fair.js";

export {
  moran,
  moranFeatureNames,
  type MoranOptions,
  moranParams,
  moranSplit,
} from "./moran.js";
export {
  renderSmiley,
  smiley,
  smileyAttributes,
  smileyClassName,
  type SmileyOptions,
  smileyParams,
} from "./smiley.js";
export {
  sparseLinear,
  type SparseLinearOptions,
  sparseLinearParams,
} from "./sparse-linear.js";
export {
  TWO_VIEW_A_OUT,
  twoView,
  type TwoViewOptions,
  twoViewParams,
} from "./two-view.js";
export {
  syntheticTags,
  type TagsOptions,
  tagsParams,
} from "./tags.js";
export {
  drawRatings,
  type RatingsDraw,
  ratingsParams,
  syntheticRatings,
  type SyntheticRatingsOptions,
} from "./ratings.js";
export {
  cellsParams,
  syntheticCells,
  type SyntheticCellsOptions,
} from "./cells.js";
export {
  syntheticTopics,
  type SyntheticTopicsOptions,
  topicsParams,
} from "./topics.js";
export {
  fair,
  type FairOptions,
  fairParams,
} from "./fair.js";
export {
  applyMlp,
  randomMlp,
  type RandomMlp,
} from "./random-mlp.js";

/** A registered synthetic generator. */
export interface GeneratorEntry {
  /** Parameter declarations (names, types, defaults, ranges, docs). */
  params: readonly ParamSpec[];
  /** One-line description with the spec reference. */
  doc: string;
  generate(params: Record<string, ParamValue | undefined>): Dataset;
}

/**
 * The generators behind `synthetic:<name>`.
 *
 * @example
 * ```ts
 * Object.keys(generators); // ["moran", "smiley", "sparse-linear", "tags", "two-view", "ratings", "cells", "topics", "fair"]
 * generators.moran.params.map((p) => p.name); // ["n", "rho", "sigma", "k", "seed"]
 * ```
 */
export const generators: Record<string, GeneratorEntry> = {
  moran: { params: moranParams, doc: "Sparse VAE synthetic data, 7 features from 2 factors (specs/sparse-vae.md §3.1)", generate: (p) => moran(p as MoranOptions) },
  smiley: { params: smileyParams, doc: "VSC Smiley 32×32 binary faces with 4 attributes / 18 sources (specs/vsc.md)", generate: (p) => smiley(p as SmileyOptions) },
  "sparse-linear": { params: sparseLinearParams, doc: "SDLGM sparse codes with per-row level L_i ≤ L0, linear/tanh decoder (specs/sdlgm.md §4)", generate: (p) => sparseLinear(p as SparseLinearOptions) },
  tags: { params: tagsParams, doc: "multi-label data: 1–L0 tags per row with a long-tailed count and tag popularity, features linear in the tagged code (specs/sdlgm.md §3)", generate: (p) => syntheticTags(p as TagsOptions) },
  "two-view": { params: twoViewParams, doc: "MIB shared/private two-view data, A_out = [[1,1,0],[1,0,1]] (specs/mib-structured.md §4.1)", generate: (p) => twoView(p as TwoViewOptions) },
  ratings: { params: ratingsParams, doc: "MovieLens-like ratings whose items load on a few genres (the true factors); filters as ratings:", generate: (p) => syntheticRatings(p as SyntheticRatingsOptions) },
  cells: { params: cellsParams, doc: "single-cell counts: cell types, sparse gene programs, log-normal library sizes, negative-binomial noise", generate: (p) => syntheticCells(p as SyntheticCellsOptions) },
  topics: { params: topicsParams, doc: "an LDA-style corpus: named topics, shared words, English stop words and rare terms", generate: (p) => syntheticTopics(p as SyntheticTopicsOptions) },
  fair: { params: fairParams, doc: "MIB fairness toy: y = 1[c1 + c2 > 0], sensitive s correlated with y, x = g([c, s]) (specs/mib-structured.md §4.2)", generate: (p) => fair(p as FairOptions) },
};
