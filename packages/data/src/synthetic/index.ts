/** The synthetic generators of DESIGN §7, with their parameter declarations. */
import type { Dataset } from "../dataset.js";
import type { ParamSpec, ParamValue } from "../params.js";
import { moran, moranParams, type MoranOptions } from "./moran.js";
import { smiley, smileyParams, type SmileyOptions } from "./smiley.js";
import { sparseLinear, sparseLinearParams, type SparseLinearOptions } from "./sparse-linear.js";
import { twoView, twoViewParams, type TwoViewOptions } from "./two-view.js";
import { fair, fairParams, type FairOptions } from "./fair.js";

export * from "./moran.js";
export * from "./smiley.js";
export * from "./sparse-linear.js";
export * from "./two-view.js";
export * from "./fair.js";
export * from "./random-mlp.js";

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
 * Object.keys(generators); // ["moran", "smiley", "sparse-linear", "two-view", "fair"]
 * generators.moran.params.map((p) => p.name); // ["n", "rho", "sigma", "k", "seed"]
 * ```
 */
export const generators: Record<string, GeneratorEntry> = {
  moran: { params: moranParams, doc: "Sparse VAE synthetic data, 7 features from 2 factors (specs/sparse-vae.md §3.1)", generate: (p) => moran(p as MoranOptions) },
  smiley: { params: smileyParams, doc: "VSC Smiley 32×32 binary faces with 4 attributes / 18 sources (specs/vsc.md)", generate: (p) => smiley(p as SmileyOptions) },
  "sparse-linear": { params: sparseLinearParams, doc: "SDLGM sparse codes with per-row level L_i ≤ L0, linear/tanh decoder (specs/sdlgm.md §4)", generate: (p) => sparseLinear(p as SparseLinearOptions) },
  "two-view": { params: twoViewParams, doc: "MIB shared/private two-view data, A_out = [[1,1,0],[1,0,1]] (specs/mib-structured.md §4.1)", generate: (p) => twoView(p as TwoViewOptions) },
  fair: { params: fairParams, doc: "MIB fairness toy: y = 1[c1 + c2 > 0], sensitive s correlated with y, x = g([c, s]) (specs/mib-structured.md §4.2)", generate: (p) => fair(p as FairOptions) },
};
