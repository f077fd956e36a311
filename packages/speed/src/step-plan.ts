/**
 * Step plans (issue 10, "a lean step"): a training step captured once as the list of backend
 * kernels it runs, then run again from that list without TF.js's engine (no tape, no scopes, no
 * tensor objects, no JavaScript of the model, the guide or the objective), feeding each kernel
 * straight into the next and freeing every intermediate right after its last use.
 *
 * A step is a function of its inputs: the parameters (variables, resolved afresh on every run),
 * the data (fixed for a fit), per-step values that the step's code declares with core's
 * `stepSource` (minibatch indices, noise drawn from the step's keys), and constants. The capture
 * proves that of a step before anyone relies on it:
 *
 * - two consecutive steps are captured; they must run the same kernels with the same attributes
 *   and shapes, wired the same way;
 * - every tensor created from host values inside the step is either declared (with a producer
 *   that makes the next step's values) or identical in both steps (a constant);
 * - every tensor from outside the step is a declared outside tensor (a variable, the data);
 * - no schedule the step evaluates changes after this step (core's `noteStepUse`), and no model
 *   code reads the step number;
 * - no host read happens inside the step;
 * - finally the plan is run on the second step's inputs and must reproduce that step's outputs
 *   **bit for bit** before it replaces the engine.
 *
 * Anything else refuses the plan with a reason, and the step keeps running through the engine.
 * A planned step is the same sequence of kernels on the same inputs, so training is identical
 * with and without plans (test/backends/step-plan.test.ts checks whole trajectories).
 *
 * Core learns nothing of this module: it calls the hook of `@sparse-dgm/core`'s step-hook.ts,
 * which this package installs ({@link StepPlanner} is its `recurring` runner).
 */
import { tf, setStepListener, type StepContext, type SourceProducer, type OutsideTensors, type OutsideTensor, type RecurringStep, type RecurringStatus } from "@sparse-dgm/core";
import { speedEnabled } from "./switch.js";

type Info = tf.TensorInfo;
type KernelFn = (args: { inputs: Record<string, Info>; attrs: unknown; backend: unknown }) => Info | Info[];

