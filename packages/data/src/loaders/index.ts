/**
 * The Node file loaders (they read files with `node:fs` and gunzip with `node:zlib`). Import
 * `@sparse-dgm/data/loaders` explicitly, or let `loadData` import them on demand; the rest of
 * the package stays browser-safe.
 */
import type { Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import type { FileScheme, ParsedSource } from "../source.js";
import { csvFromParams } from "./csv.js";
import { idxFromParams } from "./idx.js";
import { ldacFromParams } from "./ldac.js";
import { mtxFromParams } from "./mtx.js";
import { ratingsFromParams } from "./ratings.js";
import { coloredFromParams } from "./colored.js";

export * from "./csv.js";
export * from "./mtx.js";
export * from "./ldac.js";
export * from "./idx.js";
export * from "./ratings.js";
export * from "./colored.js";
export { readBytes, readText } from "./common.js";

/** Loader per file scheme: (path, resolved params, error prefix) → Dataset (not yet validated). */
export const loaders: Record<FileScheme, (path: string, params: Record<string, ParamValue | undefined>, where: string) => Dataset> = {
  csv: csvFromParams,
  mtx: mtxFromParams,
  ldac: ldacFromParams,
  idx: idxFromParams,
  ratings: ratingsFromParams,
  colored: coloredFromParams,
};

/**
 * Loads a parsed file source (use `loadData`, which also validates).
 *
 * @example
 * ```ts
 * const ds = await loadFile(parseSource("csv:data.csv?label=y"));
 * ```
 */
export async function loadFile(ps: ParsedSource): Promise<Dataset> {
  if (ps.scheme === "synthetic") throw new Error("loadFile: synthetic sources are generated, not loaded");
  const ds = loaders[ps.scheme](ps.target, ps.params, ps.where);
  ds.source = ps.raw;
  return ds;
}
