/**
 * Every applicable metric of a fitted program on a dataset with (optionally) a known truth:
 * held-out reconstruction (sampled and mean z), the reference's held-out NLL, the ELBO, optionally
 * IWAE-k, and — from codes, masks and truth — DCI, MIG, SAP, MCC, support recovery, active units,
 * Jaccard and linear probes. Metrics that do not apply are absent, never 0. With replicas, one
 * record per replica.
 *
 * @example
 * ```ts
 * const [m] = evaluateProgram(program, ds);
 * m.heldoutMse; m.supportF1; m.dciDisentanglement;
 * ```
 */
import { tf } from "@sparse-dgm/core";
import { observedTensor, type Program } from "@sparse-dgm/infer";
import type { Dataset } from "@sparse-dgm/data";
import { computeMetrics, classJaccardLabelled, isMissingLabel, type MetricInputs, type ComputeMetricsOptions } from "./registry.js";
import type { Matrix } from "./types.js";
import { correlationMatrix } from "./correlation.js";

/** Options of {@link evaluateProgram}. */
export interface EvaluateProgramOptions extends ComputeMetricsOptions {
  /** IWAE samples per test point (0 = skip; the reference uses 5000). */
  iwaeSamples?: number;
}

function toMatrix(t: tf.Tensor): Matrix {
  return t.arraySync() as number[][];
}

/** Replica `r` of `t` (all of it without replicas) as rows × flattened columns; no tensor left behind. */
function rowsOf(t: tf.Tensor, r: number | undefined): Matrix {
  const flat = tf.tidy(() => {
    const s = slice(t, r);
    return tf.reshape(s, [s.shape[0], -1]);
  });
  try {
    return toMatrix(flat);
  } finally {
    if (flat !== t) flat.dispose();
  }
}

/** Rows encoded per call: the encoder's activations for all of a large split at once would dominate the memory. */
const ENCODE_CHUNK = 8192;

/**
 * {@link Program.encode} of the rows `idx` of `ds`, in chunks of {@link ENCODE_CHUNK} rows joined
 * along each site's data axis. Posterior means are deterministic, so they equal one call on all
 * rows; an activity that is drawn (a capped code's support) gets fresh noise per chunk (`offset`).
 */
export function encodeRows(program: Program, ds: Dataset, idx: Int32Array): Record<string, { mean: tf.Tensor; activity?: tf.Tensor }> {
  const parts: Array<Record<string, { mean: tf.Tensor; activity?: tf.Tensor }>> = [];
  for (let a = 0; a < Math.max(idx.length, 1); a += ENCODE_CHUNK) {
    const x = observedTensor(program.model, ds, idx.subarray(a, a + ENCODE_CHUNK));
    try {
      parts.push(program.encode(x, { offset: a }));
    } finally {
      x.dispose();
    }
  }
  if (parts.length === 1) return parts[0];
  const out: Record<string, { mean: tf.Tensor; activity?: tf.Tensor }> = {};
  for (const site of Object.keys(parts[0])) {
    // the data plate's position in the site's layout, after the replica axis
    const plates = program.model.ir.sites.find((s) => s.name === site)?.plates ?? ["data"];
    const axis = (program.replicas === undefined ? 0 : 1) + Math.max(0, plates.indexOf("data"));
    const join = (pick: (e: { mean: tf.Tensor; activity?: tf.Tensor }) => tf.Tensor | undefined) => {
      const ts = parts.map((p) => pick(p[site])).filter((t): t is tf.Tensor => t !== undefined);
      return ts.length ? tf.concat(ts, axis) : undefined;
    };
    const mean = join((e) => e.mean)!;
    const activity = join((e) => e.activity);
    out[site] = { mean, ...(activity ? { activity } : {}) };
  }
  tf.dispose(parts.flatMap(encodedTensors));
  return out;
}

