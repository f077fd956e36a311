/**
 * A splittable, counter-based random key (Threefry-2x32, 20 rounds; Salmon et al. 2011, as used
 * by JAX and NumPyro). Randomness never comes from TF.js's global seed or `Math.random`: every
 * draw is a pure function of a key, so the same key gives the same numbers on every backend.
 *
 * Hand-written because no maintained JS package offers a splittable counter-based generator.
 *
 * @example
 * ```ts
 * const key = Key.of(42);
 * const [k1, k2] = key.split();
 * const eps = k1.normal([100, 5]);      // tf.Tensor, identical for Key.of(42).split()[0]
 * ```
 */
import { tf } from "./tf.js";
import { capturingStep, stepSource } from "./step-hook.js";

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** Threefry-2x32 with 20 rounds: maps (key, counter) to two uint32 words. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array, o: number): void {
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  const ks = [k0 >>> 0, k1 >>> 0, k2];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 4; j++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, ROT[(i % 2) * 4 + j]) ^ x0;
    }
    x0 = (x0 + ks[(i + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(i + 2) % 3] + i + 1) >>> 0;
  }
  out[o] = x0;
  out[o + 1] = x1;
}

const TWO_POW_M32 = 1 / 4294967296;

/** An immutable random key. Split it; never reuse one key for two different draws. */
export class Key {
  private constructor(
    readonly k0: number,
    readonly k1: number,
    /** For step plans (step-hook.ts): this key's derivation from a step's root key. */
    private readonly origin?: { root: number; path: ReadonlyArray<number | string | { split: number; i: number }> },
  ) {}

  /**
   * This key marked as root `index` of a training step: keys derived from it remember how, so a
   * step run from a plan re-derives its noise from the next step's roots ({@link Key.rederive}).
   */
  asRoot(index: number): Key {
    return new Key(this.k0, this.k1, { root: index, path: [] });
  }

  /** The key derived from `roots` the way this one was derived from its step root (itself if none). */
  rederive(roots: readonly Key[]): Key {
    if (!this.origin) return this;
    let k = roots[this.origin.root];
    for (const op of this.origin.path) k = typeof op === "object" ? k.split(op.split)[op.i] : k.foldIn(op);
    return k;
  }

  /** Declares a noise tensor drawn from this key as a per-step source of a recorded step. */
  private declare(t: tf.Tensor, draw: (k: Key) => Float32Array): tf.Tensor {
    return this.origin && capturingStep() ? stepSource(t, (ctx) => draw(this.rederive(ctx.roots))) : t;
  }

  /** A key from an integer seed (any safe integer). */
  static of(seed: number): Key {
    if (!Number.isFinite(seed)) throw new Error(`Key.of: seed must be a finite number, got ${seed}`);
    const s = Math.trunc(seed);
    const hi = Math.floor(s / 4294967296) >>> 0;
    return new Key(hi, s >>> 0);
  }

  /** Rebuilds a key from its two words (as in a checkpoint). */
  static fromWords(words: readonly [number, number]): Key {
    return new Key(words[0] >>> 0, words[1] >>> 0);
  }

  /** The two 32-bit words, for checkpoints. */
  words(): [number, number] {
    return [this.k0, this.k1];
  }

  /** `n` new independent keys. */
  split(n = 2): Key[] {
    const out = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) threefry2x32(this.k0, this.k1, i, 0x5eed, out, 2 * i);
    const keys: Key[] = [];
    const o = this.origin;
    for (let i = 0; i < n; i++) keys.push(new Key(out[2 * i], out[2 * i + 1], o && { root: o.root, path: [...o.path, { split: n, i }] }));
    return keys;
  }

  /** A key derived from this one and an integer or a string (a site name, say). */
  foldIn(data: number | string): Key {
    let d: number;
    if (typeof data === "number") d = data >>> 0;
    else {
      d = 2166136261;
      for (let i = 0; i < data.length; i++) d = Math.imul(d ^ data.charCodeAt(i), 16777619) >>> 0;
    }
    const out = new Uint32Array(2);
    threefry2x32(this.k0, this.k1, d, 0xf01d, out, 0);
    const o = this.origin;
    return new Key(out[0], out[1], o && { root: o.root, path: [...o.path, data] });
  }

  /** `n` raw uint32 words. */
  bits(n: number): Uint32Array {
    const m = n + (n & 1);
    const out = new Uint32Array(m);
    for (let i = 0; i < m; i += 2) threefry2x32(this.k0, this.k1, i >>> 1, 0, out, i);
    return m === n ? out : out.subarray(0, n);
  }

  /** `n` uniforms in the open interval (0, 1), as a Float64Array. */
  uniformArray(n: number): Float64Array {
    const b = this.bits(n);
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = (b[i] + 0.5) * TWO_POW_M32;
    return u;
  }

  /** `n` standard normals (Box-Muller), as a Float64Array. */
  normalArray(n: number): Float64Array {
    const m = n + (n & 1);
    const u = this.uniformArray(m);
    const z = new Float64Array(m);
    for (let i = 0; i < m; i += 2) {
      const r = Math.sqrt(-2 * Math.log(u[i]));
      const t = 2 * Math.PI * u[i + 1];
      z[i] = r * Math.cos(t);
      z[i + 1] = r * Math.sin(t);
    }
    return m === n ? z : z.subarray(0, n);
  }

  /** A float32 tensor of uniforms in (0, 1). */
  uniform(shape: number[]): tf.Tensor {
    const draw = (k: Key) => Float32Array.from(k.uniformArray(sizeOf(shape)));
    return this.declare(tf.tensor(draw(this), shape, "float32"), draw);
  }

  /** A float32 tensor of standard normals. */
  normal(shape: number[]): tf.Tensor {
    const draw = (k: Key) => Float32Array.from(k.normalArray(sizeOf(shape)));
    return this.declare(tf.tensor(draw(this), shape, "float32"), draw);
  }

  /** Standard Gumbel noise, -log(-log u). */
  gumbel(shape: number[]): tf.Tensor {
    const draw = (k: Key) => {
      const u = k.uniformArray(sizeOf(shape));
      const g = new Float32Array(u.length);
      for (let i = 0; i < u.length; i++) g[i] = -Math.log(-Math.log(u[i]));
      return g;
    };
    return this.declare(tf.tensor(draw(this), shape, "float32"), draw);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    const u = this.uniformArray(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[i] * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  toString(): string {
    return `Key(${this.k0.toString(16)}, ${this.k1.toString(16)})`;
  }
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
