/**
 * Entropy helpers shared by DCI and MIG.
 * @module
 */

/**
 * `scipy.stats.entropy(pk, base=base)`: normalise pk to sum 1, then −Σ p log p / log(base).
 * Zero entries contribute 0 (scipy's `entr(0) = 0`). A length-1 (or base-1) distribution
 * has entropy 0 here; scipy would return NaN (0/log 1).
 *
 * @example
 * ```ts
 * scipyEntropy([1, 1], 2); // 1
 * scipyEntropy([1, 0, 0], 3); // 0
 * ```
 */
export function scipyEntropy(pk: ArrayLike<number>, base?: number): number {
  let total = 0;
  for (let i = 0; i < pk.length; i++) total += pk[i];
  let s = 0;
  for (let i = 0; i < pk.length; i++) {
    const p = pk[i] / total;
    if (p > 0) s -= p * Math.log(p);
  }
  if (base === undefined) return s;
  if (base === 1) return 0;
  return s / Math.log(base);
}
