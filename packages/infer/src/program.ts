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
  scheduleValue,
  evaluateSchedule,
  scheduleInput,
  type ScheduleLike,
  canonicalShape,
  fromCanonical,
  toCanonical,
  NonFiniteError,
  messageLogProb,
  stopGradient,
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
} from "@sparse-dgm/core";
import { SpikeSlabLasso, Normal, bernoulli, unitInterval, positive, real, type Constraint, type Distribution } from "@sparse-dgm/distributions";
import { planGuide, runLocalGuide, recognise, replicaNormal, replicaUniform, type GuidePlan, type LocalDraw } from "./guide.js";
import { buildTerms, totalLoss, sumPerReplica, type Normalisation, type Term } from "./objective.js";
import { Adam, type NamedGrad } from "./optim.js";
import { balancedOrder } from "./batches.js";
import { serialize, type Checkpoint } from "./checkpoint.js";
import { NonFiniteGuard } from "./nonfinite-guard.js";

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
  /** Learning rate per parameter group ("network", "globals"), overriding `learningRate`. */
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
  checkSupportOf?: Array<{ x: tf.Tensor; cell?: (row: number, column?: number) => string }>;
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

/** Held-out evaluation (per replica when replicated). */
export interface Evaluation {
  /** Mean squared error of x̂ decoded from a sampled z (the Sparse VAE paper's held-out MSE). */
  heldoutMse: number[];
  /** Mean squared error of x̂ decoded from the posterior mean. */
  heldoutMseMean: number[];
  /** The reference code's "held-out NLL": its training reconstruction loss on the test rows. */
  heldoutNll: number[];
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

interface PointSite {
  site: SiteDecl;
  constraint: Constraint;
  param: string;
}

/** A positive value parameterised by half its log: x = exp(2u) (a variance through log σ, as the reference code trains σ). */
const positiveLogSqrt: Constraint = {
  ...positive,
  name: "positive",
  forward: (u) => tf.exp(tf.mul(2, u)),
  inverse: (x) => tf.mul(0.5, tf.log(x)),
};

function constraintOf(name: string, site?: SiteDecl): Constraint {
  if (name === "positive" && site?.options.parameterisation === "logSqrt") return positiveLogSqrt;
  return name === "positive" ? positive : name === "unitInterval" ? unitInterval : real;
}

/** A compiled program. */
export class Program {
  readonly params: ParamStore;
  readonly replicas: number | undefined;
  readonly keys: Key[];
  readonly normalisation: Normalisation;
  private plan?: GuidePlan;
  private points: PointSite[] = [];
  private optimizers = new Map<string, Adam>();
  private stepCount = 0;
  private sizes: Record<string, number> = {};
  private trainSize = 0;
  private configuredBatch = 0;
  private stats: { columnVariance?: number[] } = {};
  private emPriors = new Map<string, { spike: number; slab: number; form: "code" | "normalised"; etaSite?: string; a: number; b: number }>();
  private lastTerms: string[] = [];
  private supportChecked?: tf.Tensor;
  /** Runners of the training step and of the EM update (core's step hook), and the step's host-side results. */
  private recurring: { step?: RecurringStep; em?: RecurringStep; meta?: StepMeta } = {};

  constructor(
    readonly model: Model<any, any>,
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
    this.params = new ParamStore(
      this.replicas === undefined ? this.keys[0].foldIn("init") : this.keys.map((k) => k.foldIn("init")),
      this.replicas,
    );
    this.normalisation = options.normalisation ?? "elbo";
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
    const obs = this.model.ir.sites.filter((s) => s.kind === "observe");
    if (obs.length !== 1) throw new Error(`model "${this.model.name}": fit() supports one observed site, found ${obs.map((s) => s.name).join(", ")}`);
    return obs[0];
  }

  private setup(x: tf.Tensor): void {
    const n = this.rowsOf(x);
    const sizes = Object.fromEntries(this.model.ir.plates.map((p) => [p.name, p.size ?? n]));
    this.sizes = sizes;
    if (!this.plan) {
      this.plan = planGuide(this.model.ir, sizes, this.options.encoderHidden ?? [64, 64]);
      for (const p of this.plan.points) {
        this.points.push({ site: p.site, constraint: constraintOf(p.constraint, p.site), param: `global/${p.site.name}` });
      }
    }
  }

  /** Per-column variance of the (first replica's) data, for `init: "columnVariance"`. */
  private computeStats(x: tf.Tensor): void {
    if (this.stats.columnVariance) return;
    this.stats.columnVariance = tf.tidy(() => {
      const x0 = this.hasReplicaAxis(x) ? tf.gather(x, 0) : x;
      const flat = tf.reshape(x0, [x0.shape[0], -1]);
      return Array.from(tf.moments(flat, 0).variance.dataSync());
    });
  }

  private initPoint(p: PointSite, sizes: Record<string, number>): tf.Variable {
    const ir = this.model.ir;
    const shape = canonicalShape(ir, p.site, sizes);
    const init = p.site.options.init;
    return this.params.getOrCreate(
      p.param,
      shape,
      (key, s) =>
        tf.tidy(() => {
          if (init === "standardNormal") return key.normal(s);
          if (init === "columnVariance") {
            const v = this.stats.columnVariance;
            if (!v || v.length !== s.reduce((a, b) => a * b, 1)) throw new Error(`site "${p.site.name}": init "columnVariance" needs one value per feature`);
            return p.constraint.inverse(tf.reshape(tf.tensor(v.map((x) => Math.max(x, 1e-6))), s));
          }
          if (typeof init === "number") return p.constraint.inverse(tf.fill(s, init));
          return tf.zeros(s);
        }),
      { group: "globals" },
    );
  }

