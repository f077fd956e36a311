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
import { observedTensor, sideData, viewAvailability, type Evaluation, type Program, type Encoded } from "@sparse-dgm/infer";
import { tagCounts, type Dataset } from "@sparse-dgm/data";
import { computeMetrics, classJaccardLabelled, cutoffs, isMissingLabel, type MetricInputs, type ComputeMetricsOptions } from "./registry.js";
import { rankingSums, type RankingSums } from "./ranking.js";
import { topFeatures, type TopFeatures } from "./top-features.js";
import type { Matrix } from "./types.js";
import type { CrossViewInput } from "./cross-view.js";
import { correlationMatrix } from "./correlation.js";
import { edgeRecovery } from "./edge-f1.js";
import { levelAccuracy } from "./code-support.js";

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
export function encodeRows(program: Program, ds: Dataset, idx: Int32Array): Record<string, Encoded> {
  const parts: Array<Record<string, Encoded>> = [];
  for (let a = 0; a < Math.max(idx.length, 1); a += ENCODE_CHUNK) {
    const rows = idx.subarray(a, a + ENCODE_CHUNK);
    const x = observedTensor(program.model, ds, rows);
    const side = sideData(program.model, ds, rows, { evaluation: true });
    try {
      parts.push(program.encode(x, { offset: a, side }));
    } finally {
      tf.dispose([x, ...Object.values(side)]);
    }
  }
  if (parts.length === 1) return parts[0];
  const out: Record<string, Encoded> = {};
  for (const site of Object.keys(parts[0])) {
    // the data plate's position in the site's layout, after the replica axis
    const plates = program.model.ir.sites.find((s) => s.name === site)?.plates ?? ["data"];
    const axis = (program.replicas === undefined ? 0 : 1) + Math.max(0, plates.indexOf("data"));
    const join = (pick: (e: Encoded) => tf.Tensor | undefined) => {
      const ts = parts.map((p) => pick(p[site])).filter((t): t is tf.Tensor => t !== undefined);
      return ts.length ? tf.concat(ts, axis) : undefined;
    };
    const mean = join((e) => e.mean)!;
    const activity = join((e) => e.activity);
    const scores = join((e) => e.scores);
    out[site] = { mean, ...(activity ? { activity } : {}), ...(scores ? { scores } : {}) };
  }
  tf.dispose(parts.flatMap(encodedTensors));
  return out;
}

/** Every tensor of an encoding (means and activities), to dispose. */
function encodedTensors(enc: Record<string, Encoded>): tf.Tensor[] {
  return Object.values(enc).flatMap((e) => [e.mean, e.activity, e.scores].filter((t): t is tf.Tensor => t !== undefined));
}

function slice(t: tf.Tensor, r: number | undefined): tf.Tensor {
  return r === undefined ? t : tf.gather(t, r);
}

/** Rows `idx` of an n×width row-major array. */
function rowsOfArray(a: ArrayLike<number>, width: number, idx: Int32Array): number[][] {
  return Array.from(idx, (i) => Array.from({ length: width }, (_, k) => a[i * width + k]));
}

/** The cap of `capViolations`: the model's local capped mask's (maxActive), else the data's L0 (`truth.extra.l0`), for a model with a local code. */
function codeCap(program: Program, ds: Dataset): number | undefined {
  const local = program.model.ir.sites.find((s) => s.kind === "mask" && s.mask?.scope === "local");
  if (!local) return undefined;
  const l0 = (ds.truth?.extra as { l0?: number } | undefined)?.l0;
  return local.mask?.maxActive ?? l0;
}

