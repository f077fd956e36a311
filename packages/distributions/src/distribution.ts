/**
 * The distribution base class. Every distribution declares its support, its parameter
 * constraints, its batch and event shapes, `logProb`, and `sample` (reparameterised when
 * `hasRsample`). Parameters may be numbers or tensors; numbers are checked against their
 * constraints at construction, so a bad hyperparameter fails where the model is declared.
 */
import { tf, Key } from "@sparse-dgm/core";
import type { Constraint } from "./constraints.js";

/** A distribution parameter: a plain number or a float32 tensor. */
export type Param = number | tf.Tensor;

/** Thrown for an invalid parameter; the DSL prefixes the site name. */
export class DistributionArgError extends Error {
  constructor(
    readonly distribution: string,
    readonly param: string,
    message: string,
  ) {
    super(`${distribution}: ${message}`);
    this.name = "DistributionArgError";
  }
}

/** A printable summary (for renders and the model IR). */
export interface DistributionSummary {
  /** Registry name, e.g. "Normal", "SpikeSlabLasso". */
  kind: string;
  /** Scalar parameters as numbers; tensor parameters as "tensor[shape]". */
  params: Record<string, number | string | boolean>;
}

/** Converts a parameter to a float32 tensor (numbers become scalars). */
export function asTensor(p: Param): tf.Tensor {
  return typeof p === "number" ? tf.scalar(p) : p;
}

/** Broadcast shape of several shapes (numpy rules); throws with the shapes on mismatch. */
export function broadcastShapes(...shapes: number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast`);
      }
    }
  }
  return out;
}

/** Shape of a parameter (scalar for numbers). */
export function shapeOf(p: Param): number[] {
  return typeof p === "number" ? [] : p.shape.slice();
}

/**
 * Checks number-valued parameters against their constraints.
 *
 * @example
 * ```ts
 * checkParams("Normal", { scale: [scale, positive] });   // throws for scale = -1
 * ```
 */
export function checkParams(dist: string, params: Record<string, [Param | undefined, Constraint]>): void {
  for (const [name, [value, c]] of Object.entries(params)) {
    if (typeof value === "number" && !c.holds(value)) {
      throw new DistributionArgError(dist, name, `${name} must be ${describeConstraint(c)}, got ${value}`);
    }
  }
}

function describeConstraint(c: Constraint): string {
  switch (c.name) {
    case "positive":
      return "positive";
    case "unitInterval":
      return "in the open interval (0, 1)";
    case "closedUnitInterval":
      return "in [0, 1]";
    case "real":
      return "a finite real number";
    case "nonnegative":
      return "non-negative";
    case "nonnegativeInteger":
      return "a non-negative integer";
    default:
      return `in ${c.name}`;
  }
}

/** The base class of every distribution. */
export abstract class Distribution {
  /** Registry name, e.g. "Normal". */
  abstract readonly kind: string;
  /** Shape of independent, non-identical draws. */
  abstract readonly batchShape: number[];
  /** Shape of one draw (empty for scalar distributions). */
  readonly eventShape: number[] = [];
  /** Where the values live. */
  abstract readonly support: Constraint;
  /** True when `sample` is differentiable in the parameters (reparameterised). */
  abstract readonly hasRsample: boolean;
  /** True for continuous relaxations (Concrete, Gumbel-Softmax, threshold-sigmoid): their log-density must never be used in an objective. */
  readonly isRelaxed: boolean = false;

  /** Parameters as tensors (for the KL registry and renders). */
  abstract params(): Record<string, tf.Tensor>;

  /** Log density (or mass) of `x`, summed over event dims: shape broadcast(batchShape, x batch). */
  abstract logProb(x: tf.Tensor): tf.Tensor;

  /** A draw of shape sampleShape ++ batchShape ++ eventShape; reparameterised when `hasRsample`. */
  abstract sample(key: Key, sampleShape?: number[]): tf.Tensor;

  /**
   * The per-entry loss (event dims summed) that the Sparse VAE reference code trains with and reports
   * as its "held-out NLL", where it differs from −logProb (specs/sparse-vae.md §3.2); undefined
   * where −logProb is that loss. The multinomial's drops the coefficient log n!/Π x_j! and adds
   * 1e-6 inside the log, as the reference's `-(log(x_pred + 1e-6) * x).sum(1)`.
   */
  referenceLoss(x: tf.Tensor): tf.Tensor | undefined {
    void x;
    return undefined;
  }

  /** Mean. */
  mean(): tf.Tensor {
    throw new Error(`${this.kind}.mean is not implemented`);
  }

  /** Variance. */
  variance(): tf.Tensor {
    throw new Error(`${this.kind}.variance is not implemented`);
  }

  /** Entropy (nats). */
  entropy(): tf.Tensor {
    throw new Error(`${this.kind}.entropy is not implemented`);
  }

  /**
   * The same distribution with a larger batch shape (parameters broadcast): used by plates to
   * draw independent values for every plate entry. Subclasses whose samplers do not size their
   * noise by `this.batchShape` must override this.
   */
  expand(batchShape: number[]): this {
    broadcastShapes(this.batchShape, batchShape);
    const c = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(c, this);
    (c as { batchShape: number[] }).batchShape = batchShape.slice();
    return c;
  }

  /** Summary for renders and the IR: scalar params as numbers. */
  describe(): DistributionSummary {
    const params: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(this.rawParams())) {
      if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") params[k] = v;
      else if (v && typeof (v as tf.Tensor).shape !== "undefined") {
        const t = v as tf.Tensor;
        params[k] = t.size === 1 && !t.isDisposed ? (t.dataSync()[0] as number) : `tensor[${t.shape.join(", ")}]`;
      }
    }
    return { kind: this.kind, params };
  }

  /** The constructor arguments as given (numbers stay numbers); used by `describe`. */
  protected rawParams(): Record<string, unknown> {
    return this.params();
  }

  /** Full shape of one draw with the given sample shape. */
  protected drawShape(sampleShape: number[] = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }
}
