/**
 * Metric order, direction ("is lower better?") and number formatting for the report.
 */

/** Whether larger or smaller values of a metric are better. */
export type MetricDirection = "higher" | "lower";

/**
 * The direction of the metrics for which lower is better; every metric not listed here is
 * higher-is-better (see {@link metricDirection}).
 */
export const METRIC_DIRECTIONS: Readonly<Record<string, MetricDirection>> = {
  heldoutMse: "lower",
  heldoutMseMean: "lower",
  heldoutNll: "lower",
  heldoutMultinomialNll: "lower",
  supportHamming: "lower",
  capViolations: "lower",
  edgeDensity: "lower",
  crossViewMse: "lower",
  crossViewBaselineMse: "lower",
  sensitiveProbeAccuracy: "lower",
  sensitiveTreeAccuracy: "lower",
  demographicParityGap: "lower",
  msPerStep: "lower",
  seconds: "lower",
  peakRssMb: "lower",
};

/**
 * The direction of a metric: from {@link METRIC_DIRECTIONS} (or `overrides`), default `higher`.
 *
 * @example
 * ```ts
 * metricDirection("heldoutMse"); // "lower"
 * metricDirection("supportF1");  // "higher"
 * ```
 */
export function metricDirection(
  metric: string,
  overrides?: Readonly<Record<string, MetricDirection>>,
): MetricDirection {
  return overrides?.[metric] ?? METRIC_DIRECTIONS[metric] ?? "higher";
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
