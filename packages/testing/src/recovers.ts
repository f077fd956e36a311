/**
 * The identifiability property: "if the data really came from a sparse truth like this, does my
 * model get the truth back?" as one line of test code.
 *
 * `recovers(modelFactory, truths, options)` generates truths with fast-check, draws a dataset from
 * each ({@link datasetFromTruth}), fits `modelFactory(dataset)` with the public `compile`/`fit`
 * API, scores MCC (held-out encoder means vs. true factors, Hungarian matching) and support F1
 * (thresholded |W| ≥ 0.01 and p* ≥ 0.5 after Hungarian alignment) as `evaluateProgram` does
 * (specs/metrics.md §7-8), and asserts both against thresholds.
 *
 * @example
 * ```ts
 * const prop = recovers((ds) => sparseVae.build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) } }),
 *   sparseTruth({ features: 8, factors: 2, n: 600 }), { mcc: 0.8, supportF1: 0.7, runs: 4, seed: 1 });
 * await prop.assert();                                   // vitest / any runner: throws a reproducible report
 * await fc.assert(prop.property, { seed: 1, numRuns: 4 }); // plain fast-check: one fit per case, with shrinking
 * ```
 */
import fc from "fast-check";
import { tf, initBackend, type BackendName, type Model } from "@sparse-dgm/core";
import { compile, observedTensor, type Program } from "@sparse-dgm/infer";
import { evaluateProgram, computeMetrics, type MetricInputs } from "@sparse-dgm/metrics";
import type { Dataset } from "@sparse-dgm/data";
import { formatTruth, type SparseTruth } from "./arbitraries.js";
import { datasetFromTruth } from "./generate.js";

/** Builds the model to fit on a dataset (it may read the data's shape and statistics). */
export type ModelFactory = (dataset: Dataset) => Model<any, any>;

/** How every case is fitted. */
export interface FitSettings {
  /** Training epochs (default 100). */
  epochs?: number;
  /** Minibatch size (default 100, the Sparse VAE spec's). */
  batchSize?: number;
  /** Adam learning rate (default 1e-2, the Sparse VAE spec's). */
  learningRate?: number;
  /** Objective normalisation (default "reference": the paper code's scaling). */
  normalisation?: "reference" | "elbo";
  /** `compile` seed of every fit (default 0). */
  fitSeed?: number;
  /** Seed of every case's data draw and split (default 0; the truth differs per case). */
  dataSeed?: number;
  /** Standardise the generated columns (see {@link datasetFromTruth}; default true). */
  standardise?: boolean;
  /** Backend to train on (e.g. "wasm", faster than "cpu"); the previous one is restored afterwards. */
  backend?: BackendName;
  /**
   * Fit the cases of equal shape (G, n) as replicas of one vectorised program, one dataset per
   * replica (default true). Used only when `modelFactory` gives the same model (same IR metadata)
   * for every dataset of the group; otherwise cases are fitted one by one.
   */
  batch?: boolean;
}

/** Options of {@link recovers}. */
export interface RecoveryOptions extends FitSettings {
  /** MCC threshold (default 0.8). */
  mcc?: number;
  /** Support-F1 threshold (default 0.7). */
  supportF1?: number;
  /** Number of generated truths (fast-check `numRuns`, default 4). */
  runs?: number;
  /** fast-check seed (default 0). */
  seed?: number;
  /**
   * Fraction of cases that must pass for `check`/`assert` to pass (default 1: every case, the
   * fast-check semantics). `fc.assert(prop.property)` always requires every case.
   */
  minPassRate?: number;
  /** Called after each case is scored. */
  onCase?: (result: CaseResult) => void;
}

/** One scored case. */
export interface CaseResult {
  /** The fast-check run index. */
  index: number;
  /** The fast-check path that replays this case (with the same seed). */
  path: string;
  truth: SparseTruth;
  mcc: number;
  supportF1: number;
  passed: boolean;
  /** Every metric computed (mcc, supportF1, supportPrecision, supportRecall, supportHamming). */
  metrics: Record<string, number>;
  /** Set when the fit itself failed (non-finite loss...). */
  error?: string;
}

