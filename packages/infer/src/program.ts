/**
 * `compile(model, options)`: a model's IR becomes a variational-inference program with `fit`,
 * `encode`, `reconstruct`, `sample`, `evaluate`, `globals`, `save` (DESIGN §3). Nothing in here is
 * specific to one model: guides, estimators, the objective and the EM hooks all come from the IR.
 *
 * With `replicas: R`, R independent copies (one seed each, or one dataset each) train as one
 * vectorised program: every parameter and data batch carries a leading replica axis, each replica
 * has its own random streams, minibatch order, optimiser moments, EM state and non-finite guard.
 *
 * @example
 * ```ts
 * const program = compile(sparseVae.build({ features: 7 }), { seed: 0, normalisation: "reference" });
 * const fit = await program.fit(trainX, { epochs: 200, batchSize: 100, learningRate: 1e-2 });
 * program.evaluate(testX).heldoutMse;
 * ```
 */
import {
  tf,
  Key,
  DATA_PLATE,
  ParamStore,
  run,
  evaluateSchedule,
  type ScheduleLike,
  canonicalShape,
  fromCanonical,
  toCanonical,
  NonFiniteError,
  messageLogProb,
  broadcast,
  stepSource,
  recurringStep,
  type OutsideTensors,
  type RecurringStep,
  type RecurringStatus,
  type StepContext,
  type Message,
  type Messenger,
  type Model,
  type SiteDecl,
  type SiteDistribution,
  type AheadDeclared,
  siteNeeds,
} from "@sparse-dgm/core";
import { GuideRun, encoderInputWidth, recognitionTrunk, replicaNormal } from "./guide.js";
import { buildTerms, totalLoss, sumPerReplica, type Normalisation, type Term } from "./objective.js";
import { Adam, type NamedGrad } from "./optim.js";
import { balancedOrder } from "./batches.js";
import { checkSideData } from "./data.js";
import { serialize, type Checkpoint } from "./checkpoint.js";
import { NonFiniteGuard } from "./nonfinite-guard.js";
import { planProgram, createInferences, type ProgramPlan } from "./plan.js";
import type { DataStats, FitContext, GuideDraw, SiteInference, StateUpdate } from "./families/family.js";
import { nmfLoadings } from "./nmf.js";

/** Options of `compile`. */
export interface CompileOptions {
  /** Seed (or one seed per replica). */
  seed?: number | number[];
  /** R independent replicas trained as one program. */
  replicas?: number;
  /** Objective normalisation (default "elbo"). */
  normalisation?: Normalisation;
  /** Encoder trunk widths when no site says (default [64, 64]). */
  encoderHidden?: number[];
  /**
   * Let the speed layer run proven training steps from their recorded kernel plans (default true;
   * `@sparse-dgm/speed`). Training is identical either way; `false` runs every step of this
   * program through TF.js's engine (`SDGM_SPEED=0` does so for the whole process).
   */
  stepPlans?: boolean;
  /**
   * Receives each warning about the declaration or the training (one line naming the site): a
   * mask no observed site reads, an option its family does not read, a spike head stuck at γ = 1.
   * Default: `console.warn`. Every warning is also kept in `program.warnings`.
   */
  onWarning?: (message: string) => void;
}

/** What a step reports besides its tensors: term names and weights, and which variables have gradients. */
interface StepMeta {
  names: string[];
  weights: number[];
  /** Each term's weight schedule (a planned step re-evaluates the reported weights from them). */
  schedules: Array<ScheduleLike | undefined>;
  grads: string[];
}

/** A step's outputs: [loss per replica, term values, ...gradients in `meta.grads` order]. */
interface StepOutputs {
  meta: StepMeta;
  flat: tf.Tensor[];
}

/**
 * Side data: per-row inputs besides the observed site (class labels, a sensitive attribute, a
 * per-row view availability), [n, ...] each, read by callbacks through `ctx.observed(name)` and by
 * families that declare them. `fit` takes them in its data object; `encode`, `reconstruct`,
 * `evaluate` and `iwae` in their `side` option (a model whose decoder reads one needs it there too).
 */
export type SideData = Record<string, tf.Tensor>;

/** Training data: row-major values of the observed site, [N, ...] or one dataset per replica [R, N, ...]. */
export type TrainData = tf.Tensor | { [site: string]: tf.Tensor };

/** What `onStep` receives. */
export interface StepInfo {
  step: number;
  epoch: number;
  /** Total loss (mean over replicas). */
  loss: number;
  /** Per-replica losses. */
  replicaLoss: number[];
  /** Term values (mean over replicas). */
  terms: Record<string, number>;
  /** Term weights at this step. */
  weights: Record<string, number>;
  msPerStep: number;
}

/** Options of `fit`. */
export interface FitOptions {
  /**
   * Train until this many epochs are complete in total: a fresh program trains `epochs` epochs; a
   * program loaded from a checkpoint resumes where it stopped (mid-epoch included).
   */
  epochs: number;
  batchSize: number;
  learningRate?: number;
  /**
   * Learning rate per parameter group ("network", "globals"), overriding `learningRate`. Over the
   * model's declared rates (`meta.groupLearningRates`, e.g. the Sparse VAE's `maskLearningRate`),
   * which apply when a group is not given here; a group the model does not have is refused.
   */
  groupLearningRates?: Record<string, number>;
  /** Called after every step. */
  onStep?: (info: StepInfo) => void;
  /**
   * Called after every epoch with the mean loss, and this call's curves so far (`FitResult.curves`
   * and `.weights`, one value per epoch: a checkpoint saved here can keep them).
   */
  onEpoch?: (info: { epoch: number; loss: number; validationLoss?: number; curves: Record<string, number[]>; weights: Record<string, number[]> }) => void;
  /** Fraction of the training rows held out for early stopping (default 0). */
  validationFraction?: number;
  /** Epochs without validation improvement before stopping (default: never). */
  patience?: number;
  /** Consecutive non-finite steps tolerated before stopping with an error (default 5). */
  maxBadSteps?: number;
  /** Stop after this many steps in total (for tests and resumption). */
  maxSteps?: number;
  /** Called for every skipped non-finite step, with an error naming the site and term. */
  onNonFinite?: (e: NonFiniteError) => void;
  /**
   * Class-balanced minibatches: the name of side data holding integer class labels (negative =
   * unlabelled); each minibatch then holds at least `minPerClass` members of every class while
   * the class has rows left in the epoch (`balancedOrder` in batches.ts).
   */
  balanceBy?: string;
  /** Members of each class per balanced minibatch (default 2). */
  minPerClass?: number;
  /** Names an entry of the training data in a support error (see {@link Program.checkSupport}). */
  supportCell?: (row: number, column?: number) => string;
  /** Other data (a held-out split) checked against the likelihood's support before the first step. */
  checkSupportOf?: Array<{ x: tf.Tensor; cell?: (row: number, column?: number) => string; side?: Record<string, tf.Tensor> }>;
}

/** What `fit` returns. */
export interface FitResult {
  epochs: number;
  steps: number;
  msPerStep: number;
  seconds: number;
  /** Loss per epoch (mean over replicas). */
  history: number[];
  /** Per-epoch mean of every objective term (and "loss"). */
  curves: Record<string, number[]>;
  /** Per-epoch weight of every term. */
  weights: Record<string, number[]>;
  /** Steps skipped by the non-finite guard. */
  skippedSteps: number;
  /** The first skipped step's message (site, term, step), when any was skipped. */
  firstSkipped?: string;
  stoppedEarly: boolean;
  /**
   * Mean ms per step in each phase: `gradients` (forward and backward, planned or not, with the
   * host read of the loss), `optimiser`, `em` (closed-form updates); the rest of `msPerStep` is
   * minibatch and bookkeeping time.
   */
  phases: { gradients: number; optimiser: number; em: number };
}

/** One local site's encoding (site layout, per replica when replicated). */
export type Encoded = {
  /** The posterior mean (a capped code: its prediction b̂ ⊙ loc). */
  mean: tf.Tensor;
  /** Activity probabilities γ of a sparse code (a capped code: its predicted 0/1 support). */
  activity?: tf.Tensor;
  /** Per-unit ranking scores when they differ from `activity` (a capped code's index probabilities). */
  scores?: tf.Tensor;
};

/** Held-out evaluation (per replica when replicated). */
export interface Evaluation {
  /** Mean squared error of x̂ decoded from a sampled z (the Sparse VAE paper's held-out MSE). */
  heldoutMse: number[];
  /** Mean squared error of x̂ decoded from the posterior mean. */
  heldoutMseMean: number[];
  /** The reference code's "held-out NLL": its training reconstruction loss on the test rows. */
  heldoutNll: number[];
  /**
   * −log p(x | z) per row with the likelihood's full density (sampled z, the same draw as
   * `heldoutNll`), where the reference's loss differs from it (the categorical likelihood: the
   * multinomial NLL with its coefficient log n!/Π x_j!). Absent otherwise.
   */
  exactNll?: number[];
  /** ELBO per data point (nats), with codes drawn as in training (relaxed codes relaxed). */
  elbo: number[];
  /**
   * For models with a relaxed binary code (VSC's threshold-sigmoid gate): the ELBO with the gates
   * at their hard limit 1[u > 1 − γ], i.e. of the spike-and-slab model itself. The relaxed `elbo`
   * is not a bound on that model's evidence: a relaxed gate leaks signal through units whose γ is
   * small, which the analytic KL does not charge for. Absent for other models.
   */
  elboHard?: number[];
}