/** Every tensor of an encoding (means and activities), to dispose. */
function encodedTensors(enc: Record<string, { mean: tf.Tensor; activity?: tf.Tensor }>): tf.Tensor[] {
  return Object.values(enc).flatMap((e) => (e.activity ? [e.mean, e.activity] : [e.mean]));
}

function slice(t: tf.Tensor, r: number | undefined): tf.Tensor {
  return r === undefined ? t : tf.gather(t, r);
}

function truthRows(ds: Dataset, idx: Int32Array): number[][] | undefined {
  const z = ds.truth?.z;
  const k = ds.truth?.k;
  if (!z || !k) return undefined;
  return Array.from(idx, (i) => Array.from(z.subarray(i * k, (i + 1) * k)));
}

/** The true feature x factor matrix restricted to the k true factors. */
function truthW(ds: Dataset): number[][] | undefined {
  const t = ds.truth;
  if (!t?.W || !t.k) return undefined;
  const cols = t.wCols ?? t.k;
  return Array.from({ length: ds.g }, (_, j) => Array.from({ length: t.k! }, (_, c) => t.W![j * cols + c]));
}

/** What a local (binary) code looks like on the held-out split, for the report's activity panels. */
export interface CodePanels {
  /** Mean activity γ per class × latent (labelled data, at most 40 classes), or γ of the first 40 test rows × latent. */
  activity: number[][];
  /** Names of the activity rows: class names, or `row <i>`. */
  activityRows: string[];
  /** What a row of `activity` is: the mean over a class, or one test row. */
  activityBy: "class" | "row";
  /**
   * Class × class mean Jaccard of the active sets (γ > 0.5), symmetric; absent without labels and
   * when the code is degenerate (all sets empty, or one set for every point: the matrix is all 1).
   */
  classJaccard?: number[][];
  /** Names of the classes indexing `classJaccard`. */
  classNames?: string[];
}

/** Test rows shown one by one in the activity panel of unlabelled data. */
const ACTIVITY_ROWS = 40;
/** More classes than this are drawn as test rows (a class × class matrix that size is unreadable). */
const MAX_PANEL_CLASSES = 40;

function codePanels(gamma: Matrix, labels: ArrayLike<number> | undefined, names: string[] | undefined, jaccard: ReturnType<typeof classJaccardLabelled> | undefined): CodePanels {
  const classes = labels ? [...new Set(Array.from(labels).filter((l) => !isMissingLabel(l)))].sort((a, b) => a - b) : [];
  if (!labels || classes.length === 0 || classes.length > MAX_PANEL_CLASSES) {
    const rows = gamma.slice(0, ACTIVITY_ROWS);
    return { activity: rows.map((r) => Array.from(r)), activityRows: rows.map((_, i) => `row ${i}`), activityBy: "row" };
  }
  const D = gamma[0]?.length ?? 0;
  const index = new Map(classes.map((c, k) => [c, k]));
  const sum = classes.map(() => new Float64Array(D));
  const count = new Float64Array(classes.length);
  gamma.forEach((row, i) => {
    const k = index.get(labels[i]);
    if (k === undefined) return;
    count[k]++;
    for (let d = 0; d < D; d++) sum[k][d] += row[d];
  });
  const name = (c: number | string) => names?.[Number(c)] ?? String(c);
  const out: CodePanels = { activity: sum.map((s, k) => Array.from(s, (v) => v / count[k])), activityRows: classes.map(name), activityBy: "class" };
  if (jaccard && !jaccard.collapsed && !jaccard.uniform && jaccard.classes.length > 1) {
    out.classJaccard = jaccard.classMatrix;
    out.classNames = jaccard.classes.map(name);
  }
  return out;
}

/** How the learned codes relate to the true factors on the held-out split, for the report. */
export interface FactorPanel {
  /** |Pearson correlation| of each true factor (row) with each code (column) on the test rows, 0–1. */
  factorCorr: number[][];
  /** The true factors' names (`bowtie 1`, ... on Smiley; `factor 1`, ... otherwise). */
  factorNames: string[];
  /** The codes' names (`z 7`), ordered by the factor each correlates with most, then by strength: blocks show as blocks. */
  factorCorrCols: string[];
}

