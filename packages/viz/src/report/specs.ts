/**
 * Vega-Lite spec builders, one per plot kind of the report. They return plain Vega-Lite
 * specs with inline data, so the same specs render to SVG in Node ({@link renderSpecToSvg})
 * and live in a browser (`vegaEmbed(el, spec)`).
 */
import type { TopLevelSpec } from "vega-lite";
import type { ResultRow, RunArtifacts } from "./types.js";
import { directionArrow, reportDirection, sortMetrics } from "./metrics.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Shared look of every plot. */
export const PLOT_CONFIG = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  background: "white",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, fontWeight: 600, anchor: "start" as const },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** The categorical palette models are coloured with (in the order of `models`). */
export const MODEL_SCHEME = "tableau10";

function finite(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** Options of {@link metricBoxplotSpec}. */
export interface BoxplotOptions {
  /** Models on the x axis, in this order (default: order of appearance). */
  models?: string[];
  /** Metrics to plot (default: every metric present, DESIGN §7 order). */
  metrics?: string[];
  /** Panels per row (default: as many as fit in about 1100 px). */
  columns?: number;
  /** Plot title. */
  title?: string;
}

/**
 * Boxplots of each metric across seeds, one panel per metric (independent y scales), models
 * on the x axis and coloured by model, every seed drawn as a point over its box; panel titles
 * carry ↓ (lower is better) or ↑ (higher is better) from the metrics registry, no arrow for a metric
 * with no better end or no known direction. Pass the rows of one data source.
 */
export function metricBoxplotSpec(rows: readonly ResultRow[], opts: BoxplotOptions = {}): TopLevelSpec {
  const models = opts.models ?? [...new Set(rows.map((r) => r.model))];
  const metrics = opts.metrics ?? sortMetrics(rows.flatMap((r) => Object.keys(r.metrics ?? {})));
  const values = rows.flatMap((r) =>
    metrics
      .filter((m) => finite(r.metrics?.[m]))
      .map((m) => ({ metric: m, model: r.model, seed: r.seed, value: r.metrics[m] })),
  );
  const x = {
    field: "model",
    type: "nominal",
    sort: models,
    scale: { domain: models },
    axis: { title: null, labelAngle: -30, labelLimit: 140 },
  };
  const color = { field: "model", type: "nominal", scale: { domain: models, scheme: MODEL_SCHEME }, legend: null };
  const panels = metrics
    .filter((m) => values.some((v) => v.metric === m))
    .map((m) => ({
      title: { text: `${m} ${directionArrow(reportDirection(m))}`.trimEnd(), limit: 400 },
      width: Math.max(150, 36 * models.length),
      height: 160,
      transform: [{ filter: { field: "metric", equal: m } }],
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", size: 18, median: { color: "#222" } },
          encoding: {
            x,
            y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
            color,
          },
        },
        {
          mark: { type: "point", filled: true, size: 28, opacity: 0.9, stroke: "#333", strokeWidth: 0.6 },
          encoding: {
            x,
            y: { field: "value", type: "quantitative" },
            color,
          },
        },
      ],
    }));
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values },
    columns: opts.columns ?? Math.max(1, Math.floor(1100 / (Math.max(150, 36 * models.length) + 75))),
    concat: panels,
    config: PLOT_CONFIG,
  } as unknown as TopLevelSpec;
}

/** Options of {@link trainingCurvesSpec}. */
export interface CurvesOptions {
  /** Plot title. */
  title?: string;
  /** Panels per row (default 3). */
  columns?: number;
}

/**
 * Training curves per objective term for one (model, data): one panel per term (plus one per
 * schedule weight), a light line per seed and a bold line for the mean across seeds; the y axis
 * is logarithmic when every value of that term is positive.
 */
export function trainingCurvesSpec(artifacts: readonly RunArtifacts[], opts: CurvesOptions = {}): TopLevelSpec {
  type Pt = { series: string; kind: string; seed: string; epoch: number; value: number };
  const values: Pt[] = [];
  const series: Array<{ name: string; kind: "term" | "weight"; label: string }> = [];
  const add = (kind: "term" | "weight", rec: Record<string, number[]> | undefined, seed: number) => {
    for (const [name, ys] of Object.entries(rec ?? {})) {
      const key = `${kind}:${name}`;
      if (!series.some((s) => s.name === key)) {
        series.push({ name: key, kind, label: kind === "weight" ? `weight of ${name}` : name });
      }
      ys.forEach((y, i) => {
        if (finite(y)) values.push({ series: key, kind, seed: String(seed), epoch: i + 1, value: y });
      });
    }
  };
  for (const a of artifacts) {
    add("term", a.curves, a.seed);
    add("weight", a.weights, a.seed);
  }
  const terms = series.filter((s) => s.kind === "term").map((s) => s.name);
  const panels = series
    .filter((s) => values.some((v) => v.series === s.name))
    .map((s, i) => {
      const vs = values.filter((v) => v.series === s.name);
      const log = vs.every((v) => v.value > 0) && s.kind === "term";
      const color = s.kind === "weight" ? "#777" : undefined;
      const idx = terms.indexOf(s.name);
      const stroke = color ?? TERM_COLORS[(idx < 0 ? i : idx) % TERM_COLORS.length];
      const y = {
        field: "value",
        type: "quantitative",
        title: log ? "value (log)" : "value",
        scale: log ? { type: "log" } : { zero: false },
      };
      const x = { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } };
      return {
        title: s.label,
        width: 230,
        height: 130,
        transform: [{ filter: { field: "series", equal: s.name } }],
        layer: [
          {
            mark: { type: "line", strokeWidth: 1, opacity: 0.35, color: stroke, ...(s.kind === "weight" ? { strokeDash: [4, 3] } : {}) },
            encoding: { x, y, detail: { field: "seed", type: "nominal" } },
          },
          {
            mark: { type: "line", strokeWidth: 2.2, color: stroke, ...(s.kind === "weight" ? { strokeDash: [4, 3] } : {}) },
            encoding: { x, y: { ...y, aggregate: "mean" } },
          },
        ],
      };
    });
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values },
    columns: opts.columns ?? 3,
    concat: panels,
    config: PLOT_CONFIG,
  } as unknown as TopLevelSpec;
}