/** Rows of the forward pass that tells {@link Program.checkSupport} the observed site's likelihood. */
const SUPPORT_PROBE_ROWS = 16;

/** One epoch's running sums (mean loss, term values and weights per row). */
interface EpochSums {
  loss: number;
  rows: number;
  terms: Record<string, number>;
  weights: Record<string, number>;
}

/** What a fit keeps across its epochs. */
interface FitState {
  opts: FitOptions;
  xAll: tf.Tensor;
  xFlat: tf.Tensor;
  side: Record<string, tf.Tensor>;
  rows: number;
  perReplicaData: boolean;
  batch: number;
  trainIdx: number[];
  valIdx: number[];
  balanceLabels?: number[];
  steps: number;
  history: number[];
  curves: Record<string, number[]>;
  weightCurves: Record<string, number[]>;
  /** The non-finite guard (skipped steps, the run of bad steps across epochs). */
  guard: NonFiniteGuard;
  best: number;
  sinceBest: number;
  stoppedEarly: boolean;
  stepsDone: number;
  stepTimes: number;
  phase: { gradients: number; optimiser: number; em: number };
  lastYield: number;
  /** The per-group rates that act: the model's declared ones under the fit's `groupLearningRates`. */
  groupRates: Record<string, number>;
  /** Whether the rates' groups have been checked against the parameters' (once they exist). */
  groupsChecked: boolean;
}

/** The parameter groups the library itself creates (sites' globals and params, the networks, optimiser-free state). */
const LIBRARY_GROUPS: readonly string[] = ["network", "globals", "params", "state"];

/** A compiled program of model M (its site table types `program.model`). */
export class Program<M extends Model<any, any> = Model<any, any>> {
  readonly params: ParamStore;
  readonly replicas: number | undefined;
  readonly keys: Key[];
  readonly normalisation: Normalisation;
  /** Warnings about the declaration and the training so far, each naming its site. */
  readonly warnings: string[] = [];
  /** What compile decided from the declaration: the observed site and each site's family. */
  private readonly plan: ProgramPlan;
  /** Each site's inference, made once the data sizes are known. */
  private sites?: Map<string, SiteInference>;
  private optimizers = new Map<string, Adam>();
  private stepCount = 0;
  private sizes: Record<string, number> = {};
  private trainSize = 0;
  private configuredBatch = 0;
  /** Whether the run length the model's schedules were resolved against has been checked ({@link checkRunLength}). */
  private runLengthChecked = false;
  private stats: DataStats = {};
  private lastTerms: string[] = [];
  private supportChecked?: tf.Tensor;
  private diagnosed = false;
  /** Runners of the training step and of the state updates (core's step hook), and the step's host-side results. */
  /** The training step's runner for full minibatches, those of partial ones by their size, the EM update's, and the step's host-side result. */
  private recurring: { step?: RecurringStep; partial?: Map<number, RecurringStep>; em?: RecurringStep; meta?: StepMeta } = {};

  constructor(
    readonly model: M,
    readonly options: CompileOptions = {},
  ) {
    this.replicas = options.replicas;
    const seeds = options.seed === undefined ? [0] : Array.isArray(options.seed) ? options.seed : [options.seed];
    if (this.replicas !== undefined) {
      if (!Number.isInteger(this.replicas) || this.replicas < 1) throw new Error(`compile: replicas must be a positive integer, got ${this.replicas}`);
      const s = seeds.length === this.replicas ? seeds : Array.from({ length: this.replicas }, (_, r) => seeds[0] + r);
      this.keys = s.map((x) => Key.of(x));
    } else {
      if (seeds.length !== 1) throw new Error(`compile: ${seeds.length} seeds given without replicas`);
      this.keys = [Key.of(seeds[0])];
    }
    this.params = new ParamStore(this.replicas === undefined ? this.keys[0].foldIn("init") : this.keys.map((k) => k.foldIn("init")), this.replicas);
    this.normalisation = options.normalisation ?? "elbo";
    this.plan = planProgram(model.ir);
    this.plan.warnings.forEach((w) => this.warn(w));
  }

  private warn(message: string): void {
    this.warnings.push(message);
    (this.options.onWarning ?? ((m: string) => console.warn(`warning: ${m}`)))(message);
  }

  private get lead(): number {
    return this.replicas === undefined ? 0 : 1;
  }

  /** Whether site-layout data carries a leading replica axis (one dataset per replica). */
  private hasReplicaAxis(x: tf.Tensor): boolean {
    const obs = this.observedSite();
    return this.lead === 1 && x.rank === obs.plates.length + obs.event.length + 1;
  }

  /** Number of data points in site-layout data. */
  private rowsOf(x: tf.Tensor): number {
    const obs = this.observedSite();
    return x.shape[(this.hasReplicaAxis(x) ? 1 : 0) + obs.plates.indexOf(DATA_PLATE)];
  }

  /** The observed site (the program's data). */
  private observedSite(): SiteDecl {
    return this.plan.observed;
  }

  /** The store, sizes and replicas of the fit, as families see them. */
  private fitContext(): FitContext {
    return { ir: this.model.ir, params: this.params, replicas: this.replicas, lead: this.lead, sizes: this.sizes, step: this.stepCount };
  }

  /** The sites' inferences (after setup). */
  private inferences(): Map<string, SiteInference> {
    if (!this.sites) throw new Error("the program has not seen data yet (fit, encode or evaluate first)");
    return this.sites;
  }

  private setup(x: tf.Tensor): void {
    const n = this.rowsOf(x);
    this.sizes = Object.fromEntries(this.model.ir.plates.map((p) => [p.name, p.size ?? n]));
    if (!this.sites) this.makeInferences();
  }

  private makeInferences(): void {
    this.sites = createInferences(this.model.ir, this.plan, {
      ...this.fitContext(),
      encoderHidden: this.encoderHidden(),
      stats: () => this.stats,
    });
  }

  /** Encoder trunk widths: a local site's `guide.hidden` (the last one given), else the compile option. */
  private encoderHidden(): number[] {
    let hidden = this.options.encoderHidden ?? [64, 64];
    for (const s of this.model.ir.sites) {
      const g = s.options.guide as { hidden?: number[] } | undefined;
      if (s.plates.includes(DATA_PLATE) && s.kind !== "observe" && g?.hidden) hidden = g.hidden;
    }
    return hidden;
  }

  /**
   * The data statistics of the sites' `init`s, computed once (a checkpoint restores them): the
   * per-column variance of the (first replica's) data, for `init: "columnVariance"`; for each
   * `init: "nmf"` mask, one NMF per replica, from that replica's key and (per-replica data) its own
   * dataset, on the training rows `rows` only (all rows when not given). Computed into locals and
   * assigned at the end, so a refusal leaves no partial statistics and no tensors behind.
   */
  private computeStats(x: tf.Tensor, rows?: number[]): void {
    if (this.stats.columnVariance) return;
    const nmfSites = this.model.ir.sites.filter((site) => site.options.init === "nmf");
    const perReplica = this.hasReplicaAxis(x);
    const replicas = this.replicas ?? 1;
    /** One replica's data as rows × columns (the training rows only when `train`). */
    const flatOf = (r: number, train: boolean) =>
      tf.tidy(() => {
        const xr = perReplica ? tf.gather(x, r) : x;
        const kept = train && rows ? tf.gather(xr, tf.tensor1d(rows, "int32")) : xr;
        return tf.reshape(kept, [kept.shape[0], -1]) as tf.Tensor2D;
      });
    const columnVariance = tf.tidy(() => Array.from(tf.moments(flatOf(0, false), 0).variance.dataSync()));
    const nmf: Record<string, number[][]> = {};
    for (const site of nmfSites) {
      if (!site.mask) throw new Error(`site "${site.name}": init "nmf" is for a mask (features × factors); this site is a ${site.kind}`);
      const maskRows = this.sizes[site.mask.rows];
      const columns = x.shape.slice((perReplica ? 1 : 0) + 1).reduce((a, c) => a * c, 1);
      if (maskRows !== columns) throw new Error(`site "${site.name}": init "nmf" needs the mask's rows (${site.mask.rows}: ${maskRows}) to be the data's columns (${columns})`);
      nmf[site.name] = Array.from({ length: replicas }, (_, r) => {
        const flat = flatOf(perReplica ? r : 0, true);
        try {
          return nmfLoadings(flat, this.sizes[site.mask!.cols], this.keys[r].foldIn(site.name));
        } finally {
          flat.dispose();
        }
      });
    }
    this.stats = { columnVariance, ...(nmfSites.length ? { nmf } : {}) };
  }