/** k of the fixed top-k tag baseline: the rounded mean tag count of the training rows, at least 1. */
function meanTagCount(ds: Dataset): number {
  const { counts } = tagCounts(ds, ds.split.train);
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(counts.length, 1);
  return Math.max(1, Math.round(mean));
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
  /** Data with known per-row levels: the share of held-out rows of level L (rows, from 1) with |b̂| = 0.. active units (columns). */
  levelConfusion?: number[][];
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

/**
 * Cross-view prediction on the held-out rows, for a model that declares how (`meta.crossView`: the
 * side data holding each row's available views, and the views' plate): each view v predicted from
 * the others (encoded with v switched off, decoded from the posterior mean), and the prior-mean
 * baseline (every view switched off: the posterior is the prior, decoded at its mean), on the test
 * rows that have view v and another one. One list per replica.
 */
function crossViewPredictions(program: Program, ds: Dataset, xTe: tf.Tensor, side: Record<string, tf.Tensor>): CrossViewInput[][] | undefined {
  const cv = program.model.ir.meta.crossView as { availability: string; plate: string } | undefined;
  if (!cv) return undefined;
  const obs = program.model.ir.sites.find((s) => s.kind === "observe")!;
  const viewAxis = obs.plates.indexOf(cv.plate);
  if (viewAxis !== 1 || obs.plates.length !== 2) return undefined; // [data, view] + event: the layout of a multi-view site
  const views = xTe.shape[1] as number;
  const idx = ds.split.test;
  const have = viewAvailability(program.model, ds, idx);
  const R = program.replicas;
  const present = have.arraySync() as number[][];
  const x = xTe.arraySync() as number[][][];
  const decode = (availability: tf.Tensor) => {
    const out = program.reconstruct(xTe, { sample: false, side: { ...side, [cv.availability]: availability } });
    try {
      return (R === undefined ? [out.arraySync()] : out.arraySync()) as number[][][][];
    } finally {
      out.dispose();
    }
  };
  const none = tf.zerosLike(have);
  const baseline = decode(none);
  const out: CrossViewInput[][] = Array.from({ length: R ?? 1 }, () => []);
  for (let v = 0; v < views; v++) {
    const rows = present.map((p, i) => (p[v] === 1 && p.some((o, w) => w !== v && o === 1) ? i : -1)).filter((i) => i >= 0);
    if (!rows.length) continue;
    const off = tf.tidy(() => tf.mul(have, tf.tensor1d(Array.from({ length: views }, (_, w) => (w === v ? 0 : 1)))));
    const predicted = decode(off);
    off.dispose();
    for (let r = 0; r < (R ?? 1); r++) {
      out[r].push({ view: v, x: rows.map((i) => x[i][v]), predicted: rows.map((i) => predicted[r][i][v]), baseline: rows.map((i) => baseline[r][i][v]) });
    }
  }
  tf.dispose([have, none]);
  return out;
}

/**
 * The flattened code columns a model declares as its representation for the fairness and
 * environment probes (`meta.representation.columns`, e.g. only the invariant latent group), or
 * undefined (every column).
 */
function representationColumns(program: Program): number[] | undefined {
  const r = program.model.ir.meta.representation as { columns?: number[] } | undefined;
  return r?.columns;
}

/** A structure mask of a run for the report: a group-level mask beside its truth (see `StructureMask` in @sparse-dgm/viz). */
export interface StructurePanel {
  name: string;
  /** Inclusion probabilities of a learned mask, or a fixed mask's values (rows × cols, site layout). */
  learned: number[][];
  truth?: number[][];
  trained: boolean;
  rowNames?: string[];
  colNames?: string[];
  rowTitle?: string;
  colTitle?: string;
}

/**
 * The global masks between two non-data plates of which one indexes the groups of a local latent
 * (a structured model's A_out: view × group, A_in: group × view): the learned ones (binary masks with
 * a trained guide; `program.globals()` gives their inclusion probabilities) and the fixed ones, each
 * with its truth from `ds.truth.extra.masks[name]` when the shapes agree, and the axis that indexes
 * latent groups (matched to the truth's by `edgeF1`).
 */
function structureMasks(program: Program, ds: Dataset, globals: Record<string, tf.Tensor>, r: number | undefined): Array<StructurePanel & { permute: "rows" | "cols" }> {
  const ir = program.model.ir;
  const latentPlates = new Set(ir.sites.filter((s) => s.kind === "latent" && s.plates.includes("data")).flatMap((s) => s.plates.filter((p) => p !== "data")));
  const truths = ((ds.truth?.extra as { masks?: Record<string, number[][]> } | undefined)?.masks ?? {}) as Record<string, number[][]>;
  const names = (ds.truth?.extra as { latentGroupNames?: string[] } | undefined)?.latentGroupNames;
  const views = ds.meta.groupNames as string[] | undefined;
  const out: Array<StructurePanel & { permute: "rows" | "cols" }> = [];
  for (const s of ir.sites) {
    const m = s.mask;
    if (s.kind !== "mask" || !m || m.scope !== "global" || !(m.valueType === "binary" || m.valueType === "fixed")) continue;
    const groupAxis = latentPlates.has(m.cols) ? "cols" : latentPlates.has(m.rows) ? "rows" : undefined;
    if (!groupAxis) continue;
    const trained = m.valueType !== "fixed";
    let learned: number[][] | undefined;
    if (trained && globals[s.name]) learned = rowsOf(globals[s.name], r).map((row) => Array.from(row));
    else if (!trained) learned = (s.options.fixedValue as number[][] | undefined)?.map((row) => [...row]);
    if (!learned) continue;
    const t = truths[s.name];
    const truth = t && t.length === learned.length && t[0]?.length === learned[0]?.length ? t : undefined;
    const label = (plate: string) => (latentPlates.has(plate) ? names : plate === "view" ? views : undefined);
    const title = (plate: string) => (latentPlates.has(plate) ? "latent group" : plate);
    out.push({ name: s.name, learned, ...(truth ? { truth } : {}), trained, rowNames: label(m.rows), colNames: label(m.cols), rowTitle: title(m.rows), colTitle: title(m.cols), permute: groupAxis });
  }
  return out;
}

/** A learned mask's latent groups reordered to match the truth's (as `edgeF1` matches them), for display. */
function alignToTruth(m: StructurePanel, permute: "rows" | "cols"): StructurePanel {
  if (!m.truth || !m.trained) return m;
  const { matching } = edgeRecovery(m.learned, m.truth, { permute });
  const used = new Set(matching.filter((l) => l >= 0));
  const K = permute === "cols" ? m.learned[0].length : m.learned.length;
  const order = [...matching.map((l) => l), ...Array.from({ length: K }, (_, l) => l).filter((l) => !used.has(l))].filter((l) => l >= 0);
  if (permute === "cols") return { ...m, learned: m.learned.map((row) => order.map((l) => row[l])) };
  return { ...m, learned: order.map((l) => m.learned[l]) };
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

/**
 * Floats of one [rows, features] tensor of held-out data that {@link evaluateRows} evaluates at
 * once (16M = 64 MB): more rows than that are evaluated in chunks and the numbers averaged by rows.
 */
export const EVALUATE_CHUNK_FLOATS = 16 * 1024 * 1024;

/** {@link Program.evaluate} over rows `idx` in chunks, plus the ranking sums of x̂ (the heldoutMse draw) when asked. */
export interface StreamedEvaluation extends Evaluation {
  /** Per replica: recall@R and NDCG@k sums over the rows with a positive. */
  ranking?: RankingSums[];
}

/**
 * {@link Program.evaluate} of the rows `idx` of `ds`, streamed: chunks of at most
 * {@link EVALUATE_CHUNK_FLOATS} / g rows (all of them in one call below that, so the numbers are
 * those of one call), each with its own noise (`seed` = the chunk's number), averaged by rows.
 * With `ranking`, each chunk's reconstruction from the same sampled z as `heldoutMse` is ranked
 * against the chunk's positives (recall@R, NDCG@k).
 */
export function evaluateRows(program: Program, ds: Dataset, idx: Int32Array, ranking?: { recall: number[]; ndcg: number[] }): StreamedEvaluation {
  const per = Math.max(1, Math.floor(EVALUATE_CHUNK_FLOATS / Math.max(1, ds.g)));
  const R = program.replicas ?? 1;
  let total: StreamedEvaluation | undefined;
  const sums: RankingSums[] | undefined = ranking ? Array.from({ length: R }, () => ({ recall: {}, ndcg: {}, rows: 0 })) : undefined;
  const n = idx.length;
  for (let a = 0, c = 0; a < Math.max(n, 1); a += per, c++) {
    const rowsIdx = idx.subarray(a, a + per);
    const x = observedTensor(program.model, ds, rowsIdx);
    const side = sideData(program.model, ds, rowsIdx, { evaluation: true });
    try {
      // ranked: the heldoutMse draw's x̂ itself (program.evaluate hands it over; no second decoding)
      const rank = (xhat: tf.Tensor) => {
        const xh = tf.tidy(() => tf.reshape(xhat, [R, rowsIdx.length, -1]));
        const scores = xh.arraySync() as number[][][];
        xh.dispose();
        const xs = Array.from(rowsIdx, (i) => ds.x.subarray(i * ds.g, (i + 1) * ds.g));
        scores.forEach((sc, r) => rankingSums(sc, xs, ranking!.recall, ranking!.ndcg, sums![r]));
      };
      const ev = program.evaluate(x, { seed: c, side, ...(ranking && sums ? { onReconstruction: rank } : {}) });
      const w = n ? rowsIdx.length / n : 1;
      const add = (acc: number[] | undefined, v: number[] | undefined) => (v ? v.map((vi, r) => (acc?.[r] ?? 0) + w * vi) : acc);
      total = {
        heldoutMse: add(total?.heldoutMse, ev.heldoutMse)!,
        heldoutMseMean: add(total?.heldoutMseMean, ev.heldoutMseMean)!,
        heldoutNll: add(total?.heldoutNll, ev.heldoutNll)!,
        elbo: add(total?.elbo, ev.elbo)!,
        ...(ev.elboHard ? { elboHard: add(total?.elboHard, ev.elboHard) } : {}),
        ...(ev.exactNll ? { exactNll: add(total?.exactNll, ev.exactNll) } : {}),
      };
    } finally {
      tf.dispose([x, ...Object.values(side)]);
    }
  }
  return { ...total!, ...(sums ? { ranking: sums } : {}) };
}

/** Every applicable metric, one record per replica. */
export function evaluateProgram(program: Program, ds: Dataset, opts: EvaluateProgramOptions = {}): Array<Record<string, number>> {
  return evaluate(program, ds, opts, false).metrics;
}

/**
 * {@link evaluateProgram}, plus, for a model with a local binary code, what the code looks like on
 * the held-out split ({@link CodePanels}: mean γ per class, the class × class Jaccard matrix), one
 * per replica (`panels` is empty for a model without such a code), for data with true
 * factors, how the codes correlate with them ({@link FactorPanel}, one per replica), for data
 * with feature names, the top features of each factor ({@link TopFeatures}, one per replica), and
 * the structure masks of a structured model beside their truth ({@link StructurePanel}s, one list
 * per replica, empty for a model without group masks).
 */
export function evaluateProgramWithPanels(
  program: Program,
  ds: Dataset,
  opts: EvaluateProgramOptions = {},
): { metrics: Array<Record<string, number>>; panels: CodePanels[]; factorPanels: FactorPanel[]; topFeatures: TopFeatures[]; structurePanels: StructurePanel[][] } {
  return evaluate(program, ds, opts, true);
}

function evaluate(
  program: Program,
  ds: Dataset,
  opts: EvaluateProgramOptions,
  withPanels: boolean,
): { metrics: Array<Record<string, number>>; panels: CodePanels[]; factorPanels: FactorPanel[]; topFeatures: TopFeatures[]; structurePanels: StructurePanel[][] } {
  const panels: CodePanels[] = [];
  const factorPanels: FactorPanel[] = [];
  const structurePanels: StructurePanel[][] = [];
  const R = program.replicas;
  const wants = (k: string) => !opts.metrics || opts.metrics.includes(k);
  // ranking metrics for 0/1 and count data: recall@R, NDCG@k of the reconstruction against the row's positives
  const ranked = ds.kind === "binary" || ds.kind === "counts";
  const recall = ranked ? cutoffs("recallAt", opts.metrics) : [];
  const ndcg = ranked ? cutoffs("ndcgAt", opts.metrics) : [];
  const ev = evaluateRows(program, ds, ds.split.test, recall.length || ndcg.length ? { recall, ndcg } : undefined);
  // the whole held-out split at once only for what needs it (the IWAE bound, cross-view prediction)
  const crossViewed = program.model.ir.meta.crossView !== undefined;
  const xTe = opts.iwaeSamples || crossViewed ? observedTensor(program.model, ds, ds.split.test) : undefined;
  const sideTe = xTe ? sideData(program.model, ds, ds.split.test, { evaluation: true }) : {};
  try {
    const iwae = xTe && opts.iwaeSamples ? safeIwae(program, xTe, opts.iwaeSamples, sideTe, opts.onSkip) : undefined;
    const encTr = encodeRows(program, ds, ds.split.train);
    const encTe = encodeRows(program, ds, ds.split.test);
    const codeSite = Object.keys(encTe)[0];
    const crossView = xTe && crossViewed ? crossViewPredictions(program, ds, xTe, sideTe) : undefined;
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
        const sc = encTe[codeSite].scores ?? act;
        if (sc && ds.tags) inputs.tagScores = rowsOf(sc, rr);
      }
      const t = ds.truth;
      if (t?.rowSupport && t.k) inputs.truthRowSupport = rowsOfArray(t.rowSupport, t.k, ds.split.test);
      if (t?.levels) inputs.truthLevels = Array.from(ds.split.test, (i) => t.levels![i]);
      const cap = codeCap(program, ds);
      if (cap !== undefined) inputs.cap = cap;
      if (ds.tags) {
        inputs.tagsTest = rowsOfArray(ds.tags.y, ds.tags.names.length, ds.split.test);
        inputs.tagTopK = meanTagCount(ds);
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
      const attr = (name: string, idx: Int32Array) => (ds.attributes?.[name] ? Array.from(idx, (i) => ds.attributes![name][i]) : undefined);
      inputs.sensitiveTrain = attr("sensitive", ds.split.train);
      inputs.sensitiveTest = attr("sensitive", ds.split.test);
      inputs.environmentTrain = attr("environment", ds.split.train);
      inputs.environmentTest = attr("environment", ds.split.test);
      const columns = representationColumns(program);
      if (columns && inputs.codesTrain && inputs.codesTest) {
        inputs.probeCodesTrain = inputs.codesTrain.map((row) => columns.map((j) => row[j]));
        inputs.probeCodesTest = inputs.codesTest.map((row) => columns.map((j) => row[j]));
      }
      if (crossView) inputs.crossView = crossView[r];
      const masks = structureMasks(program, ds, globals, rr);
      if (masks.some((m) => m.trained)) inputs.masks = masks.filter((m) => m.trained).map((m) => ({ name: m.name, estimated: m.learned, truth: m.truth, permute: m.permute }));
      if (withPanels) structurePanels.push(masks.map(({ permute: _p, ...m }) => alignToTruth(m, _p)));
      if (inputs.gamma && withPanels) {
        // the panel's matrix from at most 200 points per class when the Jaccard metrics were not asked for (it is O(n²))
        const forMetrics = !opts.metrics || opts.metrics.some((k) => k === "withinClassJaccard" || k === "betweenClassJaccard");
        const jaccard = inputs.labelsTest ? classJaccardLabelled(inputs.gamma, inputs.labelsTest, forMetrics ? {} : { maxPerClass: 200 }) : undefined;
        if (forMetrics) inputs.jaccard = jaccard;
        const panel = codePanels(inputs.gamma, inputs.labelsTest as number[] | undefined, ds.labelNames, jaccard);
        if (inputs.truthLevels) panel.levelConfusion = levelAccuracy(inputs.gamma, inputs.truthLevels).confusion.map((r) => r.map((c) => c / Math.max(1, r.reduce((a, b) => a + b, 0))));
        panels.push(panel);
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
      if (ev.exactNll) put("heldoutMultinomialNll", ev.exactNll[r]);
      put("elbo", ev.elbo[r]);
      if (ev.elboHard) put("elboHard", ev.elboHard[r]);
      if (iwae) put("iwae", iwae[r]);
      const rs = ev.ranking?.[r];
      if (rs && rs.rows > 0) {
        for (const k of recall) put(`recallAt${k}`, rs.recall[k] / rs.rows);
        for (const k of ndcg) put(`ndcgAt${k}`, rs.ndcg[k] / rs.rows);
      }
      out.push(m);
    }
    // top features per factor (data with feature names) and their coherence (non-negative data)
    let tops: TopFeatures[] = [];
    if ((withPanels && ds.featureNames) || wants("topicCoherence")) {
      const codeVariance = codeSite ? Array.from({ length: R ?? 1 }, (_, r) => columnVariance(rowsOf(encTr[codeSite].mean, R === undefined ? undefined : r))) : undefined;
      tops = topFeatures(program, ds, { codeVariance }) ?? [];
      tops.forEach((t, r) => {
        if (t.coherence !== undefined && Number.isFinite(t.coherence) && wants("topicCoherence")) out[r].topicCoherence = t.coherence;
      });
      if (!withPanels || !ds.featureNames) tops = [];
    }
    tf.dispose([...Object.values(globals), ...encodedTensors(encTr), ...encodedTensors(encTe)]);
    return { metrics: out, panels, factorPanels, topFeatures: tops, structurePanels };
  } finally {
    tf.dispose([...(xTe ? [xTe] : []), ...Object.values(sideTe)]);
  }
}

/** The variance of each column of a matrix. */
function columnVariance(m: Matrix): number[] {
  const n = m.length;
  const d = m[0]?.length ?? 0;
  return Array.from({ length: d }, (_, j) => {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      s += m[i][j];
      ss += m[i][j] * m[i][j];
    }
    return n ? ss / n - (s / n) ** 2 : 0;
  });
}

/** The IWAE bound, or undefined when the model has no densities for it (said through `onSkip`). */
function safeIwae(program: Program, x: tf.Tensor, k: number, side: Record<string, tf.Tensor>, onSkip?: (keys: string[], reason: string) => void): number[] | undefined {
  try {
    return program.iwae(x, k, { side });
  } catch (e) {
    onSkip?.(["iwae"], (e as Error).message);
    return undefined;
  }
}
