/**
 * Host-side (JS, float64) samplers for the distributions whose exact samplers need rejection
 * loops: Gamma (Marsaglia & Tsang 2000) and Poisson (inversion for small rates, Hörmann's PTRS
 * 1993 otherwise, as in numpy). Every uniform and normal comes from a {@link Key}, consumed as a
 * deterministic stream, so draws are reproducible and identical on every backend.
 *
 * Hand-written: TF.js has no seeded, key-based gamma/Poisson sampler. Internal to the package
 * (not re-exported from the index).
 */
import { Key } from "@sparse-dgm/core";

const BLOCK = 4096;

/** A deterministic stream of uniforms in (0, 1) and standard normals, drawn from a key in blocks. */
export class RandomStream {
  private key: Key;
  private u: Float64Array = new Float64Array(0);
  private ui = 0;
  private z: Float64Array = new Float64Array(0);
  private zi = 0;

  constructor(key: Key) {
    this.key = key;
  }

  private next(): Key {
    const [a, b] = this.key.split();
    this.key = b;
    return a;
  }

  /** One uniform in (0, 1). */
  uniform(): number {
    if (this.ui >= this.u.length) {
      this.u = this.next().uniformArray(BLOCK);
      this.ui = 0;
    }
    return this.u[this.ui++];
  }

  /** One standard normal. */
  normal(): number {
    if (this.zi >= this.z.length) {
      this.z = this.next().normalArray(BLOCK);
      this.zi = 0;
    }
    return this.z[this.zi++];
  }
}

/** log Gamma(x) for x > 0 in float64 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function lgammaHost(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaHost(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** One Gamma(concentration, 1) draw (Marsaglia & Tsang; boosted by U^(1/a) for a < 1). */
export function gammaOne(s: RandomStream, concentration: number): number {
  if (!(concentration > 0)) return NaN;
  const boost = concentration < 1;
  const a = boost ? concentration + 1 : concentration;
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  let g: number;
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = s.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = s.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      g = d * v;
      break;
    }
  }
  if (boost) g *= Math.pow(s.uniform(), 1 / concentration);
  return g;
}

/** One Poisson(rate) draw: inversion for rate < 10, PTRS (Hörmann 1993) otherwise. */
export function poissonOne(s: RandomStream, rate: number): number {
  if (!(rate >= 0)) return NaN;
  if (rate === 0) return 0;
  if (rate < 10) {
    const u = s.uniform();
    let k = 0;
    let p = Math.exp(-rate);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= rate / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(rate);
  const loglam = Math.log(rate);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = s.uniform() - 0.5;
    const v = s.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -rate + k * loglam - lgammaHost(k + 1)) return k;
  }
}

/**
 * `n` draws, element i from `draw(stream, params[i % params.length])` (params are the
 * broadcast batch, repeated over the sample shape).
 */
export function drawMany(key: Key, n: number, params: ArrayLike<number>, draw: (s: RandomStream, p: number) => number): Float32Array {
  const s = new RandomStream(key);
  const out = new Float32Array(n);
  const m = params.length;
  for (let i = 0; i < n; i++) out[i] = draw(s, params[i % m]);
  return out;
}