  /** The messenger that puts guide values and data into the model run. */
  private injector(draws: Map<string, GuideDraw>, observed: Record<string, tf.Tensor>): Messenger {
    return {
      enter(state) {
        Object.assign(state.observed, observed);
      },
      process(msg: Message) {
        const d = draws.get(msg.name);
        if (d?.value) msg.value = d.value;
        if (observed[msg.name]) {
          msg.value = observed[msg.name];
          msg.observed = true;
        }
        if (d?.q) msg.infer.guide = d.q;
      },
    };
  }

  /** A run of the guide on a batch of canonical data. */
  private guideRun(xc: tf.Tensor, batchSize: number, keys: Key[], sample: boolean, step: number, hard = false, side: Record<string, tf.Tensor> = {}, training = false, evaluation = false): GuideRun {
    return new GuideRun(this.inferences(), {
      ir: this.model.ir,
      params: this.params,
      replicas: this.replicas,
      lead: this.lead,
      sizes: { ...this.sizes, [DATA_PLATE]: batchSize },
      keys,
      sample,
      hard,
      training,
      evaluation,
      step,
      // side data too: a family may read one (a product-of-experts guide's per-row view availability)
      observed: { ...side, [this.observedSite().name]: xc },
      observedSites: [this.observedSite()],
      hidden: this.encoderHidden(),
    });
  }

  /** The guide's distribution of a local site at other encoder inputs (`ctx.recognition`). */
  private recognise(g: GuideRun, site: string, inputs: tf.Tensor): SiteDistribution {
    const inf = this.inferences().get(site);
    if (!inf?.local || !inf.recognise) throw new Error(`ctx.recognition("${site}"): "${site}" is not a local site with an amortised guide`);
    const inWidth = encoderInputWidth([this.observedSite()], this.sizes);
    const h = recognitionTrunk(this.params, site, inputs, inWidth, this.replicas, this.encoderHidden());
    return inf.recognise(h, g.context(site));
  }

  /**
   * Runs guide + model on a batch (canonical layout) and returns the objective's terms. `factors`:
   * whether the `.factor` sites are evaluated (the training step and the validation loss, whose
   * objective they are part of); every other pass leaves them out (their terms would be dropped, and
   * a factor over pairs of rows costs O(rows²) memory on a held-out set). `evaluation`: a run of the
   * fitted model (encode, reconstruct, evaluate), where evaluation-only inference (`guide.refine`)
   * applies; never in the training step or the validation loss.
   */
  private forward(
    xc: tf.Tensor,
    batchSize: number,
    keys: Key[],
    sample: boolean,
    step: number,
    side: Record<string, tf.Tensor> = {},
    hard = false,
    training = false,
    factors = training,
    evaluation = false,
  ): { terms: Term[]; messages: Message[]; draws: Map<string, GuideDraw> } {
    const g = this.guideRun(xc, batchSize, keys, sample, step, hard, side, training, evaluation);
    const draws = g.drawAll();
    const observed = { ...side, [this.observedSite().name]: xc };
    const { messages } = run(
      { model: this.model, messengers: [this.injector(draws, observed)] },
      {
        plateSizes: { [DATA_PLATE]: batchSize },
        params: this.params,
        step,
        training: sample,
        skipFactors: !factors,
        context: {
          posterior: (site: string) => {
            if (!this.model.ir.sites.some((s) => s.name === site)) throw new Error(`ctx.posterior("${site}"): model "${this.model.ir.name}" has no site "${site}"`);
            return this.sites?.get(site)?.local ? draws.get(site)?.q : undefined;
          },
          recognition: (site: string, inputs: tf.Tensor) => this.recognise(g, site, inputs),
        },
      },
    );
    const sites = new Map([...this.inferences()].map(([name, inference]) => [name, { inference, draw: draws.get(name) ?? {} }]));
    const terms = buildTerms(
      { messages, sites, batchSize, configuredBatchSize: this.configuredBatch || batchSize, trainSize: this.trainSize || batchSize, leading: this.lead, step },
      this.normalisation,
    );
    return { terms, messages, draws };
  }

  /**
   * The closed-form state updates of every site (the spike-and-slab-lasso p* and η EM step), after
   * the optimiser step and outside the tape, planned like the step itself once proven.
   */
  private runUpdates(step: number, usable: boolean): void {
    const updates = this.stateUpdates();
    if (!updates.length) return;
    const targets = updates.flatMap((u) => u.targets);
    const compute = () => tf.tidy(() => updates.flatMap((u) => u.compute()));
    const runner = (this.recurring.em ??= recurringStep(() => this.outsideTensors([])));
    const { outputs } = runner.run({ step, roots: [], inputs: {} }, usable, compute);
    outputs.forEach((t, i) => {
      targets[i].assign(t);
      t.dispose();
    });
  }

  private stateUpdates(): StateUpdate[] {
    if (!this.sites) return [];
    const f = this.fitContext();
    return [...this.sites.values()].flatMap((s) => s.update?.(f) ?? []);
  }

  private optimizer(group: string, lr: number): Adam {
    let o = this.optimizers.get(group);
    if (!o) {
      o = new Adam(lr);
      this.optimizers.set(group, o);
    }
    return o;
  }

  private dataTensor(data: TrainData): tf.Tensor {
    const obs = this.observedSite();
    const x = data instanceof tf.Tensor ? data : data[obs.name];
    if (!x) throw new Error(`fit: no data for observed site "${obs.name}"`);
    return x;
  }