/** {@link FactorPanel} of codes against true factors (rows: test points). */
export function factorPanel(codes: Matrix, truth: Matrix, factorNames?: string[]): FactorPanel {
  const corr = correlationMatrix(truth, codes).map((r) => r.map(Math.abs)); // factors × codes
  const nCodes = corr[0]?.length ?? 0;
  const best = Array.from({ length: nCodes }, (_, j) => {
    let f = 0;
    for (let i = 1; i < corr.length; i++) if (corr[i][j] > corr[f][j]) f = i;
    return { j, f, v: corr[f]?.[j] ?? 0 };
  });
  best.sort((a, b) => a.f - b.f || b.v - a.v || a.j - b.j);
  return {
    factorCorr: corr.map((r) => best.map(({ j }) => r[j])),
    factorNames: factorNames ?? corr.map((_, i) => `factor ${i + 1}`),
    factorCorrCols: best.map(({ j }) => `z ${j + 1}`),
  };
}

/** Names of the true factors when the data gives blocks of them (`truth.extra.blocks`, e.g. Smiley's attributes). */
function factorNamesOf(ds: Dataset): string[] | undefined {
  const k = ds.truth?.k;
  const blocks = (ds.truth?.extra as { blocks?: Array<{ name: string; start: number; end: number }> } | undefined)?.blocks;
  if (!k || !blocks) return undefined;
  const names = Array.from({ length: k }, (_, i) => `factor ${i + 1}`);
  for (const b of blocks) for (let i = b.start; i < b.end && i < k; i++) names[i] = `${b.name} ${i - b.start + 1}`;
  return names;
}

/** Every applicable metric, one record per replica. */
export function evaluateProgram(program: Program, ds: Dataset, opts: EvaluateProgramOptions = {}): Array<Record<string, number>> {
  return evaluate(program, ds, opts, false).metrics;
}

/**
 * {@link evaluateProgram}, plus, for a model with a local binary code, what the code looks like on
 * the held-out split ({@link CodePanels}: mean γ per class, the class × class Jaccard matrix), one
 * per replica (`panels` is empty for a model without such a code), and, for data with true
 * factors, how the codes correlate with them ({@link FactorPanel}, one per replica).
 */
export function evaluateProgramWithPanels(
  program: Program,
  ds: Dataset,
  opts: EvaluateProgramOptions = {},
): { metrics: Array<Record<string, number>>; panels: CodePanels[]; factorPanels: FactorPanel[] } {
  return evaluate(program, ds, opts, true);
}

