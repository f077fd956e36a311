/**
 * The metric registry: the fixed camelCase result keys of DESIGN §7, what each means and
 * which inputs it needs, plus {@link computeMetrics}, which computes every applicable
 * metric from whatever inputs a comparison run has and leaves the rest absent (never 0).
 * @module
 */
import { activeUnits } from "./active-units.js";
import { dci, dci16, type DciOptions } from "./dci.js";
import { classJaccard, activeSetStats, type JaccardResult, type JaccardOptions } from "./jaccard.js";
import { mcc } from "./mcc.js";
import { mig } from "./mig.js";
import { linearProbe } from "./probe.js";
import { reconstructionMse } from "./reconstruction.js";
import { sap } from "./sap.js";
import { supportRecovery, loadingAlignment } from "./support.js";
import { levelAccuracy, capViolations, codeSupport } from "./code-support.js";
import { precisionAtK, tagSetMetrics, topKSets } from "./multi-label.js";
import { edgeRecovery } from "./edge-f1.js";
import { crossViewError, type CrossViewInput } from "./cross-view.js";
import { sensitivePredictability, probeParityGap } from "./fairness.js";
import { environmentProbe } from "./environment-probe.js";
import type { Matrix } from "./types.js";

/** An input a metric needs. */
export type MetricInput =
  | "codes" // encoder means (train and/or test)
  | "truthZ" // ground-truth factors / sources, same rows as the codes
  | "truthW" // ground-truth loading matrix (features × factors)
  | "estimatedW" // the model's loading / mask matrix (features × codes)
  | "labels" // class labels per data point
  | "gamma" // spike probabilities γ per data point (VSC), or a capped code's predicted 0/1 support
  | "truthRowSupport" // true per-row support b_i and level L_i of sparse codes (synthetic:sparse-linear)
  | "cap" // the model's cap L0 on active units per row (or the data's)
  | "tags" // true tag sets y_i (multi-label data) and the model's per-tag scores
  | "reconstruction" // held-out x and x̂
  | "masks" // learned structure masks (and their truth, for edge scores)
  | "crossView" // held-out views predicted from the others, with the prior-mean baseline
  | "sensitive" // a sensitive attribute per data point (fairness)
  | "environment" // the environment of each data point (invariance)
  | "model"; // the fitted model itself (ELBO, IWAE, NLL): computed by the inference package, not here

/** A registry entry. */
export interface MetricInfo {
  name: string;
  description: string;
  needs: MetricInput[];
  /**
   * Whether larger values are better: `true` higher is better, `false` lower is better,
   * `undefined` neither (a descriptive count or rate whose good value is not at one end, such as
   * `meanActiveSize`, or a property of the data such as `meanTrueTags`). A metric with no
   * direction gets no ↑/↓ and no "best" mark in the report (see {@link metricDirection}).
   */
  higherIsBetter: boolean | undefined;
  /** `"metrics"` if {@link computeMetrics} computes it; `"model"` if the training/eval code must (ELBO, IWAE, ...). */
  computedBy: "metrics" | "model";
  /** A family of names with a number (a cut-off): `recallAt5` stands for every `recallAt<k>`. */
  pattern?: RegExp;
}

