/**
 * The comparison report (`index.html`, DESIGN §7): one self-contained HTML file, plots inline
 * as SVG, no scripts, no external assets; opens offline.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ReportInput, ResultRow, RunArtifacts } from "./types.js";
import { escapeHtml as esc, inlineSvg } from "./html.js";
import { directionArrow, formatNumber, reportDirection, sortMetrics, summarize, type MetricDirection, type Summary } from "./metrics.js";
import { activityHeatmapSpec, factorCorrHeatmapSpec, levelConfusionHeatmapSpec, maskHeatmapSpec, metricBoxplotSpec, structureMaskHeatmapSpec, trainingCurvesSpec } from "./specs.js";
import { renderSpecToSvg } from "./svg.js";
import { resultsCsv } from "./csv.js";
import { degenerateRows } from "@sparse-dgm/metrics";
import { foldSummaries, foldSummaryHtml } from "./folds.js";
import { topFeaturesHtml, topFeaturesRun } from "./top-features.js";

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  /**
   * Overrides of the column directions; by default {@link reportDirection}: the metrics registry's
   * `higherIsBetter` (and the run-cost columns'), no direction for a metric it does not give one.
   */
  directions?: Record<string, MetricDirection>;
  /** Renders a Vega-Lite spec to SVG (default {@link renderSpecToSvg}). */
  renderSpec?: (spec: TopLevelSpec) => Promise<string>;
}

/** The columns of the comparison table that come from `train` rather than `metrics`. */
const TIMING_COLUMNS: Array<{ key: "msPerStep" | "seconds"; label: string }> = [
  { key: "msPerStep", label: "ms/step" },
  { key: "seconds", label: "seconds" },
];

/**
 * Config keys that describe how a row was trained and evaluated (beside its architecture), in the
 * order shown: the likelihood, warm-ups, relaxation schedules, the code's coupling and inference at
 * evaluation (`refine`), the mask's start, scaling and learning rate, the objective's scaling, the
 * run. The full config of each row is in results.json and the report's last section.
 */
const RECIPE_KEYS = [
  "likelihood",
  "variant",
  "klWarmupSteps",
  "priorWarmupSteps",
  "warmupStartSteps",
  "warmupEndSteps",
  "classWarmupSteps",
  "sharpness",
  "temperature",
  "straightThrough",
  "levelPrior",
  "indexFromSlab",
  "levelFromSlab",
  "levelThreshold",
  "hardness",
  "refine",
  "spikeHead",
  "alpha",
  "classWeight",
  "form",
  "maskInit",
  "scaleIn",
  "encoderInput",
  "priorNormalisation",
  "klNormalisation",
  "maskLearningRate",
  "normalisation",
  "epochs",
  "batchSize",
  "learningRate",
];

/**
 * A row's training recipe in one line: the likelihood, warm-ups, relaxation schedules, scaling and
 * run length from its config (keys it does not have are left out).
 *
 * @example
 * ```ts
 * recipeOf({ likelihood: "gaussian", klWarmupSteps: 600, normalisation: "reference", epochs: 200 });
 * // "likelihood gaussian, klWarmupSteps 600, normalisation reference, epochs 200"
 * ```
 */
export function recipeOf(config: Record<string, unknown>): string {
  const show = (v: unknown): string => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
  const parts = RECIPE_KEYS.filter((k) => config[k] !== undefined).map((k) => `${k} ${show(config[k])}`);
  return parts.length ? parts.join(", ") : "not recorded";
}

function uniq<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) ?? String(x);
  } catch {
    return String(x);
  }
}

/** The run chosen to show a per-run plot for a (model, data), and why. */
export interface RepresentativeRun {
  seed: number;
  /** The run's fold (rows fitted with `--folds`). */
  fold?: number;
  /** A sentence saying which seed (and fold) and why. */
  reason: string;
}

/** A run's name in the report: `seed 2`, or `seed 2 fold 1` for a fold's row. */
const runName = (r: { seed: number; fold?: number }) => `seed ${r.seed}${r.fold !== undefined ? ` fold ${r.fold}` : ""}`;

/**
 * Picks the representative run among `runs` (seeds, or seeds and folds with `--folds`) of
 * (model, data): the run with the median `heldoutMse` (the lower median for an even count;
 * `heldoutMseMean` when `heldoutMse` is absent, the first run when neither is present). Plain
 * seed numbers are runs without a fold.
 */
