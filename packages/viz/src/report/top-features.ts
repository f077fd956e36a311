/**
 * The report's "Top features per factor" tables: for each (model, data source), one run's factors
 * (the lowest fold and seed that has them), each with its top features by name, its NPMI, whether
 * its code is active, and the run's coherence against the random baseline.
 */
import type { ResultRow } from "./types.js";
import { formatNumber } from "./metrics.js";
import { escapeHtml as esc } from "./html.js";

/** The run whose top features are shown for (model, data): the lowest fold, then seed. */
export function topFeaturesRun(rows: readonly ResultRow[], model: string, data: string): ResultRow | undefined {
  return rows
    .filter((r) => r.model === model && r.data === data && r.topFeatures)
    .sort((a, b) => (a.fold ?? -1) - (b.fold ?? -1) || a.seed - b.seed)[0];
}

/** The table of one run (HTML). Active factors first, then by NPMI. */
export function topFeaturesHtml(row: ResultRow): string {
  const t = row.topFeatures!;
  const factors = [...t.factors].sort((a, b) => Number(b.active ?? true) - Number(a.active ?? true) || (b.npmi ?? -2) - (a.npmi ?? -2) || a.factor - b.factor);
  const hasNpmi = factors.some((f) => f.npmi !== undefined);
  let html = `<p class="note">Seed ${row.seed}${row.fold !== undefined ? `, fold ${row.fold}` : ""}. The ${t.k} features whose expected value rises most when the factor's code moves two prior SDs (in the direction shown) from 0.`;
  if (t.coherence !== undefined) html += ` topicCoherence (mean NPMI) <strong>${esc(formatNumber(t.coherence))}</strong>`;
  if (t.randomCoherence !== undefined) html += `; random ${t.k}-feature sets drawn by document frequency: ${esc(formatNumber(t.randomCoherence))}`;
  html += `${t.coherence !== undefined ? "." : ""}</p><div class="table-wrap"><table class="top-features" data-model="${esc(row.model)}" data-data="${esc(row.data)}"><thead><tr><th scope="col">factor</th><th scope="col">active</th>${hasNpmi ? `<th scope="col">NPMI</th>` : ""}<th scope="col" class="text">top features</th></tr></thead><tbody>`;
  for (const f of factors) {
    html += `<tr><td class="num">z ${f.factor + 1} ${f.direction > 0 ? "+" : "−"}</td><td class="num">${f.active === undefined ? "" : f.active ? "yes" : "no"}</td>${hasNpmi ? `<td class="num">${f.npmi === undefined ? "—" : esc(formatNumber(f.npmi))}</td>` : ""}<td class="text features">${f.features.map(esc).join(", ")}</td></tr>`;
  }
  return html + `</tbody></table></div>`;
}
