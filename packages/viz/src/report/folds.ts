/**
 * The fold summary of a cross-validated comparison (`--folds K`): per model and metric the mean
 * and SD over folds (and seeds), and, for each pair of models, the paired per-fold differences
 * (the same fold and seed fitted by both): their mean ± SD and in how many folds the first model is
 * better. Used by the report and by `sdgm fit/compare`'s terminal summary.
 */
import type { ResultRow } from "./types.js";
import { directionArrow, formatNumber, reportDirection, sortMetrics } from "./metrics.js";
import { escapeHtml as esc } from "./html.js";

/** Mean and SD (n − 1 in the denominator; 0 for one value) of finite values. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** One model's metric over the folds. */
export interface FoldStat {
  model: string;
  metric: string;
  mean: number;
  sd: number;
  /** Rows (folds × seeds) with a value. */
  n: number;
}

/** Paired differences a − b of one metric over the folds (and seeds) both models have. */
export interface PairedDifference {
  metric: string;
  a: string;
  b: string;
  mean: number;
  sd: number;
  n: number;
  /** Folds where a is better than b (by the metric's direction); `undefined` for a metric with no direction. */
  aBetter: number | undefined;
}

/** The fold summary of one data source. */
export interface FoldSummary {
  data: string;
  folds: number[];
  models: string[];
  metrics: string[];
  stats: FoldStat[];
  pairs: PairedDifference[];
}

/**
 * The fold summary of every data source whose rows have folds.
 *
 * @example
 * ```ts
 * const [s] = foldSummaries(rows);
 * s.pairs.find((p) => p.metric === "ndcgAt10"); // { a: "sparseVae", b: "vae", mean: 0.021, sd: 0.008, n: 5, aBetter: 5 }
 * ```
 */
export function foldSummaries(rows: readonly ResultRow[]): FoldSummary[] {
  const folded = rows.filter((r) => r.fold !== undefined);
  const sources = [...new Set(folded.map((r) => r.data))];
  return sources.map((data) => {
    const dRows = folded.filter((r) => r.data === data);
    const models = [...new Set(dRows.map((r) => r.model))];
    const metrics = sortMetrics(dRows.flatMap((r) => Object.keys(r.metrics ?? {})));
    const stats: FoldStat[] = [];
    for (const model of models) {
      for (const metric of metrics) {
        const vals = dRows.filter((r) => r.model === model).map((r) => r.metrics?.[metric]).filter((v): v is number => typeof v === "number");
        if (vals.length) stats.push({ model, metric, ...meanSd(vals) });
      }
    }
    const pairs: PairedDifference[] = [];
    const key = (r: ResultRow) => `${r.fold}|${r.seed}`;
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        const a = new Map(dRows.filter((r) => r.model === models[i]).map((r) => [key(r), r]));
        const b = dRows.filter((r) => r.model === models[j]);
        for (const metric of metrics) {
          const diffs: number[] = [];
          const direction = reportDirection(metric);
          let aBetter = 0;
          for (const rb of b) {
            const ra = a.get(key(rb));
            const va = ra?.metrics?.[metric];
            const vb = rb.metrics?.[metric];
            if (typeof va !== "number" || typeof vb !== "number" || !Number.isFinite(va) || !Number.isFinite(vb)) continue;
            diffs.push(va - vb);
            if (direction === "lower" ? va < vb : va > vb) aBetter++;
          }
          if (diffs.length) pairs.push({ metric, a: models[i], b: models[j], ...meanSd(diffs), aBetter: direction === undefined ? undefined : aBetter });
        }
      }
    }
    return { data, folds: [...new Set(dRows.map((r) => r.fold!))].sort((x, y) => x - y), models, metrics, stats, pairs };
  });
}

const pm = (mean: number, sd: number) => `${formatNumber(mean)} ± ${formatNumber(sd)}`;

/**
 * The fold summary as plain text for the terminal: one line per model and metric, one per pair.
 *
 * @example
 * ```ts
 * process.stdout.write(formatFoldSummaries(foldSummaries(rows), ["recallAt5", "ndcgAt10", "heldoutNll"]));
 * ```
 */
export function formatFoldSummaries(summaries: readonly FoldSummary[], only?: readonly string[]): string {
  const lines: string[] = [];
  for (const s of summaries) {
    const metrics = only ? s.metrics.filter((m) => only.includes(m)) : s.metrics;
    lines.push(`folds ${s.folds.join(",")} on ${s.data}: mean ± SD over folds`);
    for (const m of s.models) {
      const parts = metrics.flatMap((metric) => {
        const st = s.stats.find((x) => x.model === m && x.metric === metric);
        return st ? [`${metric} ${pm(st.mean, st.sd)}`] : [];
      });
      lines.push(`  ${m}: ${parts.join(", ")}`);
    }
    for (const p of s.pairs.filter((p) => metrics.includes(p.metric))) {
      lines.push(`  ${p.a} − ${p.b} ${p.metric}: ${pm(p.mean, p.sd)}${p.aBetter === undefined ? ` (n ${p.n})` : ` (${p.a} better in ${p.aBetter} of ${p.n})`}`);
    }
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** The report's fold summary tables of one data source (HTML). */
export function foldSummaryHtml(s: FoldSummary): string {
  const arrow = (m: string) => directionArrow(reportDirection(m));
  let html = `<div class="table-wrap"><table class="folds" data-data="${esc(s.data)}"><thead><tr><th scope="col" class="rowhead">model</th><th scope="col">rows</th>`;
  for (const m of s.metrics) html += `<th scope="col" title="${esc(m)}">${esc(m).replace(/([a-z0-9])(?=[A-Z])/g, "$1<wbr>")}&nbsp;<span class="dir">${arrow(m)}</span></th>`;
  html += `</tr></thead><tbody>`;
  for (const model of s.models) {
    const n = Math.max(0, ...s.stats.filter((x) => x.model === model).map((x) => x.n));
    html += `<tr><th scope="row" class="rowhead">${esc(model)}</th><td class="num">${n}</td>`;
    for (const m of s.metrics) {
      const st = s.stats.find((x) => x.model === model && x.metric === m);
      html += st
        ? `<td class="num" data-model="${esc(model)}" data-metric="${esc(m)}"><span class="med">${esc(formatNumber(st.mean))}</span><span class="spread">± ${esc(formatNumber(st.sd))}</span></td>`
        : `<td class="num absent">—</td>`;
    }
    html += `</tr>`;
  }
  html += `</tbody></table></div>`;
  if (s.pairs.length) {
    html += `<h4>Paired differences per fold</h4><div class="table-wrap"><table class="paired" data-data="${esc(s.data)}"><thead><tr><th scope="col" class="text">metric</th><th scope="col" class="text">pair</th><th scope="col">mean ± SD of the difference</th><th scope="col">first better</th></tr></thead><tbody>`;
    for (const p of s.pairs) {
      html += `<tr><td class="text">${esc(p.metric)} <span class="dir">${arrow(p.metric)}</span></td><td class="text">${esc(p.a)} − ${esc(p.b)}</td><td class="num">${esc(pm(p.mean, p.sd))}</td><td class="num">${p.aBetter === undefined ? "—" : `${p.aBetter} of ${p.n}`}</td></tr>`;
    }
    html += `</tbody></table></div>`;
  }
  return html;
}