interface Backendish {
  write(values: unknown, shape: number[], dtype: string): object;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** One kernel call as recorded. */
interface Call {
  name: string;
  attrs: unknown;
  inputNames: string[];
  /** Whether the kernel takes its inputs as an array (AddN, Concat, Pack) rather than by name. */
  list: boolean;
  inputs: Array<Info | null>;
  outputs: Info[];
}

/** One captured step. */
export interface CapturedStep {
  calls: Call[];
  /** Tensors written from host values outside kernels, in order. */
  writes: Array<{ dataId: object; shape: number[]; dtype: string; values: Float32Array | Int32Array | Uint8Array }>;
  /** Producers declared for written tensors. */
  producers: Map<object, SourceProducer>;
  outputs: Info[];
  /** Why this step cannot be planned (host reads, step reads, changing schedules), if so. */
  problems: string[];
  /** The first step from which every schedule the step evaluated stays constant. */
  constantFrom: number;
  /** Kernels were registered while recording (lazily, on first use): their calls were missed; record again. */
  incomplete?: boolean;
}

let active: CapturedStep | undefined;
let kernelDepth = 0;

/** The listener core's step hook calls while a step is captured. */
function listenTo(rec: CapturedStep) {
  return {
    source(t: tf.Tensor, producer: SourceProducer): void {
      rec.producers.set(t.dataId, producer);
    },
    stepUse(constantFrom: number, what: string): void {
      if (!Number.isFinite(constantFrom)) rec.problems.push(`${what} depends on the step number`);
      else rec.constantFrom = Math.max(rec.constantFrom, constantFrom);
    },
  };
}

function backendOf(): Backendish {
  return tf.backend() as unknown as Backendish;
}

/**
 * Runs `fn` (one training step through the engine) while capturing every kernel it runs and every
 * tensor it writes from host values. `fn` returns the step's outputs.
 */
export function captureStep(fn: () => tf.Tensor[]): { outputs: tf.Tensor[]; capture: CapturedStep } {
  if (active) throw new Error("step plans: a step is already being captured");
  const backendName = tf.getBackend();
  const backend = backendOf();
  const rec: CapturedStep = { calls: [], writes: [], producers: new Map(), outputs: [], problems: [], constantFrom: 0 };
  const originals = tf.getKernelsForBackend(backendName);
  for (const cfg of originals) {
    const inner = cfg.kernelFunc as unknown as KernelFn;
    const name = cfg.kernelName;
    const wrapped: KernelFn = (args) => {
      kernelDepth++;
      let out: Info | Info[];
      try {
        out = inner(args);
      } finally {
        kernelDepth--;
      }
      if (kernelDepth === 0) {
        const inputNames = Object.keys(args.inputs);
        rec.calls.push({
          name,
          attrs: args.attrs,
          inputNames,
          list: Array.isArray(args.inputs),
          inputs: inputNames.map((k) => (args.inputs[k] ? { dataId: args.inputs[k].dataId, shape: args.inputs[k].shape.slice(), dtype: args.inputs[k].dtype } : null)),
          outputs: (Array.isArray(out) ? out : [out]).map((o) => ({ dataId: o.dataId, shape: o.shape.slice(), dtype: o.dtype })),
        });
      }
      return out;
    };
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...cfg, kernelFunc: wrapped as never });
  }
  const write = backend.write;
  const readSync = backend.readSync;
  backend.write = function (this: Backendish, values: unknown, shape: number[], dtype: string) {
    const id = write.call(this, values, shape, dtype);
    if (kernelDepth === 0 && values != null && dtype !== "string") {
      const v = values as Float32Array | Int32Array | Uint8Array;
      rec.writes.push({ dataId: id, shape: shape.slice(), dtype, values: v.slice() as Float32Array });
    }
    return id;
  };
  backend.readSync = function (this: Backendish, dataId: object, ...rest: unknown[]) {
    if (kernelDepth === 0) rec.problems.push("the step reads tensor values on the host");
    return (readSync as (...a: unknown[]) => ArrayLike<number>).call(this, dataId, ...rest);
  };
  active = rec;
  setStepListener(listenTo(rec));
  try {
    const outputs = fn();
    rec.outputs = outputs.map((t) => ({ dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype }));
    if (tf.getKernelsForBackend(backendName).length !== originals.length) rec.incomplete = true;
    return { outputs, capture: rec };
  } finally {
    active = undefined;
    setStepListener(undefined);
    backend.write = write;
    backend.readSync = readSync;
    for (const cfg of originals) {
      tf.unregisterKernel(cfg.kernelName, backendName);
      tf.registerKernel(cfg);
    }
  }
}

/** Where a kernel's input comes from. */
type Ref = { kind: "out"; slot: number; shape?: number[] } | { kind: "source"; index: number } | { kind: "const"; index: number } | { kind: "external"; index: number };

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Times every kernel a plan runs (kernel profiles; see {@link setPlanTimer}). */
export interface PlanTimer {
  /** The clock, in ms (e.g. process CPU time, which a loaded machine inflates far less than wall time). */
  clock(): number;
  kernel(name: string, inputShapes: number[][], ms: number): void;
  /** A plan starts a run. */
  begin?(): void;
}

let planTimer: PlanTimer | undefined;

/** Times each kernel of every planned step run from now on (undefined: stop). For profiles, not for training. */
export function setPlanTimer(t: PlanTimer | undefined): void {
  planTimer = t;
}

/** A recorded step made into a program of kernel calls. */
export class StepPlan {
  private constructor(
    private readonly kernels: Array<{
      name: string;
      shapes: number[][];
      fn: KernelFn;
      attrs: unknown;
      names: string[];
      refs: Array<Ref | null>;
      outSlots: number[];
      free: number[];
      inputs: Record<string, Info>;
    }>,
    private readonly sources: Array<{ shape: number[]; dtype: string; producer: SourceProducer; slot: number }>,
    private readonly constants: Info[],
    private readonly externals: Array<{ ext: OutsideTensor; shape: number[]; dtype: string }>,
    private readonly outputs: Ref[],
    private readonly slotCount: number,
    /** Slots freed after the outputs took their references. */
    private readonly atEnd: number[],
  ) {}

