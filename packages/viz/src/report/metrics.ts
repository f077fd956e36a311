/**
 * Metric order, direction ("is lower better?") and number formatting for the report.
 */
import { metricDirection, type MetricDirection } from "@sparse-dgm/metrics";

export type { MetricDirection };

/**
 * The directions of the run-cost columns the report shows beside the metrics (they come from a
 * row's `train` record and are not metrics, so the metrics registry does not list them).
 */
export const RUN_COST_DIRECTIONS: Readonly<Record<string, MetricDirection>> = {
  msPerStep: "lower",
  seconds: "lower",
  peakRssMb: "lower",
};

/**
 * The direction of a report column: `overrides` first, then {@link RUN_COST_DIRECTIONS}, then the
 * metrics registry's `higherIsBetter` ({@link metricDirection} of `@sparse-dgm/metrics`).
 * `undefined` when none of them gives one (a metric with no better end, or one the registry does
 * not know): such a column gets no ↑/↓ and no "best" mark, never a guessed direction.
 *
 * @example
 * ```ts
 * reportDirection("heldoutMse");        // "lower"
 * reportDirection("emptyCodeFraction"); // "lower"
 * reportDirection("meanActiveSize");    // undefined
 * reportDirection("seconds");           // "lower"
 * ```
 */
export function reportDirection(
  metric: string,
  overrides?: Readonly<Record<string, MetricDirection>>,
): MetricDirection | undefined {
  if (overrides && Object.prototype.hasOwnProperty.call(overrides, metric)) return overrides[metric];
  if (Object.prototype.hasOwnProperty.call(RUN_COST_DIRECTIONS, metric)) return RUN_COST_DIRECTIONS[metric];
  return metricDirection(metric);
}

/** The arrow of a direction: ↓ lower is better, ↑ higher is better, "" none. */
export function directionArrow(direction: MetricDirection | undefined): string {
  return direction === "lower" ? "↓" : direction === "higher" ? "↑" : "";
}

/** The fixed metric keys of DESIGN §7, in the order the report shows them. */
export const METRIC_ORDER: readonly string[] = [
  "heldoutMse",
  "heldoutMseMean",
  "heldoutNll",
  "heldoutMultinomialNll",
  "recallAt5",
  "ndcgAt10",
  "topicCoherence",
  "elbo",
  "iwae",
  "dciDisentanglement",
  "dciCompleteness",
  "dciInformativeness",
  "dciDisentanglement16",
  "mig",
  "sap",
  "mcc",
  "supportPrecision",
  "supportRecall",
  "supportF1",
  "supportHamming",
  "activeUnits",
  "withinClassJaccard",
  "betweenClassJaccard",
  "levelAccuracy",
  "capViolations",
  "edgeF1",
  "edgeDensity",
  "crossViewMse",
  "crossViewBaselineMse",
  "sensitiveProbeAccuracy",
  "sensitiveTreeAccuracy",
  "sensitiveMajorityRate",
  "demographicParityGap",
  "inEnvProbeAccuracy",
  "oodProbeAccuracy",
];

/** Sorts metric names: the DESIGN §7 keys in their order first, then the others alphabetically. */
export function sortMetrics(names: Iterable<string>): string[] {
  const rank = (m: string): number => {
    const i = METRIC_ORDER.indexOf(m);
    return i < 0 ? METRIC_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Formats a number for the report: integers as integers, otherwise 4 significant digits,
 * exponent notation for very large or very small magnitudes.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** Median and spread of a set of values. */
export interface Summary {
  n: number;
  median: number;
  /** Lower end of the spread: Q1 when n ≥ 4, else the minimum. */
  lo: number;
  /** Upper end of the spread: Q3 when n ≥ 4, else the maximum. */
  hi: number;
  /** `iqr` when n ≥ 4, `range` (min–max) otherwise. */
  spread: "iqr" | "range";
}

/** The q-quantile of sorted values, linear interpolation (R type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Median and spread (IQR, or min–max when fewer than 4 values) of the finite values;
 * `undefined` when there is none.
 */
export function summarize(values: readonly number[]): Summary | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const iqr = v.length >= 4;
  return {
    n: v.length,
    median: quantileSorted(v, 0.5),
    lo: iqr ? quantileSorted(v, 0.25) : v[0],
    hi: iqr ? quantileSorted(v, 0.75) : v[v.length - 1],
    spread: iqr ? "iqr" : "range",
  };
}
