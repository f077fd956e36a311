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
import { loadLdac } from "./ldac.js";
import { mtx10xFromParams } from "./tenx.js";
import { filterVocabulary } from "./vocab-filter.js";
import { h5adFromParams } from "./h5ad.js";
import { ratingsFromParams } from "./ratings.js";
import { coloredFromParams } from "./colored.js";

export {
  csvFromParams,
  type CsvOptions,
  loadCsv,
  parseCsvText,
} from "./csv.js";
export {
  loadMtx,
  mtxFromParams,
  type MtxOptions,
  parseMtxText,
} from "./mtx.js";
export {
  ldacFromParams,
  type LdacOptions,
  loadLdac,
  parseLdacText,
} from "./ldac.js";
export {
  type IdxArray,
  idxFromParams,
  type IdxOptions,
  loadIdx,
  parseIdx,
} from "./idx.js";
export {
  loadRatings,
  parseRatingsText,
  ratingsFromParams,
  type RatingsOptions,
} from "./ratings.js";
export {
  type ItemInfo,
  loadItems,
  ML100K_GENRES,
  parseItemsText,
} from "./items.js";
export {
  attachLabelFile,
} from "./labels.js";
export {
  loadMtx10x,
  mtx10xFromParams,
  type Mtx10xOptions,
} from "./tenx.js";
export {
  h5adFromParams,
  type H5adOptions,
  loadH5ad,
} from "./h5ad.js";
export { filterVocabulary } from "./vocab-filter.js";
export {
  defaultFormat,
  EXPORT_FORMATS,
  exportDataset,
  type Exported,
  type ExportFormat,
} from "./write.js";
export {
  coloredFromParams,
  loadColored,
} from "./colored.js";
export { readBytes, readText } from "./common.js";

/** Loader per file scheme: (path, resolved params, error prefix) → Dataset (not yet validated). */
export const loaders: Record<FileScheme, (path: string, params: Record<string, ParamValue | undefined>, where: string) => Dataset | Promise<Dataset>> = {
  csv: csvFromParams,
  mtx: mtx10xFromParams,
  ldac: (path, p, where) => {
    const { stopwords, topTerms, ...rest } = p as { stopwords?: string; topTerms?: number; vocab?: string; test?: number; seed?: number; limit?: number };
    return filterVocabulary(loadLdac(path, rest, where), { stopwords, topTerms }, where);
  },
  idx: idxFromParams,
  ratings: ratingsFromParams,
  h5ad: h5adFromParams,
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
  const ds = await loaders[ps.scheme](ps.target, ps.params, ps.where);
  ds.source = ps.raw;
  return ds;
}