const entries: MetricInfo[] = [
  { name: "heldoutMse", description: "Held-out mean squared reconstruction error, x̂ decoded from a sampled z (sim1_eval.R X_mse)", needs: ["reconstruction"], higherIsBetter: false, computedBy: "metrics" },
  { name: "heldoutMseMean", description: "Held-out mean squared reconstruction error, x̂ decoded from the posterior mean z", needs: ["reconstruction"], higherIsBetter: false, computedBy: "metrics" },
  { name: "heldoutNll", description: "The reference's 'held-out NLL': the training reconstruction loss on the test fold (sampled z)", needs: ["model"], higherIsBetter: false, computedBy: "model" },
  { name: "elbo", description: "Held-out evidence lower bound per data point (nats)", needs: ["model"], higherIsBetter: true, computedBy: "model" },
  { name: "elboHard", description: "Held-out ELBO per data point with a relaxed binary code at its hard limit (VSC's gate 1[u > 1 − γ]): the bound of the spike-and-slab model itself; the relaxed `elbo` is not one (a relaxed gate leaks signal through units with small γ)", needs: ["model"], higherIsBetter: true, computedBy: "model" },
  { name: "iwae", description: "Held-out IWAE-k bound log p(x) estimate per data point (nats)", needs: ["model"], higherIsBetter: true, computedBy: "model" },
  { name: "dciDisentanglement", description: "DCI disentanglement D (GBT importances on all training codes, base-K entropy; disentanglement_lib / sparse-VAE dci.py)", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "dciCompleteness", description: "DCI completeness C (importance-weighted, base-L entropy; disentanglement_lib)", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "dciInformativeness", description: "DCI informativeness: mean test MSE of the per-factor GBT regressors (sparse-VAE repo)", needs: ["codes", "truthZ"], higherIsBetter: false, computedBy: "metrics" },
  { name: "dciDisentanglement16", description: "DCI disentanglement on 16 train + 16 test points drawn as np.random.seed(42) (sparse-VAE Evaluator.evaluate_dci); very noisy", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "mig", description: "Mutual information gap, 20-bin histogram estimator (disentanglement_lib)", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "sap", description: "SAP score, continuous-factor R² variant (disentanglement_lib continuous_factors=True)", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "mcc", description: "Mean |Pearson corr| after Hungarian matching of true sources to latents (iVAE), on held-out codes", needs: ["codes", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "supportPrecision", description: "Precision of the thresholded loading support (|W| ≥ 0.01, p* ≥ 0.5) after Hungarian alignment", needs: ["estimatedW", "truthW"], higherIsBetter: true, computedBy: "metrics" },
  { name: "supportRecall", description: "Recall of the thresholded loading support after Hungarian alignment", needs: ["estimatedW", "truthW"], higherIsBetter: true, computedBy: "metrics" },
  { name: "supportF1", description: "F1 of the thresholded loading support after Hungarian alignment (dense decoders: 0.372 on the Moran truth)", needs: ["estimatedW", "truthW"], higherIsBetter: true, computedBy: "metrics" },
  { name: "supportHamming", description: "Number of support mismatches, FP + FN (sim1_eval.R Hamming)", needs: ["estimatedW", "truthW"], higherIsBetter: false, computedBy: "metrics" },
  { name: "activeUnits", description: "Number of latent units with encoder-mean variance over data > 0.01 (Burda et al. 2016)", needs: ["codes"], higherIsBetter: true, computedBy: "metrics" },
  { name: "withinClassJaccard", description: "Mean Jaccard of active sets (γ > 0.5) over same-class pairs (absent if all sets are empty)", needs: ["gamma", "labels"], higherIsBetter: true, computedBy: "metrics" },
  { name: "betweenClassJaccard", description: "Mean Jaccard of active sets (γ > 0.5) over different-class pairs (absent if all sets are empty)", needs: ["gamma", "labels"], higherIsBetter: false, computedBy: "metrics" },
  { name: "distinctActiveSets", description: "Number of distinct active sets (γ > 0.5) among the test points: 1 means a fixed set of always-on units (not sample-specific); the Jaccard scores are then absent", needs: ["gamma"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "modalActiveSetFraction", description: "Fraction of test points whose active set (γ > 0.5) is the most common one; near 1 the code is nearly fixed (the same units on for almost every point), and class Jaccard scores near 1 say little", needs: ["gamma"], higherIsBetter: false, computedBy: "metrics" },
  { name: "emptyCodeFraction", description: "Fraction of test points whose active set (γ > 0.5) is empty; 1 = the code collapsed to all-inactive (the trivial minimiser of the class-consistency loss), and the Jaccard scores are absent", needs: ["gamma"], higherIsBetter: false, computedBy: "metrics" },
  { name: "meanActiveSize", description: "Mean number of active dimensions (γ > 0.5) per data point", needs: ["gamma"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "usedLatents", description: "Number of latent units active (γ > 0.5) for at least 1% of the test points: the VSC paper's count of active latents (about 18 on Smiley)", needs: ["gamma"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "levelAccuracy", description: "Sparsity-level accuracy: mean 1[|b̂_i| = L_i], the predicted number of active units (γ > 0.5) against the true level (chance 1/L0); its confusion matrix is in the report", needs: ["gamma", "truthRowSupport"], higherIsBetter: true, computedBy: "metrics" },
  { name: "capViolations", description: "Cap violation rate: mean 1[|b̂_i| > L0], L0 the model's cap (else the data's); 0 by construction for SDLGM", needs: ["gamma", "cap"], higherIsBetter: false, computedBy: "metrics" },
  { name: "codeSupportPrecision", description: "Per-row precision of the active units (γ > 0.5) against the true row support b_i, units aligned to true dimensions by Hungarian matching on |corr| of held-out codes; macro-averaged", needs: ["gamma", "codes", "truthRowSupport", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "codeSupportRecall", description: "Per-row recall of the active units against the true row support after alignment; macro-averaged", needs: ["gamma", "codes", "truthRowSupport", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "codeSupportF1", description: "Per-row F1 of the active units against the true row support after alignment; macro-averaged", needs: ["gamma", "codes", "truthRowSupport", "truthZ"], higherIsBetter: true, computedBy: "metrics" },
  { name: "precisionAt1", description: "Multi-label precision@1 of the per-tag scores on held-out rows", needs: ["tags"], higherIsBetter: true, computedBy: "metrics" },
  { name: "precisionAt3", description: "Multi-label precision@3 of the per-tag scores", needs: ["tags"], higherIsBetter: true, computedBy: "metrics" },
  { name: "precisionAt5", description: "Multi-label precision@5 of the per-tag scores", needs: ["tags"], higherIsBetter: true, computedBy: "metrics" },
  { name: "exampleF1", description: "Example-based F1 of the predicted tag sets: mean_i 2|ŷ_i ∩ y_i| / (|ŷ_i| + |y_i|)", needs: ["tags", "gamma"], higherIsBetter: true, computedBy: "metrics" },
  { name: "topKExampleF1", description: "Example-based F1 of the fixed top-k of the per-tag scores, k = the rounded mean training tag count (the fixed top-k baseline of any model's ranking, e.g. binary relevance's sigmoids)", needs: ["tags"], higherIsBetter: true, computedBy: "metrics" },
  { name: "hammingLoss", description: "Fraction of (row, tag) entries predicted wrongly", needs: ["tags", "gamma"], higherIsBetter: false, computedBy: "metrics" },
  { name: "meanPredictedTags", description: "Mean number of predicted tags per held-out row (compare with meanTrueTags)", needs: ["tags", "gamma"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "meanTrueTags", description: "Mean number of true tags per held-out row", needs: ["tags"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "linearProbeAccuracy", description: "Test accuracy of a multinomial logistic regression from codes to labels (sklearn LogisticRegression() defaults)", needs: ["codes", "labels"], higherIsBetter: true, computedBy: "metrics" },
  { name: "heldoutMultinomialNll", description: "Held-out −log Multinomial(x | n, p̂) per row with a sampled z, including the coefficient log n!/Π x_j! that heldoutNll (the reference's loss) leaves out; categorical likelihood only", needs: ["model"], higherIsBetter: false, computedBy: "model" },
  { name: "recallAt5", description: "recall@5 on held-out rows: |top-5 of x̂ ∩ positives| / min(5, #positives), mean over rows (reference recall_at_R; x̂ from a sampled z of the row itself); any cut-off by name: recallAt20", needs: ["model"], higherIsBetter: true, computedBy: "model", pattern: /^recallAt([1-9]\d*)$/ },
  { name: "ndcgAt10", description: "NDCG@10 on held-out rows, binary relevance x > 0, discount 1/log2(rank + 1) (reference movielens_tables.py); any cut-off by name: ndcgAt100", needs: ["model"], higherIsBetter: true, computedBy: "model", pattern: /^ndcgAt([1-9]\d*)$/ },
  { name: "topicCoherence", description: "Mean NPMI (document co-occurrence) of each active factor's top-10 features, read from the decoder at z = ±2·e_k; factors whose code does not vary (variance ≤ 0.01) or that move no feature are left out; non-negative data", needs: ["model"], higherIsBetter: true, computedBy: "model" },
  { name: "edgeF1", description: "F1 of the learned structure masks' edges (entries ≥ 0.5) against the true masks, latent groups matched (specs/mib-structured.md §3)", needs: ["masks"], higherIsBetter: true, computedBy: "metrics" },
  { name: "edgeDensity", description: "Fraction of the learned structure masks' entries that are edges (≥ 0.5): without a sparsity pressure a learned mask fills in", needs: ["masks"], higherIsBetter: false, computedBy: "metrics" },
  { name: "crossViewMse", description: "MSE of each view predicted from the other views (encode without it, decode it), averaged over the views, on the held-out rows", needs: ["crossView"], higherIsBetter: false, computedBy: "metrics" },
  { name: "crossViewBaselineMse", description: "MSE of the prior-mean prediction of each view (the decoder at the prior mean of z, every view switched off), the no-information baseline of crossViewMse", needs: ["crossView"], higherIsBetter: false, computedBy: "metrics" },
  { name: "sensitiveProbeAccuracy", description: "S-predictability: test accuracy of a logistic-regression probe from the codes to the sensitive attribute (ideally sensitiveMajorityRate)", needs: ["codes", "sensitive"], higherIsBetter: false, computedBy: "metrics" },
  { name: "sensitiveTreeAccuracy", description: "S-predictability by a boosted-tree probe (sklearn GBT defaults on 0/1 s): catches a non-linear leak the linear probe misses", needs: ["codes", "sensitive"], higherIsBetter: false, computedBy: "metrics" },
  { name: "sensitiveMajorityRate", description: "Rate of the most common sensitive-attribute value among the test points: what a probe that learned nothing scores", needs: ["sensitive"], higherIsBetter: undefined, computedBy: "metrics" },
  { name: "demographicParityGap", description: "|P(ŷ=1|s=0) − P(ŷ=1|s=1)| of a logistic-regression target probe on the codes, on the test points (largest over pairs of s values)", needs: ["codes", "labels", "sensitive"], higherIsBetter: false, computedBy: "metrics" },
  { name: "inEnvProbeAccuracy", description: "Accuracy of a logistic-regression label probe on the codes (fitted on the training environments) on test points of the training environments", needs: ["codes", "labels", "environment"], higherIsBetter: true, computedBy: "metrics" },
  { name: "oodProbeAccuracy", description: "The same probe's accuracy on test points of environments with no training point (out of environment)", needs: ["codes", "labels", "environment"], higherIsBetter: true, computedBy: "metrics" },
];

/** The registry, keyed by metric name. */
export const METRICS: Readonly<Record<string, MetricInfo>> = Object.freeze(
  Object.fromEntries(entries.map((e) => [e.name, Object.freeze(e)])),
);

/**
 * All registered metric names, in registry order.
 * @example
 * ```ts
 * metricNames().includes("supportF1"); // true
 * ```
 */
export function metricNames(): string[] {
  return entries.map((e) => e.name);
}

/**
 * Look up a metric; throws a clear error listing the valid names for an unknown one.
 * @example
 * ```ts
 * getMetric("mcc").needs; // ["codes", "truthZ"]
 * getMetric("MCC"); // throws: Unknown metric "MCC". Valid metrics: heldoutMse, ...
 * ```
 */
export function getMetric(name: string): MetricInfo {
  const m = METRICS[name];
  if (m && Object.prototype.hasOwnProperty.call(METRICS, name)) return m;
  const family = entries.find((e) => e.pattern?.test(name));
  if (family) return Object.freeze({ ...family, name });
  const families = entries.filter((e) => e.pattern).map((e) => `${e.name.replace(/\d+$/, "")}<k>`);
  throw new Error(`Unknown metric "${name}". Valid metrics: ${metricNames().join(", ")} (cut-offs by name: ${families.join(", ")})`);
}

/** Which end of a metric's scale is better. */
export type MetricDirection = "higher" | "lower";

/**
 * The direction of a registered metric (cut-off families included) from its `higherIsBetter`:
 * `"higher"`, `"lower"`, or `undefined` when the metric has no better end or is not registered.
 * The single source of the report's ↑/↓ and "best" marks; nothing guesses a direction.
 *
 * Metrics with no direction: `meanActiveSize` and `usedLatents` (0 is a collapsed code, the
 * maximum a dense one), `distinctActiveSets` (1 is a fixed code, one set per point is noise),
 * `meanPredictedTags` (to be compared with `meanTrueTags`), and the data's own `meanTrueTags`
 * and `sensitiveMajorityRate` (baselines, not scores of the model).
 *
 * @example
 * ```ts
 * metricDirection("heldoutMse");     // "lower"
 * metricDirection("ndcgAt100");      // "higher"
 * metricDirection("meanActiveSize"); // undefined (no better end)
 * metricDirection("myScore");        // undefined (not registered)
 * ```
 */
export function metricDirection(name: string): MetricDirection | undefined {
  const m = Object.prototype.hasOwnProperty.call(METRICS, name) ? METRICS[name] : entries.find((e) => e.pattern?.test(name));
  if (m?.higherIsBetter === undefined) return undefined;
  return m.higherIsBetter ? "higher" : "lower";
}

/**
 * The cut-offs asked for a metric family (`recallAt` → [5, 20] for `recallAt5,recallAt20`), or its
 * default's when no list is given (every applicable metric).
 *
 * @example
 * ```ts
 * cutoffs("recallAt", ["recallAt20", "mcc"]); // [20]
 * cutoffs("ndcgAt", undefined);                // [10]
 * ```
 */
export function cutoffs(family: "recallAt" | "ndcgAt", metrics: readonly string[] | undefined): number[] {
  if (!metrics) return [family === "recallAt" ? 5 : 10];
  const re = new RegExp(`^${family}([1-9]\\d*)$`);
  return [...new Set(metrics.flatMap((m) => (re.test(m) ? [Number(re.exec(m)![1])] : [])))];
}

/** What a comparison run can hand to {@link computeMetrics}; every field is optional. */
export interface MetricInputs {
  /** Encoder means on the training split (N_train × L). */
  codesTrain?: Matrix;
  /** Encoder means on the held-out split (N_test × L). */
  codesTest?: Matrix;
  /** True factors on the training split (N_train × K). */
  truthZTrain?: Matrix;
  /** True factors on the held-out split (N_test × K). */
  truthZTest?: Matrix;
  /** Estimated loadings / mask (G × L) and optional inclusion probabilities p*. */
  estimatedW?: Matrix;
  pStar?: Matrix;
  /** True loadings (G × K). */
  truthW?: Matrix;
  /** Spike probabilities γ on the held-out split and labels for the same rows. */
  gamma?: Matrix;
  labelsTest?: ArrayLike<number | string>;
  labelsTrain?: ArrayLike<number | string>;
  /** `classJaccard(gamma, labelsTest)` when the caller already has it (it is O(n²)); used instead of recomputing. */
  jaccard?: JaccardResult;
  /** True per-row support b_i (N_test × K, 0/1) of the held-out rows and their levels L_i. */
  truthRowSupport?: Matrix;
  truthLevels?: ArrayLike<number>;
  /** The cap L0 of `capViolations` (the model's, else the data's). */
  cap?: number;
  /** True tag sets of the held-out rows (N_test × T, 0/1) and the model's per-tag scores for ranking. */
  tagsTest?: Matrix;
  tagScores?: Matrix;
  /** k of `topKExampleF1`: the rounded mean tag count of the training rows (at least 1). */
  tagTopK?: number;
  /** Held-out data and reconstructions (sampled z, and z = posterior mean). */
  x?: Matrix;
  xHat?: Matrix;
  xHatMean?: Matrix;
  /**
   * The codes the fairness and environment probes read (a model's representation, e.g. only its
   * invariant group), training and held-out rows; default the codes.
   */
  probeCodesTrain?: Matrix;
  probeCodesTest?: Matrix;
  /** Learned structure masks (e.g. a structured model's A_out), each with its truth when known and the axis of its latent groups. */
  masks?: Array<{ name: string; estimated: Matrix; truth?: Matrix; permute?: "rows" | "cols" | "none" }>;
  /** Held-out views predicted from the other views, with the prior-mean baseline. */
  crossView?: CrossViewInput[];
  /** Sensitive attribute per training / held-out point (negative = missing). */
  sensitiveTrain?: ArrayLike<number>;
  sensitiveTest?: ArrayLike<number>;
  /** Environment per training / held-out point (negative = missing). */
  environmentTrain?: ArrayLike<number>;
  environmentTest?: ArrayLike<number>;
}

/** Options of {@link computeMetrics}. */
export interface ComputeMetricsOptions {
  /** Restrict to these metrics (validated against the registry). Default: all applicable. */
  metrics?: string[];
  /** DCI options (regressor etc.) for the dci* keys. */
  dci?: DciOptions;
  /**
   * When `metrics` is not given (every applicable metric), skip DCI's boosted trees if training
   * points × codes × factors exceeds this (their cost grows with that product: about 3e-5 s per
   * unit in this project's GBT on a 2-core VM); `onSkip` hears which metrics and why. DCI-16 (16
   * points) is kept. Asking for a DCI key by name always computes it.
   */
  dciWorkLimit?: number;
  /** Told about each group of metrics left out (by a limit, or a degenerate code's Jaccard scores), with the reason. */
  onSkip?: (metrics: string[], reason: string) => void;
}

/** The default {@link ComputeMetricsOptions.dciWorkLimit} of the command line: about a minute of DCI. */
export const DCI_WORK_LIMIT = 2e6;

/**
 * Compute every requested metric whose inputs are present; metrics that do not apply
 * (missing inputs, or `computedBy: "model"`) are **absent** from the result, never 0.
 * Jaccard scores are absent when every active set is empty (collapse); `meanActiveSize`
 * (0) still reports it. Codes/factors: DCI uses train (fit) and test (informativeness);
 * MIG, SAP and active units use the training codes; MCC uses the held-out codes when given.
 *
 * @example
 * ```ts
 * const m = computeMetrics({ codesTrain, codesTest, truthZTrain, truthZTest, estimatedW: W, truthW });
 * m.supportF1; m.dciDisentanglement; "withinClassJaccard" in m; // false
 * ```
 */
export function computeMetrics(inputs: MetricInputs, options: ComputeMetricsOptions = {}): Record<string, number> {
  const wanted = new Set((options.metrics ?? metricNames()).map((n) => getMetric(n).name));
  const out: Record<string, number> = {};
  const want = (...names: string[]) => names.some((n) => wanted.has(n));
  // a metric whose value comes out non-finite (constant codes make a correlation 0/0) is left
  // out and said so through onSkip, never dropped silently
  const put = (name: string, v: number) => {
    if (!wanted.has(name)) return;
    if (Number.isFinite(v)) out[name] = v;
    else options.onSkip?.([name], `its value is ${v} on these codes (e.g. a code constant across the data points makes a correlation 0/0)`);
  };
  const cTr = inputs.codesTrain ?? inputs.codesTest;
  const zTr = inputs.codesTrain ? inputs.truthZTrain : inputs.truthZTest;
  const cTe = inputs.codesTest ?? inputs.codesTrain;
  const zTe = inputs.codesTest ? inputs.truthZTest : inputs.truthZTrain;
  const haveZ = cTr && zTr && cTe && zTe;
  const dciKeys = ["dciDisentanglement", "dciCompleteness", "dciInformativeness"];
  const dciWork = haveZ ? cTr.length * (cTr[0]?.length ?? 0) * (zTr[0]?.length ?? 0) : 0;
  const dciOverLimit = !options.metrics && options.dciWorkLimit !== undefined && dciWork > options.dciWorkLimit;
  if (haveZ && want(...dciKeys) && dciOverLimit) {
    options.onSkip?.(
      dciKeys,
      `${cTr.length} training points × ${cTr[0].length} codes × ${zTr[0].length} factors would take about ` +
        `${Math.max(1, Math.round((dciWork * 3e-5) / 60))} min of boosted-tree fits (${(dciWork / options.dciWorkLimit!).toFixed(1)}× the work done without asking); ask for them by name (--metrics) to compute them`,
    );
  } else if (haveZ && want(...dciKeys)) {
    const r = dci(cTr, zTr, cTe, zTe, options.dci);
    put("dciDisentanglement", r.disentanglement);
    put("dciCompleteness", r.completeness);
    put("dciInformativeness", r.informativeness);
  }
  if (haveZ && want("dciDisentanglement16") && cTr.length >= 16 && cTe.length >= 16) {
    put("dciDisentanglement16", dci16(cTr, zTr, cTe, zTe, options.dci).disentanglement);
  }
  if (cTr && zTr && cTr[0]?.length >= 2) {
    if (want("mig")) put("mig", mig(cTr, zTr).mig);
    if (want("sap")) put("sap", sap(cTr, zTr).sap);
  }
  if (cTe && zTe && want("mcc")) put("mcc", mcc(zTe, cTe).mcc);
  if (inputs.estimatedW && inputs.truthW && want("supportPrecision", "supportRecall", "supportF1", "supportHamming")) {
    // align learned columns to true factors by the codes, or (no true factors: a genres file) by the loadings
    const align =
      cTe && zTe && cTe[0]?.length === inputs.estimatedW[0]?.length && zTe[0]?.length === inputs.truthW[0]?.length
        ? { zMean: cTe, zTrue: zTe }
        : { alignment: loadingAlignment(inputs.estimatedW, inputs.truthW, inputs.pStar) };
    const r = supportRecovery(inputs.estimatedW, inputs.truthW, { ...align, pStar: inputs.pStar });
    put("supportPrecision", r.supportPrecision);
    put("supportRecall", r.supportRecall);
    put("supportF1", r.supportF1);
    put("supportHamming", r.supportHamming);
  }
  if (cTr && want("activeUnits")) put("activeUnits", activeUnits(cTr).activeUnits);
  if (inputs.gamma && want("meanActiveSize", "emptyCodeFraction", "distinctActiveSets", "modalActiveSetFraction", "usedLatents")) {
    const r = activeSetStats(inputs.gamma);
    put("meanActiveSize", r.meanActiveSize);
    put("usedLatents", r.usedLatents);
    put("emptyCodeFraction", r.emptyFraction);
    put("distinctActiveSets", r.distinctActiveSets);
    put("modalActiveSetFraction", r.modalSetFraction);
  }
  if (inputs.gamma && inputs.truthLevels && want("levelAccuracy")) put("levelAccuracy", levelAccuracy(inputs.gamma, inputs.truthLevels).accuracy);
  if (inputs.gamma && inputs.cap !== undefined && want("capViolations")) put("capViolations", capViolations(inputs.gamma, inputs.cap));
  if (inputs.gamma && inputs.codesTest && inputs.truthRowSupport && inputs.truthZTest && want("codeSupportPrecision", "codeSupportRecall", "codeSupportF1")) {
    const r = codeSupport(inputs.gamma, inputs.codesTest, inputs.truthRowSupport, inputs.truthZTest);
    put("codeSupportPrecision", r.precision);
    put("codeSupportRecall", r.recall);
    put("codeSupportF1", r.f1);
  }
  if (inputs.tagsTest) {
    const T = inputs.tagsTest[0]?.length ?? 0;
    if (inputs.tagScores && inputs.tagScores[0]?.length === T) {
      for (const k of [1, 3, 5]) if (want(`precisionAt${k}`) && k <= T) put(`precisionAt${k}`, precisionAtK(inputs.tagScores, inputs.tagsTest, k));
      if (inputs.tagTopK !== undefined && want("topKExampleF1")) put("topKExampleF1", tagSetMetrics(topKSets(inputs.tagScores, inputs.tagTopK), inputs.tagsTest).exampleF1);
    }
    if (inputs.gamma && inputs.gamma[0]?.length === T && want("exampleF1", "hammingLoss", "meanPredictedTags", "meanTrueTags")) {
      const r = tagSetMetrics(inputs.gamma, inputs.tagsTest);
      put("exampleF1", r.exampleF1);
      put("hammingLoss", r.hammingLoss);
      put("meanPredictedTags", r.meanPredictedTags);
      put("meanTrueTags", r.meanTrueTags);
    } else if (want("meanTrueTags")) {
      put("meanTrueTags", tagSetMetrics(inputs.tagsTest, inputs.tagsTest).meanTrueTags);
    }
  }
  if (inputs.gamma && inputs.labelsTest && want("withinClassJaccard", "betweenClassJaccard")) {
    const r = inputs.jaccard ?? classJaccardLabelled(inputs.gamma, inputs.labelsTest);
    // Degenerate codes (all empty, or one fixed set for every point) score a trivial 1: absent instead.
    if (!r.collapsed && !r.uniform) {
      put("withinClassJaccard", r.withinClassJaccard);
      put("betweenClassJaccard", r.betweenClassJaccard);
    } else if (Array.from(inputs.labelsTest).some(isMissingLabel)) {
      // partly labelled data: the labelled rows can be degenerate while the whole code is not flagged, so say it here
      options.onSkip?.(
        ["withinClassJaccard", "betweenClassJaccard"],
        r.collapsed ? "every labelled test point's active set (γ > 0.5) is empty" : "every labelled test point has the same active set (γ > 0.5)",
      );
    }
  }
  if (inputs.codesTrain && inputs.codesTest && inputs.labelsTrain && inputs.labelsTest && want("linearProbeAccuracy")) {
    const tr = labelled(inputs.codesTrain, inputs.labelsTrain);
    const te = labelled(inputs.codesTest, inputs.labelsTest);
    // a probe needs two classes among the labelled training rows (partly labelled data may have fewer)
    if (te.rows.length && new Set(tr.labels).size >= 2) put("linearProbeAccuracy", linearProbe(tr.rows, tr.labels, te.rows, te.labels).testAccuracy);
  }
  structureMetrics(inputs, want, put);
  representationMetrics(inputs, want, put);
  if (inputs.x && inputs.xHat && want("heldoutMse")) put("heldoutMse", reconstructionMse(inputs.x, inputs.xHat).mse);
  if (inputs.x && inputs.xHatMean && want("heldoutMseMean")) put("heldoutMseMean", reconstructionMse(inputs.x, inputs.xHatMean).mse);
  return out;
}

/** Edge scores of learned masks (pooled over the masks that have a truth) and cross-view errors. */
function structureMetrics(inputs: MetricInputs, want: (...n: string[]) => boolean, put: (n: string, v: number) => void): void {
  const masks = inputs.masks ?? [];
  if (masks.length && want("edgeF1", "edgeDensity")) {
    let on = 0;
    let cells = 0;
    let tp = 0;
    let learned = 0;
    let actual = 0;
    let scored = false;
    for (const m of masks) {
      for (const r of m.estimated) {
        for (const v of Array.from(r)) {
          cells++;
          if (v >= 0.5) on++;
        }
      }
      if (!m.truth) continue;
      const e = edgeRecovery(m.estimated, m.truth, { permute: m.permute ?? "cols" });
      scored = true;
      tp += e.truePositives;
      learned += e.truePositives + e.falsePositives;
      actual += e.truePositives + e.falseNegatives;
    }
    if (cells) put("edgeDensity", on / cells);
    if (scored) put("edgeF1", learned + actual ? (2 * tp) / (learned + actual) : 1);
  }
  if (inputs.crossView?.length && want("crossViewMse", "crossViewBaselineMse")) {
    const r = crossViewError(inputs.crossView);
    put("crossViewMse", r.crossViewMse);
    put("crossViewBaselineMse", r.crossViewBaselineMse);
  }
}

/** Rows whose every given per-row value is present (not negative), as index lists. */
function present(n: number, ...cols: Array<ArrayLike<number | string> | undefined>): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (cols.every((c) => !c || !isMissingLabel(c[i]))) out.push(i);
  return out;
}

/** S-predictability, the demographic-parity gap and the environment probes on the representation's codes. */
function representationMetrics(inputs: MetricInputs, want: (...n: string[]) => boolean, put: (n: string, v: number) => void): void {
  const cTr = inputs.probeCodesTrain ?? inputs.codesTrain;
  const cTe = inputs.probeCodesTest ?? inputs.codesTest;
  if (!cTr || !cTe) return;
  const pick = <T,>(a: ArrayLike<T>, idx: number[]) => idx.map((i) => a[i]);
  const { sensitiveTrain: sTr, sensitiveTest: sTe, labelsTrain: yTr, labelsTest: yTe, environmentTrain: eTr, environmentTest: eTe } = inputs;
  if (sTr && sTe && want("sensitiveProbeAccuracy", "sensitiveTreeAccuracy", "sensitiveMajorityRate")) {
    const tr = present(cTr.length, sTr);
    const te = present(cTe.length, sTe);
    if (tr.length && te.length) {
      const r = sensitivePredictability(pick(cTr, tr), pick(sTr, tr), pick(cTe, te), pick(sTe, te), { trees: want("sensitiveTreeAccuracy") });
      put("sensitiveMajorityRate", r.majorityRate);
      put("sensitiveProbeAccuracy", r.linearAccuracy);
      if (r.treeAccuracy !== undefined) put("sensitiveTreeAccuracy", r.treeAccuracy);
    }
  }
  if (sTe && yTr && yTe && want("demographicParityGap")) {
    const tr = present(cTr.length, yTr);
    const te = present(cTe.length, sTe);
    const y = pick(yTr, tr).map(Number);
    // a binary target: its probe's positive rate per value of s
    if (tr.length && te.length && new Set(y).size === 2 && y.every((v) => v === 0 || v === 1) && new Set(pick(sTe, te)).size >= 2) {
      put("demographicParityGap", probeParityGap(pick(cTr, tr), y, pick(cTe, te), pick(sTe, te)));
    }
  }
  if (eTr && eTe && yTr && yTe && want("inEnvProbeAccuracy", "oodProbeAccuracy")) {
    const tr = present(cTr.length, yTr, eTr);
    const te = present(cTe.length, yTe, eTe);
    if (tr.length && te.length && new Set(pick(yTr, tr)).size >= 2) {
      const r = environmentProbe(pick(cTr, tr), pick(yTr, tr), pick(eTr, tr), pick(cTe, te), pick(yTe, te), pick(eTe, te));
      if (r.inEnvironment !== undefined) put("inEnvProbeAccuracy", r.inEnvironment);
      if (r.outOfEnvironment !== undefined) put("oodProbeAccuracy", r.outOfEnvironment);
    }
  }
}

/** A negative numeric label means missing (the Dataset convention). */
export function isMissingLabel(label: number | string): boolean {
  return typeof label === "number" && label < 0;
}

/** The rows whose label is present ({@link isMissingLabel}). */
export function labelled(rows: Matrix, labels: ArrayLike<number | string>): { rows: Matrix; labels: Array<number | string> } {
  const keep = Array.from(labels, (l, i) => [l, i] as const).filter(([l]) => !isMissingLabel(l));
  if (keep.length === labels.length) return { rows, labels: Array.from(labels) };
  return { rows: keep.map(([, i]) => rows[i]), labels: keep.map(([l]) => l) };
}

/** {@link classJaccard} over the labelled rows only (unlabelled rows are no class of their own). */
export function classJaccardLabelled(gamma: Matrix, labels: ArrayLike<number | string>, options: JaccardOptions = {}): JaccardResult {
  const l = labelled(gamma, labels);
  return classJaccard(l.rows, l.labels, options);
}

/**
 * Says when a row's binary code is degenerate, so that reports name it instead of leaving a blank:
 * every active set empty (`emptyCodeFraction` = 1, the collapse the class-consistency loss invites),
 * one fixed active set for every point (`distinctActiveSets` = 1), most sets empty
 * (`emptyCodeFraction` ≥ {@link MOSTLY_EMPTY}), or nearly one fixed set (`modalActiveSetFraction` ≥
 * {@link NEARLY_FIXED}). The Jaccard scores are absent in the first two cases (a trivial 1 says
 * nothing) and flagged in the last two. Returns `undefined` for a healthy code or a
 * model without one.
 *
 * @example
 * ```ts
 * degenerateCode({ emptyCodeFraction: 1, distinctActiveSets: 1 }); // "collapsed: every active set (γ > 0.5) is empty"
 * ```
 */
export function degenerateCode(metrics: Readonly<Record<string, number>>): string | undefined {
  return classifyCode(metrics)?.why;
}

/**
 * {@link degenerateCode}'s reason, and whether it is a case whose Jaccard scores are dropped (a
 * collapsed or one-set code scores a trivial 1) rather than kept and flagged.
 */
function classifyCode(metrics: Readonly<Record<string, number>>): { why: string; dropsJaccard: boolean } | undefined {
  const empty = metrics.emptyCodeFraction;
  // the class-overlap consequences are said only for labelled data (no labels, no Jaccard scores)
  const labelled = hasLabelMetric(metrics);
  if (empty === 1) return { why: "collapsed: every active set (γ > 0.5) is empty", dropsJaccard: true };
  if (metrics.distinctActiveSets === 1)
    return { why: `not sample-specific: every point has the same ${metrics.meanActiveSize ?? "?"} active units`, dropsJaccard: true };
  // two empty sets count as equal, so a mostly empty code inflates the within-class Jaccard
  if (empty !== undefined && empty >= MOSTLY_EMPTY)
    return {
      why: `mostly collapsed: ${(100 * empty).toFixed(0)}% of active sets (γ > 0.5) are empty${labelled ? ", so pairs of empty sets dominate the Jaccard scores" : ""}`,
      dropsJaccard: false,
    };
  const modal = metrics.modalActiveSetFraction;
  if (modal !== undefined && modal >= NEARLY_FIXED)
    return {
      why: `nearly fixed: ${(100 * modal).toFixed(0)}% of points have the same active set (γ > 0.5)${labelled ? ", so Jaccard scores near 1 say little about classes" : ""}`,
      dropsJaccard: false,
    };
  return undefined;
}

/**
 * Whether a result row's metrics came from labelled data: it holds a metric the registry computes
 * from labels (a row of unlabelled data has none, so its degenerate-code warning says nothing of
 * class Jaccard scores it never had).
 */
function hasLabelMetric(metrics: Readonly<Record<string, number>>): boolean {
  return entries.some((m) => m.needs.includes("labels") && metrics[m.name] !== undefined);
}

/** The share of points with the most common active set from which {@link degenerateCode} calls a code nearly fixed. */
export const NEARLY_FIXED = 0.9;

/** The fraction of empty active sets from which {@link degenerateCode} calls a code mostly collapsed. */
export const MOSTLY_EMPTY = 0.5;

/** A result row whose binary code {@link degenerateCode} flags, with what became of its Jaccard scores. */
export interface DegenerateRow<R> {
  row: R;
  /** {@link degenerateCode}'s reason. */
  why: string;
  /**
   * `"not reported"`: labelled data (the row holds a metric computed from labels) whose Jaccard scores
   * were dropped (a collapsed or one-set code would score a trivial 1);
   * `"kept"`: they are in the row but inflated by pairs of empty sets or one common set;
   * `undefined`: the row never had them (no labels: its reason says nothing of classes either).
   */
  jaccard: "not reported" | "kept" | undefined;
}

/**
 * The rows of a result set whose binary code is degenerate, each with its reason and whether its
 * Jaccard scores were dropped or kept, for the command line's warnings and the report's notes.
 */
export function degenerateRows<R extends { metrics?: Readonly<Record<string, number>> }>(rows: readonly R[]): DegenerateRow<R>[] {
  return rows.flatMap((row) => {
    const m = row.metrics ?? {};
    const c = classifyCode(m);
    if (!c) return [];
    const jaccard = m.withinClassJaccard !== undefined ? "kept" : c.dropsJaccard && hasLabelMetric(m) ? "not reported" : undefined;
    return [{ row, why: c.why, jaccard }];
  });
}
