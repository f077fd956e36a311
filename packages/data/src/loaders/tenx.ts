/**
 * The 10x Genomics layout of the `mtx:` source: `matrix.mtx` stored features × barcodes, with
 * `features=features.tsv` (or the older `genes.tsv`: id, name[, type] per line) and
 * `barcodes=barcodes.tsv` (one cell id per line), gzip or plain, as Cell Ranger writes them; an
 * optional `labels=` side file (barcode, label) gives the cell types. The orientation follows from
 * the side files' lengths unless `transpose=` says it; a length that fits neither side is an error
 * naming both shapes. Node-only.
 */
import { DataError, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { readText } from "./common.js";
import { attachLabelFile } from "./labels.js";
import { parseMtxText, type MtxOptions } from "./mtx.js";
import { baseName } from "./common.js";

/** Lines of a one-entry-per-line side file (trailing blank lines dropped). */
function sideLines(where: string, path: string): string[] {
  const lines = readText(where, path).split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  return lines;
}

/** The file's M × N from its size line. */
function mtxSize(where: string, text: string): [number, number] {
  const m = /^(?:%.*\r?\n|\s*\r?\n)*\s*(\d+)\s+(\d+)/.exec(text.replace(/^%%MatrixMarket[^\n]*\n/i, ""));
  if (!m) throw new DataError(`${where}: no size line (M N [NNZ]) after the header`);
  return [Number(m[1]), Number(m[2])];
}

/** Options of {@link loadMtx10x}. */
export interface Mtx10xOptions extends MtxOptions {
  features?: string;
  barcodes?: string;
  labels?: string;
  labelColumn?: string;
}

/**
 * Loads `mtx:<matrix.mtx>?features=<features.tsv>&barcodes=<barcodes.tsv>[&labels=<file>]`:
 * cells × features, feature names from the second column of features.tsv (the gene symbol; the
 * first when there is one column), row names from the barcodes.
 *
 * @example
 * ```ts
 * const ds = loadMtx10x("filtered/matrix.mtx.gz", { features: "filtered/features.tsv.gz", barcodes: "filtered/barcodes.tsv.gz" });
 * ```
 */
export function loadMtx10x(path: string, opts: Mtx10xOptions = {}, where = `mtx:${path}`): Dataset {
  const text = readText(where, path);
  const features = opts.features !== undefined ? sideLines(where, opts.features).map((l) => l.split("\t")) : undefined;
  const barcodes = opts.barcodes !== undefined ? sideLines(where, opts.barcodes).map((l) => l.split("\t")[0].trim()) : undefined;
  let transpose = opts.transpose;
  if ((features || barcodes) && transpose === undefined) {
    const [M, N] = mtxSize(where, text);
    const fits = (tr: boolean) => (!features || features.length === (tr ? M : N)) && (!barcodes || barcodes.length === (tr ? N : M));
    if (fits(true)) transpose = true;
    else if (fits(false)) transpose = false;
    else {
      throw new DataError(
        `${where}: the matrix is ${M} × ${N}, but ${[features ? `features has ${features.length} lines` : "", barcodes ? `barcodes has ${barcodes.length} lines` : ""].filter(Boolean).join(" and ")}; they fit neither features × barcodes (10x) nor barcodes × features`,
      );
    }
  }
  const ds = parseMtxText(text, { ...opts, transpose: transpose ?? false }, where);
  if (features) {
    if (features.length !== ds.g) throw new DataError(`${where}: features has ${features.length} lines, the matrix ${ds.g} features (transpose=${transpose})`);
    ds.featureNames = features.map((f) => (f.length >= 2 && f[1].trim() !== "" ? f[1] : f[0]).trim());
    ds.meta.featureIds = features.map((f) => f[0].trim());
  }
  if (barcodes) {
    const limited = barcodes.slice(0, ds.n);
    if (barcodes.length < ds.n || (opts.limit === undefined && barcodes.length !== ds.n)) {
      throw new DataError(`${where}: barcodes has ${barcodes.length} lines, the matrix ${ds.n} observations (transpose=${transpose})`);
    }
    ds.rowNames = limited;
  }
  if (opts.labels !== undefined) attachLabelFile(ds, opts.labels, opts.labelColumn, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function mtx10xFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadMtx10x(path, p as Mtx10xOptions, where);
}