  /** Kernel calls per run. */
  get kernelCount(): number {
    return this.kernels.length;
  }

  /**
   * Builds a plan from two consecutive recordings, or returns why the step cannot be planned.
   * `externals` maps each allowed outside tensor's data id (at the time of either recording) to
   * how to find it on later steps.
   */
  static build(first: CapturedStep, second: CapturedStep, externals: OutsideTensors): StepPlan | { refused: string } {
    const refuse = (why: string) => ({ refused: why });
    for (const r of [first, second]) if (r.problems.length) return refuse(r.problems[0]);
    if (first.calls.length !== second.calls.length) return refuse(`the two recorded steps ran ${first.calls.length} and ${second.calls.length} kernels`);
    if (first.writes.length !== second.writes.length) return refuse(`the two recorded steps wrote ${first.writes.length} and ${second.writes.length} host tensors`);
    const backendName = tf.getBackend();
    // Resolve every data id of the second recording to a reference; the first must match it.
    const resolve = (rec: CapturedStep) => {
      const where = new Map<object, Ref>();
      rec.writes.forEach((w, i) => where.set(w.dataId, { kind: "source", index: i }));
      const refs: Array<Array<Ref | null>> = [];
      let slot = 0;
      const extUsed = new Map<object, number>();
      const extList: OutsideTensor[] = [];
      const extShapes: Array<{ shape: number[]; dtype: string }> = [];
      let unknown: string | undefined;
      const outSlots: number[][] = [];
      for (const c of rec.calls) {
        refs.push(
          c.inputs.map((inp) => {
            if (!inp) return null;
            const r = where.get(inp.dataId);
            if (r) return r;
            const ext = externals.get(inp.dataId);
            if (!ext) {
              unknown ??= `kernel ${c.name} reads a tensor [${inp.shape.join(", ")}] made outside the step that is not a declared input`;
              return null;
            }
            let idx = extUsed.get(inp.dataId);
            if (idx === undefined) {
              idx = extList.length;
              extUsed.set(inp.dataId, idx);
              extList.push(ext);
              extShapes.push({ shape: inp.shape, dtype: inp.dtype });
            }
            return { kind: "external", index: idx } as Ref;
          }),
        );
        outSlots.push(
          c.outputs.map((o) => {
            const s = slot++;
            where.set(o.dataId, { kind: "out", slot: s });
            return s;
          }),
        );
      }
      const outs = rec.outputs.map((o) => where.get(o.dataId));
      return { refs, outSlots, extList, extShapes, unknown, outs, slots: slot };
    };
    const a = resolve(first);
    const b = resolve(second);
    if (b.unknown) return refuse(b.unknown);
    if (a.unknown) return refuse(a.unknown);
    if (a.slots !== b.slots) return refuse("the two recorded steps differ in their kernels' outputs");
    for (let i = 0; i < second.calls.length; i++) {
      const c1 = first.calls[i];
      const c2 = second.calls[i];
      if (c1.name !== c2.name) return refuse(`kernel ${i} is ${c1.name} in one step and ${c2.name} in the next`);
      if (JSON.stringify(c1.attrs) !== JSON.stringify(c2.attrs)) return refuse(`kernel ${i} (${c2.name}) has attributes that change between steps`);
      if (c1.inputNames.join() !== c2.inputNames.join() || c1.list !== c2.list) return refuse(`kernel ${i} (${c2.name}) takes different inputs between steps`);
      for (let j = 0; j < c2.inputs.length; j++) {
        const x = c1.inputs[j];
        const y = c2.inputs[j];
        if (!x !== !y || (x && y && (!sameShape(x.shape, y.shape) || x.dtype !== y.dtype))) return refuse(`kernel ${i} (${c2.name}) changes input shapes between steps`);
        const rx = a.refs[i][j];
        const ry = b.refs[i][j];
        if (JSON.stringify(rx) !== JSON.stringify(ry)) return refuse(`kernel ${i} (${c2.name}) is wired differently between steps`);
      }
      if (!tf.getKernel(c2.name, backendName)) return refuse(`kernel ${c2.name} is not registered`);
    }
    if (a.extList.length !== b.extList.length || a.extList.some((e, i) => e.name !== b.extList[i].name)) return refuse("the two recorded steps read different outside tensors");
    if (b.outs.some((o) => !o) || JSON.stringify(a.outs) !== JSON.stringify(b.outs)) return refuse("the step's outputs are not made by its kernels the same way in both steps");
    // Host-written tensors: declared producers, or constants (identical in both steps).
    const backend = backendOf();
    const sources: Array<{ shape: number[]; dtype: string; producer: SourceProducer; slot: number }> = [];
    const constants: Info[] = [];
    const sourceRef = new Map<number, Ref>();
    let slots = b.slots;
    for (let i = 0; i < second.writes.length; i++) {
      const w1 = first.writes[i];
      const w2 = second.writes[i];
      if (!sameShape(w1.shape, w2.shape) || w1.dtype !== w2.dtype) return refuse("a host tensor of the step changes shape between steps");
      const producer = second.producers.get(w2.dataId);
      if (producer) {
        sources.push({ shape: w2.shape, dtype: w2.dtype, producer, slot: slots });
        sourceRef.set(i, { kind: "out", slot: slots++ });
      } else {
        if (!sameValues(w1.values, w2.values)) return refuse(`a tensor [${w2.shape.join(", ")}] made from host values changes between steps and declares no producer`);
        sourceRef.set(i, { kind: "const", index: constants.length });
        const values = w2.values.slice();
        constants.push({ dataId: backend.write(values, w2.shape, w2.dtype), shape: w2.shape, dtype: w2.dtype as tf.DataType });
      }
    }
    const fix = (r: Ref | null): Ref | null => (r && r.kind === "source" ? sourceRef.get(r.index)! : r);
    const exts = b.extList.map((ext, i) => ({ ext, ...b.extShapes[i] }));
    // Shapes of every reference's underlying data (kernel outputs, sources, constants, externals).
    const slotShape: number[][] = [];
    second.calls.forEach((c) => c.outputs.forEach((o) => slotShape.push(o.shape)));
    for (const src of sources) slotShape[src.slot] = src.shape;
    const baseShape = (r: Ref): number[] => (r.kind === "out" ? slotShape[r.slot] : r.kind === "const" ? constants[r.index].shape : exts[(r as { index: number }).index].shape);
    // A data id can back tensors of several shapes (reshapes share data): every reference carries
    // the shape it was recorded with when that differs from its data's own.
    const withShape = (r: Ref, shape: number[]): Ref => {
      const { shape: _old, ...base } = r as Ref & { shape?: number[] };
      return sameShape(baseShape(base as Ref), shape) ? (base as Ref) : ({ ...base, shape } as Ref);
    };
    // Simplify: kernels that only re-label their input (Identity, Reshape, a Cast to the same
    // dtype) become references to it; kernels of constants only run now (their outputs become
    // constants); kernels whose outputs nothing uses are dropped.
    const alias = new Map<number, Ref>();
    const resolveRef = (r: Ref | null, shape: number[] | undefined): Ref | null => {
      if (!r) return r;
      let f = fix(r)!;
      if (f.kind === "out" && alias.has(f.slot)) f = alias.get(f.slot)!;
      return shape ? withShape(f, shape) : f;
    };
    type Step = { call: Call; refs: Array<Ref | null>; outSlots: number[] };
    const steps: Step[] = [];
    const infoOf = (r: Ref): Info => {
      const base = r.kind === "const" ? constants[r.index] : undefined;
      return { dataId: base!.dataId, shape: (r as { shape?: number[] }).shape ?? base!.shape, dtype: base!.dtype };
    };
    for (let k = 0; k < second.calls.length; k++) {
      const call = second.calls[k];
      const refs = b.refs[k].map((r, j) => resolveRef(r, call.inputs[j]?.shape));
      const outSlots = b.outSlots[k];
      const x = refs[0];
      const relabel =
        refs.length === 1 &&
        x &&
        call.outputs.length === 1 &&
        call.outputs[0].dtype === call.inputs[0]!.dtype &&
        call.inputs[0]!.dtype !== "string" &&
        (call.name === "Identity" || call.name === "Reshape" || (call.name === "Cast" && (call.attrs as { dtype?: string }).dtype === call.inputs[0]!.dtype));
      if (relabel) {
        alias.set(outSlots[0], withShape(x, call.outputs[0].shape));
        continue;
      }
      if (refs.length > 0 && refs.every((r) => r === null || r.kind === "const")) {
        const inputs = (call.list ? [] : {}) as Record<string, Info>;
        call.inputNames.forEach((n, j) => (inputs[n] = refs[j] ? infoOf(refs[j]!) : (null as unknown as Info)));
        const fn = tf.getKernel(call.name, backendName)!.kernelFunc as unknown as KernelFn;
        const out = fn({ inputs, attrs: call.attrs, backend });
        (Array.isArray(out) ? out : [out]).forEach((o, j) => {
          alias.set(outSlots[j], { kind: "const", index: constants.length });
          constants.push({ dataId: o.dataId, shape: o.shape.slice(), dtype: o.dtype });
        });
        continue;
      }
      steps.push({ call, refs, outSlots });
    }
    const outputs = b.outs.map((o, i) => resolveRef(o!, second.outputs[i].shape)!);
    // Dead kernels: walk backwards keeping those with a used output.
    const used = new Set<number>();
    for (const o of outputs) if (o.kind === "out") used.add(o.slot);
    const live: Step[] = [];
    for (let k = steps.length - 1; k >= 0; k--) {
      if (!steps[k].outSlots.some((sl) => used.has(sl))) continue;
      live.unshift(steps[k]);
      for (const r of steps[k].refs) if (r && r.kind === "out") used.add(r.slot);
    }
    // Last use of every slot; outputs count as used after the last kernel.
    const lastUse = new Array<number>(slots).fill(-1);
    live.forEach((st, k) => st.refs.forEach((r) => r && r.kind === "out" && (lastUse[r.slot] = k)));
    for (const o of outputs) if (o.kind === "out") lastUse[o.slot] = live.length;
    const kernels = live.map((st) => ({
      name: st.call.name,
      shapes: st.call.inputs.map((i) => i?.shape ?? []),
      fn: tf.getKernel(st.call.name, backendName)!.kernelFunc as unknown as KernelFn,
      attrs: st.call.attrs,
      names: st.call.inputNames,
      refs: st.refs,
      outSlots: st.outSlots,
      free: [] as number[],
      inputs: (st.call.list ? [] : {}) as Record<string, Info>,
    }));
    // Free every filled slot after its last use (an unused one right after it is made; a source
    // nobody reads after the first kernel); slots of eliminated kernels are never filled.
    const atEnd: number[] = [];
    const madeAt = new Map<number, number>();
    kernels.forEach((k, i) => k.outSlots.forEach((sl) => madeAt.set(sl, i)));
    for (const src of sources) madeAt.set(src.slot, 0);
    for (const [sl, made] of madeAt) {
      const k = lastUse[sl] >= 0 ? lastUse[sl] : made;
      if (k >= kernels.length) atEnd.push(sl);
      else kernels[k].free.push(sl);
    }
    return new StepPlan(kernels, sources, constants, exts, outputs, slots, atEnd);
  }

