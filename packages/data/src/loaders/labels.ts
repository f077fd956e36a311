/**
 * Class labels from a side file (`labels=<path>` of the `csv:` and `mtx:` sources), as single-cell
 * data ship their cell types: rows `id,label` (comma or tab; an optional header) joined to the
 * data by row id, or one label per line joined by order. Node-only.
 */
import { parse } from "csv-parse/sync";
import { DataError, type Dataset } from "../dataset.js";
import { readText, sniffDelimiter } from "./common.js";

/**
 * Reads the side file and sets `ds.labels` / `ds.labelNames` (ids in order of first appearance;
 * integer labels keep their values). With row names the file's first column is the row id and
 * `labelColumn` (header name or 1-based index; default the last column) the label; every row of
 * the data must have one. Without row names the file must have one label per data row.
 *
 * @example
 * ```ts
 * attachLabelFile(ds, "cell-types.csv", undefined, "csv:counts.csv");
 * ```
 */
export function attachLabelFile(ds: Dataset, path: string, labelColumn: string | undefined, where: string): void {
  const text = readText(`${where} labels=`, path);
  const at = `${where}: labels ${path}`;
  let records: string[][];
  try {
    records = parse(text, { delimiter: sniffDelimiter(text, ["\t", ","]), skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${at}: syntax error: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new DataError(`${at}: the file is empty`);
  const width = records[0].length;
  const byId = ds.rowNames !== undefined && width >= 2;
  // a header when its first row's id is not a row name (by id), or names the label column
  const ids = new Set(ds.rowNames ?? []);
  const header = byId ? !ids.has(records[0][0]) : labelColumn !== undefined && records[0].includes(labelColumn);
  let col = width - 1;
  if (labelColumn !== undefined) {
    const byName = header ? records[0].indexOf(labelColumn) : -1;
    col = byName >= 0 ? byName : /^\d+$/.test(labelColumn) ? Number(labelColumn) - 1 : -1;
    if (col < 0 || col >= width) throw new DataError(`${at}: label column ${JSON.stringify(labelColumn)} not found; columns: ${header ? records[0].join(", ") : `1..${width}`}`);
  }
  const rows = header ? records.slice(1) : records;
  const labelOf = new Map<string, string>();
  if (byId) {
    rows.forEach((r, i) => {
      if (r.length <= col) throw new DataError(`${at}: row ${i + 1} has ${r.length} fields, expected at least ${col + 1}`);
      labelOf.set(r[0], r[col]);
    });
  } else if (rows.length !== ds.n) {
    throw new DataError(`${at}: ${rows.length} labels for ${ds.n} rows${ds.rowNames ? "" : " (without row ids the labels are joined by order)"}`);
  }
  const cells = Array.from({ length: ds.n }, (_, i) => {
    if (!byId) return rows[i][col];
    const id = ds.rowNames![i];
    const l = labelOf.get(id);
    if (l === undefined) throw new DataError(`${at}: no label for row ${i + 1} (${JSON.stringify(id)})`);
    return l;
  });
  const integers = cells.every((c) => c === "" || /^-?\d+$/.test(c));
  const names = new Map<string, number>();
  ds.labels = Int32Array.from(cells, (c) => {
    if (c === "" || c === "NA" || c === "nan") return -1;
    if (integers) return Number(c);
    if (!names.has(c)) names.set(c, names.size);
    return names.get(c)!;
  });
  if (!integers) ds.labelNames = [...names.keys()];
  ds.meta.labelFile = path;
}