/** Colours of the objective terms (panel i gets colour i). */
export const TERM_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"];

/** How a matrix is coloured by {@link matrixHeatmap}. */
export type MatrixScale = "diverging" | "probability";

/** One panel of a heatmap figure. */
export interface MatrixPanel {
  /** Panel title. */
  title: string;
  /** rows x columns. */
  matrix: number[][];
  /** `diverging` (centred at 0, symmetric) or `probability` (sequential 0–1). */
  scale: MatrixScale;
  /** Legend title. */
  legend?: string;
  /** Names of the rows (default: their index). */
  rowNames?: string[];
  /** Names of the columns (default: their index). */
  colNames?: string[];
  /** Axis titles. */
  rowTitle?: string;
  colTitle?: string;
}

function uniqueNames(names: string[] | undefined, n: number): string[] {
  const base = Array.from({ length: n }, (_, i) => names?.[i] ?? String(i));
  return new Set(base).size === n ? base : base.map((b, i) => `${i}: ${b}`);
}

/**
 * A Vega-Lite unit spec (no data) for one heatmap panel, and the row and column names it draws;
 * the data comes from the parent's `values`.
 */
function matrixUnit(panel: MatrixPanel, key: string): { spec: Record<string, unknown>; rows: string[]; cols: string[] } {
  const nr = panel.matrix.length;
  const nc = Math.max(0, ...panel.matrix.map((r) => r.length));
  const rows = uniqueNames(panel.rowNames, nr);
  const cols = uniqueNames(panel.colNames, nc);
  const named = panel.colNames !== undefined;
  const ch = Math.max(2, Math.min(18, Math.floor(420 / Math.max(nr, 1))));
  const cw = Math.max(4, Math.min(18, Math.max(ch, 14), Math.floor(320 / Math.max(nc, 1))));
  const every = (n: number) => Math.max(1, Math.ceil(n / 30));
  const flat = panel.matrix.flat().filter(finite);
  const m = Math.max(1e-12, ...flat.map(Math.abs));
  const color =
    panel.scale === "diverging"
      ? { scheme: "redblue", reverse: true, domain: [-m, m], domainMid: 0 }
      : { scheme: "purples", domain: [0, 1] };
  const spec = {
    title: panel.title,
    width: nc * cw,
    height: nr * ch,
    transform: [{ filter: { field: "panel", equal: key } }],
    mark: { type: "rect", ...(ch >= 6 && cw >= 6 ? { stroke: "#fff", strokeWidth: 0.25 } : {}) },
    encoding: {
      x: {
        field: "col",
        type: "ordinal",
        sort: cols,
        scale: { domain: cols },
        title: panel.colTitle ?? "factor",
        axis: { labelAngle: named ? -40 : 0, labelLimit: 160, values: cols.filter((_, j) => j % every(nc) === 0) },
      },
      y: {
        field: "row",
        type: "ordinal",
        sort: rows,
        scale: { domain: rows },
        title: panel.rowTitle ?? "feature",
        axis: { values: rows.filter((_, i) => i % every(nr) === 0), labelLimit: 160 },
      },
      color: {
        field: "value",
        type: "quantitative",
        scale: color,
        title: panel.legend ?? panel.title,
        legend: { gradientLength: Math.min(140, Math.max(50, nr * ch - 20)), direction: "vertical" },
      },
    },
  };
  return { spec, rows, cols };
}

/**
 * Heatmaps of matrices side by side (each with its own colour scale): a diverging scale
 * centred at 0 for signed matrices such as W, a sequential 0–1 scale for probabilities.
 */