  /**
   * Runs the step: returns its outputs as tensor infos the caller owns (wrap them with
   * `tf.engine().makeTensorFromTensorInfo`).
   */
  run(ctx: StepContext): Info[] {
    const backend = backendOf();
    const vals = new Array<Info | undefined>(this.slotCount);
    const exts = this.externals.map((e) => ({ dataId: e.ext.dataId(), shape: e.shape, dtype: e.dtype as tf.DataType }));
    for (const s of this.sources) {
      const values = s.producer(ctx);
      vals[s.slot] = { dataId: backend.write(values, s.shape, s.dtype), shape: s.shape, dtype: s.dtype as tf.DataType };
    }
    const at = (r: Ref): Info => {
      const base = r.kind === "out" ? vals[r.slot]! : r.kind === "const" ? this.constants[r.index] : exts[(r as { index: number }).index];
      const shape = (r as { shape?: number[] }).shape;
      return shape ? { dataId: base.dataId, shape, dtype: base.dtype } : base;
    };
    // A scope, as the engine's tidy around a step: tensors some kernels make through ops (the cpu
    // backend's) are freed when the step ends.
    const engine = tf.engine();
    engine.startScope();
    try {
      const timer = planTimer;
      timer?.begin?.();
      for (const k of this.kernels) {
        for (let j = 0; j < k.names.length; j++) {
          const r = k.refs[j];
          k.inputs[k.names[j]] = r ? at(r) : (null as unknown as Info);
        }
        const t0 = timer?.clock();
        const out = k.fn({ inputs: k.inputs, attrs: k.attrs, backend });
        if (timer) timer.kernel(k.name, k.shapes, timer.clock() - t0!);
        if (Array.isArray(out)) for (let j = 0; j < out.length; j++) vals[k.outSlots[j]] = out[j];
        else vals[k.outSlots[0]] = out;
        for (const s of k.free) {
          backend.disposeData(vals[s]!.dataId);
          vals[s] = undefined;
        }
      }
    } catch (e) {
      for (const v of vals) if (v) backend.disposeData(v.dataId);
      throw e;
    } finally {
      engine.endScope();
    }
    // Each output takes its own reference; the slots kept for them are released after.
    const outs = this.outputs.map((r) => {
      const info = at(r);
      backend.incRef(info.dataId);
      return info;
    });
    for (const sl of this.atEnd) {
      const v = vals[sl];
      if (v) backend.disposeData(v.dataId);
    }
    return outs;
  }

