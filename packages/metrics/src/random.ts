/**
 * Seeded random numbers for the metrics: a small general-purpose generator
 * (mulberry32) and a bit-exact port of numpy's legacy `RandomState` (MT19937) for the one
 * draw the reference code makes (`np.random.seed(s); np.random.choice(range(n), k,
 * replace=False)`).
 *
 * Hand-written: reproducing numpy's legacy stream bit-for-bit needs MT19937 plus numpy's
 * masked-rejection `random_interval` and its Fisher–Yates order; no npm package provides
 * that combination.
 *
 * @module
 */

/**
 * mulberry32: a tiny seeded uniform generator on [0, 1).
 * @example
 * ```ts
 * const u = mulberry32(1);
 * u(); // 0.6270739405881613
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fisher–Yates shuffle in place with a uniform generator.
 * @example
 * ```ts
 * shuffleInPlace([0, 1, 2, 3], mulberry32(3));
 * ```
 */
export function shuffleInPlace<T>(a: T[], rng: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
  return a;
}

/**
 * numpy's legacy global generator (`np.random.seed(seed)`, MT19937 `init_genrand`),
 * enough of it to reproduce `choice(n, size, replace=False)` bit-for-bit.
 *
 * Reference: numpy `mtrand.pyx` `RandomState.choice` (→ `permutation(n)[:size]`),
 * `RandomState.shuffle` (Fisher–Yates from the end with `random_interval`), and
 * `distributions.c: random_interval` (mask-and-reject on 32-bit draws). Checked against
 * numpy 1.24 in `random.test.ts` (fixture `numpy_choice.json`).
 *
 * @example
 * ```ts
 * const rs = new NumpyRandomState(42);
 * rs.choiceWithoutReplacement(510, 16); // same 16 indices as np.random.choice(range(510), 16, replace=False)
 * ```
 */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(624);
  private mti = 625;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`NumpyRandomState: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing precision
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = 624;
  }

  /** Next raw 32-bit output (MT19937 `genrand_int32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      let kk = 0;
      let y: number;
      for (; kk < 624 - 397; kk++) {
        y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + 397] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < 623; kk++) {
        y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + (397 - 624)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      y = (mt[623] & 0x80000000) | (mt[0] & 0x7fffffff);
      mt[623] = mt[396] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy `random_interval(max)`: uniform integer in [0, max] by masked rejection (max < 2^32). */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new Error("NumpyRandomState.randomInterval: max ≥ 2^32 is not supported");
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** `np.random.permutation(n)`. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** `np.random.choice(range(n), size, replace=False)` (legacy: `permutation(n)[:size]`). */
  choiceWithoutReplacement(n: number, size: number): Int32Array {
    if (size > n) throw new Error(`choiceWithoutReplacement: cannot take ${size} of ${n} without replacement`);
    return this.permutation(n).slice(0, size);
  }
}
