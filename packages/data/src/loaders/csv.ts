/**
 * CSV/TSV loader (`csv:<path>`), parsed with `csv-parse`. Node-only (reads the file).
 */
import { parse } from "csv-parse/sync";
import { cellRef, DataError, randomSplit, type DataKind, type Dataset } from "../dataset.js";
import { checkFloat32, denseMatrix, parseNumber, readText, sniffDelimiter, baseName } from "./common.js";
import type { ParamValue } from "../params.js";

/** Options of {@link parseCsvText} (the `csv:` source parameters). */
export interface CsvOptions {
  /** "auto" (default): the first row is a header if any of its cells is not a number. */
  header?: "auto" | "true" | "false" | boolean;
  delimiter?: string;
  /** Column (header name or 1-based index) holding class labels; removed from the features. */
  label?: string;
  kind?: DataKind;
  test?: number;
  seed?: number;
  limit?: number;
}

/**
 * Parses numeric CSV text into a Dataset. Rows and columns in errors are 1-based and count data
 * rows (the header excluded): `csv:foo.csv: row 17, column 3 ("age"): "abc" is not a number`.
 * Label columns may hold integers (used as class ids) or strings (ids in order of appearance);
 * an empty label cell is -1 (missing).
 *
 * @example
 * ```ts
 * const ds = parseCsvText("a,b\n1,2\n3,4\n", { test: 0 }, "csv:inline"); // 2 × 2
 * ```
 */
export function parseCsvText(text: string, opts: CsvOptions = {}, where = "csv:<text>"): Dataset {
  const delimiter = opts.delimiter ?? sniffDelimiter(text, ["\t", ";", ","]);
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${where}: CSV syntax error: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new DataError(`${where}: the file has no rows`);
  const h = opts.header ?? "auto";
  const hasHeader = h === true || h === "true" || (h === "auto" && records[0].some((c) => parseNumber(c) === undefined && c.trim() !== ""));
  const header = hasHeader ? records[0] : undefined;
  let data = hasHeader ? records.slice(1) : records;
  if (opts.limit !== undefined) data = data.slice(0, opts.limit);
  const width = header ? header.length : data[0]?.length ?? 0;
  let labelCol = -1;
  if (opts.label !== undefined) {
    const byName = header ? header.indexOf(opts.label) : -1;
    const byIdx = /^\d+$/.test(opts.label) ? Number(opts.label) - 1 : -1;
    labelCol = byName >= 0 ? byName : byIdx;
    if (labelCol < 0 || labelCol >= width) {
      throw new DataError(`${where}: label column ${JSON.stringify(opts.label)} not found${header ? `; columns: ${header.join(", ")}` : ` (${width} columns)`}`);
    }
  }
  const featureCols: number[] = [];
  for (let c = 0; c < width; c++) if (c !== labelCol) featureCols.push(c);
  const allNames = header ?? Array.from({ length: width }, (_, c) => `V${c + 1}`);
  const n = data.length;
  const g = featureCols.length;
  const x = denseMatrix(where, n, g);
  const labels = labelCol >= 0 ? new Int32Array(n) : undefined;
  const labelIds = new Map<string, number>();
  let stringLabels = false;
  for (let i = 0; i < n; i++) {
    const r = data[i];
    if (r.length !== width) {
      throw new DataError(`${where}: row ${i + 1} has ${r.length} columns, expected ${width}`);
    }
    for (let jj = 0; jj < g; jj++) {
      const c = featureCols[jj];
      const v = parseNumber(r[c]);
      if (v === undefined) {
        const what = r[c].trim() === "" ? "empty cell (missing value)" : `${JSON.stringify(r[c])} is not a number`;
        throw new DataError(`${where}: ${cellRef(i, c, header)}: ${what}`);
      }
      x[i * g + jj] = checkFloat32(where, cellRef(i, c, header), v);
    }
    if (labels) {
      const cell = r[labelCol].trim();
      const v = parseNumber(cell);
      if (cell === "") labels[i] = -1;
      else if (!stringLabels && v !== undefined && Number.isInteger(v) && v >= -1) labels[i] = v;
      else {
        if (!stringLabels && i > 0) {
          throw new DataError(`${where}: ${cellRef(i, labelCol, header)}: label ${JSON.stringify(cell)} is not an integer, but earlier labels were`);
        }
        stringLabels = true;
        if (!labelIds.has(cell)) labelIds.set(cell, labelIds.size);
        labels[i] = labelIds.get(cell)!;
      }
    }
  }
  const ds: Dataset = {
    name: where.replace(/^csv:/, ""),
    source: where,
    x,
    n,
    g,
    kind: opts.kind ?? "real",
    featureNames: featureCols.map((c) => allNames[c]),
    split: randomSplit(n, opts.test ?? 0.2, opts.seed ?? 0),
    meta: { header: hasHeader, delimiter },
  };
  if (labels) {
    ds.labels = labels;
    if (stringLabels) ds.labelNames = [...labelIds.keys()];
    ds.meta.labelColumn = allNames[labelCol];
  }
  return ds;
}

/**
 * Loads `csv:<path>` (see {@link parseCsvText}; gzip is accepted).
 *
 * @example
 * ```ts
 * const ds = loadCsv("data/iris.csv", { label: "species" });
 * ```
 */
export function loadCsv(path: string, opts: CsvOptions = {}, where = `csv:${path}`): Dataset {
  const ds = parseCsvText(readText(where, path), opts, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function csvFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadCsv(path, p as CsvOptions, where);
}
