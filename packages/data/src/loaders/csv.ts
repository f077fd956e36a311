/**
 * CSV/TSV loader (`csv:<path>`), parsed with `csv-parse`. Node-only (reads the file).
 */
import { parse } from "csv-parse/sync";
import { cellRef, DataError, randomSplit, type DataKind, type Dataset } from "../dataset.js";
import { checkFloat32, denseMatrix, parseNumber, readText, sniffDelimiter, baseName } from "./common.js";
import type { ParamValue } from "../params.js";
import { existsSync } from "node:fs";
import { attachLabelFile } from "./labels.js";

/** Options of {@link parseCsvText} (the `csv:` source parameters). */
export interface CsvOptions {
  /** "auto" (default): the first row is a header if any of its cells is not a number. */
  header?: "auto" | "true" | "false" | boolean;
  delimiter?: string;
  /** Column (header name or 1-based index) holding class labels; removed from the features. */
  label?: string;
  /**
   * Column (header name or 1-based index) holding each row's tag set (`tags=`) for multi-label data: tag
   * names separated by `|` or `;` (an empty cell: no tags); removed from the features.
   */
  tags?: string;
  /** Column (header name or 1-based index) of row ids (cell barcodes, ...); removed from the features. */
  index?: string;
  /** A side file of labels joined by the row ids (or by order); see `attachLabelFile`. */
  labels?: string;
  /** The labels file's column. */
  labelColumn?: string;
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
  // auto: a header when a cell of the first row is not a number (the index column's cell excepted:
  // row ids are text); an index or label named by a header name implies a header
  const idxByNumber = opts.index !== undefined && /^\d+$/.test(opts.index) ? Number(opts.index) - 1 : -1;
  const named = [opts.index, opts.label].some((c) => c !== undefined && !/^\d+$/.test(c));
  const hasHeader =
    h === true || h === "true" || (h === "auto" && (named || records[0].some((c, j) => j !== idxByNumber && parseNumber(c) === undefined && c.trim() !== "")));
  const header = hasHeader ? records[0] : undefined;
  let data = hasHeader ? records.slice(1) : records;
  if (opts.limit !== undefined) data = data.slice(0, opts.limit);
  const width = header ? header.length : data[0]?.length ?? 0;
  const columnOf = (what: string, name: string | undefined): number => {
    if (name === undefined) return -1;
    const byName = header ? header.indexOf(name) : -1;
    const byIdx = /^\d+$/.test(name) ? Number(name) - 1 : -1;
    const c = byName >= 0 ? byName : byIdx;
    if (c < 0 || c >= width) {
      throw new DataError(`${where}: ${what} column ${JSON.stringify(name)} not found${header ? `; columns: ${header.slice(0, 20).join(", ")}${width > 20 ? ", ..." : ""}` : ` (${width} columns)`}`);
    }
    return c;
  };
  // labels= is a side file (as for idx: and mtx:); a column of tag sets is tags=, a class column label=
  if (opts.labels !== undefined && (header?.includes(opts.labels) || /^\d+$/.test(opts.labels)) && !existsSync(opts.labels)) {
    throw new DataError(`${where}: labels=${opts.labels} names no file; labels= is a side file of class labels. For a column use label=${opts.labels} (one class per row) or tags=${opts.labels} (multi-label tag sets separated by | or ;)`);
  }
  const labelCol = columnOf("label", opts.label);
  const indexCol = columnOf("index", opts.index);
  const tagCol = columnOf("tags", opts.tags);
  const used = [["label", labelCol], ["index", indexCol], ["tags", tagCol]].filter(([, c]) => (c as number) >= 0) as Array<[string, number]>;
  for (let a = 0; a < used.length; a++) {
    for (let b = a + 1; b < used.length; b++) {
      if (used[a][1] === used[b][1]) throw new DataError(`${where}: ${used[a][0]}= and ${used[b][0]}= name the same column (${header ? JSON.stringify(header[used[a][1]]) : used[a][1] + 1})`);
    }
  }
  const featureCols: number[] = [];
  for (let c = 0; c < width; c++) if (c !== labelCol && c !== indexCol && c !== tagCol) featureCols.push(c);
  const allNames = header ?? Array.from({ length: width }, (_, c) => `V${c + 1}`);
  const n = data.length;
  const g = featureCols.length;
  const x = denseMatrix(where, n, g);
  const labels = labelCol >= 0 ? new Int32Array(n) : undefined;
  const labelIds = new Map<string, number>();
  let stringLabels = false;
  const tagIds = new Map<string, number>();
  const rowTags: number[][] = [];
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
    if (tagCol >= 0) {
      const names = r[tagCol].split(/[|;]/).map((t) => t.trim()).filter(Boolean);
      rowTags.push([...new Set(names)].map((t) => (tagIds.has(t) ? tagIds.get(t)! : (tagIds.set(t, tagIds.size), tagIds.size - 1))));
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
  if (indexCol >= 0) {
    ds.rowNames = data.map((r) => r[indexCol]);
    const seen = new Map<string, number>();
    ds.rowNames.forEach((id, i) => {
      if (seen.has(id)) throw new DataError(`${where}: rows ${seen.get(id)! + 1} and ${i + 1} have the same index ${JSON.stringify(id)} (column ${JSON.stringify(allNames[indexCol])})`);
      seen.set(id, i);
    });
    ds.meta.indexColumn = allNames[indexCol];
  }
  if (labels) {
    ds.labels = labels;
    if (stringLabels) ds.labelNames = [...labelIds.keys()];
    ds.meta.labelColumn = allNames[labelCol];
  }
  if (tagCol >= 0) {
    const T = tagIds.size;
    if (T === 0) throw new DataError(`${where}: the tags column ${JSON.stringify(allNames[tagCol])} holds no tags`);
    const y = new Uint8Array(n * T);
    rowTags.forEach((ts, i) => ts.forEach((t) => (y[i * T + t] = 1)));
    ds.tags = { y, names: [...tagIds.keys()] };
    ds.meta.tagsColumn = allNames[tagCol];
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
  if (opts.labels !== undefined && opts.label !== undefined) throw new DataError(`${where}: give label= (a column) or labels= (a side file), not both`);
  const ds = parseCsvText(readText(where, path), opts, where);
  if (opts.labels !== undefined) attachLabelFile(ds, opts.labels, opts.labelColumn, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  return ds;
}

/** Adapter from resolved source parameters. */
export function csvFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadCsv(path, p as CsvOptions, where);
}