  /**
   * Trains the program. Minibatches are shuffled from each replica's key, every step runs in
   * `tf.tidy`, non-finite steps are skipped (naming the site and term), and state updates (EM
   * hooks) run after each optimiser step. Every 200 ms it gives the event loop a turn, so timers,
   * progress bars and worker messages keep running during a long fit (outside the timed steps).
   */
  async fit(data: TrainData, opts: FitOptions): Promise<FitResult> {
    const st = this.prepareFit(data, opts);
    const t0 = performance.now();
    st.lastYield = t0;
    for (let epoch = this.position.epoch; epoch < opts.epochs; epoch++) {
      const sums = await this.trainEpoch(st, epoch);
      if (!sums) break;
      if (this.endEpoch(st, epoch, sums)) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const per = (v: number) => (st.stepsDone ? v / st.stepsDone : 0);
    return {
      epochs: st.history.length,
      steps: st.stepsDone,
      msPerStep: per(st.stepTimes),
      phases: { gradients: per(st.phase.gradients), optimiser: per(st.phase.optimiser), em: per(st.phase.em) },
      seconds,
      history: st.history,
      curves: st.curves,
      weights: st.weightCurves,
      skippedSteps: st.guard.skipped,
      ...(st.guard.first ? { firstSkipped: st.guard.first } : {}),
      stoppedEarly: st.stoppedEarly,
    };
  }

  /**
   * The per-group learning rates of a fit: the model's declared `meta.groupLearningRates` under the
   * fit's `groupLearningRates` (the fit's win). Each must be a positive finite number.
   */
  private groupRates(opts: FitOptions): Record<string, number> {
    const declared = this.model.ir.meta.groupLearningRates;
    if (declared !== undefined && (typeof declared !== "object" || declared === null || Array.isArray(declared))) {
      throw new Error(`model "${this.model.ir.name}": meta.groupLearningRates must be an object of group → rate, got ${JSON.stringify(declared)}`);
    }
    const rates: Record<string, unknown> = { ...(declared as Record<string, unknown> | undefined), ...opts.groupLearningRates };
    for (const [g, v] of Object.entries(rates)) {
      if (typeof v !== "number" || !(Number.isFinite(v) && v > 0)) {
        const from = opts.groupLearningRates && g in opts.groupLearningRates ? "fit option groupLearningRates" : `model "${this.model.ir.name}" meta.groupLearningRates`;
        throw new Error(`${from}: the rate of group "${g}" must be a positive number, got ${JSON.stringify(v)}`);
      }
    }
    return rates as Record<string, number>;
  }

  /** Checks the data and options of a fit and lays out its rows (training, validation, balanced classes). */
  private prepareFit(data: TrainData, opts: FitOptions): FitState {
    const groupRates = this.groupRates(opts);
    const xAll = this.dataTensor(data);
    const obsName = this.observedSite().name;
    const side = data instanceof tf.Tensor ? {} : Object.fromEntries(Object.entries(data).filter(([k]) => k !== obsName));
    this.setup(xAll);
    checkSideData(this.model.ir, obsName, side, this.rowsOf(xAll), opts.balanceBy);
    // A plan reads this fit's data tensors: record afresh.
    this.disposeRecurring();
    const R = this.replicas;
    const N = this.rowsOf(xAll);
    const perReplicaData = this.hasReplicaAxis(xAll);
    if (perReplicaData && xAll.shape[0] !== R) throw new Error(`fit: data has ${xAll.shape[0]} datasets on its replica axis, the program ${R} replicas`);
    const B = Math.min(opts.batchSize, N);
    this.configuredBatch = B;
    let trainIdx = Array.from({ length: N }, (_, i) => i);
    let valIdx: number[] = [];
    if (opts.validationFraction && opts.validationFraction > 0) {
      const perm = this.keys[0].foldIn("validation").permutation(N);
      const nv = Math.max(1, Math.round(N * opts.validationFraction));
      valIdx = Array.from(perm.slice(0, nv));
      trainIdx = Array.from(perm.slice(nv));
    }
    // the sites' init statistics: the training rows only
    this.computeStats(xAll, trainIdx);
    this.trainSize = trainIdx.length;
    this.checkRunLength(opts.epochs * Math.ceil(trainIdx.length / B));
    this.checkSupport(xAll, opts.supportCell, side);
    for (const c of opts.checkSupportOf ?? []) this.checkSupport(c.x, c.cell, c.side);
    const xFlat = this.lead && perReplicaData ? tf.reshape(xAll, [R! * N, ...xAll.shape.slice(2)]) : xAll;
    return {
      opts,
      xAll,
      xFlat,
      side,
      rows: N,
      perReplicaData,
      batch: B,
      trainIdx,
      valIdx,
      balanceLabels: this.balanceLabels(opts, side, N, trainIdx),
      steps: Math.ceil(trainIdx.length / B),
      history: [],
      curves: {},
      weightCurves: {},
      guard: new NonFiniteGuard(opts.maxBadSteps ?? 5, opts.onNonFinite),
      best: Infinity,
      sinceBest: 0,
      stoppedEarly: false,
      stepsDone: 0,
      stepTimes: 0,
      phase: { gradients: 0, optimiser: 0, em: 0 },
      lastYield: 0,
      groupRates,
      groupsChecked: false,
    };
  }

  /**
   * Warns (once per program) when the model says it spread run-relative schedules over another run
   * length than this fit's: metadata `run: { steps, told }` (the zoo's `runMeta`: warm-ups given as
   * fractions of the run, a sharpness rising over the run), more than 1.5x away from `planned`, the
   * fit's total optimiser steps. A warm-up sized for 9,375 steps never finishes in a 376-step fit.
   */
  private checkRunLength(planned: number): void {
    const run = this.model.ir.meta.run as { steps: number; told: boolean } | undefined;
    if (!run || this.runLengthChecked) return;
    this.runLengthChecked = true;
    if (planned <= run.steps * 1.5 && planned >= run.steps / 1.5) return;
    this.warn(
      `model "${this.model.ir.name}" spreads its run-relative schedules (warm-ups given as fractions of the run) over ${run.steps} steps${run.told ? "" : " (assumed: it was built without run)"}, but this fit runs ${planned}; build it with run: { steps: ${planned} } (sdgm fit and compare do), or give the warm-ups in steps`,
    );
  }

  /** Class labels for balanced minibatches (host values, read once per fit), one per training position. */
  private balanceLabels(opts: FitOptions, side: Record<string, tf.Tensor>, N: number, trainIdx: number[]): number[] | undefined {
    if (!opts.balanceBy) return undefined;
    const t = side[opts.balanceBy];
    if (!t) throw new Error(`fit: balanceBy "${opts.balanceBy}" names no side data (have: ${Object.keys(side).join(", ") || "none"})`);
    if (t.shape[0] !== N || t.rank !== 1) throw new Error(`fit: balanceBy "${opts.balanceBy}" must be one label per row, shape [${N}], got [${t.shape.join(", ")}]`);
    const all = t.dataSync();
    return Array.from(trainIdx, (i) => all[i]);
  }

  /** One epoch's steps; undefined when `maxSteps` stopped the fit. */
  private async trainEpoch(st: FitState, epoch: number): Promise<EpochSums | undefined> {
    const perms = this.keys.map((k) => {
      const p = k.foldIn("shuffle").foldIn(epoch).permutation(st.trainIdx.length);
      return st.balanceLabels ? balancedOrder(p, st.balanceLabels, st.batch, st.opts.minPerClass ?? 2) : p;
    });
    const sums: EpochSums = { loss: 0, rows: 0, terms: {}, weights: {} };
    for (let s = this.position.batch; s < st.steps; s++) {
      if (st.opts.maxSteps !== undefined && this.stepCount >= st.opts.maxSteps) return undefined;
      this.trainStep(st, epoch, s, perms, sums);
      // Training is synchronous TF.js work: let timers, progress bars and worker messages run.
      if (performance.now() - st.lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        st.lastYield = performance.now();
      }
    }
    return sums;
  }

  /** The rows of minibatch `s` of every replica (indices into the flat data, and into the rows). */
  private batchIndices(st: FitState, perms: Int32Array[], s: number): { idx: Int32Array; rowIdx: Int32Array; b: number } {
    const lo = s * st.batch;
    const b = Math.min(st.trainIdx.length, lo + st.batch) - lo;
    const idx = new Int32Array((this.replicas ?? 1) * b);
    const rowIdx = new Int32Array((this.replicas ?? 1) * b);
    perms.forEach((p, r) => {
      for (let i = 0; i < b; i++) {
        rowIdx[r * b + i] = st.trainIdx[p[lo + i]];
        idx[r * b + i] = rowIdx[r * b + i] + (st.perReplicaData ? r * st.rows : 0);
      }
    });
    return { idx, rowIdx, b };
  }

  /** One training step: gradients (from a step plan when proven), the non-finite guard, the optimiser, the state updates. */
  private trainStep(st: FitState, epoch: number, s: number, perms: Int32Array[], sums: EpochSums): void {
    const ts = performance.now();
    const { idx, rowIdx, b } = this.batchIndices(st, perms, s);
    this.position = { epoch, batch: s };
    const stepKeys = this.keys.map((k, r) => k.foldIn("step").foldIn(this.stepCount).asRoot(r));
    const step = this.stepCount;
    const ctx: StepContext = { step, roots: stepKeys, inputs: { idx, rowIdx }, remaining: this.fullStepsLeft(st, epoch, s) };
    const tGrad = performance.now();
    // The forward and backward pass: from a recorded plan when the speed layer has proven one,
    // else through the engine.
    const out = this.runStep(ctx, b, st.batch, () => this.engineStep(st, idx, rowIdx, b, stepKeys, step), [st.xFlat, ...Object.values(st.side)]);
    const grads: Record<string, tf.Tensor> = {};
    out.meta.grads.forEach((nm, i) => (grads[nm] = out.flat[2 + i]));
    const names = out.meta.names;
    const replicaLoss = Array.from(out.flat[0].dataSync());
    const termVals = out.flat[1].arraySync() as number[][];
    st.phase.gradients += performance.now() - tGrad;
    tf.dispose([out.flat[0], out.flat[1]]);
    if (this.guardNonFinite(st, replicaLoss, names, termVals, grads, epoch, s)) return;
    this.applyGradients(
      st,
      grads,
      replicaLoss.map((v) => Number.isFinite(v)),
    );
    const tEm = performance.now();
    this.runUpdates(step, this.stepPlansUsable());
    for (const site of this.sites!.values()) site.afterStep?.(replicaLoss, this.fitContext());
    st.phase.em += performance.now() - tEm;
    this.stepCount++;
    this.position = { epoch, batch: s + 1 };
    st.stepsDone++;
    const loss = replicaLoss.reduce((a, c) => a + c, 0) / replicaLoss.length;
    sums.loss += loss * b;
    sums.rows += b;
    const terms: Record<string, number> = {};
    const weights: Record<string, number> = {};
    names.forEach((nm, i) => {
      terms[nm] = termVals[i].reduce((a, c) => a + c, 0) / termVals[i].length;
      weights[nm] = out.meta.weights[i];
      sums.terms[nm] = (sums.terms[nm] ?? 0) + terms[nm] * b;
      sums.weights[nm] = weights[nm];
    });
    const ms = performance.now() - ts;
    st.stepTimes += ms;
    this.lastTerms = names;
    st.opts.onStep?.({ step, epoch, loss, replicaLoss, terms, weights, msPerStep: ms });
  }

  /** Full minibatches left in this fit from batch `s` of `epoch` on (those a step plan may run), within `maxSteps`. */
  private fullStepsLeft(st: FitState, epoch: number, s: number): number {
    const full = Math.floor(st.trainIdx.length / st.batch);
    const left = Math.max(0, full - s) + Math.max(0, st.opts.epochs - epoch - 1) * full;
    return st.opts.maxSteps === undefined ? left : Math.min(left, Math.max(0, st.opts.maxSteps - this.stepCount));
  }

  /**
   * The non-finite guard (nonfinite-guard.ts): a step whose loss is not finite is reported (naming
   * its term and site) and skipped; `maxBadSteps` in a row, counted across epochs, throw. Replicas
   * with a finite loss still step (their own guard). Returns whether the whole step was skipped.
   */
  private guardNonFinite(st: FitState, replicaLoss: number[], names: string[], termVals: number[][], grads: Record<string, tf.Tensor>, epoch: number, s: number): boolean {
    let skipAll: boolean;
    try {
      skipAll = st.guard.check(this.stepCount, replicaLoss, names, termVals, this.replicas !== undefined).skipAll;
    } catch (e) {
      tf.dispose(grads); // the run of bad steps ends the fit
      throw e;
    }
    if (!skipAll) return false;
    tf.dispose(grads);
    this.stepCount++;
    this.position = { epoch, batch: s + 1 };
    return true;
  }

  /** Applies the step per parameter group (each group has its own optimiser); replicas with a non-finite loss keep their parameters and moments. */
  private applyGradients(st: FitState, grads: Record<string, tf.Tensor>, finiteMask: boolean[]): void {
    const finite = finiteMask.every((f) => f);
    const keep = finite ? undefined : tf.tensor1d(finiteMask.map((f) => (f ? 1 : 0)));
    const groups = new Map<string, NamedGrad[]>();
    for (const { variable, meta } of this.params.all()) {
      const grad = grads[variable.name];
      if (!meta.trainable || !grad) continue;
      if (!groups.has(meta.group)) groups.set(meta.group, []);
      groups.get(meta.group)!.push({ name: meta.name, variable, grad });
    }
    const tOpt = performance.now();
    const lr = st.opts.learningRate ?? 1e-3;
    if (!st.groupsChecked) {
      const known = [...new Set(this.params.all().map((e) => e.meta.group))];
      // a group the library creates but this model has no parameter in (an entry's rate for "globals"
      // on a variant without global sites) is no error: the rate has nothing to act on; a name that is
      // no group at all (a misspelling) is refused
      const unknown = Object.keys(st.groupRates).find((g) => !known.includes(g) && !LIBRARY_GROUPS.includes(g));
      if (unknown !== undefined) {
        tf.dispose(grads);
        keep?.dispose();
        throw new Error(`fit: groupLearningRates: no parameter group "${unknown}"; this model's groups: ${known.join(", ")} (any of ${LIBRARY_GROUPS.join(", ")} may be given)`);
      }
      st.groupsChecked = true;
    }
    for (const [group, g] of groups) this.optimizer(group, st.groupRates[group] ?? lr).step(g, keep);
    tf.dispose(grads);
    keep?.dispose();
    st.phase.optimiser += performance.now() - tOpt;
  }

  /** The forward and backward pass through TF.js's engine: [loss per replica, term values, ...gradients]. */
  private engineStep(st: FitState, idx: Int32Array, rowIdx: Int32Array, b: number, stepKeys: Key[], step: number): StepOutputs {
    const lead = this.lead;
    const R = this.replicas;
    let meta: StepMeta = { names: [], weights: [], schedules: [], grads: [] };
    const flat = tf.tidy(() => {
      const idxT = stepSource(tf.tensor1d(idx, "int32"), (c) => c.inputs.idx);
      const batch = tf.gather(st.xFlat, idxT);
      const xb = lead ? tf.reshape(batch, [R!, b, ...batch.shape.slice(1)]) : batch;
      // Side data (labels...) for ctx.observed(name): the same rows, [b, ...] or [R, b, ...].
      const sideBatch: Record<string, tf.Tensor> = {};
      if (Object.keys(st.side).length) {
        const rIdx = stepSource(tf.tensor1d(rowIdx, "int32"), (c) => c.inputs.rowIdx);
        for (const [k, t] of Object.entries(st.side)) {
          const g = tf.gather(t, rIdx);
          sideBatch[k] = lead ? tf.reshape(g, [R!, b, ...g.shape.slice(1)]) : g;
        }
      }
      // Parameters are created on the first forward pass; build them outside the tape once.
      if (this.params.names().length === 0) this.forward(this.canonicalDataSized(xb, b), b, stepKeys, true, step, sideBatch, false, true);
      let kept: tf.Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const { terms } = this.forward(this.canonicalDataSized(xb, b), b, stepKeys, true, step, sideBatch, false, true);
        const perReplica = totalLoss(terms);
        meta = { names: terms.map((t) => t.name), weights: terms.map((t) => t.weight), schedules: terms.map((t) => t.schedule), grads: [] };
        kept = [tf.keep(perReplica), tf.keep(tf.stack(terms.map((t) => (lead ? t.value : tf.reshape(t.value, [1])))))];
        return tf.sum(perReplica) as tf.Scalar;
      }, this.params.trainable());
      value.dispose();
      meta.grads = Object.keys(grads);
      return [...kept, ...Object.values(grads)];
    });
    return { meta, flat };
  }

  /** After an epoch: history and curves, validation loss and early stopping, the first epoch's diagnostics. Returns whether to stop. */
  private endEpoch(st: FitState, epoch: number, sums: EpochSums): boolean {
    this.position = { epoch: epoch + 1, batch: 0 };
    // an epoch whose every step was skipped still ends (the guard's count runs on into the next
    // one); its curves hold NaN, so they stay one value per epoch
    const meanLoss = sums.rows ? sums.loss / sums.rows : NaN;
    st.history.push(meanLoss);
    recordEpoch(st.curves, st.weightCurves, st.history.length - 1, meanLoss, sums.terms, sums.weights, sums.rows);
    if (sums.rows) this.diagnose(st);
    let validationLoss: number | undefined;
    if (st.valIdx.length) {
      validationLoss = tf.tidy(() => {
        const rowsT = tf.tensor1d(st.valIdx, "int32");
        const v = tf.gather(this.lead && st.perReplicaData ? tf.gather(st.xAll, 0) : st.xAll, rowsT);
        return this.lossOn(v, Object.fromEntries(Object.entries(st.side).map(([k, t]) => [k, tf.gather(t, rowsT)])));
      });
      if (validationLoss < st.best - 1e-9) {
        st.best = validationLoss;
        st.sinceBest = 0;
      } else if (st.opts.patience !== undefined && ++st.sinceBest >= st.opts.patience) {
        st.opts.onEpoch?.({ epoch, loss: meanLoss, validationLoss, curves: st.curves, weights: st.weightCurves });
        st.stoppedEarly = true;
        return true;
      }
    }
    st.opts.onEpoch?.({ epoch, loss: meanLoss, validationLoss, curves: st.curves, weights: st.weightCurves });
    return false;
  }

  /** After the first epoch: each family's diagnostics on up to 256 training rows (warnings naming the site). */
  private diagnose(st: FitState): void {
    if (this.diagnosed) return;
    this.diagnosed = true;
    const lines = tf.tidy(() => {
      const n = Math.min(256, st.trainIdx.length);
      const rowsX = tf.gather(this.lead && st.perReplicaData ? tf.gather(st.xAll, 0) : st.xAll, tf.tensor1d(st.trainIdx.slice(0, n), "int32"));
      const xc = this.canonicalDataSized(this.withReplicas(rowsX), n);
      const g = this.guideRun(
        xc,
        n,
        this.keys.map((k) => k.foldIn("diagnose")),
        false,
        this.stepCount,
      );
      return [...this.inferences().values()].flatMap((s) => s.diagnose?.(g.context(s.site.name)) ?? []);
    });
    lines.forEach((w) => this.warn(w));
  }

  /**
   * One forward + backward pass, through the speed layer's runner (core's step hook): through the
   * engine while a plan is recorded and proven (two consecutive full-batch steps, then a
   * bit-for-bit check of the plan against the second), from the plan afterwards. A partial batch
   * (the last of every epoch: 703 rows in batches of 512 end with 191) has a runner of its own, by
   * its size, proven on the partial batches of two consecutive epochs (a plan runs one set of
   * shapes); past {@link MAX_PARTIAL_RUNNERS} sizes, and with `stepPlans: false`, the engine.
   */
  private runStep(ctx: StepContext, b: number, B: number, engineStep: () => StepOutputs, data: tf.Tensor[]): StepOutputs {
    let meta: StepMeta | undefined;
    const outside = () => this.outsideTensors(data);
    const partial = (this.recurring.partial ??= new Map());
    const runner = b === B ? (this.recurring.step ??= recurringStep(outside)) : (partial.get(b) ?? (partial.size < MAX_PARTIAL_RUNNERS ? partial.set(b, recurringStep(outside)).get(b)! : undefined));
    if (!runner) {
      const out = engineStep();
      this.recurring.meta = out.meta;
      return out;
    }
    const { outputs, fast } = runner.run(
      ctx,
      this.stepPlansUsable() && this.params.names().length > 0,
      () => {
        const out = engineStep();
        meta = out.meta;
        return out.flat;
      },
      () => JSON.stringify([meta!.names, meta!.schedules, meta!.grads]),
    );
    if (!fast) {
      this.recurring.meta = meta;
      return { meta: meta!, flat: outputs };
    }
    const m = this.recurring.meta!;
    return { meta: { ...m, weights: m.weights.map((w, i) => (m.schedules[i] === undefined ? w : evaluateSchedule(m.schedules[i]!, ctx.step))) }, flat: outputs };
  }

  /** Frees every recorded plan (a new fit reads other data tensors: record afresh). */
  private disposeRecurring(): void {
    this.recurring.step?.dispose();
    this.recurring.partial?.forEach((r) => r.dispose());
    this.recurring.em?.dispose();
    this.recurring = {};
  }

  /** Step plans are allowed for this program (the speed layer decides whether it can use them). */
  private stepPlansUsable(): boolean {
    return this.options.stepPlans !== false;
  }

  /** Outside tensors a planned call may read: every variable of the store (its data id now) and the data. */
  private outsideTensors(data: tf.Tensor[]): OutsideTensors {
    const ext: OutsideTensors = new Map();
    for (const { variable, meta } of this.params.all()) ext.set(variable.dataId, { name: meta.name, dataId: () => variable.dataId });
    data.forEach((t, i) => ext.set(t.dataId, { name: `data ${i}`, dataId: () => t.dataId }));
    return ext;
  }

  /** Whether training steps (and the state updates, e.g. EM) currently run from recorded plans, and why not if they do not. */
  stepPlanStatus(): RecurringStatus & { em?: RecurringStatus; partial?: RecurringStatus } {
    if (this.options.stepPlans === false) return { active: false, reason: "stepPlans: false" };
    const full = this.recurring.step?.status() ?? { active: false, reason: "no step recorded yet" };
    // the partial minibatch's runner (the last one made), when the epochs end with one
    const last = [...(this.recurring.partial?.values() ?? [])].pop();
    const step = last ? { ...full, partial: last.status() } : full;
    return this.stateUpdates().length ? { ...step, em: this.recurring.em?.status() ?? { active: false, reason: "no EM update recorded yet" } } : step;
  }

  /**
   * Refuses data outside the likelihood's support (e.g. a categorical or count likelihood on
   * negative values), naming the site, the distribution and the first bad entry: `cell(row, column)`
   * names it (default `row <i>, column <j>`, 0-based in `x`; the command line gives the data
   * file's row and column). Every row is checked, in chunks. `fit` checks its training data (and
   * `FitOptions.checkSupportOf`) before the first step; call it on held-out data before evaluating.
   */
  checkSupport(x: tf.Tensor, cell: (row: number, column?: number) => string = (r, c) => (c === undefined ? `row ${r}` : `row ${r}, column ${c}`), side: Record<string, tf.Tensor> = {}): void {
    // Once per dataset: a resumed or continued fit on the same tensor is not checked again.
    if (this.supportChecked === x) return;
    this.ensureReady(x);
    const N = this.rowsOf(x);
    const obs = this.observedSite();
    // The likelihood (and so its support) from one forward pass on the first few rows: a support is
    // a property of the family and its shapes (no constraint reads per-row parameters; the check
    // below runs it on other rows than the forward's), so a whole minibatch would only cost time
    // (at 512 × 10,473 features, hidden 300, one forward is about 10^12 multiply-adds).
    const { support, kind } = scoped(() => {
      const m = Math.min(N, this.configuredBatch || N, SUPPORT_PROBE_ROWS);
      const rowsX = this.hasReplicaAxis(x) ? tf.squeeze(tf.slice(x, [0, 0], [1, m]), [0]) : tf.slice(x, 0, m);
      // the side data of the same rows that the likelihood and the guide read (a decoder may read a
      // label or attribute as a parent); not a factor's: this pass is no training step
      const read = new Set(siteNeeds(this.model.ir, { skipFactors: true }));
      const sideHead = this.sideFor(
        Object.fromEntries(
          Object.entries(side)
            .filter(([k]) => read.has(k))
            .map(([k, t]) => [k, tf.slice(t, 0, m)]),
        ),
        m,
      );
      const { messages } = this.forward(
        this.canonicalDataSized(this.withReplicas(rowsX), m),
        m,
        this.keys.map((k) => k.foldIn("support-check")),
        false,
        0,
        sideHead,
      );
      const fn = messages.find((mm) => mm.name === obs.name)!.fn!;
      return { support: fn.support, kind: fn.kind };
    });
    const CHUNK = 2000; // rows checked at once
    for (let start = 0; start < N; start += CHUNK) {
      tf.tidy(() => {
        const n = Math.min(CHUNK, N - start);
        const rowsX = this.hasReplicaAxis(x) ? tf.slice(x, [0, start], [1, n]) : tf.slice(x, start, n);
        const xr = this.withReplicas(this.hasReplicaAxis(x) ? tf.squeeze(rowsX, [0]) : rowsX);
        const ok = support.check(this.canonicalDataSized(xr, n));
        const okData = ok.dataSync();
        const bad = okData.findIndex((v) => !v);
        if (bad < 0) return;
        // The check has one cell per (row, plate entry), or one per row when the event is a vector.
        const cells = okData.length / ((this.replicas ?? 1) * n);
        const rowI = Math.floor((bad % (n * cells)) / cells);
        const values = (this.hasReplicaAxis(x) ? tf.reshape(tf.gather(rowsX, 0), [n, -1]) : tf.reshape(rowsX, [n, -1])).arraySync() as number[][];
        const where = cells > 1 ? `${cell(start + rowI, bad % cells)} is ${values[rowI][bad % cells]}` : `${cell(start + rowI)} is [${values[rowI].join(", ")}]`;
        throw new Error(`site "${obs.name}": the data are not in the support of its ${kind} likelihood (${support.name}): ${where}`);
      });
    }
    this.supportChecked = x;
  }

  /** Where training stands: epochs completed and the next batch of the current epoch. */
  position = { epoch: 0, batch: 0 };

  private canonicalDataSized(xb: tf.Tensor, b: number): tf.Tensor {
    const site = this.observedSite();
    return toCanonical(this.model.ir, site, { ...this.sizes, [DATA_PLATE]: b }, xb, this.lead);
  }

  /**
   * Mean loss (first replica) on site-layout data, without sampling noise beyond one draw: the
   * training objective, `.factor` terms included. A model with factor sites is scored in chunks of
   * the training minibatch's size, averaged by rows: a factor is defined on a minibatch (a term over
   * its pairs of rows, an MMD between its groups), and one over every held-out row at once would
   * cost O(rows²) memory. Without factors, one pass over all rows, as before.
   */
  private lossOn(x: tf.Tensor, side: Record<string, tf.Tensor> = {}): number {
    const n = this.rowsOf(x);
    const hasFactors = this.model.ir.sites.some((s) => s.kind === "factor");
    const per = hasFactors && this.configuredBatch > 0 ? this.configuredBatch : n;
    let total = 0;
    for (let a = 0; a < n; a += per) {
      const m = Math.min(per, n - a);
      total += tf.tidy(() => {
        const rows = m === n ? x : tf.slice(x, a, m);
        const sideRows = m === n ? side : Object.fromEntries(Object.entries(side).map(([k, t]) => [k, tf.slice(t, a, m)]));
        const xb = this.withReplicas(rows);
        const { terms } = this.forward(
          this.canonicalDataSized(xb, m),
          m,
          this.keys.map((k) => (m === n ? k.foldIn("validation-loss") : k.foldIn("validation-loss").foldIn(a / per))),
          true,
          this.stepCount,
          this.sideFor(sideRows, m),
          false,
          false,
          true,
        );
        return (totalLoss(terms).dataSync()[0] * m) / n;
      });
    }
    return total;
  }

  private ensureReady(x: tf.Tensor): void {
    if (!this.sites) {
      this.setup(x);
      this.computeStats(x);
    }
  }

  /**
   * Encodes site-layout data: the posterior mean of every local site (site layout, per replica
   * when replicated) and the activity probabilities γ of sparse codes. `offset`: the index of
   * `x`'s first row when a larger set is encoded in chunks; an activity that is drawn (a capped
   * code's support) then uses noise of its own for each chunk instead of repeating the first's.
   */
  encode(x: tf.Tensor, opts: { offset?: number; side?: SideData } = {}): Record<string, Encoded> {
    this.ensureReady(x);
    return tf.tidy(() => {
      const n = this.rowsOf(x);
      const xc = this.canonicalDataSized(this.withReplicas(x), n);
      const sizes = { ...this.sizes, [DATA_PLATE]: n };
      const keys = this.keys.map((k) => (opts.offset ? k.foldIn("encode").foldIn(opts.offset) : k.foldIn("encode")));
      this.checkSide("encode", opts.side, n);
      const draws = this.guideRun(xc, n, keys, false, this.stepCount, false, this.sideFor(opts.side, n), false, true).drawAll(true);
      const out: Record<string, Encoded> = {};
      for (const inf of this.inferences().values()) {
        const d = draws.get(inf.site.name);
        if (!inf.local || !d?.mean) continue;
        const site = (t: tf.Tensor) => tf.keep(fromCanonical(this.model.ir, inf.site, sizes, t, this.lead));
        out[inf.site.name] = {
          mean: site(d.mean),
          ...(d.activity ? { activity: site(d.activity) } : {}),
          ...(d.scores ? { scores: site(d.scores) } : {}),
        };
      }
      return out;
    });
  }

  /** The side data an entry point is given, checked as at fit (names, shapes; {@link checkSideData}), naming the entry point. */
  private checkSide(what: string, side: SideData | undefined, n: number): void {
    if (side) checkSideData(this.model.ir, this.observedSite().name, side as Record<string, tf.Tensor>, n, undefined, what);
  }

  /**
   * Side data of `n` rows ([n, ...] per name) as the model reads it in this program: with a leading
   * replica axis when replicated ([R, n, ...], every replica the same rows), checked for its row count.
   */
  private sideFor(side: SideData | undefined, n: number): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(side ?? {})) {
      if (t.shape[0] !== n) throw new Error(`side data "${name}" has ${t.shape[0]} rows for ${n} data rows`);
      out[name] = this.lead ? broadcast(tf.expandDims(t, 0), [this.replicas!, ...t.shape]) : t;
    }
    return out;
  }

  private withReplicas(x: tf.Tensor): tf.Tensor {
    if (!this.lead || this.hasReplicaAxis(x)) return x;
    return broadcast(tf.expandDims(x, 0), [this.replicas!, ...x.shape]);
  }

  /**
   * Reconstructs site-layout data: x̂ = the mean of p(x | z), with z sampled from the guide
   * (`sample: true`, the reference's choice) or set to the posterior mean.
   */
  reconstruct(x: tf.Tensor, opts: { sample?: boolean; seed?: number; side?: SideData } = {}): tf.Tensor {
    this.ensureReady(x);
    return tf.tidy(() => {
      const n = this.rowsOf(x);
      this.checkSide("reconstruct", opts.side, n);
      const xr = this.withReplicas(x);
      const keys = this.keys.map((k) => k.foldIn("reconstruct").foldIn(opts.seed ?? 0));
      const { messages } = this.forward(this.canonicalDataSized(xr, n), n, keys, opts.sample ?? true, this.stepCount, this.sideFor(opts.side, n), false, false, false, true);
      const obs = this.observedSite();
      const msg = messages.find((m) => m.name === obs.name)!;
      const mean = (msg.fn as unknown as { mean(): tf.Tensor }).mean();
      const full = broadcast(mean, msg.value!.shape);
      return fromCanonical(this.model.ir, obs, { ...this.sizes, [DATA_PLATE]: n }, full, this.lead);
    });
  }

  /**
   * Held-out evaluation on site-layout data (numbers per replica; `iwae` adds the bound with k
   * samples). `onReconstruction` receives the x̂ of `heldoutMse` (decoded from a sampled z, site
   * layout, per replica when replicated; the same tensor as `reconstruct(x, { sample: true, seed })`)
   * before it is freed, so a caller that also ranks it (recall@R, NDCG@k) does not decode it again.
   */
  evaluate(x: tf.Tensor, opts: { seed?: number; side?: SideData; onReconstruction?: (xhat: tf.Tensor) => void } = {}): Evaluation {
    this.ensureReady(x);
    this.checkSide("evaluate", opts.side, this.rowsOf(x));
    // each number in its own scope: the intermediates of one are freed before the next is computed,
    // so the peak memory is that of the largest, not of all of them (same keys, so the same numbers)
    return scoped(() => {
      const xr = this.withReplicas(x);
      const n = this.rowsOf(x);
      const axes = Array.from({ length: xr.rank - this.lead }, (_, i) => i + this.lead);
      const mse = (xh: tf.Tensor) => Array.from(tf.mean(tf.square(tf.sub(xr, xh)), axes).dataSync());
      const heldoutMse = scoped(() => {
        const xh = this.reconstruct(x, { sample: true, seed: opts.seed, side: opts.side });
        opts.onReconstruction?.(xh);
        return mse(xh);
      });
      const heldoutMseMean = scoped(() => mse(this.reconstruct(x, { sample: false, side: opts.side })));
      const side = this.sideFor(opts.side, n);
      const keys = this.keys.map((k) => k.foldIn("evaluate").foldIn(opts.seed ?? 0));
      const xc = this.canonicalDataSized(xr, n);
      const elboOf = (terms: Term[]) => Array.from(tf.neg(tf.addN(terms.filter((t) => t.kind === "distortion" || t.kind === "rate").map((t) => t.value))).dataSync());
      // the ELBO and the reference's NLL from one forward pass: both draw z from the same keys
      // (one decoder pass less; at 449 × 10,473 features and hidden 300 a pass is ~10^12 multiply-adds)
      const { elbo, heldoutNll, exactNll } = scoped(() => {
        const { terms, messages } = this.forwardWith(xc, n, keys, "elbo", false, side);
        return { elbo: elboOf(terms), ...this.referenceNll(messages, n) };
      });
      const hardLimit = [...this.inferences().values()].some((s) => s.hardLimit);
      const elboHard = hardLimit ? scoped(() => elboOf(this.forwardWith(xc, n, keys, "elbo", true, side).terms)) : undefined;
      return { heldoutMse, heldoutMseMean, heldoutNll, elbo, ...(elboHard ? { elboHard } : {}), ...(exactNll ? { exactNll } : {}) };
    });
  }

  /**
   * The reference code's "held-out NLL" (specs/metrics.md §9): its training reconstruction loss on
   * the test rows with a sampled z (the messages of a forward pass), as the observed site's family
   * scores it.
   */
  private referenceNll(messages: Message[], n: number): { heldoutNll: number[]; exactNll?: number[] } {
    const msg = messages.find((m) => m.type === "observe")!;
    const exact = () => Array.from(tf.div(tf.neg(sumPerReplica(messageLogProb(msg), this.lead)), n).dataSync());
    const nll = this.inferences().get(msg.name)?.heldoutNll;
    const heldoutNll = nll ? nll(msg, n, this.lead) : exact();
    // where the reference's loss is not −log p (the categorical likelihood: no multinomial coefficient), the full NLL too
    const differs = (msg.fn as unknown as { referenceLoss?(x: tf.Tensor): tf.Tensor | undefined }).referenceLoss?.(msg.value!) !== undefined;
    return differs ? { heldoutNll, exactNll: exact() } : { heldoutNll };
  }

  /**
   * The mean of the observed site's likelihood at given values of the local latents (site layout,
   * [n, ...] or per replica [R, n, ...]), with the fitted globals: what the decoder says at chosen
   * codes (the report's top features per factor decode z = ±2·e_k). Side data a likelihood reads
   * from the observations (a row's total count, its library size) is absent: the categorical
   * likelihood gives probabilities, the negative binomial its mean at the offset's l̄.
   */
  decode(latents: Record<string, tf.Tensor>): tf.Tensor {
    if (!this.sites) throw new Error("decode: fit the program first (the globals are not initialised)");
    return tf.tidy(() => {
      const given = Object.entries(latents).map(([name, v]) => {
        const site = this.model.ir.sites.find((s) => s.name === name);
        if (!site || site.kind !== "latent" || !site.plates.includes(DATA_PLATE)) throw new Error(`decode: "${name}" is not a local latent site of ${this.model.name}`);
        // one value for every replica unless it has the replica axis
        const shared = !this.lead || v.rank === site.plates.length + site.event.length;
        return { name, site, v: shared && this.lead ? broadcast(tf.expandDims(v, 0), [this.replicas!, ...v.shape]) : v };
      });
      if (!given.length) throw new Error("decode: give the values of the local latent sites");
      const n = given[0].v.shape[this.lead + given[0].site.plates.indexOf(DATA_PLATE)] as number;
      const sizes = { ...this.sizes, [DATA_PLATE]: n };
      const values = new Map<string, tf.Tensor>();
      for (const { name, site, v } of given) values.set(name, toCanonical(this.model.ir, site, sizes, v, this.lead));
      // the fitted globals, as sample() sets them
      const f = this.fitContext();
      for (const inf of this.sites!.values()) {
        const v = inf.generative?.(f);
        if (v && !values.has(inf.site.name)) values.set(inf.site.name, v);
      }
      // a placeholder for the observed site (its distribution is read, nothing is drawn or scored)
      const obs = this.observedSite();
      values.set(obs.name, tf.zeros(canonicalShapeWithLead(this.model.ir, obs, sizes, this.replicas)));
      const key = this.keys[0].foldIn("decode");
      const { messages } = this.runFixed(values, key, n);
      const msg = messages.find((m) => m.name === obs.name)!;
      const mean = (msg.fn as unknown as { mean(): tf.Tensor }).mean();
      const full = broadcast(mean, canonicalShapeWithLead(this.model.ir, obs, sizes, this.replicas));
      return fromCanonical(this.model.ir, obs, sizes, full, this.lead);
    });
  }

  /**
   * The importance-weighted bound L_k (Burda et al. 2016) per data point, averaged over rows:
   * log (1/k) Σ_i p(x, z_i)/q(z_i | x), z_i ~ q. The k samples are vectorised by repeating the rows
   * and evaluated in chunks of at most `chunkRows` rows, so k = 5000 fits in memory.
   */
  iwae(x: tf.Tensor, k: number, opts: { chunkRows?: number; seed?: number; side?: SideData } = {}): number[] {
    this.ensureReady(x);
    const noDensity = [...this.inferences().values()].find((s) => s.local && !s.density);
    if (noDensity) throw new Error(`iwae: needs guides with densities; site "${noDensity.site.name}" has a ${noDensity.family.name} guide (a relaxation, no density)`);
    const n = this.rowsOf(x);
    this.checkSide("iwae", opts.side, n);
    const perChunk = Math.max(1, Math.floor((opts.chunkRows ?? 50_000) / n));
    const R = this.replicas ?? 1;
    const logW: Float32Array[] = Array.from({ length: R }, () => new Float32Array(k * n));
    for (let start = 0, c = 0; start < k; start += perChunk, c++) {
      const kk = Math.min(perChunk, k - start);
      tf.tidy(() => {
        const data = this.iwaeLogWeights(
          x,
          kk,
          this.keys.map((key) =>
            key
              .foldIn("iwae")
              .foldIn(opts.seed ?? 0)
              .foldIn(c),
          ),
          opts.side,
        ).dataSync();
        for (let r = 0; r < R; r++) logW[r].set(data.subarray(r * kk * n, (r + 1) * kk * n), start * n);
      });
    }
    // log-mean-exp over the k samples of each row (sample-major layout: index = s * n + i)
    return logW.map((w) => {
      let total = 0;
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let s2 = 0; s2 < k; s2++) m = Math.max(m, w[s2 * n + i]);
        let acc = 0;
        for (let s2 = 0; s2 < k; s2++) acc += Math.exp(w[s2 * n + i] - m);
        total += m + Math.log(acc / k);
      }
      return total / n;
    });
  }

  /** log p(x, z) − log q(z | x) per point for `kk` samples of every row of x (sample-major). */
  private iwaeLogWeights(x: tf.Tensor, kk: number, keys: Key[], side?: SideData): tf.Tensor {
    const n = this.rowsOf(x);
    const R = this.replicas ?? 1;
    const xr = this.withReplicas(x);
    const rep = this.lead ? tf.reshape(tf.tile(tf.expandDims(xr, 1), [1, kk, ...Array(x.rank - 1).fill(1)]), [R, kk * n, ...xr.shape.slice(2)]) : tf.tile(xr, [kk, ...Array(x.rank - 1).fill(1)]);
    // side rows repeated like the data rows (sample-major)
    const sideRep = Object.fromEntries(Object.entries(side ?? {}).map(([name, t]) => [name, tf.tile(t, [kk, ...Array(t.rank - 1).fill(1)])]));
    const { messages, draws } = this.forward(this.canonicalDataSized(rep, kk * n), kk * n, keys, true, this.stepCount, this.sideFor(sideRep, kk * n), false, false, false, true);
    const lead = this.lead;
    const perPoint = (t: tf.Tensor) => {
      const axes = Array.from({ length: t.rank }, (_, i) => i).filter((i) => i >= lead && i !== lead);
      return axes.length ? tf.sum(t, axes) : t;
    };
    let lw = perPoint(messageLogProb(messages.find((m) => m.type === "observe")!));
    for (const inf of this.inferences().values()) {
      if (!inf.local) continue;
      const d = draws.get(inf.site.name)!;
      const msg = messages.find((m) => m.name === inf.site.name)!;
      lw = tf.add(lw, tf.sub(perPoint(msg.fn!.logProb(d.value!)), perPoint(d.q!.logProb(d.value!))));
    }
    return lw;
  }

  /** A sampled forward pass whose terms are normalised as `mode` says. */
  private forwardWith(xc: tf.Tensor, n: number, keys: Key[], mode: Normalisation, hard = false, side: Record<string, tf.Tensor> = {}): { terms: Term[]; messages: Message[] } {
    const saved = this.normalisation;
    (this as { normalisation: Normalisation }).normalisation = mode;
    try {
      return this.forward(xc, n, keys, true, this.stepCount, side, hard, false, false, true);
    } finally {
      (this as { normalisation: Normalisation }).normalisation = saved;
    }
  }

  /**
   * Point-estimated globals and state in site layout (per replica when replicated), as each site's
   * family reports them, e.g. `{ W, "W.pstar", eta, noiseVariance }` or a learned mask's q(M = 1).
   */
  globals(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    if (!this.sites) return out;
    const f = this.fitContext();
    tf.tidy(() => {
      for (const inf of this.sites!.values()) {
        for (const [name, t] of Object.entries(inf.report?.(f) ?? {})) out[name] = tf.keep(fromCanonical(this.model.ir, inf.site, this.sizes, t, this.lead));
      }
    });
    return out;
  }

  /** The names of the objective's terms (after the first step). */
  termNames(): string[] {
    return this.lastTerms.slice();
  }

  /** Optimiser steps taken. */
  get steps(): number {
    return this.stepCount;
  }

  /** Draws `n` data points from the model with its fitted globals (site layout). */
  sample(n: number, opts: { seed?: number } = {}): Record<string, tf.Tensor> {
    if (!this.sites) throw new Error("sample: fit the program first (the globals are not initialised)");
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>();
      const sizes = { ...this.sizes, [DATA_PLATE]: n };
      const f = this.fitContext();
      for (const inf of this.sites!.values()) {
        const v = inf.generative?.(f);
        if (v) values.set(inf.site.name, v);
      }
      const key = this.keys[0].foldIn("sample").foldIn(opts.seed ?? 0);
      const { messages } = this.runFixed(values, key, n);
      const out: Record<string, tf.Tensor> = {};
      for (const m of messages) out[m.name] = tf.keep(fromCanonical(this.model.ir, m.site, sizes, m.value!, this.lead));
      return out;
    });
  }

  /** Serialises the program (see `saveCheckpoint` in `@sparse-dgm/infer/node` for files). */
  save(extra?: Record<string, unknown>): Checkpoint {
    return serialize(this, extra);
  }

  /** One run of the model over `n` rows with the sites in `values` fixed, the rest drawn from `key` (decode, sample). */
  private runFixed(values: Map<string, tf.Tensor>, key: Program["keys"][number], n: number) {
    return run(
      {
        model: this.model,
        messengers: [
          {
            process(msg: Message) {
              const v = values.get(msg.name);
              if (v) msg.value = v;
              if (msg.key === undefined) msg.key = key.foldIn(msg.name);
            },
          },
        ],
      },
      { plateSizes: { [DATA_PLATE]: n }, params: this.params, step: this.stepCount },
    );
  }

  /** Releases every variable and optimiser. */
  dispose(): void {
    this.params.dispose();
    for (const o of this.optimizers.values()) o.dispose();
    this.optimizers.clear();
  }

  /** @internal for checkpoints */
  internals() {
    return {
      stepCount: this.stepCount,
      position: this.position,
      optimizers: this.optimizers,
      sizes: this.sizes,
      trainSize: this.trainSize,
      stats: this.stats,
      setProgress: (step: number, position: { epoch: number; batch: number }) => {
        this.stepCount = step;
        this.position = { ...position };
      },
      setup: (x: tf.Tensor) => this.ensureReady(x),
      restore: (r: { sizes: Record<string, number>; trainSize: number; stats: DataStats }) => {
        this.sizes = { ...r.sizes };
        this.trainSize = r.trainSize;
        this.stats = { ...r.stats };
        this.makeInferences();
      },
      optimizer: (g: string, lr: number) => this.optimizer(g, lr),
    };
  }
}

