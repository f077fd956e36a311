/**
 * The fixed random 2-layer tanh MLPs of the MIB-style synthetic data (specs/mib-structured.md §4):
 * f(u) = W2 tanh(W1 u + b1) + b2, R^inputs → R^hidden → R^outputs, with W1 ~ N(0, 1.5²/inputs),
 * W2 ~ N(0, 1.5²/hidden), biases ~ N(0, 0.1²). Used by `two-view` and `fair`.
 */
import type { Key } from "@sparse-dgm/core";

/** A random MLP's weights (row-major). */
export interface RandomMlp {
  inputs: number;
  hidden: number;
  outputs: number;
  /** hidden × inputs */
  W1: Float64Array;
  b1: Float64Array;
  /** outputs × hidden */
  W2: Float64Array;
  b2: Float64Array;
}

/** Draws a random MLP from `key`. */
export function randomMlp(key: Key, inputs: number, hidden: number, outputs: number): RandomMlp {
  const [k1, k2, k3, k4] = key.split(4);
  const W1 = k1.normalArray(hidden * inputs).map((v) => (1.5 * v) / Math.sqrt(inputs));
  const b1 = k2.normalArray(hidden).map((v) => 0.1 * v);
  const W2 = k3.normalArray(outputs * hidden).map((v) => (1.5 * v) / Math.sqrt(hidden));
  const b2 = k4.normalArray(outputs).map((v) => 0.1 * v);
  return { inputs, hidden, outputs, W1, b1, W2, b2 };
}

/**
 * Writes f(u) + noise · eps[eo ..] into out[o .. o + outputs).
 */
export function applyMlp(f: RandomMlp, u: ArrayLike<number>, out: Float32Array, o: number, noise: number, eps: Float64Array, eo: number): void {
  const h = new Float64Array(f.hidden);
  for (let a = 0; a < f.hidden; a++) {
    let s = f.b1[a];
    for (let b = 0; b < f.inputs; b++) s += f.W1[a * f.inputs + b] * u[b];
    h[a] = Math.tanh(s);
  }
  for (let d = 0; d < f.outputs; d++) {
    let s = f.b2[d];
    for (let a = 0; a < f.hidden; a++) s += f.W2[d * f.hidden + a] * h[a];
    out[o + d] = s + noise * eps[eo + d];
  }
}