export function representativeSeed(
  rows: readonly ResultRow[],
  model: string,
  data: string,
  runs: ReadonlyArray<number | { seed: number; fold?: number }>,
): RepresentativeRun {
  type Run = { seed: number; fold?: number };
  const key = (r: Run) => `${r.seed}/${r.fold ?? ""}`;
  const order = (a: Run, b: Run) => a.seed - b.seed || (a.fold ?? -1) - (b.fold ?? -1);
  const sorted: Run[] = runs.map((r) => (typeof r === "number" ? { seed: r } : { seed: r.seed, ...(r.fold !== undefined ? { fold: r.fold } : {}) })).sort(order);
  const wanted = new Set(sorted.map(key));
  const mine = rows.filter((r) => r.model === model && r.data === data && wanted.has(key(r)));
  const what = sorted.some((r) => r.fold !== undefined) ? "run" : "seed";
  for (const metric of ["heldoutMse", "heldoutMseMean"]) {
    const scored = mine
      .filter((r) => Number.isFinite(r.metrics?.[metric]))
      .map((r) => ({ run: { seed: r.seed, ...(r.fold !== undefined ? { fold: r.fold } : {}) } as Run, v: r.metrics[metric] }))
      .sort((a, b) => a.v - b.v || order(a.run, b.run));
    if (scored.length > 0) {
      const pick = scored[Math.floor((scored.length - 1) / 2)];
      const all = scored
        .slice()
        .sort((a, b) => order(a.run, b.run))
        .map((s) => `${what === "run" ? runName(s.run) : s.run.seed}: ${formatNumber(s.v)}`)
        .join(", ");
      return {
        ...pick.run,
        reason:
          scored.length === 1
            ? `${runName(pick.run)} (the only ${what} with this plot; ${metric} ${formatNumber(pick.v)})`
            : `${runName(pick.run)}, the median-${metric} ${what} (${metric} by ${what}: ${all})`,
      };
    }
  }
  const first = sorted[0];
  return { ...first, reason: `${runName(first)} (no heldoutMse to choose by; the smallest ${what === "seed" ? "seed" : "seed and fold"})` };
}

interface Section {
  id: string;
  title: string;
  subs: Array<{ id: string; title: string }>;
  html: string;
}

/**
 * Renders the comparison report: the comparison table (median and spread across seeds, best
 * per column marked), metric boxplots, training curves per objective term, learned W / p*
 * against the truth, latent activity, codes against the true factors, model graphs, data
 * descriptions, configuration, machine
 * and per-run timing. Returns the HTML of one self-contained page.
 *
 * @example
 * ```ts
 * await writeFile(join(out, "index.html"), await renderReport({ title, generatedAt, rows, artifacts, graphs, data, config }));
 * ```
 */