/**
 * Compiles a model to a variational-inference program. Refuses (naming the site, what it asked
 * for and the supported choices) any site no inference family serves, and a model without one
 * observed site.
 *
 * @param model - any DSL model with one observed site (every name it reads ahead, `.ahead`, declared:
 *   else a type error naming it, and the same refusal at run time).
 * @param options - seed(s), replicas, normalisation, encoder widths.
 */
export function compile<M extends Model<any, any>>(model: M & AheadDeclared<M>, options: CompileOptions = {}): Program<M> {
  return new Program(model, options);
}

export { sumPerReplica, replicaNormal };

/**
 * Appends epoch `e`'s mean of every term (and the loss) to the curves and its term weights to
 * `weightCurves`: every curve keeps one value per epoch, NaN where an epoch had no finite step.
 */
function recordEpoch(
  curves: Record<string, number[]>,
  weightCurves: Record<string, number[]>,
  e: number,
  meanLoss: number,
  termSums: Record<string, number>,
  termWeights: Record<string, number>,
  rows: number,
): void {
  const put = (c: Record<string, number[]>, k: string, v: number) => {
    const a = (c[k] ??= []);
    while (a.length < e) a.push(NaN);
    a.push(v);
  };
  put(curves, "loss", meanLoss);
  for (const [nm, v] of Object.entries(termSums)) {
    put(curves, nm, rows ? v / rows : NaN);
    put(weightCurves, nm, termWeights[nm]);
  }
  for (const c of [curves, weightCurves]) for (const a of Object.values(c)) while (a.length <= e) a.push(NaN);
}

/** Partial-batch sizes that get a step runner of their own (one per size; an epoch has at most one partial batch). */
const MAX_PARTIAL_RUNNERS = 2;

/** How long `fit` may run steps without giving the event loop a turn. */
const YIELD_EVERY_MS = 200;

/** Resolves on the next turn of the event loop (after pending I/O and timers), in Node and browsers. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** The canonical shape of a site's value, with the replica axis first when replicated. */
function canonicalShapeWithLead(ir: Model<any, any>["ir"], site: SiteDecl, sizes: Record<string, number>, replicas: number | undefined): number[] {
  const s = canonicalShape(ir, site, sizes);
  return replicas === undefined ? s : [replicas, ...s];
}

/** Runs `f` in a TF.js scope: every tensor it creates and does not return is disposed (like `tf.tidy`, for any result type). */
function scoped<T>(f: () => T): T {
  tf.engine().startScope();
  try {
    return f();
  } finally {
    tf.engine().endScope();
  }
}
