/** results.json / results.csv writing (atomic, merging by (model, data, seed)). */
import { writeFileSync, mkdirSync, existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { resultsCsv, type ResultRow } from "@sparse-dgm/viz";
import { degenerateRows } from "@sparse-dgm/metrics";

/** Writes a file through a temporary file and a rename, so readers never see half a file. */
export function atomicWrite(path: string, text: string): void {
  // a temporary name unique to this process and call, so concurrent writers never share one
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** What identifies a result row: its model, data source, seed and fold (with `--folds`; one row each in results.json). */
export function rowKey(r: Pick<ResultRow, "model" | "data" | "seed" | "fold">): string {
  return `${r.model}|${r.data}|${r.seed}${r.fold === undefined ? "" : `|fold${r.fold}`}`;
}

/**
 * Merges rows into `<out>/results.json` (a row of the same model, data and seed is replaced in
 * place; new rows are appended, then all are sorted by `order` when given, a stable sort) and
 * rewrites results.csv. Returns the rows as written.
 */
export function writeResults(out: string, rows: ResultRow[], order?: (a: ResultRow, b: ResultRow) => number): ResultRow[] {
  mkdirSync(out, { recursive: true });
  const path = join(out, "results.json");
  const old: ResultRow[] = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : [];
  // a re-fitted row replaces the saved one where it stands (the report keeps its order); new rows go last
  const fresh = new Map(rows.map((r) => [rowKey(r), r]));
  const saved = new Set(old.map(rowKey));
  const merged = [...old.map((r) => fresh.get(rowKey(r)) ?? r), ...rows.filter((r) => !saved.has(rowKey(r)))];
  if (order) merged.sort(order);
  atomicWrite(path, JSON.stringify(merged, null, 2));
  atomicWrite(join(out, "results.csv"), resultsCsv(merged));
  return merged;
}

/**
 * One warning line per row whose binary code is degenerate (collapsed, one fixed set, mostly
 * empty, or nearly fixed), so it is never read as a perfect score; it says whether the Jaccard scores were dropped
 * or kept.
 */
export function degenerateWarnings(rows: readonly ResultRow[]): string[] {
  return degenerateRows(rows).map(({ row: r, why, jaccard }) => {
    const scores =
      jaccard === "not reported"
        ? "; withinClassJaccard and betweenClassJaccard are not reported"
        : jaccard === "kept"
          ? "; withinClassJaccard and betweenClassJaccard are kept but overstate how consistent the codes are"
          : "";
    return `warning: ${r.model} on ${r.data}, seed ${r.seed}: code ${why}${scores}`;
  });
}