  /** The plan's kernels in order, as `Name[shape, shape, ...]` (for profiles and docs). */
  describe(): string[] {
    return this.kernels.map((k) => `${k.name}${JSON.stringify(k.shapes)}`);
  }

  /** Frees the plan's constants. */
  dispose(): void {
    const backend = backendOf();
    for (const c of this.constants) backend.disposeData(c.dataId);
    this.constants.length = 0;
  }
}

/** Whether two recorded output sets hold the same values, bit for bit. */
export function sameOutputs(a: Info[], b: Info[]): boolean {
  const backend = backendOf();
  return a.length === b.length && a.every((x, i) => sameShape(x.shape, b[i].shape) && sameValues(backend.readSync(x.dataId), backend.readSync(b[i].dataId)));
}

/** Whether the engine is profiling or in debug mode (a plan would bypass what they observe). */
function engineObserved(): boolean {
  const profiling = (tf.engine() as unknown as { state: { profiling: boolean } }).state.profiling;
  return profiling || tf.env().getBool("DEBUG");
}

/**
 * The fewest calls left (this one included) for which a capture starts: the two captured calls,
 * then at least two from the plan. The proof runs the second call once more, so a plan that would
 * run once costs a whole call and saves only the engine's bookkeeping of one.
 */
export const MIN_CALLS_TO_PLAN = 4;

