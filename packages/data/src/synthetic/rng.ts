/**
 * A sequential host random stream for the generators that draw a variable number of values
 * (gamma, Poisson and negative-binomial counts, categorical draws): uniforms come from the
 * counter-based {@link Key} in blocks, so a generator is reproducible from its seed alone.
 * Hand-written samplers (Marsaglia–Tsang gamma, inversion / transformed-rejection Poisson): they
 * are a few lines each and the data package has no tensor backend to draw them with.
 */
import { Key } from "@sparse-dgm/core";

const BLOCK = 4096;

/** A seeded stream of random numbers. */
export class Rng {
  private buf: Float64Array = new Float64Array(0);
  private pos = 0;
  private block = 0;
  private spare: number | undefined;

  constructor(private readonly key: Key) {}

  /** U(0, 1), never exactly 0. */
  uniform(): number {
    if (this.pos >= this.buf.length) {
      this.buf = this.key.foldIn(this.block++).uniformArray(BLOCK);
      this.pos = 0;
    }
    const u = this.buf[this.pos++];
    return u > 0 ? u : Number.MIN_VALUE;
  }

  /** N(0, 1) by Box–Muller. */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** Gamma(shape, 1) (Marsaglia & Tsang 2000; shape < 1 boosted by U^(1/shape)). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Poisson(mean): inversion below 30, else the normal-approximation rejection of Atkinson (PA). */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      let k = 0;
      let p = Math.exp(-mean);
      let s = p;
      const u = this.uniform();
      while (u > s && k < 10_000) {
        k++;
        p *= mean / k;
        s += p;
      }
      return k;
    }
    const beta = Math.PI / Math.sqrt(3 * mean);
    const alpha = beta * mean;
    const k = Math.log(0.767 - 3.36 / mean) - mean - Math.log(beta);
    for (;;) {
      const u = this.uniform();
      const x = (alpha - Math.log((1 - u) / u)) / beta;
      const n = Math.floor(x + 0.5);
      if (n < 0) continue;
      const v = this.uniform();
      const y = alpha - beta * x;
      const lhs = y + Math.log(v / (1 + Math.exp(y)) ** 2);
      const rhs = k + n * Math.log(mean) - logFactorial(n);
      if (lhs <= rhs) return n;
    }
  }

  /** Negative binomial with this mean and dispersion r (variance mean + mean²/r): Poisson(Gamma). */
  negativeBinomial(mean: number, r: number): number {
    return this.poisson((this.gamma(r) * mean) / r);
  }

  /** An index drawn with probability proportional to `w` (cumulative weights `cum`, last = total). */
  categorical(cum: ArrayLike<number>): number {
    const t = this.uniform() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A Dirichlet(alpha) draw. */
  dirichlet(alpha: ArrayLike<number>): Float64Array {
    const out = Float64Array.from(alpha, (a) => this.gamma(a));
    const s = out.reduce((a, b) => a + b, 0);
    for (let k = 0; k < out.length; k++) out[k] /= s;
    return out;
  }
}

const LF: number[] = [0];
/** log n! (exact sums below 256, Stirling's series above). */
export function logFactorial(n: number): number {
  if (n < 256) {
    while (LF.length <= n) LF.push(LF[LF.length - 1] + Math.log(LF.length));
    return LF[n];
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/** Cumulative sums of `w` (for {@link Rng.categorical}). */
export function cumulative(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let k = 0; k < w.length; k++) c[k] = s += w[k];
  return c;
}