  private stateVariable(name: string, shape: number[], init: (key: Key, s: number[]) => tf.Tensor): tf.Variable {
    return this.params.getOrCreate(name, shape, init, { group: "state", trainable: false });
  }

  /** The messenger that puts guide values and data into the model run. */
  private injector(values: Map<string, tf.Tensor>, observed: Record<string, tf.Tensor>, locals: Map<string, LocalDraw>): Messenger {
    return {
      enter(state) {
        Object.assign(state.observed, observed);
      },
      process(msg: Message) {
        const v = values.get(msg.name);
        if (v) msg.value = v;
        if (observed[msg.name]) {
          msg.value = observed[msg.name];
          msg.observed = true;
        }
        const l = locals.get(msg.name);
        if (l) msg.infer.guide = l.q;
      },
    };
  }

  /** Runs guide + model on a batch (canonical layout) and returns the objective's terms. */
  private forward(
    xc: tf.Tensor,
    batchSize: number,
    keys: Key[],
    sample: boolean,
    step: number,
    side: Record<string, tf.Tensor> = {},
    hardGates = false,
  ): { terms: Term[]; messages: Message[]; locals: LocalDraw[] } {
    const ir = this.model.ir;
    const obs = this.observedSite();
    const sizes = { ...this.sizes, [DATA_PLATE]: batchSize };
    const plan = this.plan!;
    const observed = { ...side, [obs.name]: xc };
    const guideRun = {
      ir,
      sizes,
      params: this.params,
      replicas: this.replicas,
      observed: { [obs.name]: xc },
      keys,
      scheduleAt: (s: unknown) => scheduleValue(s as never, step),
      scheduleInput: (s: unknown) => scheduleInput(s as ScheduleLike, step),
      sample,
      hardGates,
    };
    const locals = runLocalGuide(plan, guideRun);
    const localMap = new Map(locals.map((l) => [l.site.name, l]));
    const values = new Map<string, tf.Tensor>();
    for (const l of locals) values.set(l.site.name, l.value);
    for (const p of this.points) values.set(p.site.name, p.constraint.forward(this.initPoint(p, sizes)));
    for (const s of plan.state) values.set(s.name, this.stateFor(s));
    const globalGuides: Record<string, Distribution> = {};
    for (const s of plan.relaxed) {
      const { q, value } = this.relaxedGlobal(s, keys, sample, step);
      globalGuides[s.name] = q;
      values.set(s.name, value);
    }
    const pstar: Record<string, tf.Tensor> = {};
    for (const s of ir.sites) if (s.mask?.estimator.kind === "map-em") pstar[s.name] = this.pstarFor(s);
    const { messages } = run(
      { model: this.model, messengers: [this.injector(values, observed, localMap)] },
      {
        plateSizes: { [DATA_PLATE]: batchSize },
        params: this.params,
        step,
        training: sample,
        context: {
          posterior: (site: string) => localMap.get(site)?.q,
          recognition: (site: string, inputs: tf.Tensor) => recognise(plan, guideRun, site, inputs),
        },
      },
    );
    this.captureEmPriors(messages);
    const terms = buildTerms(
      { messages, locals, pstar, globalGuides, batchSize, configuredBatchSize: this.configuredBatch || batchSize, trainSize: this.trainSize || batchSize, leading: this.lead, step },
      this.normalisation,
    );
    return { terms, messages, locals };
  }

  /**
   * A relaxed global binary mask: logits (trained), a binary Concrete sample each step
   * (straight-through when the estimator says), the probabilities when not sampling.
   */
  private relaxedGlobal(s: SiteDecl, keys: Key[], sample: boolean, step: number): { q: Distribution; value: tf.Tensor } {
    const shape = canonicalShape(this.model.ir, s, this.sizes);
    const logits = this.params.getOrCreate(`global/${s.name}/logits`, shape, (_k, sh) => tf.zeros(sh), { group: "globals" });
    const q = bernoulli({ logits });
    if (!sample) return { q, value: tf.sigmoid(logits) };
    const est = s.mask!.estimator;
    const temperature = "temperature" in est ? scheduleValue(est.temperature, step) : 0.5;
    const u = tf.clipByValue(replicaUniform(keys.map((k) => k.foldIn(s.name)), this.replicas, shape), 1e-6, 1 - 1e-6);
    const soft = tf.sigmoid(tf.div(tf.add(logits, tf.sub(tf.log(u), tf.log1p(tf.neg(u)))), temperature));
    const straight = "straightThrough" in est && est.straightThrough;
    const value = straight ? tf.add(stopGradient(tf.sub(tf.cast(tf.greater(soft, 0.5), "float32"), soft)), soft) : soft;
    return { q, value };
  }