function evaluate(
  program: Program,
  ds: Dataset,
  opts: EvaluateProgramOptions,
  withPanels: boolean,
): { metrics: Array<Record<string, number>>; panels: CodePanels[]; factorPanels: FactorPanel[] } {
  const panels: CodePanels[] = [];
  const factorPanels: FactorPanel[] = [];
  const R = program.replicas;
  const xTe = observedTensor(program.model, ds, ds.split.test);
  try {
    const ev = program.evaluate(xTe);
    const iwae = opts.iwaeSamples ? safeIwae(program, xTe, opts.iwaeSamples, opts.onSkip) : undefined;
    const encTr = encodeRows(program, ds, ds.split.train);
    const encTe = encodeRows(program, ds, ds.split.test);
    const codeSite = Object.keys(encTe)[0];
    const globals = program.globals();
    const maskSite = program.model.ir.sites.find((s) => s.kind === "mask" && s.mask?.scope === "global" && s.mask.valueType === "real");
    const hasLocalMask = program.model.ir.sites.some((s) => s.kind === "mask" && s.mask?.scope === "local");
    const out: Array<Record<string, number>> = [];
    for (let r = 0; r < (R ?? 1); r++) {
      const rr = R === undefined ? undefined : r;
      // heldoutMse and heldoutMseMean come from program.evaluate (below), not from x / x̂ matrices here
      const inputs: MetricInputs = {};
      if (codeSite) {
        inputs.codesTrain = rowsOf(encTr[codeSite].mean, rr);
        inputs.codesTest = rowsOf(encTe[codeSite].mean, rr);
        const act = encTe[codeSite].activity;
        if (act) inputs.gamma = rowsOf(act, rr);
      }
      inputs.truthZTrain = truthRows(ds, ds.split.train);
      inputs.truthZTest = truthRows(ds, ds.split.test);
      const tw = truthW(ds);
      if (tw) {
        inputs.truthW = tw;
        if (maskSite && globals[maskSite.name]) {
          inputs.estimatedW = rowsOf(globals[maskSite.name], rr);
          const ps = globals[`${maskSite.name}.pstar`];
          if (ps) inputs.pStar = rowsOf(ps, rr);
        } else if (!hasLocalMask && inputs.codesTest) {
          // A dense decoder: every feature depends on every code (the reference scores it so).
          const L = inputs.codesTest[0].length;
          inputs.estimatedW = Array.from({ length: ds.g }, () => new Array(L).fill(1));
        }
      }
      if (ds.labels) {
        inputs.labelsTrain = Array.from(ds.split.train, (i) => ds.labels![i]);
        inputs.labelsTest = Array.from(ds.split.test, (i) => ds.labels![i]);
      }
      if (inputs.gamma && withPanels) {
        // the panel's matrix from at most 200 points per class when the Jaccard metrics were not asked for (it is O(n²))
        const forMetrics = !opts.metrics || opts.metrics.some((k) => k === "withinClassJaccard" || k === "betweenClassJaccard");
        const jaccard = inputs.labelsTest ? classJaccardLabelled(inputs.gamma, inputs.labelsTest, forMetrics ? {} : { maxPerClass: 200 }) : undefined;
        if (forMetrics) inputs.jaccard = jaccard;
        panels.push(codePanels(inputs.gamma, inputs.labelsTest as number[] | undefined, ds.labelNames, jaccard));
      }
      if (withPanels && inputs.codesTest && inputs.truthZTest) factorPanels.push(factorPanel(inputs.codesTest, inputs.truthZTest, factorNamesOf(ds)));
      const m = computeMetrics(inputs, opts);
      // The model's own numbers on the held-out split: a non-finite one means the fitted model
      // gives the test data no finite likelihood (diverged weights, data it cannot explain); it
      // fails, naming the metric, rather than leave the metric missing.
      const put = (k: string, v: number | undefined) => {
        if (v === undefined || (opts.metrics && !opts.metrics.includes(k))) return;
        if (!Number.isFinite(v)) {
          throw new Error(`${k} is ${v} on the test split${R === undefined ? "" : ` (replica ${r})`}: not finite in float32 (the fit diverged, or the data's scale overflows it)`);
        }
        m[k] = v;
      };
      put("heldoutMse", ev.heldoutMse[r]);
      put("heldoutMseMean", ev.heldoutMseMean[r]);
      put("heldoutNll", ev.heldoutNll[r]);
      put("elbo", ev.elbo[r]);
      if (ev.elboHard) put("elboHard", ev.elboHard[r]);
      if (iwae) put("iwae", iwae[r]);
      out.push(m);
    }
    tf.dispose([...Object.values(globals), ...encodedTensors(encTr), ...encodedTensors(encTe)]);
    return { metrics: out, panels, factorPanels };
  } finally {
    xTe.dispose();
  }
}

/** The IWAE bound, or undefined when the model has no densities for it (said through `onSkip`). */
function safeIwae(program: Program, x: tf.Tensor, k: number, onSkip?: (keys: string[], reason: string) => void): number[] | undefined {
  try {
    return program.iwae(x, k);
  } catch (e) {
    onSkip?.(["iwae"], (e as Error).message);
    return undefined;
  }
}