/** What `check` returns. */
export interface RecoveryReport {
  passed: boolean;
  passes: number;
  runs: number;
  passRate: number;
  seed: number;
  cases: CaseResult[];
  /** The worst case (largest shortfall below a threshold), when any case failed. */
  worst?: CaseResult;
  /** A readable summary; on failure it holds the seed, the path, the truth and how to re-run. */
  message: string;
}

/** The property object {@link recovers} returns. */
export interface RecoveryProperty {
  /**
   * The fast-check property (one fit per generated truth; a failure throws a
   * {@link RecoveryFailure} whose message holds the metrics and the truth). Use with `fc.assert` /
   * `fc.check`: fast-check prints the seed, the path and the shrunk counterexample.
   */
  property: fc.IAsyncProperty<[SparseTruth]>;
  /**
   * Generates the `runs` truths exactly as `fc.assert(property, { seed, numRuns: runs })` would,
   * fits them all (batched as replicas when shapes agree), and reports every case; no shrinking
   * (each shrink step is a fit). With `path`, only that case is re-run.
   */
  check(overrides?: { seed?: number; runs?: number; path?: string }): Promise<RecoveryReport>;
  /** `check`, then throws an Error with the report's message when it did not pass. */
  assert(overrides?: { seed?: number; runs?: number; path?: string }): Promise<RecoveryReport>;
  /** The thresholds and settings in use. */
  readonly options: Required<Pick<RecoveryOptions, "mcc" | "supportF1" | "runs" | "seed" | "minPassRate">> & FitSettings;
}