  private stateFor(s: SiteDecl): tf.Tensor {
    const shape = canonicalShape(this.model.ir, s, this.sizes);
    // Inclusion weights start uniform on (0, 1) as in the reference (torch.rand).
    return this.stateVariable(`state/${s.name}`, shape, (key, sh) => tf.clipByValue(key.uniform(sh), 1e-3, 1 - 1e-3));
  }

  private pstarFor(s: SiteDecl): tf.Tensor {
    const shape = canonicalShape(this.model.ir, s, this.sizes);
    return this.stateVariable(`state/${s.name}/pstar`, shape, (_k, sh) => tf.fill(sh, 0.5));
  }

  private captureEmPriors(messages: Message[]): void {
    for (const m of messages) {
      const est = m.site.mask?.estimator;
      if (est?.kind !== "map-em" || this.emPriors.has(m.name)) continue;
      const prior = m.fn as unknown as SpikeSlabLasso;
      let a = 1;
      let b = 1;
      if (est.etaSite) {
        const etaMsg = messages.find((x) => x.name === est.etaSite);
        const p = (etaMsg?.fn as unknown as Distribution | undefined)?.params();
        if (p?.concentration1 && p?.concentration0) {
          a = p.concentration1.dataSync()[0];
          b = p.concentration0.dataSync()[0];
        }
      }
      this.emPriors.set(m.name, { spike: prior.spike, slab: prior.slab, form: est.form, etaSite: est.etaSite, a, b });
    }
  }

  /**
   * The closed-form EM step of every spike-and-slab-lasso mask, after the optimiser step and outside
   * the tape (specs/sparse-vae.md §2.4): p* from the new W, then η from the new p*.
   */
  private emStep(step: number, usable: boolean): void {
    if (!this.emPriors.size) return;
    const ir = this.model.ir;
    // The state each update writes, in the order of its outputs: p* of every mask, then its η.
    const targets: tf.Variable[] = [];
    for (const [name, pr] of this.emPriors) {
      targets.push(this.params.get(`state/${name}/pstar`));
      if (pr.etaSite) targets.push(this.params.get(`state/${pr.etaSite}`));
    }
    const update = () =>
      tf.tidy(() => {
        const outs: tf.Tensor[] = [];
        for (const [name, pr] of this.emPriors) {
          const site = ir.sites.find((s) => s.name === name)!;
          const point = this.points.find((p) => p.site.name === name)!;
          const W = point.constraint.forward(this.params.get(point.param));
          const etaVar = pr.etaSite ? this.params.get(`state/${pr.etaSite}`) : undefined;
          const inclusion = etaVar ?? tf.scalar(0.5);
          const prior = new SpikeSlabLasso({ spike: pr.spike, slab: pr.slab, inclusion, form: pr.form });
          const pstar = prior.inclusionProbability(W);
          outs.push(pstar);
          if (etaVar) {
            const rowsAxis = this.lead + ir.plates.findIndex((p) => p.name === site.mask!.rows);
            const G = this.sizes[site.mask!.rows];
            const eta = tf.div(tf.add(tf.sum(pstar, rowsAxis, true), pr.a - 1), pr.a + pr.b + G - 2);
            const clamped = tf.where(tf.less(eta, 0), tf.fill(eta.shape, 1e-10), eta);
            outs.push(tf.reshape(clamped, etaVar.shape));
          }
        }
        return outs;
      });
    // The same closed-form update every step: planned like the step itself once proven.
    const runner = (this.recurring.em ??= recurringStep(() => this.outsideTensors([])));
    const { outputs } = runner.run({ step, roots: [], inputs: {} }, usable, update);
    outputs.forEach((t, i) => {
      targets[i].assign(t);
      t.dispose();
    });
  }

  private optimizer(group: string, lr: number): Adam {
    let o = this.optimizers.get(group);
    if (!o) {
      o = new Adam(lr);
      this.optimizers.set(group, o);
    }
    return o;
  }

  /** Site-layout data -> canonical layout (with replica axis). */
  private canonicalData(x: tf.Tensor): tf.Tensor {
    const site = this.observedSite();
    const dataIdx = site.plates.indexOf(DATA_PLATE);
    const n = x.shape[this.lead + dataIdx];
    return toCanonical(this.model.ir, site, { ...this.sizes, [DATA_PLATE]: n }, x, this.lead);
  }

  private dataTensor(data: TrainData): tf.Tensor {
    const obs = this.observedSite();
    const x = data instanceof tf.Tensor ? data : data[obs.name];
    if (!x) throw new Error(`fit: no data for observed site "${obs.name}"`);
    return x;
  }

