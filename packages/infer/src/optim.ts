/**
 * Adam (Kingma & Ba 2015) with PyTorch's update rule and defaults (β1 = 0.9, β2 = 0.999,
 * ε = 1e-8), owned here so that its whole state (step count and moments, keyed by parameter name)
 * is saved in checkpoints and restored exactly: a resumed run continues bit for bit.
 *
 * θ ← θ − lr · m̂ / (√v̂ + ε), written as θ ← θ − lr_t · m / (√v + ε_t) with
 * lr_t = lr·√(1 − β2^t)/(1 − β1^t) and ε_t = ε·√(1 − β2^t) (the same numbers, fewer ops).
 *
 * @example
 * ```ts
 * const adam = new Adam(1e-2);
 * adam.step([{ name: "W", variable: W, grad: dW }]);
 * ```
 */
import { tf } from "@sparse-dgm/core";
import { hasFusedAdam, fusedAdam } from "@sparse-dgm/speed";

/** One parameter's gradient. */
export interface NamedGrad {
  name: string;
  variable: tf.Variable;
  grad: tf.Tensor;
}

/** Adam's state, by parameter name. */
export interface AdamState {
  t: number;
  m: Record<string, tf.Tensor>;
  v: Record<string, tf.Tensor>;
}

/** The Adam optimiser. */
export class Adam {
  private t = 0;

  constructor(
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    if (!(learningRate > 0)) throw new Error(`Adam: learningRate must be positive, got ${learningRate}`);
  }

  /** Steps taken. */
  get steps(): number {
    return this.t;
  }

  /**
   * One update of every given parameter. The parameters of a step are updated as **one flat
   * buffer** (the gradients are concatenated, the moment arithmetic runs once, the result is split
   * back), so a step costs about a dozen elementwise kernels however many variables the model has.
   * `keep` ([R], 1/0 per replica) leaves replicas whose step is skipped untouched.
   */
  step(grads: NamedGrad[], keep?: tf.Tensor): void {
    if (!grads.length) return;
    this.t++;
    const t = this.t;
    const c2 = Math.sqrt(1 - Math.pow(this.beta2, t));
    const lrT = (this.learningRate * c2) / (1 - Math.pow(this.beta1, t));
    const epsT = this.epsilon * c2;
    const key = grads.map((g) => g.name).join("|");
    if (key !== this.layoutKey) this.relayout(grads);
    if (!keep && hasFusedAdam()) {
      // One kernel for the whole update (@sparse-dgm/speed, adam-kernel.ts); the replica-skipping path below is rare.
      const outs = fusedAdam(
        this.flatM!,
        this.flatV!,
        grads.map((x) => x.grad),
        grads.map((x) => x.variable),
        { beta1: this.beta1, beta2: this.beta2, lrT, epsT },
      );
      this.flatM!.assign(outs[0] as tf.Tensor1D);
      this.flatV!.assign(outs[1] as tf.Tensor1D);
      grads.forEach((x, i) => x.variable.assign(outs[2 + i]));
      tf.dispose(outs);
      return;
    }
    tf.tidy(() => {
      const g = tf.concat(grads.map((x) => tf.reshape(x.grad, [-1])));
      const p = tf.concat(grads.map((x) => tf.reshape(x.variable, [-1])));
      const m = this.flatM!;
      const v = this.flatV!;
      let m1 = tf.add(m, tf.mul(1 - this.beta1, tf.sub(g, m)));
      let v1 = tf.add(v, tf.mul(1 - this.beta2, tf.sub(tf.square(g), v)));
      let p1 = tf.sub(p, tf.div(tf.mul(lrT, m1), tf.add(tf.sqrt(v1), epsT)));
      if (keep) {
        const k = tf.cast(tf.gather(keep, this.replicaIndex!), "bool");
        m1 = tf.where(k, m1, m);
        v1 = tf.where(k, v1, v);
        p1 = tf.where(k, p1, p);
      }
      m.assign(m1);
      v.assign(v1);
      // One Slice per parameter: wasm's SplitV copies element by element (146 ms for 950k floats).
      let offset = 0;
      for (const x of grads) {
        x.variable.assign(tf.reshape(tf.slice(p1, offset, x.variable.size), x.variable.shape));
        offset += x.variable.size;
      }
    });
  }