export async function renderReport(input: ReportInput, opts: RenderReportOptions = {}): Promise<string> {
  const render = opts.renderSpec ?? renderSpecToSvg;
  const dir = (m: string) => reportDirection(m, opts.directions);
  const rows = input.rows ?? [];
  const artifacts = input.artifacts ?? [];
  const usedIds = new Set<string>();
  const anchor = (text: string): string => {
    const base = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48) || "s";
    let id = base;
    for (let i = 2; usedIds.has(id); i++) id = `${base}-${i}`;
    usedIds.add(id);
    return id;
  };
  let svgIndex = 0;
  const plot = async (spec: TopLevelSpec, caption?: string): Promise<string> => {
    try {
      const svg = inlineSvg(await render(spec), `v${++svgIndex}`);
      return `<figure class="plot">${svg}${caption ? `<figcaption>${caption}</figcaption>` : ""}</figure>`;
    } catch (e) {
      return `<p class="error">This plot could not be rendered: ${esc((e as Error).message ?? e)}</p>`;
    }
  };

  const dataSources = uniq([...rows.map((r) => r.data), ...artifacts.map((a) => a.data)]);
  const allModels = uniq([...rows.map((r) => r.model), ...artifacts.map((a) => a.model)]);
  const modelsOf = (data: string) =>
    allModels.filter((m) => rows.some((r) => r.model === m && r.data === data) || artifacts.some((a) => a.model === m && a.data === data));
  const artifactsOf = (model: string, data: string) =>
    artifacts.filter((a) => a.model === model && a.data === data).sort((a, b) => a.seed - b.seed);
  const sections: Section[] = [];

  // 1. Comparison table.
  {
    const subs: Section["subs"] = [];
    let html =
      `<p class="note">Each cell: the <strong>median</strong> across seeds (with <code>--folds</code>, across every seed and fold: the fold summary below gives mean ± SD over folds), below it the spread ` +
      `(<abbr title="interquartile range">IQR</abbr> with 4 or more seeds, min–max with fewer). ` +
      `↓ lower is better, ↑ higher is better; the best median of each column is ` +
      `<strong>bold</strong> and marked <span class="mark">★</span>. A column without an arrow has no better end ` +
      `(e.g. <code>meanActiveSize</code>) or no known direction, and no ★. A model with a degenerate code ` +
      `(named under the table) gets no ★ in any column. ` +
      `“—” means the metric does not apply to that model.</p>`;
    for (const data of dataSources) {
      const dRows = rows.filter((r) => r.data === data);
      if (dRows.length === 0) continue;
      const id = anchor(`table ${data}`);
      subs.push({ id, title: data });
      const models = modelsOf(data).filter((m) => dRows.some((r) => r.model === m));
      const metricCols = sortMetrics(dRows.flatMap((r) => Object.keys(r.metrics ?? {})));
      const cols = [
        ...metricCols.map((m) => ({ key: m, label: m, get: (r: ResultRow) => r.metrics?.[m] })),
        ...TIMING_COLUMNS.map((c) => ({ key: c.key, label: c.label, get: (r: ResultRow) => r.train?.[c.key] })),
      ];
      const summaries = new Map<string, Summary | undefined>();
      const present = new Map<string, boolean>();
      for (const m of models) {
        const mRows = dRows.filter((r) => r.model === m);
        for (const c of cols) {
          const vals = mRows.map(c.get).filter((v): v is number => typeof v === "number");
          present.set(`${m}\u0000${c.key}`, vals.length > 0);
          summaries.set(`${m}\u0000${c.key}`, summarize(vals));
        }
      }
      // A degenerate code (collapsed, one fixed set, ...) is never "best": its empty or fixed code
      // scores extreme values of the code metrics and noisy ones of the disentanglement scores.
      const degenerate = degenerateRows(dRows);
      const degenerateModels = new Set(degenerate.map((d) => d.row.model));
      const best = new Map<string, Set<string>>();
      for (const c of cols) {
        const d = dir(c.key);
        if (d === undefined) continue;
        const withValue = models
          .map((m) => ({ m, s: summaries.get(`${m}\u0000${c.key}`) }))
          .filter((x): x is { m: string; s: Summary } => x.s !== undefined);
        const scored = withValue.filter((x) => !degenerateModels.has(x.m));
        if (withValue.length < 2 || scored.length === 0) continue;
        const sign = d === "lower" ? 1 : -1;
        const top = Math.min(...scored.map((x) => sign * x.s.median));
        const tol = 1e-12 * Math.max(1, Math.abs(top));
        best.set(c.key, new Set(scored.filter((x) => sign * x.s.median - top <= tol).map((x) => x.m)));
      }
      // with --folds a cell pools every (seed, fold) run: the column counts runs, not seeds
      const folded = dRows.some((r) => r.fold !== undefined);
      const seedsOf = (m: string) => (folded ? dRows.filter((r) => r.model === m).length : uniq(dRows.filter((r) => r.model === m).map((r) => r.seed)).length);
      html += `<h3 id="${id}">${esc(data)}</h3>`;
      html += `<div class="table-wrap"><table class="comparison" data-data="${esc(data)}"><thead><tr><th scope="col" class="rowhead">model</th><th scope="col"${folded ? ` title="runs: seeds × folds"` : ""}>${folded ? "runs" : "seeds"}</th>`;
      for (const c of cols) {
        const d = dir(c.key);
        const label = esc(c.label).replace(/([a-z0-9])(?=[A-Z])/g, "$1<wbr>");
        html +=
          d === undefined
            ? `<th scope="col" title="${esc(c.key)}: no better direction">${label}</th>`
            : `<th scope="col" title="${esc(c.key)}: ${d} is better">${label}&nbsp;<span class="dir">${directionArrow(d)}</span></th>`;
      }
      html += `</tr></thead><tbody>`;
      for (const m of models) {
        html += `<tr><th scope="row" class="rowhead">${esc(m)}</th><td class="num">${seedsOf(m)}</td>`;
        for (const c of cols) {
          const s = summaries.get(`${m}\u0000${c.key}`);
          const attrs = `data-model="${esc(m)}" data-metric="${esc(c.key)}"`;
          if (!s) {
            const label = present.get(`${m}\u0000${c.key}`) ? "n/a" : "—";
            html += `<td class="num absent" ${attrs} title="${label === "—" ? "not applicable" : "no finite value"}">${label}</td>`;
            continue;
          }
          const isBest = best.get(c.key)?.has(m) ?? false;
          const med = esc(formatNumber(s.median));
          const spread =
            s.n > 1
              ? `<span class="spread">${s.spread === "iqr" ? "IQR " : ""}${esc(formatNumber(s.lo))} – ${esc(formatNumber(s.hi))}</span>`
              : `<span class="spread">1 seed</span>`;
          html += isBest
            ? `<td class="num best" ${attrs}><span class="med"><strong>${med}</strong><span class="mark" title="best in column">★</span></span>${spread}</td>`
            : `<td class="num" ${attrs}><span class="med">${med}</span>${spread}</td>`;
        }
        html += `</tr>`;
      }
      html += `</tbody></table></div>`;
      // Which training recipe each row used (fair baselines: warm-ups, likelihood, scaling, run length).
      html += `<ul class="recipes" data-data="${esc(data)}">${models.map((m) => `<li><strong>${esc(m)}</strong>: ${esc(recipeOf(dRows.find((r) => r.model === m)?.config ?? {}))}</li>`).join("")}</ul>`;
      // Degenerate binary codes are named, never left as a blank or read as a perfect Jaccard score.
      const named = (d: typeof degenerate) => d.map(({ row: r, why }) => `${esc(r.model)} seed ${r.seed}: code ${esc(why)}`).join("; ");
      const dropped = degenerate.filter((d) => d.jaccard === "not reported");
      const kept = degenerate.filter((d) => d.jaccard === "kept");
      const other = degenerate.filter((d) => d.jaccard === undefined);
      if (dropped.length) html += `<p class="warn" data-data="${esc(data)}">Degenerate codes (Jaccard scores not reported): ${named(dropped)}.</p>`;
      if (kept.length) html += `<p class="warn" data-data="${esc(data)}">Degenerate codes (Jaccard scores shown, but flagged): ${named(kept)}.</p>`;
      if (other.length) html += `<p class="warn" data-data="${esc(data)}">Degenerate codes: ${named(other)}.</p>`;
    }
    if (subs.length === 0) html += `<p class="empty">No results.</p>`;
    // Runs whose trainer skipped non-finite steps: named, with the first skipped step.
    const skipped = rows.filter((r) => (r.train?.skippedSteps ?? 0) > 0);
    if (skipped.length) {
      html +=
        `<p class="warn" id="skipped-steps">Runs that skipped non-finite steps: ` +
        skipped.map((r) => `${esc(r.model)} on <code>${esc(r.data)}</code> seed ${r.seed}${r.fold === undefined ? "" : `, fold ${r.fold}`}: ${r.train.skippedSteps} of ${r.train.steps} steps (first: ${esc(r.train.firstSkipped ?? "?")})`).join("; ") +
        `.</p>`;
    }
    sections.push({ id: anchor("comparison"), title: "Comparison", subs, html });
  }

  // 1b. Failed runs: no row, listed with their error.
  const failed = input.failed ?? [];
  if (failed.length) {
    let html = `<p class="warn">${failed.length} run${failed.length === 1 ? "" : "s"} did not train as asked and ${failed.length === 1 ? "has" : "have"} no row in the tables above (or in results.json / results.csv). Re-running the comparison tries ${failed.length === 1 ? "it" : "them"} again.</p>`;
    html += `<div class="table-wrap"><table class="failed"><thead><tr><th scope="col">model</th><th scope="col">data</th><th scope="col">seed</th><th scope="col">error</th><th scope="col">when</th></tr></thead><tbody>`;
    for (const f of failed) {
      html +=
        `<tr class="failed" data-model="${esc(f.model)}" data-data="${esc(f.data)}" data-seed="${esc(f.seed)}"><td class="text">${esc(f.model)}</td><td class="text"><code>${esc(f.data)}</code></td>` +
        `<td class="num">${esc(f.seed)}${f.fold === undefined ? "" : ` (fold ${esc(f.fold)})`}</td><td class="text">failed: ${esc(f.error)}</td><td class="text">${esc(f.at ?? "")}${f.host ? ` on ${esc(f.host)}` : ""}</td></tr>`;
    }
    html += `</tbody></table></div>`;
    sections.push({ id: anchor("failed runs"), title: "Failed runs", subs: [], html });
  }

  // 1c. Folds: mean ± SD over folds and paired per-fold differences between models.
  {
    const summaries = foldSummaries(rows);
    if (summaries.length) {
      const subs: Section["subs"] = [];
      let html = `<p class="note">Rows fitted with <code>--folds</code>: each cell is the <strong>mean ± SD</strong> (n − 1) over folds (and seeds); the paired differences compare two models on the same fold and seed. ↓ lower is better, ↑ higher is better, no arrow: no better end or no known direction.</p>`;
      for (const s of summaries) {
        const id = anchor(`folds ${s.data}`);
        subs.push({ id, title: s.data });
        html += `<h3 id="${id}">${esc(s.data)} <span class="muted">(folds ${s.folds.join(", ")})</span></h3>` + foldSummaryHtml(s);
      }
      sections.push({ id: anchor("fold summary"), title: "Fold summary", subs, html });
    }
  }

  // 1d. Top features per factor (data with feature names).
  {
    const subs: Section["subs"] = [];
    let html = "";
    for (const data of dataSources) {
      for (const m of modelsOf(data)) {
        const run = topFeaturesRun(rows, m, data);
        if (!run) continue;
        const id = anchor(`top features ${m} ${data}`);
        subs.push({ id, title: `${m} · ${data}` });
        html += `<h3 id="${id}">${esc(m)} <span class="muted">on ${esc(data)}</span></h3>` + topFeaturesHtml(run);
      }
    }
    if (subs.length) sections.push({ id: anchor("top features per factor"), title: "Top features per factor", subs, html });
  }

  // 2. Boxplots.
  {
    const subs: Section["subs"] = [];
    let html = `<p class="note">Each metric across seeds: one box per model (whiskers min–max), every seed a point; ↓ lower is better, ↑ higher is better, no arrow: no better end or no known direction.</p>`;
    for (const data of dataSources) {
      const dRows = rows.filter((r) => r.data === data);
      if (!dRows.some((r) => Object.values(r.metrics ?? {}).some((v) => Number.isFinite(v)))) continue;
      const id = anchor(`boxplots ${data}`);
      subs.push({ id, title: data });
      const models = modelsOf(data).filter((m) => dRows.some((r) => r.model === m));
      html += `<h3 id="${id}">${esc(data)}</h3>` + (await plot(metricBoxplotSpec(dRows, { models })));
    }
    if (subs.length === 0) html += `<p class="empty">No metrics.</p>`;
    sections.push({ id: anchor("metrics across seeds"), title: "Metrics across seeds", subs, html });
  }

  // 3. Training curves.
  {
    const subs: Section["subs"] = [];
    let html =
      `<p class="note">Per objective term: a light line per seed, the bold line is the mean across seeds; ` +
      `log-scale y where every value of the term is positive. Dashed grey panels are schedule weights.</p>`;
    for (const data of dataSources) {
      const models = modelsOf(data).filter((m) =>
        artifactsOf(m, data).some((a) => Object.keys(a.curves ?? {}).length + Object.keys(a.weights ?? {}).length > 0),
      );
      if (models.length === 0) continue;
      const id = anchor(`curves ${data}`);
      subs.push({ id, title: data });
      html += `<h3 id="${id}">${esc(data)}</h3>`;
      for (const m of models) {
        const arts = artifactsOf(m, data).filter((a) => a.curves || a.weights);
        html += `<h4>${esc(m)} <span class="muted">· ${arts.some((a) => a.fold !== undefined) ? `runs ${esc(arts.map((a) => `s${a.seed}${a.fold !== undefined ? ` f${a.fold}` : ""}`).join(", "))}` : `seeds ${esc(arts.map((a) => a.seed).join(", "))}`}</span></h4>`;
        html += await plot(trainingCurvesSpec(arts));
      }
    }
    if (subs.length === 0) html += `<p class="empty">No training curves were recorded.</p>`;
    sections.push({ id: anchor("training curves"), title: "Training curves", subs, html });
  }

  // 4. Global masks.
  {
    const subs: Section["subs"] = [];
    let html =
      `<p class="note">The learned global mask W and its inclusion probabilities p* beside the true mask ` +
      `(features × factors, columns aligned to the truth where possible), for one representative seed per model. ` +
      `W: diverging scale centred at 0; p*: 0–1.</p>`;
    for (const data of dataSources) {
      const models = modelsOf(data).filter((m) => artifactsOf(m, data).some((a) => a.W || a.pstar));
      if (models.length === 0) continue;
      const id = anchor(`masks ${data}`);
      subs.push({ id, title: data });
      html += `<h3 id="${id}">${esc(data)}</h3>`;
      for (const m of models) {
        const arts = artifactsOf(m, data).filter((a) => a.W || a.pstar);
        const rep = representativeSeed(rows, m, data, arts);
        const a = arts.find((x) => x.seed === rep.seed && x.fold === rep.fold) ?? arts[0];
        // The truth belongs to the data: borrow it from another run on the same data when this
        // run lacks it, provided it has as many features.
        const nFeatures = (a.W ?? a.pstar ?? []).length;
        const sameData = artifacts.filter((x) => x.data === data).sort((x, y) => Number(y.seed === a.seed) - Number(x.seed === a.seed));
        const truthW = a.truthW ?? sameData.find((x) => x.truthW && x.truthW.length === nFeatures)?.truthW;
        const featureNames =
          a.featureNames ?? sameData.find((x) => x.featureNames && x.featureNames.length === nFeatures)?.featureNames;
        html += `<h4>${esc(m)}</h4>`;
        html += await plot(
          maskHeatmapSpec({ ...a, truthW, featureNames }),
          `${esc(rep.reason)}.${truthW ? "" : " No true mask was given for this data."}`,
        );
      }
    }
    if (subs.length === 0) html += `<p class="empty">No model with a global mask.</p>`;
    sections.push({ id: anchor("global masks"), title: "Learned W and p* vs truth", subs, html });
  }

  /**
   * A section of one heatmap per (data, model): the representative seed's artefact among those
   * `has` accepts, drawn by `spec`, its seed choice said under it.
   */
  const perRunSection = async (o: {
    title: string;
    anchorPrefix: string;
    note: string;
    empty: string;
    has: (a: RunArtifacts) => boolean;
    spec: (a: RunArtifacts) => TopLevelSpec;
  }): Promise<void> => {
    const subs: Section["subs"] = [];
    let html = `<p class="note">${o.note}</p>`;
    for (const data of dataSources) {
      const models = modelsOf(data).filter((m) => artifactsOf(m, data).some(o.has));
      if (models.length === 0) continue;
      const id = anchor(`${o.anchorPrefix} ${data}`);
      subs.push({ id, title: data });
      html += `<h3 id="${id}">${esc(data)}</h3>`;
      for (const m of models) {
        const arts = artifactsOf(m, data).filter(o.has);
        const rep = representativeSeed(rows, m, data, arts);
        const a = arts.find((x) => x.seed === rep.seed && x.fold === rep.fold) ?? arts[0];
        html += `<h4>${esc(m)}</h4>`;
        html += await plot(o.spec(a), `${esc(rep.reason)}.`);
      }
    }
    if (subs.length === 0) html += `<p class="empty">${o.empty}</p>`;
    sections.push({ id: anchor(o.title.toLowerCase()), title: o.title, subs, html });
  };

  // 5. Local masks: latent activity.
  await perRunSection({
    title: "Latent activity",
    anchorPrefix: "activity",
    note:
      `Mean activity γ of the local mask on the held-out split per class (or, without labels, per test row) × latent, ` +
      `for one representative seed per model; 0–1 scale. With labels, beside it: the class × class mean Jaccard of the active sets ` +
      `(γ &gt; 0.5): classes that share active units form blocks (on Fashion-MNIST, tops and shoes). The diagonal is the within-class score; ` +
      `it is absent when every active set is empty or every point has the same one (flagged codes are listed under the comparison table).`,
    empty: "No model with a local mask.",
    has: (a) => Boolean(a.activity && a.activity.length > 0),
    spec: (a) => activityHeatmapSpec(a),
  });

  // 5b. Codes against the true factors.
  await perRunSection({
    title: "Sparsity level",
    anchorPrefix: "levels",
    note:
      `For data with known per-row levels L_i (synthetic:sparse-linear, synthetic:tags): the share of held-out rows of each true level ` +
      `whose code has 0, 1, 2, ... active units (γ &gt; 0.5; a capped code's predicted support), one representative seed per model. ` +
      `The diagonal is levelAccuracy; mass right of the cap is capViolations.`,
    empty: "No data with known levels.",
    has: (a) => Boolean(a.levelConfusion && a.levelConfusion.length > 0),
    spec: (a) => levelConfusionHeatmapSpec(a),
  });
  await perRunSection({
    title: "Codes vs true factors",
    anchorPrefix: "factors",
    note:
      `|corr| between each true factor of the data and each learned code (E[z | x]) on the held-out split, ` +
      `for one representative seed per model; codes ordered by the factor each tracks best, so an identified model ` +
      `shows one bright cell per factor (or a block per attribute), and MCC is the mean of the best matching. 0–1 scale.`,
    empty: "No data with true factors.",
    has: (a) => Boolean(a.factorCorr && a.factorCorr.length > 0),
    spec: (a) => factorCorrHeatmapSpec(a),
  });

  // Structure masks (group level).
  await perRunSection({
    title: "Structure masks vs truth",
    anchorPrefix: "structure",
    note:
      `The learned structure masks of structured models (A_out: which latent groups each view's decoder reads; A_in: which views ` +
      `each group's product-of-experts posterior reads) as inclusion probabilities beside the true masks, latent groups matched to the ` +
      `truth's, for one representative seed per model; an edge is a probability ≥ 0.5 (what edgeF1 scores). 0–1 scale.`,
    empty: "No structured model.",
    has: (a) => Boolean(a.structureMasks && a.structureMasks.length > 0),
    spec: (a) => structureMaskHeatmapSpec(a),
  });

  // 6. Model graphs.
  {
    const subs: Section["subs"] = [];
    let html = "";
    const graphs = input.graphs ?? {};
    for (const m of uniq([...allModels, ...Object.keys(graphs)])) {
      const id = anchor(`graph ${m}`);
      subs.push({ id, title: m });
      html += `<h3 id="${id}">${esc(m)}</h3>`;
      html += graphs[m]
        ? `<figure class="graph">${inlineSvg(graphs[m], `g${subs.length}`)}</figure>`
        : `<p class="empty">No graph was rendered for this model.</p>`;
    }
    if (subs.length === 0) html += `<p class="empty">No models.</p>`;
    sections.push({ id: anchor("model graphs"), title: "Model graphs", subs, html });
  }

  // 7. Data.
  {
    const subs: Section["subs"] = [];
    let html = "";
    for (const d of input.data ?? []) {
      const id = anchor(`data ${d.source}`);
      subs.push({ id, title: d.source });
      html += `<h3 id="${id}"><code>${esc(d.source)}</code></h3><pre>${esc(d.description)}</pre>`;
    }
    if (subs.length === 0) html += `<p class="empty">No data description.</p>`;
    sections.push({ id: anchor("data"), title: "Data", subs, html });
  }

  // 8. Runs and timing.
  {
    const sorted = [...rows].sort(
      (a, b) => dataSources.indexOf(a.data) - dataSources.indexOf(b.data) || allModels.indexOf(a.model) - allModels.indexOf(b.model) || a.seed - b.seed,
    );
    const num = (x: unknown) => (typeof x === "number" ? esc(formatNumber(x)) : "—");
    let html = `<div class="table-wrap"><table class="runs"><thead><tr>`;
    for (const h of ["model", "data", "seed", "epochs", "steps", "ms/step", "seconds", "peak RSS (MB)", "backend"]) {
      html += `<th scope="col"${h === "model" || h === "data" || h === "backend" ? ' class="text"' : ""}>${esc(h)}</th>`;
    }
    html += `</tr></thead><tbody>`;
    for (const r of sorted) {
      const t = r.train ?? ({} as ResultRow["train"]);
      html +=
        `<tr><td class="text">${esc(r.model)}</td><td class="text"><code>${esc(r.data)}</code></td><td class="num">${esc(r.seed)}</td>` +
        `<td class="num">${num(t.epochs)}</td><td class="num">${num(t.steps)}</td><td class="num">${num(t.msPerStep)}</td>` +
        `<td class="num">${num(t.seconds)}</td><td class="num">${num(t.peakRssMb)}</td><td class="text">${esc(t.backend ?? "—")}</td></tr>`;
    }
    const total = rows.reduce((s, r) => s + (Number.isFinite(r.train?.seconds) ? r.train.seconds : 0), 0);
    html += `</tbody></table></div><p class="note">${rows.length} runs, ${esc(formatNumber(total))} s of training in total.</p>`;
    sections.push({ id: anchor("runs"), title: "Runs and timing", subs: [], html });
  }

  // 9. Configuration and machine.
  {
    let html = `<h3>Comparison</h3><pre>${esc(safeJson(input.config ?? {}))}</pre>`;
    const perModel = new Map<string, Record<string, unknown>>();
    for (const r of rows) if (!perModel.has(`${r.model} · ${r.data}`)) perModel.set(`${r.model} · ${r.data}`, r.config ?? {});
    if (perModel.size > 0) {
      html += `<h3>Per model</h3>`;
      for (const [k, c] of perModel) {
        html += `<details><summary>${esc(k)}</summary><pre>${esc(safeJson(c))}</pre></details>`;
      }
    }
    if (input.machine && Object.keys(input.machine).length > 0) {
      html += `<h3>Machine</h3><table class="kv"><tbody>`;
      for (const [k, v] of Object.entries(input.machine)) {
        html += `<tr><th scope="row">${esc(k)}</th><td>${esc(typeof v === "string" ? v : safeJson(v))}</td></tr>`;
      }
      html += `</tbody></table>`;
    }
    sections.push({ id: anchor("configuration"), title: "Configuration and machine", subs: [], html });
  }

  const backends = uniq(rows.map((r) => r.train?.backend).filter((b): b is string => typeof b === "string"));
  const seeds = uniq(rows.map((r) => r.seed));
  const csvHref = `data:text/csv;charset=utf-8,${encodeURIComponent(resultsCsv(rows))}`;
  const toc =
    `<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>` +
    sections
      .map(
        (s) =>
          `<li><a href="#${s.id}">${esc(s.title)}</a>` +
          (s.subs.length > 0 && s.subs.length <= 12
            ? `<ul>${s.subs.map((x) => `<li><a href="#${x.id}">${esc(x.title)}</a></li>`).join("")}</ul>`
            : "") +
          `</li>`,
      )
      .join("") +
    `</ol></nav>`;
  const body = sections
    .map((s) => `<section id="${s.id}"><h2>${esc(s.title)} <a class="anchor" href="#${s.id}" aria-label="link to this section">#</a></h2>${s.html}</section>`)
    .join("\n");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="container">