/**
 * Runs one recurring function (a training step, an EM update) through the engine until two
 * consecutive calls prove a {@link StepPlan}, then from the plan. `fn` returns the function's
 * outputs; `signature` (optional) describes the host-side result of a call, which must be the same
 * for both captured calls (term names, gradient names). Profiling, TF.js's debug mode and the
 * speed layer switched off ({@link setSpeed}) run `fn` through the engine.
 */
export class StepPlanner implements RecurringStep {
  private plan?: StepPlan;
  private pending?: { rec: CapturedStep; step: number; ext: OutsideTensors; signature: string };
  private retryAt = 0;
  private refused?: string;

  constructor(
    /** The outside tensors the function may read, by their data id now. */
    private readonly outside: () => OutsideTensors,
  ) {}

  /**
   * One call: from the plan when proven (returns `fast: true` and the outputs as new tensors),
   * else through `fn` (captured while a plan is being proven). `usable: false` (partial batches)
   * runs `fn` without capturing; the plan is proven on the last two usable calls, so epochs of one
   * full minibatch and a partial one (703 rows in batches of 512) get a plan too.
   */
  run(ctx: StepContext, usable: boolean, fn: () => tf.Tensor[], signature: () => string = () => ""): { outputs: tf.Tensor[]; fast: boolean } {
    const observed = !speedEnabled() || engineObserved();
    if (usable && !observed && this.plan) {
      const engine = tf.engine() as unknown as { makeTensorFromTensorInfo(i: Info): tf.Tensor };
      return { outputs: this.plan.run(ctx).map((i) => engine.makeTensorFromTensorInfo(i)), fast: true };
    }
    if (!usable || observed || ctx.step < this.retryAt) {
      // a partial batch keeps the pending capture (the next usable call may prove it); the rest start over
      if (usable || observed) this.pending = undefined;
      return { outputs: fn(), fast: false };
    }
    if (!this.pending && ctx.remaining !== undefined && ctx.remaining < MIN_CALLS_TO_PLAN) {
      // too few calls left to repay a proof (two captured calls and one run again): at 512 rows ×
      // 10,473 features, hidden 300, one call is minutes of arithmetic and 3 calls make the epoch
      this.refused = `too few calls left to repay a plan's proof: ${ctx.remaining}, fewer than ${MIN_CALLS_TO_PLAN} (the proof runs one call again)`;
      return { outputs: fn(), fast: false };
    }
    const ext = this.outside();
    const { outputs, capture: rec } = captureStep(fn);
    const sig = signature();
    const refuse = (why: string, retryAt: number) => {
      this.pending = undefined;
      this.refused = why;
      this.retryAt = retryAt;
    };
    if (rec.incomplete)
      this.pending = undefined; // capture the next call again, now that every kernel exists
    else if (rec.constantFrom > ctx.step) refuse(`a schedule changes until step ${rec.constantFrom}`, rec.constantFrom);
    else if (rec.problems.length) refuse(rec.problems[0], Infinity);
    else if (this.pending && this.pending.step < ctx.step) {
      for (const [k, v] of this.pending.ext) ext.set(k, v);
      const plan = StepPlan.build(this.pending.rec, rec, ext);
      if ("refused" in plan) refuse(plan.refused, ctx.step + 1000);
      else {
        const check = plan.run(ctx);
        const same = sameOutputs(check, rec.outputs) && this.pending.signature === sig;
        for (const i of check) backendOf().disposeData(i.dataId);
        if (same) {
          this.plan = plan;
          this.pending = undefined;
          this.refused = undefined;
        } else {
          plan.dispose();
          refuse("the planned call did not reproduce the captured one bit for bit", Infinity);
        }
      }
    } else this.pending = { rec, step: ctx.step, ext, signature: sig };
    return { outputs, fast: false };
  }

  /** Whether calls run a plan, and why not if they do not. */
  status(): RecurringStatus {
    if (!speedEnabled()) return { active: false, reason: "the speed layer is off (SDGM_SPEED=0 or setSpeed(false))" };
    return this.plan ? { active: true, kernels: this.plan.kernelCount } : { active: false, reason: this.refused };
  }

  /** Frees the plan (and forgets any pending capture). */
  dispose(): void {
    this.plan?.dispose();
    this.plan = undefined;
    this.pending = undefined;
  }
}