  /**
   * Trains the program. Minibatches are shuffled from each replica's key, every step runs in
   * `tf.tidy`, non-finite steps are skipped (naming the site and term), and EM hooks run after
   * each optimiser step. Every 200 ms it gives the event loop a turn, so timers, progress bars and
   * worker messages keep running during a long fit (outside the timed steps).
   */
  async fit(data: TrainData, opts: FitOptions): Promise<FitResult> {
    const xAll = this.dataTensor(data);
    const obsName = this.observedSite().name;
    const side = data instanceof tf.Tensor ? {} : Object.fromEntries(Object.entries(data).filter(([k]) => k !== obsName));
    this.setup(xAll);
    // A plan reads this fit's data tensors: record afresh.
    this.recurring.step?.dispose();
    this.recurring.em?.dispose();
    this.recurring = {};
    this.computeStats(xAll);
    const obs = this.observedSite();
    const lead = this.lead;
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
    this.trainSize = trainIdx.length;
    this.checkSupport(xAll, opts.supportCell);
    for (const c of opts.checkSupportOf ?? []) this.checkSupport(c.x, c.cell);
    const lr = opts.learningRate ?? 1e-3;
    const steps = Math.ceil(trainIdx.length / B);
    const history: number[] = [];
    const guard = new NonFiniteGuard(opts.maxBadSteps ?? 5, opts.onNonFinite);
    let best = Infinity;
    let sinceBest = 0;
    let stoppedEarly = false;
    const t0 = performance.now();
    let lastYield = t0;
    let stepTimes = 0;
    const phase = { gradients: 0, optimiser: 0, em: 0 };
    let stepsDone = 0;
    const xFlat = lead ? (perReplicaData ? tf.reshape(xAll, [R! * N, ...xAll.shape.slice(2)]) : xAll) : xAll;
    // Class labels for balanced minibatches (host values, read once per fit).
    // (one per training position, in trainIdx order)
    let balanceLabels: number[] | undefined;
    if (opts.balanceBy) {
      const t = side[opts.balanceBy];
      if (!t) throw new Error(`fit: balanceBy "${opts.balanceBy}" names no side data (have: ${Object.keys(side).join(", ") || "none"})`);
      if (t.shape[0] !== N || t.rank !== 1) throw new Error(`fit: balanceBy "${opts.balanceBy}" must be one label per row, shape [${N}], got [${t.shape.join(", ")}]`);
      const all = t.dataSync();
      balanceLabels = Array.from(trainIdx, (i) => all[i]);
    }
    const curves: Record<string, number[]> = {};
    const weightCurves: Record<string, number[]> = {};
    outer: for (let epoch = this.position.epoch; epoch < opts.epochs; epoch++) {
      const perms = this.keys.map((k) => {
        const p = k.foldIn("shuffle").foldIn(epoch).permutation(trainIdx.length);
        return balanceLabels ? balancedOrder(p, balanceLabels, B, opts.minPerClass ?? 2) : p;
      });
      let epochLoss = 0;
      let epochRows = 0;
      const termSums: Record<string, number> = {};
      const termWeights: Record<string, number> = {};
      for (let s = this.position.batch; s < steps; s++) {
        if (opts.maxSteps !== undefined && this.stepCount >= opts.maxSteps) break outer;
        const ts = performance.now();
        const lo = s * B;
        const hi = Math.min(trainIdx.length, lo + B);
        const b = hi - lo;
        const idx = new Int32Array((R ?? 1) * b);
        const rowIdx = new Int32Array((R ?? 1) * b);
        perms.forEach((p, r) => {
          for (let i = 0; i < b; i++) {
            rowIdx[r * b + i] = trainIdx[p[lo + i]];
            idx[r * b + i] = rowIdx[r * b + i] + (perReplicaData ? r * N : 0);
          }
        });
        this.position = { epoch, batch: s };
        const stepKeys = this.keys.map((k, r) => k.foldIn("step").foldIn(this.stepCount).asRoot(r));
        const step = this.stepCount;
        const ctx: StepContext = { step, roots: stepKeys, inputs: { idx, rowIdx } };
        // The forward and backward pass: from a recorded plan when the speed layer has proven one,
        // else through the engine.
        const engineStep = (): StepOutputs => {
          let meta: StepMeta = { names: [], weights: [], schedules: [], grads: [] };
          const flat = tf.tidy(() => {
            const idxT = stepSource(tf.tensor1d(idx, "int32"), (c) => c.inputs.idx);
            const batch = tf.gather(xFlat, idxT);
            const xb = lead ? tf.reshape(batch, [R!, b, ...batch.shape.slice(1)]) : batch;
            // Side data (labels...) for ctx.observed(name): the same rows, [b, ...] or [R, b, ...].
            const sideBatch: Record<string, tf.Tensor> = {};
            if (Object.keys(side).length) {
              const rIdx = stepSource(tf.tensor1d(rowIdx, "int32"), (c) => c.inputs.rowIdx);
              for (const [k, t] of Object.entries(side)) {
                const g = tf.gather(t, rIdx);
                sideBatch[k] = lead ? tf.reshape(g, [R!, b, ...g.shape.slice(1)]) : g;
              }
            }
            // Parameters are created on the first forward pass; build them outside the tape once.
            if (this.params.names().length === 0) this.forward(this.canonicalDataSized(xb, b), b, stepKeys, true, step, sideBatch);
            let kept: tf.Tensor[] = [];
            const { value, grads } = tf.variableGrads(() => {
              const { terms } = this.forward(this.canonicalDataSized(xb, b), b, stepKeys, true, step, sideBatch);
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
        };
        const tGrad = performance.now();
        const out = this.runStep(ctx, b, B, engineStep, [xFlat, ...Object.values(side)]);
        const grads: Record<string, tf.Tensor> = {};
        out.meta.grads.forEach((nm, i) => (grads[nm] = out.flat[2 + i]));
        const termsOut = { names: out.meta.names, weights: out.meta.weights, values: out.flat[1] };
        const perReplica = out.flat[0];
        const replicaLoss = Array.from(perReplica.dataSync());
        const termVals = termsOut.values.arraySync() as number[][];
        phase.gradients += performance.now() - tGrad;
        perReplica.dispose();
        termsOut.values.dispose();
        let verdict: ReturnType<NonFiniteGuard["check"]>;
        try {
          verdict = guard.check(step, replicaLoss, termsOut.names, termVals, R !== undefined);
        } catch (e) {
          tf.dispose(grads); // the run of bad steps ends the fit
          throw e;
        }
        const { finite, skipAll, finiteMask } = verdict;
        if (skipAll) {
          tf.dispose(grads);
          this.stepCount++;
          this.position = { epoch, batch: s + 1 };
          continue;
        }
        // Replicas with a non-finite loss keep their parameters and moments (their own guard).
        const keep = finite ? undefined : tf.tensor1d(finiteMask.map((f) => (f ? 1 : 0)));
        // Apply the step per parameter group (each group has its own optimiser).
        const groups = new Map<string, NamedGrad[]>();
        for (const { variable, meta } of this.params.all()) {
          const grad = grads[variable.name];
          if (!meta.trainable || !grad) continue;
          if (!groups.has(meta.group)) groups.set(meta.group, []);
          groups.get(meta.group)!.push({ name: meta.name, variable, grad });
        }
        const tOpt = performance.now();
        for (const [group, g] of groups) this.optimizer(group, opts.groupLearningRates?.[group] ?? lr).step(g, keep);
        tf.dispose(grads);
        keep?.dispose();
        const tEm = performance.now();
        phase.optimiser += tEm - tOpt;
        this.emStep(step, this.stepPlansUsable());
        phase.em += performance.now() - tEm;
        this.stepCount++;
        this.position = { epoch, batch: s + 1 };
        stepsDone++;
        const loss = replicaLoss.reduce((a, c) => a + c, 0) / replicaLoss.length;
        epochLoss += loss * b;
        epochRows += b;
        termsOut.names.forEach((nm, i) => {
          termSums[nm] = (termSums[nm] ?? 0) + (termVals[i].reduce((a, c) => a + c, 0) / termVals[i].length) * b;
          termWeights[nm] = termsOut.weights[i];
        });
        const ms = performance.now() - ts;
        stepTimes += ms;
        this.lastTerms = termsOut.names;
        if (opts.onStep) {
          const terms: Record<string, number> = {};
          const weights: Record<string, number> = {};
          termsOut.names.forEach((n, i) => {
            terms[n] = termVals[i].reduce((a, c) => a + c, 0) / termVals[i].length;
            weights[n] = termsOut.weights[i];
          });
          opts.onStep({ step, epoch, loss, replicaLoss, terms, weights, msPerStep: ms });
        }
        // Training is synchronous TF.js work: let timers, progress bars and worker messages run.
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      this.position = { epoch: epoch + 1, batch: 0 };
      // an epoch whose every step was skipped still ends (the guard's count runs on into the next
      // one); its curves hold NaN, so they stay one value per epoch
      const meanLoss = epochRows ? epochLoss / epochRows : NaN;
      history.push(meanLoss);
      recordEpoch(curves, weightCurves, history.length - 1, meanLoss, termSums, termWeights, epochRows);
      let validationLoss: number | undefined;
      if (valIdx.length) {
        validationLoss = tf.tidy(() => {
          const v = tf.gather(lead && perReplicaData ? tf.gather(xAll, 0) : lead ? xAll : xAll, tf.tensor1d(valIdx, "int32"));
          return this.lossOn(v);
        });
        if (validationLoss < best - 1e-9) {
          best = validationLoss;
          sinceBest = 0;
        } else if (opts.patience !== undefined && ++sinceBest >= opts.patience) {
          opts.onEpoch?.({ epoch, loss: meanLoss, validationLoss, curves, weights: weightCurves });
          stoppedEarly = true;
          break;
        }
      }
      opts.onEpoch?.({ epoch, loss: meanLoss, validationLoss, curves, weights: weightCurves });
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      epochs: history.length,
      steps: stepsDone,
      msPerStep: stepsDone ? stepTimes / stepsDone : 0,
      phases: { gradients: stepsDone ? phase.gradients / stepsDone : 0, optimiser: stepsDone ? phase.optimiser / stepsDone : 0, em: stepsDone ? phase.em / stepsDone : 0 },
      seconds,
      history,
      curves,
      weights: weightCurves,
      skippedSteps: guard.skipped,
      ...(guard.first ? { firstSkipped: guard.first } : {}),
      stoppedEarly,
    };
  }

  /**
   * One forward + backward pass, through the speed layer's runner (core's step hook): through the
   * engine while a plan is recorded and proven (two consecutive full-batch steps, then a
   * bit-for-bit check of the plan against the second), from the plan afterwards. Partial batches
   * and `stepPlans: false` use the engine.
   */
  private runStep(ctx: StepContext, b: number, B: number, engineStep: () => StepOutputs, data: tf.Tensor[]): StepOutputs {
    let meta: StepMeta | undefined;
    const runner = (this.recurring.step ??= recurringStep(() => this.outsideTensors(data)));
    const { outputs, fast } = runner.run(
      ctx,
      this.stepPlansUsable() && b === B && this.params.names().length > 0,
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

  /** Whether training steps (and the EM update) currently run from recorded plans, and why not if they do not. */
  stepPlanStatus(): RecurringStatus & { em?: RecurringStatus } {
    if (this.options.stepPlans === false) return { active: false, reason: "stepPlans: false" };
    const step = this.recurring.step?.status() ?? { active: false, reason: "no step recorded yet" };
    return this.emPriors.size ? { ...step, em: this.recurring.em?.status() ?? { active: false, reason: "no EM update recorded yet" } } : step;
  }

  /**
   * Refuses data outside the likelihood's support (e.g. a categorical or count likelihood on
   * negative values), naming the site, the distribution and the first bad entry: `cell(row, column)`
   * names it (default `row <i>, column <j>`, 0-based in `x`; the command line gives the data
   * file's row and column). Every row is checked, in chunks. `fit` checks its training data (and
   * `FitOptions.checkSupportOf`) before the first step; call it on held-out data before evaluating.
   */
  checkSupport(x: tf.Tensor, cell: (row: number, column?: number) => string = (r, c) => (c === undefined ? `row ${r}` : `row ${r}, column ${c}`)): void {
    // Once per dataset: a resumed or continued fit on the same tensor is not checked again.
    if (this.supportChecked === x) return;
    this.ensureReady(x);
    const N = this.rowsOf(x);
    const CHUNK = 2000; // a forward on all rows would hold their activations: 2.9 GB for 2000 rows at G = 300
    for (let start = 0; start < N; start += CHUNK) {
      tf.tidy(() => {
        const obs = this.observedSite();
        const n = Math.min(CHUNK, N - start);
        const rowsX = this.hasReplicaAxis(x) ? tf.slice(x, [0, start], [1, n]) : tf.slice(x, start, n);
        const xr = this.withReplicas(this.hasReplicaAxis(x) ? tf.squeeze(rowsX, [0]) : rowsX);
        // The likelihood (and so its support) from a forward pass on one minibatch.
        const m = Math.min(n, this.configuredBatch || n);
        const head = this.lead ? tf.slice(xr, [0, 0], [xr.shape[0], m]) : tf.slice(xr, 0, m);
        const { messages } = this.forward(this.canonicalDataSized(head, m), m, this.keys.map((k) => k.foldIn("support-check")), false, 0);
        const msg = messages.find((mm) => mm.name === obs.name)!;
        const ok = msg.fn!.support.check(this.canonicalDataSized(xr, n));
        const okData = ok.dataSync();
        const bad = okData.findIndex((v) => !v);
        if (bad < 0) return;
        // The check has one cell per (row, plate entry), or one per row when the event is a vector.
        const cells = okData.length / ((this.replicas ?? 1) * n);
        const rowI = Math.floor((bad % (n * cells)) / cells);
        const values = (this.hasReplicaAxis(x) ? tf.reshape(tf.gather(rowsX, 0), [n, -1]) : tf.reshape(rowsX, [n, -1])).arraySync() as number[][];
        const where = cells > 1 ? `${cell(start + rowI, bad % cells)} is ${values[rowI][bad % cells]}` : `${cell(start + rowI)} is [${values[rowI].join(", ")}]`;
        throw new Error(`site "${obs.name}": the data are not in the support of its ${msg.fn!.kind} likelihood (${msg.fn!.support.name}): ${where}`);
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

  /** Mean loss (first replica) on site-layout data, without sampling noise beyond one draw. */
  private lossOn(x: tf.Tensor): number {
    return tf.tidy(() => {
      const n = this.rowsOf(x);
      const xb = this.withReplicas(x);
      const { terms } = this.forward(this.canonicalDataSized(xb, n), n, this.keys.map((k) => k.foldIn("validation-loss")), true, this.stepCount);
      return totalLoss(terms).dataSync()[0];
    });
  }

  private ensureReady(x: tf.Tensor): void {
    if (!this.plan) {
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
  encode(x: tf.Tensor, opts: { offset?: number } = {}): Record<string, { mean: tf.Tensor; activity?: tf.Tensor }> {
    this.ensureReady(x);
    return tf.tidy(() => {
      const n = this.rowsOf(x);
      const xc = this.canonicalDataSized(this.withReplicas(x), n);
      const sizes = { ...this.sizes, [DATA_PLATE]: n };
      const locals = runLocalGuide(this.plan!, {
        ir: this.model.ir,
        sizes,
        params: this.params,
        replicas: this.replicas,
        observed: { [this.observedSite().name]: xc },
        keys: this.keys.map((k) => (opts.offset ? k.foldIn("encode").foldIn(opts.offset) : k.foldIn("encode"))),
        scheduleAt: (s) => scheduleValue(s as never, this.stepCount),
        sample: false,
      });
      const out: Record<string, { mean: tf.Tensor; activity?: tf.Tensor }> = {};
      for (const l of locals) {
        out[l.site.name] = {
          mean: tf.keep(fromCanonical(this.model.ir, l.site, sizes, l.mean, this.lead)),
          ...(l.activity ? { activity: tf.keep(fromCanonical(this.model.ir, l.site, sizes, l.activity, this.lead)) } : {}),
        };
      }
      return out;
    });
  }

  private withReplicas(x: tf.Tensor): tf.Tensor {
    if (!this.lead || this.hasReplicaAxis(x)) return x;
    return broadcast(tf.expandDims(x, 0), [this.replicas!, ...x.shape]);
  }

  /**
   * Reconstructs site-layout data: x̂ = the mean of p(x | z), with z sampled from the guide
   * (`sample: true`, the reference's choice) or set to the posterior mean.
   */
  reconstruct(x: tf.Tensor, opts: { sample?: boolean; seed?: number } = {}): tf.Tensor {
    this.ensureReady(x);
    return tf.tidy(() => {
      const n = this.rowsOf(x);
      const xr = this.withReplicas(x);
      const keys = this.keys.map((k) => k.foldIn("reconstruct").foldIn(opts.seed ?? 0));
      const { messages } = this.forward(this.canonicalDataSized(xr, n), n, keys, opts.sample ?? true, this.stepCount);
      const obs = this.observedSite();
      const msg = messages.find((m) => m.name === obs.name)!;
      const mean = (msg.fn as unknown as Distribution).mean();
      const full = broadcast(mean, msg.value!.shape);
      return fromCanonical(this.model.ir, obs, { ...this.sizes, [DATA_PLATE]: n }, full, this.lead);
    });
  }

  /** Held-out evaluation on site-layout data (numbers per replica; `iwae` adds the bound with k samples). */
  evaluate(x: tf.Tensor, opts: { seed?: number } = {}): Evaluation {
    this.ensureReady(x);
    // each number in its own scope: the intermediates of one are freed before the next is computed,
    // so the peak memory is that of the largest, not of all five (same keys, so the same numbers)
    return scoped(() => {
      const xr = this.withReplicas(x);
      const n = this.rowsOf(x);
      const axes = Array.from({ length: xr.rank - this.lead }, (_, i) => i + this.lead);
      const mse = (xh: tf.Tensor) => Array.from(tf.mean(tf.square(tf.sub(xr, xh)), axes).dataSync());
      const heldoutMse = scoped(() => mse(this.reconstruct(x, { sample: true, seed: opts.seed })));
      const heldoutMseMean = scoped(() => mse(this.reconstruct(x, { sample: false })));
      const keys = this.keys.map((k) => k.foldIn("evaluate").foldIn(opts.seed ?? 0));
      const xc = this.canonicalDataSized(xr, n);
      const elboOf = (terms: Term[]) => Array.from(tf.neg(tf.addN(terms.filter((t) => t.kind === "distortion" || t.kind === "rate").map((t) => t.value))).dataSync());
      const elbo = scoped(() => elboOf(this.termsWith(xc, n, keys, "elbo")));
      const relaxedCode = this.plan!.locals.some((l) => l.site.mask?.estimator.kind === "threshold-sigmoid");
      const elboHard = relaxedCode ? scoped(() => elboOf(this.termsWith(xc, n, keys, "elbo", true))) : undefined;
      const heldoutNll = scoped(() => this.referenceNll(xc, n, keys));
      return { heldoutMse, heldoutMseMean, heldoutNll, elbo, ...(elboHard ? { elboHard } : {}) };
    });
  }

  /**
   * The reference code's "held-out NLL" (specs/metrics.md §9): its training reconstruction loss on
   * the test rows with a sampled z: 0.5·mean(((x − x̂)/σ)²) for Gaussian likelihoods, else the mean
   * over rows of −Σ_j log p(x_ij | z_i).
   */
  private referenceNll(xc: tf.Tensor, n: number, keys: Key[]): number[] {
    const { messages } = this.forward(xc, n, keys, true, this.stepCount);
    const msg = messages.find((m) => m.type === "observe")!;
    const d = msg.fn as unknown as Distribution;
    const lead = this.lead;
    if (d instanceof Normal) {
      const z = tf.div(tf.sub(msg.value!, d.loc), broadcast(d.scale, msg.value!.shape));
      const axes = Array.from({ length: z.rank - lead }, (_, i) => i + lead);
      return Array.from(tf.mul(0.5, tf.mean(tf.square(z), axes)).dataSync());
    }
    return Array.from(tf.div(tf.neg(sumPerReplica(messageLogProb(msg), lead)), n).dataSync());
  }

  /**
   * The importance-weighted bound L_k (Burda et al. 2016) per data point, averaged over rows:
   * log (1/k) Σ_i p(x, z_i)/q(z_i | x), z_i ~ q. The k samples are vectorised by repeating the rows
   * and evaluated in chunks of at most `chunkRows` rows, so k = 5000 fits in memory.
   */
  iwae(x: tf.Tensor, k: number, opts: { chunkRows?: number; seed?: number } = {}): number[] {
    this.ensureReady(x);
    if (this.plan!.locals.some((l) => l.family !== "normal")) {
      throw new Error("iwae: needs guides with densities (Normal local latents); relaxed codes have none");
    }
    const n = this.rowsOf(x);
    const chunkRows = opts.chunkRows ?? 50_000;
    const perChunk = Math.max(1, Math.floor(chunkRows / n));
    const R = this.replicas ?? 1;
    const logW: Float32Array[] = Array.from({ length: R }, () => new Float32Array(k * n));
    for (let start = 0, c = 0; start < k; start += perChunk, c++) {
      const kk = Math.min(perChunk, k - start);
      tf.tidy(() => {
        const xr = this.withReplicas(x);
        const rep = this.lead ? tf.reshape(tf.tile(tf.expandDims(xr, 1), [1, kk, ...Array(x.rank - 1).fill(1)]), [R, kk * n, ...xr.shape.slice(2)]) : tf.tile(xr, [kk, ...Array(x.rank - 1).fill(1)]);
        const keys = this.keys.map((key) => key.foldIn("iwae").foldIn(opts.seed ?? 0).foldIn(c));
        const { messages, locals } = this.forward(this.canonicalDataSized(rep, kk * n), kk * n, keys, true, this.stepCount);
        const lead = this.lead;
        const dataAxis = lead; // the data plate is the first canonical axis
        const perPoint = (t: tf.Tensor) => {
          const axes = Array.from({ length: t.rank }, (_, i) => i).filter((i) => i >= lead && i !== dataAxis);
          return axes.length ? tf.sum(t, axes) : t;
        };
        let lw = perPoint(messageLogProb(messages.find((m) => m.type === "observe")!));
        for (const l of locals) {
          const msg = messages.find((m) => m.name === l.site.name)!;
          lw = tf.add(lw, tf.sub(perPoint((msg.fn as unknown as Distribution).logProb(l.value)), perPoint((l.q as unknown as Distribution).logProb(l.value))));
        }
        const data = lw.dataSync();
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

  private termsWith(xc: tf.Tensor, n: number, keys: Key[], mode: Normalisation, hardGates = false): Term[] {
    const saved = this.normalisation;
    (this as { normalisation: Normalisation }).normalisation = mode;
    try {
      return this.forward(xc, n, keys, true, this.stepCount, {}, hardGates).terms;
    } finally {
      (this as { normalisation: Normalisation }).normalisation = saved;
    }
  }

  /**
   * Point-estimated globals and EM state in site layout (per replica when replicated), e.g.
   * `{ W, "W.pstar", eta, noiseVariance }`.
   */
  globals(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      for (const p of this.points) {
        if (!this.params.has(p.param)) continue;
        out[p.site.name] = tf.keep(fromCanonical(this.model.ir, p.site, this.sizes, p.constraint.forward(this.params.get(p.param)), this.lead));
      }
      for (const s of this.plan?.relaxed ?? []) {
        const name = `global/${s.name}/logits`;
        if (this.params.has(name)) out[s.name] = tf.keep(fromCanonical(this.model.ir, s, this.sizes, tf.sigmoid(this.params.get(name)), this.lead));
      }
      for (const s of this.plan?.state ?? []) {
        if (this.params.has(`state/${s.name}`)) out[s.name] = tf.keep(fromCanonical(this.model.ir, s, this.sizes, this.params.get(`state/${s.name}`), this.lead));
      }
      for (const s of this.model.ir.sites) {
        if (this.params.has(`state/${s.name}/pstar`)) {
          out[`${s.name}.pstar`] = tf.keep(fromCanonical(this.model.ir, s, this.sizes, this.params.get(`state/${s.name}/pstar`), this.lead));
        }
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
    if (!this.plan) throw new Error("sample: fit the program first (the globals are not initialised)");
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>();
      const sizes = { ...this.sizes, [DATA_PLATE]: n };
      for (const p of this.points) values.set(p.site.name, p.constraint.forward(this.params.get(p.param)));
      for (const s of this.plan!.state) values.set(s.name, this.params.get(`state/${s.name}`));
      for (const s of this.plan!.relaxed) values.set(s.name, tf.cast(tf.greater(this.params.get(`global/${s.name}/logits`), 0), "float32"));
      const key = this.keys[0].foldIn("sample").foldIn(opts.seed ?? 0);
      const { messages } = run(
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
      const out: Record<string, tf.Tensor> = {};
      for (const m of messages) out[m.name] = tf.keep(fromCanonical(this.model.ir, m.site, sizes, m.value!, this.lead));
      return out;
    });
  }

  /** Serialises the program (see `saveCheckpoint` in `@sparse-dgm/infer/node` for files). */
  save(extra?: Record<string, unknown>): Checkpoint {
    return serialize(this, extra);
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
      restore: (r: { sizes: Record<string, number>; trainSize: number; stats: { columnVariance?: number[] } }) => {
        this.sizes = { ...r.sizes };
        this.trainSize = r.trainSize;
        this.stats = { ...r.stats };
        this.plan = planGuide(this.model.ir, this.sizes, this.options.encoderHidden ?? [64, 64]);
        this.points = this.plan.points.map((p) => ({ site: p.site, constraint: constraintOf(p.constraint, p.site), param: `global/${p.site.name}` }));
      },
      optimizer: (g: string, lr: number) => this.optimizer(g, lr),
    };
  }
}

/**
 * Compiles a model to a variational-inference program.
 *
 * @param model - any DSL model with one observed site.
 * @param options - seed(s), replicas, normalisation, encoder widths.
 */
export function compile(model: Model<any, any>, options: CompileOptions = {}): Program {
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

/** How long `fit` may run steps without giving the event loop a turn. */
const YIELD_EVERY_MS = 200;

/** Resolves on the next turn of the event loop (after pending I/O and timers), in Node and browsers. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
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
