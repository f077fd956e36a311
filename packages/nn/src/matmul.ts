/**
 * Matrix products laid out for the wasm backend (issue 10), measured in bench/:
 * - a matMul with `transposeA`/`transposeB` runs about 10x slower than a plain one, and TF.js's
 *   built-in matMul gradient uses exactly those: here every transpose is explicit;
 * - a batched matMul ([R, N, K] by [R, K, H], replicas) runs about 10x slower than the same work
 *   as R plain 2-D matMuls (R = 25, [700, 50] by [50, 50]: 32 ms batched, 4.6 ms as 2-D products
 *   on slices): batches are split into 2-D products and concatenated;
 * - transposing a long [N, K] activation is cache-unfriendly (N = 38400, K = 300: 283 ms), so
 *   Aᵀ·B over a long shared axis is summed over row blocks of 4096 (each block transposed while it
 *   is in cache);
 * - XNNPACK packs the right-hand operand of every product, and a weight matrix is new every step:
 *   a product of a few rows by a wide weight matrix runs as (Bᵀ·Aᵀ)ᵀ, packing the few rows (VSC on
 *   Fashion-MNIST, batch 32: the products' CPU time per step 33 -> 17 ms). The same dot products
 *   in the same order: the values are the same.
 *
 * `matMul(a, b)` has a lean custom gradient (dA = dY·Bᵀ, dB = Aᵀ·dY, both through
 * {@link product}).
 *
 * @example
 * ```ts
 * const y = matMul(x, kernel);      // same value as tf.matMul(x, kernel)
 * ```
 */
import { tf } from "@sparse-dgm/core";

/** Rows per block when a transposed operand's shared axis is long. */
const BLOCK = 4096;

function t2(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x);
}

/** One 2-D product with optional transposes, all explicit. */
function product2d(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (transposeA && !transposeB && a.shape[0] > 2 * BLOCK) {
    // Aᵀ·B = Σ_blocks A_cᵀ·B_c over the long shared axis; with A much narrower than B, summed as
    // (Σ B_cᵀ·A_c)ᵀ (XNNPACK then packs the narrow block, and the output is walked in long rows:
    // setting b's first decoder layer, [153600, 50]ᵀ·[153600, 300]: 900 -> 530 ms CPU).
    const n = a.shape[0];
    const swap = 2 * (a.shape[1] as number) < (b.shape[1] as number);
    let acc: tf.Tensor | undefined;
    for (let lo = 0; lo < n; lo += BLOCK) {
      const rows = Math.min(BLOCK, n - lo);
      const prev = acc;
      // each block in its own scope: its slices and transpose are freed before the next block
      acc = tf.tidy(() => {
        const ac = tf.slice(a, [lo, 0], [rows, a.shape[1] as number]);
        const bc = tf.slice(b, [lo, 0], [rows, b.shape[1] as number]);
        const part = swap ? tf.matMul(t2(bc), ac) : tf.matMul(t2(ac), bc);
        return prev ? tf.add(prev, part) : part;
      });
      prev?.dispose();
    }
    if (!swap) return acc!;
    const out = t2(acc!);
    acc!.dispose();
    return out;
  }
  if (transposeA && !transposeB && 2 * (a.shape[1] as number) < (b.shape[1] as number)) {
    // Aᵀ·B = (Bᵀ·A)ᵀ when A [K, M] is much narrower than B [K, N]: XNNPACK packs the right-hand
    // operand of every product afresh (~3 ns per float), so pack the narrow A (K·M floats) instead
    // of B (K·N). The decoder's first layer at setting a (K = 700, M = 5, N = 50): 135 -> 40 us.
    return t2(tf.matMul(t2(b), a));
  }
  const [M, K] = transposeA ? [a.shape[1] as number, a.shape[0]] : [a.shape[0], a.shape[1] as number];
  const N = (transposeB ? b.shape[0] : b.shape[1]) as number;
  if (4 * M <= N && K * N >= 1 << 16) {
    // A·B = (Bᵀ·Aᵀ)ᵀ when A has few rows: XNNPACK packs the right-hand operand of every product
    // (a fresh weight matrix each step), so pack Aᵀ (K·M floats) instead of B (K·N); Bᵀ is b itself
    // when b comes transposed (dX = dY·Wᵀ), and the two small transposes are cheap.
    return t2(tf.matMul(transposeB ? b : t2(b), transposeA ? a : t2(a)));
  }
  return tf.matMul(transposeA ? t2(a) : a, transposeB ? t2(b) : b);
}

