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
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

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

  /** One update of every given parameter (`mask`, per replica, keeps replicas whose step is skipped). */
  step(grads: NamedGrad[], keep?: tf.Tensor): void {
    this.t++;
    const t = this.t;
    const c2 = Math.sqrt(1 - Math.pow(this.beta2, t));
    const lrT = (this.learningRate * c2) / (1 - Math.pow(this.beta1, t));
    const epsT = this.epsilon * c2;
    tf.tidy(() => {
      for (const { name, variable, grad } of grads) {
        let m = this.m.get(name);
        let v = this.v.get(name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(variable), false);
          v = tf.variable(tf.zerosLike(variable), false);
          this.m.set(name, m);
          this.v.set(name, v);
        }
        const m1 = tf.add(m, tf.mul(1 - this.beta1, tf.sub(grad, m)));
        const v1 = tf.add(v, tf.mul(1 - this.beta2, tf.sub(tf.square(grad), v)));
        const update = tf.div(tf.mul(lrT, m1), tf.add(tf.sqrt(v1), epsT));
        let next = tf.sub(variable, update);
        if (keep) {
          const k = tf.reshape(keep, [keep.size, ...Array(variable.rank - 1).fill(1)]);
          next = tf.where(tf.cast(k, "bool"), next, variable);
          m.assign(tf.where(tf.cast(k, "bool"), m1, m));
          v.assign(tf.where(tf.cast(k, "bool"), v1, v));
        } else {
          m.assign(m1);
          v.assign(v1);
        }
        variable.assign(next);
      }
    });
  }

  /** The state (tensors are the live variables; copy before disposing the optimiser). */
  getState(): AdamState {
    return { t: this.t, m: Object.fromEntries(this.m), v: Object.fromEntries(this.v) };
  }

  /** Restores a saved state exactly. */
  setState(s: AdamState): void {
    this.t = s.t;
    for (const [name, value] of Object.entries(s.m)) this.m.set(name, tf.variable(value, false));
    for (const [name, value] of Object.entries(s.v)) this.v.set(name, tf.variable(value, false));
  }

  /** Releases the moment variables. */
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
