/**
 * `results.csv`: the rows of `results.json` flattened (DESIGN §7).
 */
import type { ResultRow } from "./types.js";
import { sortMetrics } from "./metrics.js";

const TRAIN_KEYS = ["epochs", "steps", "msPerStep", "seconds", "peakRssMb", "backend"];

/** Quotes one CSV field per RFC 4180 when it holds a comma, a quote, CR or LF. */
export function csvField(value: unknown): string {
  const s = value === undefined || value === null ? "" : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Flattens result rows to CSV (RFC 4180, CRLF line ends, header first): `model`, `data`,
 * `seed`, `fold` (when a row has one), one column per metric (`metrics.x` → `x`; empty where the metric is absent), one per
 * training field (`train.x` → `train_x`), and `config` as a JSON string.
 *
 * @example
 * ```ts
 * await writeFile("results.csv", resultsCsv(rows));
 * ```
 */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const metrics = sortMetrics(rows.flatMap((r) => Object.keys(r.metrics ?? {})));
  const extraTrain = [
    ...new Set(rows.flatMap((r) => Object.keys(r.train ?? {}).filter((k) => !TRAIN_KEYS.includes(k)))),
  ].sort();
  const trainKeys = [...TRAIN_KEYS, ...extraTrain];
  // a fold column only when some row was fitted with --folds (other files keep their columns)
  const folds = rows.some((r) => r.fold !== undefined);
  const header = ["model", "data", "seed", ...(folds ? ["fold"] : []), ...metrics, ...trainKeys.map((k) => `train_${k}`), "config"];
  const lines = [header.map(csvField).join(",")];
  for (const r of rows) {
    const train = (r.train ?? {}) as unknown as Record<string, unknown>;
    const fields: unknown[] = [
      r.model,
      r.data,
      r.seed,
      ...(folds ? [r.fold] : []),
      ...metrics.map((m) => r.metrics?.[m]),
      ...trainKeys.map((k) => train[k]),
      JSON.stringify(r.config ?? {}),
    ];
    lines.push(fields.map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