/** The error a failing case throws inside the fast-check property. */
export class RecoveryFailure extends Error {
  override name = "RecoveryFailure";
  constructor(
    readonly result: CaseResult,
    thresholds: { mcc: number; supportF1: number },
  ) {
    super(
      `recovery failed: MCC ${fmt(result.mcc)} (needs >= ${thresholds.mcc}), support F1 ${fmt(result.supportF1)} (needs >= ${thresholds.supportF1})` +
        (result.error ? `; fit error: ${result.error}` : "") +
        `\ntruth:\n${formatTruth(result.truth)}`,
    );
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

const SCORED = ["mcc", "supportF1", "supportPrecision", "supportRecall", "supportHamming"];

function settingsOf(o: FitSettings): Required<Omit<FitSettings, "backend">> & { backend?: BackendName } {
  return {
    epochs: o.epochs ?? 100,
    batchSize: o.batchSize ?? 100,
    learningRate: o.learningRate ?? 1e-2,
    normalisation: o.normalisation ?? "reference",
    fitSeed: o.fitSeed ?? 0,
    dataSeed: o.dataSeed ?? 0,
    standardise: o.standardise ?? true,
    batch: o.batch ?? true,
    backend: o.backend,
  };
}

async function withBackend<T>(backend: BackendName | undefined, body: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend() as BackendName;
  if (!backend || backend === previous) return body();
  await initBackend(backend);
  try {
    return await body();
  } finally {
    await initBackend(previous);
  }
}

/** The global real mask site that support recovery reads (as `evaluateProgram` does). */
function maskSiteOf(model: Model<any, any>): string | undefined {
  return model.ir.sites.find((s) => s.kind === "mask" && s.mask?.scope === "global" && s.mask.valueType === "real")?.name;
}

/** The truth's test rows of z and its G×k W, as the metrics want them. */
function truthInputs(ds: Dataset): { zTest: number[][]; W: number[][] } {
  const t = ds.truth!;
  const k = t.k!;
  const cols = t.wCols ?? k;
  return {
    zTest: Array.from(ds.split.test, (i) => Array.from(t.z!.subarray(i * k, (i + 1) * k))),
    W: Array.from({ length: ds.g }, (_, j) => Array.from({ length: k }, (_, c) => t.W![j * cols + c])),
  };
}

/**
 * Scores R replicas, each on its own dataset, with the same inputs `evaluateProgram` gives
 * `computeMetrics` (held-out encoder means, the mask and p*, or an all-ones support for a dense
 * decoder). `evaluateProgram` itself takes one dataset for all replicas.
 */
function scoreReplicas(program: Program, datasets: Dataset[]): Array<Record<string, number>> {
  const model = program.model;
  const xTe = tf.stack(datasets.map((ds) => observedTensor(model, ds, ds.split.test)));
  try {
    const enc = program.encode(xTe);
    const site = Object.keys(enc)[0];
    const globals = program.globals();
    const mask = maskSiteOf(model);
    const hasLocalMask = model.ir.sites.some((s) => s.kind === "mask" && s.mask?.scope === "local");
    const codes = site ? (enc[site].mean.arraySync() as number[][][] | number[][][][]) : undefined;
    const W = mask && globals[mask] ? (globals[mask].arraySync() as number[][][]) : undefined;
    const pStar = mask && globals[`${mask}.pstar`] ? (globals[`${mask}.pstar`].arraySync() as number[][][]) : undefined;
    tf.dispose([...Object.values(globals), ...Object.values(enc).flatMap((e) => [e.mean, e.activity].filter((t): t is tf.Tensor => !!t))]);
    return datasets.map((ds, r) => {
      const truth = truthInputs(ds);
      const inputs: MetricInputs = { truthZTest: truth.zTest, truthW: truth.W };
      if (codes) inputs.codesTest = (codes[r] as unknown[]).map((row) => (row as number[] | number[][]).flat());
      if (W) {
        inputs.estimatedW = W[r];
        if (pStar) inputs.pStar = pStar[r];
      } else if (!hasLocalMask && inputs.codesTest) {
        const L = inputs.codesTest[0].length;
        inputs.estimatedW = Array.from({ length: ds.g }, () => new Array(L).fill(1));
      }
      return computeMetrics(inputs, { metrics: SCORED });
    });
  } finally {
    xTe.dispose();
  }
}

function sameModel(a: Model<any, any>, b: Model<any, any>): boolean {
  const sig = (m: Model<any, any>) =>
    JSON.stringify({ name: m.ir.name, meta: m.ir.meta, plates: m.ir.plates, sites: m.ir.sites.map((s) => [s.name, s.kind, s.plates, s.event, s.options, s.prior]) });
  return sig(a) === sig(b);
}

/**
 * Fits and scores truths (no thresholds). Cases with the same (G, n) are fitted as replicas of
 * one program when `batch` is on and the factory gives the same model for each; others one by one.
 */
async function fitCases(factory: ModelFactory, truths: SparseTruth[], settings: FitSettings): Promise<Array<Omit<CaseResult, "index" | "path" | "passed">>> {
  const s = settingsOf(settings);
  const out: Array<Omit<CaseResult, "index" | "path" | "passed">> = new Array(truths.length);
  const datasets = truths.map((t) => datasetFromTruth(t, s.dataSeed, { standardise: s.standardise }));
  const models = datasets.map((ds) => factory(ds));
  const groups = new Map<string, number[]>();
  truths.forEach((t, i) => {
    const key = s.batch ? `${t.features}x${t.factors}x${t.n}` : `case${i}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const plan: number[][] = [];
  for (const idx of groups.values()) {
    if (idx.length > 1 && idx.every((i) => sameModel(models[i], models[idx[0]]))) plan.push(idx);
    else for (const i of idx) plan.push([i]);
  }
  const fitOpts = { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate };
  const record = (i: number, m: Record<string, number>) => (out[i] = { truth: truths[i], mcc: m.mcc ?? NaN, supportF1: m.supportF1 ?? NaN, metrics: m });
  await withBackend(s.backend, async () => {
    for (const idx of plan) {
      const R = idx.length;
      const fail = (e: unknown) => {
        for (const i of idx) out[i] = { truth: truths[i], mcc: NaN, supportF1: NaN, metrics: {}, error: (e as Error).message ?? String(e) };
      };
      if (R === 1) {
        const i = idx[0];
        const program = compile(models[i], { seed: s.fitSeed, normalisation: s.normalisation });
        const x = observedTensor(program.model, datasets[i], datasets[i].split.train);
        try {
          await program.fit(x, fitOpts);
          record(i, evaluateProgram(program, datasets[i], { metrics: SCORED })[0]);
        } catch (e) {
          fail(e);
        } finally {
          x.dispose();
          program.dispose();
        }
        continue;
      }
      const program = compile(models[idx[0]], { seed: new Array(R).fill(s.fitSeed), replicas: R, normalisation: s.normalisation });
      const x = tf.stack(idx.map((i) => observedTensor(program.model, datasets[i], datasets[i].split.train)));
      try {
        await program.fit(x, fitOpts);
        const scores = scoreReplicas(program, idx.map((i) => datasets[i]));
        idx.forEach((i, r) => record(i, scores[r]));
      } catch (e) {
        fail(e);
      } finally {
        x.dispose();
        program.dispose();
      }
    }
  });
  return out;
}

function judge(r: Omit<CaseResult, "index" | "path" | "passed">, t: { mcc: number; supportF1: number }): boolean {
  return r.mcc >= t.mcc && r.supportF1 >= t.supportF1;
}

/**
 * Fits and scores given truths (no thresholds), e.g. for a results table. Cases of the same shape
 * are batched as replicas (see {@link FitSettings.batch}). `index`/`path` are the positions in
 * `truths`; `passed` uses `thresholds` (default MCC ≥ 0.8, F1 ≥ 0.7).
 *
 * @example
 * ```ts
 * const truths = fc.sample(sparseTruth({ features: 8, factors: 2, n: 600 }), { seed: 1, numRuns: 4 });
 * const rows = await recoveryStats(factory, truths, { epochs: 150, backend: "wasm" });
 * summarise(rows); // { medianMcc, medianSupportF1, passRate, ... }
 * ```
 */
export async function recoveryStats(
  modelFactory: ModelFactory,
  truths: SparseTruth[],
  options: FitSettings & { mcc?: number; supportF1?: number } = {},
): Promise<CaseResult[]> {
  const t = { mcc: options.mcc ?? 0.8, supportF1: options.supportF1 ?? 0.7 };
  const res = await fitCases(modelFactory, truths, options);
  return res.map((r, i) => ({ ...r, index: i, path: String(i), passed: judge(r, t) }));
}

function median(v: number[]): number {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Medians and pass rate of scored cases.
 *
 * @example
 * ```ts
 * summarise(await recoveryStats(factory, truths)).medianMcc;
 * ```
 */
export function summarise(cases: CaseResult[]): { cases: number; passes: number; passRate: number; medianMcc: number; medianSupportF1: number; minMcc: number; minSupportF1: number } {
  const passes = cases.filter((c) => c.passed).length;
  const mccs = cases.map((c) => c.mcc);
  const f1s = cases.map((c) => c.supportF1);
  const min = (v: number[]) => v.reduce((a, b) => (Number.isFinite(b) ? Math.min(a, b) : -Infinity), Infinity);
  return {
    cases: cases.length,
    passes,
    passRate: cases.length ? passes / cases.length : NaN,
    medianMcc: median(mccs),
    medianSupportF1: median(f1s),
    minMcc: min(mccs),
    minSupportF1: min(f1s),
  };
}

/**
 * The values `fc.assert(fc.asyncProperty(arb, ...), { seed, numRuns })` generates at run indices
 * 0..numRuns−1 (so path `String(i)` replays value i): a property that records and passes. With
 * `path`, the one value that path replays.
 *
 * @example
 * ```ts
 * const truths = generatedCases(sparseTruth({ features: 8, factors: 2 }), { seed: 1, numRuns: 4 });
 * ```
 */
export function generatedCases<T>(arb: fc.Arbitrary<T>, params: { seed: number; numRuns: number; path?: string }): T[] {
  const seen: T[] = [];
  fc.check(
    fc.property(arb, (v) => {
      seen.push(v);
      return true;
    }),
    { seed: params.seed, numRuns: params.numRuns, ...(params.path !== undefined ? { path: params.path } : {}) },
  );
  // With a path, the first value is the replayed one (fast-check then goes on generating).
  return params.path !== undefined ? seen.slice(0, 1) : seen;
}

/** The shortfall below the thresholds (larger = worse; ≤ 0 passes). */
function shortfall(c: CaseResult, t: { mcc: number; supportF1: number }): number {
  const a = Number.isFinite(c.mcc) ? t.mcc - c.mcc : Infinity;
  const b = Number.isFinite(c.supportF1) ? t.supportF1 - c.supportF1 : Infinity;
  return Math.max(a, b);
}

/** A table of cases, one line each. */
export function formatCases(cases: CaseResult[]): string {
  const lines = ["  path   G  K     n    rho  noise    MCC     F1  pass"];
  for (const c of cases) {
    const t = c.truth;
    lines.push(
      `  ${c.path.padEnd(4)} ${String(t.features).padStart(3)} ${String(t.factors).padStart(2)} ${String(t.n).padStart(5)}  ${t.rho.toFixed(2)}   ${t.noise.toFixed(2)}  ${fmt(c.mcc).padStart(5)}  ${fmt(c.supportF1).padStart(5)}  ${c.passed ? "yes" : "NO"}${c.error ? `  (${c.error})` : ""}`,
    );
  }
  return lines.join("\n");
}

/**
 * The identifiability property: a fitted `modelFactory(dataset)` recovers truths drawn from
 * `truths` with MCC ≥ `mcc` and support F1 ≥ `supportF1` after Hungarian alignment.
 *
 * - `await prop.assert()` runs `runs` cases (batched as replicas when they have the same shape)
 *   and throws a report naming the worst case, its seed and path and its truth as JSON; it passes
 *   when at least `minPassRate` of the cases pass.
 * - `fc.assert(prop.property, { seed, numRuns })` is the plain fast-check form (one fit per case,
 *   with shrinking toward a small truth); `fc.assert(prop.property, { seed, path, endOnFailure: true })`
 *   replays one reported case.
 *
 * The data of each case: {@link datasetFromTruth}`(truth, dataSeed, { standardise })`; the fit:
 * `compile(model, { seed: fitSeed, normalisation })` then `fit(train rows, { epochs, batchSize,
 * learningRate })`. Replicated and single fits agree to float tolerance, so a replayed case gives
 * (almost) the same numbers as in the batched report.
 *
 * @example
 * ```ts
 * const factory = (ds: Dataset) => sparseVae.build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) } });
 * await recovers(factory, sparseTruth({ features: 8, factors: 2, n: 600 }), { mcc: 0.8, supportF1: 0.7, runs: 4, seed: 7, epochs: 150 }).assert();
 * ```
 */
export function recovers(modelFactory: ModelFactory, truthArbitrary: fc.Arbitrary<SparseTruth>, options: RecoveryOptions = {}): RecoveryProperty {
  const opts = {
    ...options,
    mcc: options.mcc ?? 0.8,
    supportF1: options.supportF1 ?? 0.7,
    runs: options.runs ?? 4,
    seed: options.seed ?? 0,
    minPassRate: options.minPassRate ?? 1,
  };
  const thresholds = { mcc: opts.mcc, supportF1: opts.supportF1 };
  const property = fc.asyncProperty(truthArbitrary, async (truth) => {
    const [r] = await fitCases(modelFactory, [truth], opts);
    const result: CaseResult = { ...r, index: 0, path: "", passed: judge(r, thresholds) };
    options.onCase?.(result);
    if (!result.passed) throw new RecoveryFailure(result, thresholds);
  });
  const check = async (o: { seed?: number; runs?: number; path?: string } = {}): Promise<RecoveryReport> => {
    const seed = o.seed ?? opts.seed;
    const runs = o.runs ?? opts.runs;
    const truths = generatedCases(truthArbitrary, { seed, numRuns: runs, path: o.path });
    const first = o.path !== undefined ? Number(o.path.split(":")[0]) : 0;
    const scored = await fitCases(modelFactory, truths, opts);
    const cases = scored.map((r, i): CaseResult => {
      const c = { ...r, index: first + i, path: o.path !== undefined && i === 0 ? o.path : String(first + i), passed: judge(r, thresholds) };
      options.onCase?.(c);
      return c;
    });
    const passes = cases.filter((c) => c.passed).length;
    const passRate = cases.length ? passes / cases.length : 0;
    const passed = passRate >= opts.minPassRate;
    const failing = cases.filter((c) => !c.passed);
    const worst = failing.length ? failing.reduce((a, b) => (shortfall(b, thresholds) > shortfall(a, thresholds) ? b : a)) : undefined;
    const head = `identifiability property (MCC >= ${opts.mcc}, support F1 >= ${opts.supportF1}; ${failing.length} of ${cases.length} cases failed; required pass rate ${opts.minPassRate})`;
    let message = `${passed ? "passed" : "FAILED"}: ${head}\n${formatCases(cases)}`;
    if (worst) {
      message +=
        `\nworst case: seed ${seed}, path "${worst.path}": MCC ${fmt(worst.mcc)}, support F1 ${fmt(worst.supportF1)}${worst.error ? ` (fit error: ${worst.error})` : ""}` +
        `\nre-run it: await prop.check({ seed: ${seed}, path: "${worst.path}" })` +
        `\n       or: await fc.assert(prop.property, { seed: ${seed}, path: "${worst.path}", endOnFailure: true })` +
        `\ntruth:\n${formatTruth(worst.truth)}`;
    }
    return { passed, passes, runs: cases.length, passRate, seed, cases, worst, message };
  };
  return {
    property,
    check,
    async assert(o = {}) {
      const r = await check(o);
      if (!r.passed) throw new Error(r.message);
      return r;
    },
    options: opts,
  };
}

/** What {@link checkTruthProperty} returns. */
export interface PropertyReport<T> {
  failed: boolean;
  seed: number;
  /** The path of the (shrunk) counterexample: pass it back with the seed to replay it. */
  path?: string;
  counterexample?: T;
  numShrinks: number;
  /** Seed, path, shrink count, the counterexample (as JSON, via `format`) and the error. */
  message: string;
}

/**
 * Runs a fast-check property over one generated value (a truth, a mask...) with `fc.check` and
 * returns a report whose message prints the seed, the path and the shrunk counterexample; giving
 * the same `seed` and `path` back replays that counterexample. Works with sync and async
 * properties.
 *
 * @example
 * ```ts
 * const r = await checkTruthProperty(fc.property(sparseTruth(), (t) => t.features < 6), { seed: 3 });
 * r.message;                                                     // seed, path, shrunk truth
 * await checkTruthProperty(prop, { seed: r.seed, path: r.path });  // the same counterexample
 * ```
 */
export async function checkTruthProperty<T>(
  property: fc.IProperty<[T]> | fc.IAsyncProperty<[T]>,
  params: { seed?: number; numRuns?: number; path?: string; format?: (value: T) => string; endOnFailure?: boolean } = {},
): Promise<PropertyReport<T>> {
  const seed = params.seed ?? Date.now() % 2 ** 31;
  const details = await fc.check(property as fc.IAsyncProperty<[T]>, {
    seed,
    ...(params.numRuns !== undefined ? { numRuns: params.numRuns } : {}),
    ...(params.path !== undefined ? { path: params.path } : {}),
    ...(params.endOnFailure ? { endOnFailure: true } : {}),
  });
  if (!details.failed || !details.counterexample) {
    return { failed: false, seed, numShrinks: 0, message: `passed ${details.numRuns} runs (seed ${seed})` };
  }
  const value = details.counterexample[0];
  const format = params.format ?? ((v: T) => (isTruth(v) ? formatTruth(v) : JSON.stringify(v)));
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const path = details.counterexamplePath ?? undefined;
  return {
    failed: true,
    seed,
    path,
    counterexample: value,
    numShrinks: details.numShrinks,
    message:
      `property failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s)\n` +
      `seed: ${seed}, path: "${path}"  (replay: fc.assert(property, { seed: ${seed}, path: "${path}" }))\n` +
      `counterexample:\n${format(value)}\nerror: ${err.split("\n")[0]}`,
  };
}

function isTruth(v: unknown): v is SparseTruth {
  return !!v && typeof v === "object" && "support" in v && "weights" in v && "links" in v;
}
