/** Shared test helper: how far values are from references, in units of a mixed tolerance. */

/** max over points of |got - want| / (atol + rtol |want|), and where; <= 1 passes. */
export function worst(got: ArrayLike<number>, want: number[], rtol: number, atol: number): { ratio: number; at: number } {
  let ratio = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const r = Math.abs(got[i] - want[i]) / (atol + rtol * Math.abs(want[i]));
    if (!(r <= ratio)) {
      ratio = r;
      at = i;
    }
  }
  return { ratio, at };
}