export function matrixHeatmapSpec(panels: readonly MatrixPanel[], opts: { title?: string } = {}): TopLevelSpec {
  const values: Array<{ panel: string; row: string; col: string; value: number }> = [];
  const units = panels.map((p, k) => {
    const key = `p${k}`;
    const { spec, rows, cols } = matrixUnit(p, key);
    p.matrix.forEach((r, i) =>
      r.forEach((v, j) => {
        if (finite(v)) values.push({ panel: key, row: rows[i], col: cols[j], value: v });
      }),
    );
    return spec;
  });
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values },
    hconcat: units,
    resolve: { scale: { color: "independent", x: "independent", y: "independent" } },
    spacing: 28,
    config: PLOT_CONFIG,
  } as unknown as TopLevelSpec;
}

/**
 * The learned global mask beside the true one for one run: `truthW` and `W` on a diverging
 * scale centred at 0, `pstar` on a sequential 0–1 scale (each panel present only when given).
 */
export function maskHeatmapSpec(a: RunArtifacts, opts: { title?: string } = {}): TopLevelSpec {
  const panels: MatrixPanel[] = [];
  const rowNames = a.featureNames;
  if (a.truthW) panels.push({ title: "true W", matrix: a.truthW, scale: "diverging", legend: "true W", rowNames });
  if (a.W) panels.push({ title: "learned W", matrix: a.W, scale: "diverging", legend: "W", rowNames });
  if (a.pstar) panels.push({ title: "p* (inclusion probability)", matrix: a.pstar, scale: "probability", legend: "p*", rowNames });
  return matrixHeatmapSpec(panels, opts);
}

/**
 * The learned structure masks of one run (a structured model's A_out and A_in) beside the true
 * ones, every panel on a 0–1 scale (inclusion probabilities; an edge is ≥ 0.5): the group-level
 * analogue of the Sparse VAE's W heatmap.
 */
export function structureMaskHeatmapSpec(a: RunArtifacts, opts: { title?: string } = {}): TopLevelSpec {
  const panels: MatrixPanel[] = [];
  for (const m of a.structureMasks ?? []) {
    const names = { rowNames: m.rowNames, colNames: m.colNames, rowTitle: m.rowTitle, colTitle: m.colTitle };
    if (m.truth) panels.push({ title: `true ${m.name}`, matrix: m.truth, scale: "probability", legend: `true ${m.name}`, ...names });
    panels.push({ title: m.trained ? `learned ${m.name} (inclusion probability)` : `${m.name} (fixed)`, matrix: m.learned, scale: "probability", legend: m.name, ...names });
  }
  return matrixHeatmapSpec(panels, opts);
}

/**
 * Latent activity of a local mask for one run: mean activity γ per (class or row group, or
 * row) x latent on a sequential 0–1 scale.
 */
export function activityHeatmapSpec(
  a: RunArtifacts,
  opts: { title?: string; rowTitle?: string; rowNames?: string[] } = {},
): TopLevelSpec {
  const panels: MatrixPanel[] = [
    {
      title: "latent activity γ",
      matrix: a.activity ?? [],
      scale: "probability",
      legend: "γ",
      rowTitle: opts.rowTitle ?? (a.activityBy === "class" ? "class" : a.activityBy === "row" ? "test row" : "row / group"),
      colTitle: "latent",
      rowNames: opts.rowNames ?? a.activityRows,
    },
  ];
  // Which classes share active units: super-category blocks (specs/vsc.md b1 §3).
  if (a.classJaccard)
    panels.push({
      title: "class × class mean Jaccard of active sets",
      matrix: a.classJaccard,
      scale: "probability",
      legend: "Jaccard",
      rowTitle: "class",
      colTitle: "class",
      rowNames: a.classNames,
      colNames: a.classNames,
    });
  return matrixHeatmapSpec(panels, { title: opts.title });
}

/**
 * The sparsity-level confusion of one run's code: the share of held-out rows of each true level
 * (row) with 0, 1, 2, ... active units (column), 0–1; the diagonal is levelAccuracy.
 */
export function levelConfusionHeatmapSpec(a: RunArtifacts, opts: { title?: string } = {}): TopLevelSpec {
  const m = a.levelConfusion ?? [];
  return matrixHeatmapSpec(
    [
      {
        title: "share of rows: true level × predicted active units",
        matrix: m,
        scale: "probability",
        legend: "share",
        rowTitle: "true level L",
        colTitle: "predicted |b̂|",
        rowNames: m.map((_, i) => String(i + 1)),
        colNames: (m[0] ?? []).map((_, j) => String(j)),
      },
    ],
    opts,
  );
}

/**
 * How the codes of one run track the true factors: |corr| of each true factor (row) with each
 * code (column) on the held-out split, 0–1, codes ordered by the factor each tracks best, so an
 * identified model shows one block per factor (or per attribute: Smiley's sources).
 */
export function factorCorrHeatmapSpec(a: RunArtifacts, opts: { title?: string } = {}): TopLevelSpec {
  return matrixHeatmapSpec(
    [
      {
        title: "|corr| true factor × code",
        matrix: a.factorCorr ?? [],
        scale: "probability",
        legend: "|corr|",
        rowTitle: "true factor",
        colTitle: "code (ordered by its best factor)",
        rowNames: a.factorNames,
        colNames: a.factorCorrCols,
      },
    ],
    opts,
  );
}