/**
 * a·b (or with transposed operands) for 2-D operands and for batches over one leading axis:
 * [R, M, K]·[R, K, N], [R, M, K]·[K, N] (one 2-D product), [M, K]·[R, K, N]. Broadcast batch axes
 * are not summed here (see {@link matMul}'s gradient).
 */
export function product(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) return product2d(a, b, transposeA, transposeB);
  if (a.rank === 3 && b.rank === 2 && !transposeA) {
    const [R, M, K] = a.shape;
    const y = product2d(tf.reshape(a, [R * M, K]), b, false, transposeB);
    return tf.reshape(y, [R, M, y.shape[1] as number]);
  }
  if (a.rank > 3 || b.rank > 3) throw new Error(`matMul: operands of rank ${a.rank} and ${b.rank} are not supported (at most one batch axis)`);
  const R = a.rank === 3 ? a.shape[0] : b.shape[0];
  if (a.rank === 3 && b.rank === 3 && a.shape[0] !== b.shape[0]) throw new Error(`matMul: batch sizes ${a.shape[0]} and ${b.shape[0]} differ`);
  if (R === 1) {
    const y = product2d(a.rank === 3 ? tf.squeeze(a, [0]) : a, b.rank === 3 ? tf.squeeze(b, [0]) : b, transposeA, transposeB);
    return tf.expandDims(y, 0);
  }
  // Operands transposed as a whole batch, sliced per replica (contiguous slices: one copy each; wasm's
  // Unpack copies the whole input per output), R plain products, one Pack.
  // A batch [R, M, K] is viewed as [R·M, K] once; replica r is then one contiguous row slice.
  const prep = (x: tf.Tensor, transpose: boolean) => {
    if (x.rank !== 3) return { t: transpose ? t2(x) : x, rows: 0 };
    const y = transpose ? tf.transpose(x, [0, 2, 1]) : x;
    return { t: tf.reshape(y, [y.shape[0] * (y.shape[1] as number), y.shape[2] as number]), rows: y.shape[1] as number };
  };
  const A = prep(a, transposeA);
  const B = prep(b, transposeB);
  const pick = (x: { t: tf.Tensor; rows: number }, r: number) => (x.rows ? tf.slice(x.t, [r * x.rows, 0], [x.rows, x.t.shape[1] as number]) : x.t);
  const parts: tf.Tensor[] = [];
  for (let r = 0; r < R; r++) parts.push(tf.matMul(pick(A, r), pick(B, r)));
  return tf.stack(parts);
}

type Binary = (a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** Sums the leading axes `grad` has beyond `target`'s rank (broadcast batches). */
export function reduceLeading(grad: tf.Tensor, target: tf.Tensor): tf.Tensor {
  if (grad.rank === target.rank) return grad;
  return tf.sum(grad, Array.from({ length: grad.rank - target.rank }, (_, i) => i));
}

const lean = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        // tidy: temporaries are freed now, not at the end of the whole backward pass
        tf.tidy(() => {
        const [sa, sb] = saved;
        // [R, M, K]·[K, N]: dB sums over the replicas' rows, as one 2-D product.
        const db =
          sa.rank === 3 && sb.rank === 2
            ? product2d(tf.reshape(sa, [-1, sa.shape[2] as number]), tf.reshape(dy, [-1, dy.shape[2] as number]), true, false)
            : reduceLeading(product(sa, dy, true, false), sb);
        const da = reduceLeading(product(dy, sb, false, true), sa);
        return [da, db];
      }),
  };
}) as Binary as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a · b (2-D, or batched over one leading axis) with the lean gradient. */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return lean(a, b);
}
