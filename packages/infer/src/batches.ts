/**
 * Minibatch orders for `fit`: a plain shuffle, or class-balanced blocks (specs/vsc.md part b1: the
 * class-consistency loss compares codes of same-class pairs, so every minibatch needs at least two
 * members of each class).
 *
 * @example
 * ```ts
 * const order = balancedOrder(key.permutation(n), labels, 32, 2);   // a permutation of 0..n-1
 * ```
 */

/**
 * A permutation of the positions 0..n−1 (n = `shuffled.length`) laid out in blocks of `batchSize`
 * so that each block holds at least `minPerClass` members of every class while that class has
 * rows left (each row appears exactly once per epoch, so a class runs out after about
 * count / minPerClass blocks). `labels[i]` is the label of position i; a negative or non-integer
 * label means "no label": such rows only fill blocks. The rest of each block is filled in the
 * order of `shuffled` (a random permutation), so blocks stay random beyond the reserved members.
 */
export function balancedOrder(shuffled: ArrayLike<number>, labels: ArrayLike<number>, batchSize: number, minPerClass = 2): Int32Array {
  const n = shuffled.length;
  if (labels.length !== n) throw new Error(`balanced minibatches: ${labels.length} labels for ${n} rows`);
  if (!(Number.isInteger(minPerClass) && minPerClass >= 1)) throw new Error(`balanced minibatches: minPerClass must be a positive integer, got ${minPerClass}`);
  const isLabel = (v: number) => Number.isInteger(v) && v >= 0;
  // Class queues in shuffled order.
  const queues = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const pos = shuffled[i];
    const c = labels[pos];
    if (!isLabel(c)) continue;
    let q = queues.get(c);
    if (!q) queues.set(c, (q = []));
    q.push(pos);
  }
  const classes = [...queues.keys()].sort((a, b) => a - b);
  if (classes.length * minPerClass > batchSize) {
    throw new Error(`balanced minibatches: batchSize ${batchSize} cannot hold ${minPerClass} members of each of ${classes.length} classes (needs at least ${classes.length * minPerClass})`);
  }
  const heads = new Map<number, number>(classes.map((c) => [c, 0]));
  const used = new Uint8Array(Math.max(n, ...Array.from(shuffled, (p) => p + 1)));
  const out = new Int32Array(n);
  let k = 0;
  let fill = 0; // next candidate in shuffled order for the free part of a block
  while (k < n) {
    const end = Math.min(n, k + batchSize);
    for (const c of classes) {
      const q = queues.get(c)!;
      let h = heads.get(c)!;
      for (let taken = 0; taken < minPerClass && k < end;) {
        while (h < q.length && used[q[h]]) h++;
        if (h >= q.length) break;
        used[q[h]] = 1;
        out[k++] = q[h++];
        taken++;
      }
      heads.set(c, h);
    }
    while (k < end) {
      while (used[shuffled[fill]]) fill++;
      used[shuffled[fill]] = 1;
      out[k++] = shuffled[fill++];
    }
  }
  return out;
}
