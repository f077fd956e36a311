/**
 * @sparse-dgm/data: synthetic generators with known truth (from the specs), one-string data
 * sources, file loaders, splits and minibatching.
 *
 * This entry point is browser-safe (no tfjs, no Node modules). The Node file loaders
 * (`loadCsv`, `loadMtx`, `loadLdac`, `loadIdx`, `loadRatings`) live in
 * `@sparse-dgm/data/loaders`; `loadData` imports them on demand.
 *
 * @example
 * ```ts
 * import { loadData, describe, sigmaPriorScale } from "@sparse-dgm/data";
 * const ds = await loadData("synthetic:moran?rho=0.2");
 * describe(ds).split;       // { train: 510, test: 490 }
 * sigmaPriorScale(ds);      // ≈ 0.36
 * ```
 */
export * from "./dataset.js";
export * from "./stats.js";
export * from "./params.js";
export * from "./source.js";
export * from "./preprocess.js";
export * from "./ratings-matrix.js";
export * from "./synthetic/index.js";
