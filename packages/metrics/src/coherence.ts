/**
 * Topic coherence as NPMI over document co-occurrence (specs/sparse-vae.md §3.2; Bouma 2009,
 * Lau et al. 2014): for two features w1, w2 with document frequencies p(w) = |{d: x_dw > 0}| / D
 * and p(w1, w2) likewise,
 *
 *   NPMI(w1, w2) = log(p(w1, w2) / (p(w1) p(w2))) / −log p(w1, w2),   −1 when they never co-occur,
 *
 * averaged over the pairs of a factor's top features, then over factors. (The reference notebook
 * weights co-occurrence by counts, XᵀX; the spec, and this, use documents.)
 * @module
 */
/** Which documents contain each feature, as bitsets, for fast pair counts. */
export class Cooccurrence {
  private readonly words: number;
  private readonly sets = new Map<number, Uint32Array>();
  private readonly count = new Map<number, number>();

  /** `x`: documents × features, row-major with `g` columns (a Dataset's `x`). */
  constructor(
    private readonly x: ArrayLike<number>,
    readonly documents: number,
    private readonly g: number,
  ) {
    this.words = Math.ceil(documents / 32);
  }

  /** The documents containing feature j. */
  set(j: number): Uint32Array {
    let s = this.sets.get(j);
    if (!s) {
      s = new Uint32Array(this.words);
      let c = 0;
      for (let d = 0; d < this.documents; d++) {
        if (this.x[d * this.g + j] > 0) {
          s[d >>> 5] |= 1 << (d & 31);
          c++;
        }
      }
      this.sets.set(j, s);
      this.count.set(j, c);
    }
    return s;
  }

  /** Documents containing feature j. */
  df(j: number): number {
    this.set(j);
    return this.count.get(j)!;
  }

  /** Documents containing both. */
  co(a: number, b: number): number {
    const sa = this.set(a);
    const sb = this.set(b);
    let c = 0;
    for (let w = 0; w < this.words; w++) {
      let v = sa[w] & sb[w];
      while (v) {
        v &= v - 1;
        c++;
      }
    }
    return c;
  }

  /** NPMI of a pair (−1 when they never co-occur; 1 when they always do). */
  npmi(a: number, b: number): number {
    const D = this.documents;
    const n12 = this.co(a, b);
    if (n12 === 0) return -1;
    const p12 = n12 / D;
    if (p12 === 1) return 1;
    return Math.log(p12 / ((this.df(a) / D) * (this.df(b) / D))) / -Math.log(p12);
  }

  /** Mean NPMI over the pairs of a feature set (NaN with fewer than two). */
  setNpmi(features: readonly number[]): number {
    let s = 0;
    let n = 0;
    for (let i = 0; i < features.length; i++) {
      for (let k = i + 1; k < features.length; k++) {
        s += this.npmi(features[i], features[k]);
        n++;
      }
    }
    return n ? s / n : NaN;
  }
}

/**
 * Mean NPMI of each set of feature indices (each factor's top features), and their mean.
 *
 * @example
 * ```ts
 * topicCoherence(x, nDocs, nWords, [[3, 7, 9], [1, 2, 4]]).coherence;
 * ```
 */
export function topicCoherence(x: ArrayLike<number>, documents: number, g: number, sets: readonly (readonly number[])[]): { perSet: number[]; coherence: number } {
  const co = new Cooccurrence(x, documents, g);
  const perSet = sets.map((f) => co.setNpmi(f));
  const ok = perSet.filter((v) => Number.isFinite(v));
  return { perSet, coherence: ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN };
}
