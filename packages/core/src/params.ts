/**
 * The parameter store: owns every `tf.Variable` of a model run (network weights, point-estimated
 * globals, non-gradient state such as the Sparse VAE's p*). With `replicas: R` every parameter
 * gets a leading replica axis and each replica is initialised from its own key, so R replicas
 * start exactly where R separate runs with those keys would.
 */
import { tf } from "./tf.js";
import { Key } from "./key.js";

/** Metadata of one stored parameter. */
export interface ParamMeta {
  name: string;
  /** Optimiser group ("network", "globals", "state"...). */
  group: string;
  /** False for state updated outside the gradient tape (EM hooks). */
  trainable: boolean;
  /** Shape of one replica's value. */
  shape: number[];
}

/** Initialiser: one replica's initial value from its key (and its index, 0 without replicas, for a start computed per replica from its data). */
export type ParamInit = (key: Key, shape: number[], replica: number) => tf.Tensor;

/** A store of named variables, optionally with a leading replica axis. */
export class ParamStore {
  private readonly entries = new Map<string, { variable: tf.Variable; meta: ParamMeta }>();
  /** One key per replica (or one key when not replicated). */
  readonly keys: Key[];

  /**
   * @param key - the initialisation key, or one key per replica.
   * @param replicas - R for a replicated program (values get a leading [R] axis), else undefined.
   */
  constructor(
    key: Key | Key[],
    readonly replicas?: number,
  ) {
    this.keys = Array.isArray(key) ? key : [key];
    if (replicas !== undefined && this.keys.length !== replicas) {
      throw new Error(`ParamStore: ${replicas} replicas need ${replicas} keys, got ${this.keys.length}`);
    }
    if (replicas === undefined && this.keys.length !== 1) throw new Error("ParamStore: one key expected without replicas");
  }

  /** Whether a parameter exists. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The variable of a parameter (throws when missing). */
  get(name: string): tf.Variable {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no parameter "${name}"; parameters: ${[...this.entries.keys()].join(", ") || "(none)"}`);
    return e.variable;
  }

  /** Metadata of a parameter. */
  meta(name: string): ParamMeta {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no parameter "${name}"`);
    return e.meta;
  }

  /**
   * Returns the parameter, creating it on first use. `shape` is one replica's shape; the stored
   * variable has shape [R, ...shape] with replicas.
   */
  getOrCreate(name: string, shape: number[], init: ParamInit, opts: { group?: string; trainable?: boolean } = {}): tf.Variable {
    const e = this.entries.get(name);
    if (e) {
      if (e.meta.shape.length !== shape.length || e.meta.shape.some((d, i) => d !== shape[i])) {
        throw new Error(`parameter "${name}" exists with shape [${e.meta.shape.join(", ")}], requested [${shape.join(", ")}]`);
      }
      return e.variable;
    }
    const trainable = opts.trainable ?? true;
    const value = tf.tidy(() => {
      const per = this.keys.map((k, r) => {
        const v = init(k.foldIn(name), shape, r);
        if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
          throw new Error(`initialiser of "${name}" returned shape [${v.shape.join(", ")}], expected [${shape.join(", ")}]`);
        }
        return v;
      });
      return this.replicas === undefined ? per[0] : tf.stack(per);
    });
    const variable = tf.variable(value, trainable, `sdgm/${name}/${uid++}`);
    value.dispose();
    this.entries.set(name, { variable, meta: { name, group: opts.group ?? "network", trainable, shape: shape.slice() } });
    return variable;
  }

  /** Every parameter name, in creation order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Trainable variables, optionally of one group. */
  trainable(group?: string): tf.Variable[] {
    return [...this.entries.values()].filter((e) => e.meta.trainable && (group === undefined || e.meta.group === group)).map((e) => e.variable);
  }

  /** Every variable with its metadata. */
  all(): Array<{ variable: tf.Variable; meta: ParamMeta }> {
    return [...this.entries.values()];
  }

  /** Assigns new values (same shapes), e.g. from a checkpoint. */
  assign(values: Record<string, tf.Tensor>): void {
    for (const [name, v] of Object.entries(values)) {
      const variable = this.get(name);
      if (variable.shape.length !== v.shape.length || variable.shape.some((d, i) => d !== v.shape[i])) {
        throw new Error(`parameter "${name}": cannot assign shape [${v.shape.join(", ")}] to [${variable.shape.join(", ")}]`);
      }
      variable.assign(v);
    }
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const e of this.entries.values()) e.variable.dispose();
    this.entries.clear();
  }
}

let uid = 0;