<header class="page">
<h1>${esc(input.title)}</h1>
<p class="meta">Generated <time datetime="${esc(input.generatedAt)}">${esc(input.generatedAt)}</time> ·
${allModels.length} model${allModels.length === 1 ? "" : "s"} · ${dataSources.length} data source${dataSources.length === 1 ? "" : "s"} ·
${seeds.length} seed${seeds.length === 1 ? "" : "s"} · ${rows.length} run${rows.length === 1 ? "" : "s"}${failed.length ? ` · <a class="warn" href="#failed-runs">${failed.length} failed</a>` : ""}${backends.length ? ` · backend ${esc(backends.join(", "))}` : ""} ·
<a download="results.csv" href="${esc(csvHref)}">results.csv</a></p>
</header>
${toc}
<main>
${body}
</main>
<footer>sparse-dgm comparison report · self-contained: no scripts, no external assets.</footer>
</div>
</body>
</html>
`;
}

const CSS = `
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#e2e6eb;--bg:#f4f6f8;--panel:#fff;--head:#eef1f5;--accent:#2457c5;--best:#0d7a3f;--bestbg:#e7f6ec}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.container{max-width:1240px;margin:0 auto;padding:20px 28px 60px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
header.page h1{margin:8px 0 2px;font-size:1.7rem;letter-spacing:-.01em}
header.page .meta{margin:0;color:var(--muted);font-size:13.5px}
nav.toc{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:12px 22px;margin:18px 0}
nav.toc h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:2px 0 6px;border:0;padding:0}
nav.toc ol{margin:0;padding-left:20px;columns:2;column-gap:40px}
nav.toc li{break-inside:avoid;margin:2px 0}
nav.toc ul{margin:0 0 4px;padding-left:16px;font-size:13px}
nav.toc ul li{margin:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 24px 20px;margin:18px 0;scroll-margin-top:12px}
section h2{font-size:1.3rem;margin:0 0 8px;padding-bottom:6px;border-bottom:1px solid var(--line)}
section h3{font-size:1.02rem;margin:20px 0 8px;scroll-margin-top:12px;word-break:break-all}
section h4{font-size:.95rem;margin:16px 0 4px}
a.anchor{color:#c3c9d2;font-weight:400;font-size:.9em;margin-left:4px}
.note{color:var(--muted);font-size:13.5px;margin:4px 0 8px}
.muted{color:var(--muted);font-weight:400}
.empty{color:var(--muted);font-style:italic}
.error{color:#b00020}
.table-wrap{overflow:auto;max-height:78vh;border:1px solid var(--line);border-radius:8px}
table{border-collapse:separate;border-spacing:0;font-size:13px;min-width:100%}
th,td{padding:6px 12px;border-bottom:1px solid var(--line);white-space:nowrap;vertical-align:top}
thead th{position:sticky;top:0;z-index:2;background:var(--head);font-weight:600;text-align:right;border-bottom:1px solid #cfd5dd;vertical-align:bottom}
table.comparison thead th{white-space:normal;min-width:64px}
thead th.rowhead,thead th.text{text-align:left}
thead th.rowhead{left:0;z-index:3}
tbody th.rowhead{position:sticky;left:0;z-index:1;background:var(--panel);text-align:left;font-weight:600;border-right:1px solid var(--line)}
tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}
tbody tr:hover td,tbody tr:hover th{background:#f8fafc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.text{text-align:left}
.dir{color:var(--muted);font-weight:400}
.med{display:block}
.spread{display:block;color:var(--muted);font-size:11px}
td.best,tbody tr:hover td.best{background:var(--bestbg)}
td.best strong{color:var(--best)}
.mark{color:var(--best);margin-left:3px;font-size:11px}
td.absent{color:#9aa3ad;text-align:center}
p.warn{color:#8a4b00;background:#fff4e0;border-left:3px solid #e0a030;padding:6px 10px}
figure{margin:8px 0 14px}
figure.plot{overflow-x:auto}
figure.plot svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:12.5px;margin-top:4px}
figure.graph{overflow:auto;border:1px solid var(--line);border-radius:8px;padding:10px;text-align:center;max-height:80vh}
figure.graph svg{max-width:100%;height:auto}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:8px;padding:10px 12px;overflow:auto;max-height:420px;margin:6px 0 12px;white-space:pre}
details{margin:4px 0}summary{cursor:pointer;font-size:13.5px}
table.kv{min-width:0}table.kv th{text-align:left;font-weight:600;background:none;position:static}
table.kv td{white-space:normal}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:28px}
td.features{white-space:normal;min-width:420px}
@media (max-width:800px){.container{padding:12px}nav.toc ol{columns:1}section{padding:12px 14px}}
`;