  private layoutKey = "";
  private layout: Array<{ name: string; shape: number[]; size: number }> = [];
  private flatM?: tf.Variable;
  private flatV?: tf.Variable;
  private replicaIndex?: tf.Tensor;

  /** (Re)builds the flat moment buffers for this list of parameters, keeping moments by name. */
  private relayout(grads: NamedGrad[]): void {
    tf.tidy(() => {
      const pieces = (which: "m" | "v") =>
        grads.map((g) => {
          const old = this.readMoment(which, g.name);
          return old ? tf.reshape(old, [-1]) : tf.zeros([g.variable.size]);
        });
      const m = tf.concat(pieces("m"));
      const v = tf.concat(pieces("v"));
      this.flatM?.dispose();
      this.flatV?.dispose();
      this.flatM = tf.variable(m, false);
      this.flatV = tf.variable(v, false);
      // replica id of every element: variables are [R, ...] with replicas (row-major blocks)
      const ids: number[] = [];
      for (const g of grads) {
        const R = g.variable.shape.length ? g.variable.shape[0] : 1;
        const per = g.variable.size / R;
        for (let r = 0; r < R; r++) for (let i = 0; i < per; i++) ids.push(r);
      }
      this.replicaIndex?.dispose();
      this.replicaIndex = tf.keep(tf.tensor1d(ids, "int32"));
    });
    this.layout = grads.map((g) => ({ name: g.name, shape: g.variable.shape.slice(), size: g.variable.size }));
    this.layoutKey = grads.map((g) => g.name).join("|");
    this.pending.clear();
  }

  /** Moments restored from a checkpoint before the first step, by parameter name. */
  private pending = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();

  private readMoment(which: "m" | "v", name: string): tf.Tensor | undefined {
    const p = this.pending.get(name);
    if (p) return which === "m" ? p.m : p.v;
    const i = this.layout.findIndex((l) => l.name === name);
    if (i < 0 || !this.flatM) return undefined;
    const offset = this.layout.slice(0, i).reduce((a, l) => a + l.size, 0);
    const flat = which === "m" ? this.flatM : this.flatV!;
    return tf.reshape(tf.slice(flat, offset, this.layout[i].size), this.layout[i].shape);
  }

  /** The state: step count and the moments of every parameter, by name (new tensors; dispose them). */
  getState(): AdamState {
    const m: Record<string, tf.Tensor> = {};
    const v: Record<string, tf.Tensor> = {};
    for (const l of this.layout) {
      m[l.name] = tf.tidy(() => tf.clone(this.readMoment("m", l.name)!));
      v[l.name] = tf.tidy(() => tf.clone(this.readMoment("v", l.name)!));
    }
    for (const [name, p] of this.pending) {
      m[name] = tf.clone(p.m);
      v[name] = tf.clone(p.v);
    }
    return { t: this.t, m, v };
  }

  /** Restores a saved state exactly (applied at the next step, when the parameter list is known). */
  setState(s: AdamState): void {
    this.t = s.t;
    for (const name of Object.keys(s.m)) this.pending.set(name, { m: tf.keep(tf.clone(s.m[name])), v: tf.keep(tf.clone(s.v[name])) });
    this.layoutKey = "";
  }

  /** Releases the moment buffers. */
  dispose(): void {
    this.flatM?.dispose();
    this.flatV?.dispose();
    this.replicaIndex?.dispose();
    for (const p of this.pending.values()) tf.dispose([p.m, p.v]);
    this.pending.clear();
    this.flatM = this.flatV = this.replicaIndex = undefined;
    this.layout = [];
    this.layoutKey = "";
  }
}
