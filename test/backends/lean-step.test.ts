// The lean training step (issue 10) computes the same numbers as the plain TF.js ops, on cpu and
// wasm: the zero-copy Identity/Cast and the contiguous Slice, the fused dense layer's gradients
// against autodiff of relu(x·W + b), and the one-kernel Adam against the op-by-op update.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { tf } from "@sparse-dgm/core";
import { contiguousSlice, sumRows, simdKernels, fusedAdam, hasFusedAdam, fusedAdamLoop, installLeanKernels, removeLeanKernels, leanKernelsInstalled, biasAct, reluGrad } from "@sparse-dgm/speed";
import { denseActivation, maskedDecoderForward, matMul as nnMatMul, type FusedActivation } from "@sparse-dgm/nn";
import { useBackend } from "../support/backend.js";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("contiguousSlice (pure)", () => {
  it("agrees with a row-major walk for random shapes and slices", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }))))),
          ),
        ),
        ([shape, bs]) => {
          const begin = bs.map((x) => x[0]);
          const size = bs.map((x) => x[1]);
          const c = contiguousSlice(shape, begin, size);
          // enumerate the flat indices of the slice
          const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
          const idx: number[] = [];
          const walk = (ax: number, off: number) => {
            if (ax === shape.length) return void idx.push(off);
            for (let i = begin[ax]; i < begin[ax] + size[ax]; i++) walk(ax + 1, off + i * strides[ax]);
          };
          walk(0, 0);
          const isRun = idx.every((v, i) => i === 0 || v === idx[i - 1] + 1);
          if (c) {
            expect(isRun).toBe(true);
            expect(c.offset).toBe(idx[0]);
            expect(c.length).toBe(idx.length);
          }
          // slices whose trailing axes are whole are always recognised
          if (size.slice(1).every((s, i) => s === shape[i + 1])) expect(c).toBeDefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});

for (const backend of ["cpu", "wasm"] as const) {
  describe(`lean step kernels on ${backend}`, () => {
    useBackend(backend);

    it("Identity, same-dtype Cast and Slice give the values of the input", () => {
      tf.tidy(() => {
        const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
        expect(Array.from(tf.clone(x).dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(Array.from(tf.cast(x, "float32").dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(Array.from(tf.cast(x, "int32").dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(Array.from(tf.slice(x, [1, 0], [2, 2]).dataSync())).toEqual([3, 4, 5, 6]);
        expect(Array.from(tf.slice(x, [1, 1], [2, 1]).dataSync())).toEqual([4, 6]);
        expect(Array.from(tf.slice(tf.reshape(x, [-1]), 3, 4).dataSync())).toEqual([4, 5, 6, 7]);
        // a clone survives disposing its source (shared data is reference counted)
        const c = tf.clone(x);
        x.dispose();
        expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      });
    });

    for (const act of ["relu", "tanh", "sigmoid", "linear"] as FusedActivation[]) {
      for (const replicas of [undefined, 3]) {
        it(`the fused dense layer (${act}${replicas ? `, ${replicas} replicas` : ""}) has autodiff's value and gradients`, () => {
          tf.tidy(() => {
            const lead = replicas ? [replicas] : [];
            const x = tf.randomNormal([...lead, 6, 4], 0, 1, "float32", 1);
            const k = tf.randomNormal([...lead, 4, 5], 0, 1, "float32", 2);
            const b = tf.randomNormal([...lead, 5], 0, 1, "float32", 3);
            const w = tf.randomNormal([...lead, 6, 5], 0, 1, "float32", 4);
            const plain = (xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => {
              const pre = tf.add(tf.matMul(xx, kk), bb.rank === 2 ? tf.expandDims(bb, 1) : bb);
              const y = act === "relu" ? tf.relu(pre) : act === "tanh" ? tf.tanh(pre) : act === "sigmoid" ? tf.sigmoid(pre) : pre;
              return tf.sum(tf.mul(y, w));
            };
            const fused = (xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(denseActivation(xx, kk, bb, act), w));
            const g1 = tf.grads(plain as never)([x, k, b]);
            const g2 = tf.grads(fused as never)([x, k, b]);
            expect(Math.abs(plain(x, k, b).dataSync()[0] - fused(x, k, b).dataSync()[0])).toBeLessThan(1e-4);
            g1.forEach((g, i) => expect(maxAbsDiff(g, g2[i]), `gradient ${i}`).toBeLessThan(1e-4));
          });
        });
      }
    }

    for (const replicas of [undefined, 2]) {
      it(`the masked decoder (${replicas ? "replicas" : "one run"}) has the plain ops' value and gradients`, () => {
        tf.tidy(() => {
          const lead = replicas ? [replicas] : [];
          const [B, G, K, H] = [5, 4, 3, 6];
          const prod = tf.randomNormal([...lead, B, G, K], 0, 1, "float32", 1);
          const k0 = tf.randomNormal([...lead, K, H], 0, 0.5, "float32", 2);
          const k1 = tf.randomNormal([...lead, H, H], 0, 0.5, "float32", 3);
          const b1 = tf.randomNormal([...lead, H], 0, 0.5, "float32", 4);
          const V = tf.randomNormal([...lead, G, H], 0, 0.5, "float32", 5);
          const c = tf.randomNormal([...lead, G], 0, 0.5, "float32", 6);
          const w = tf.randomNormal([...lead, B, G], 0, 1, "float32", 7);
          const lean = (...a: tf.Tensor[]) => tf.sum(tf.mul(maskedDecoderForward(a[0], { kernels: [a[1], a[2]], biases: [undefined, a[3]], headKernel: a[4], headBias: a[5] }, replicas), w));
          const plain = (...a: tf.Tensor[]) => {
            const x2 = tf.reshape(a[0], [...lead, B * G, K]);
            const h1 = tf.relu(tf.matMul(x2, a[1]));
            const h2 = tf.reshape(tf.relu(tf.add(tf.matMul(h1, a[2]), tf.reshape(a[3], [...lead, 1, H]))), [...lead, B, G, H]);
            const out = tf.add(tf.sum(tf.mul(h2, tf.reshape(a[4], [...lead, 1, G, H])), -1), tf.reshape(a[5], [...lead, 1, G]));
            return tf.sum(tf.mul(out, w));
          };
          const xs = [prod, k0, k1, b1, V, c];
          expect(Math.abs(lean(...xs).dataSync()[0] - plain(...xs).dataSync()[0])).toBeLessThan(1e-3);
          const g1 = tf.grads(lean as never)(xs);
          const g2 = tf.grads(plain as never)(xs);
          g1.forEach((g, i) => expect(maxAbsDiff(g, g2[i]), `gradient ${i}`).toBeLessThan(1e-3));
        });
      });
    }

    it("skips the input gradient when asked (inputGrad: false)", () => {
      tf.tidy(() => {
        const x = tf.randomNormal([6, 4], 0, 1, "float32", 1);
        const k = tf.randomNormal([4, 5], 0, 1, "float32", 2);
        const [dx, dk] = tf.grads(((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(denseActivation(xx, kk, undefined, "relu", { inputGrad: false }))) as never)([x, k]);
        expect(tf.max(tf.abs(dx)).dataSync()[0]).toBe(0);
        expect(tf.max(tf.abs(dk)).dataSync()[0]).toBeGreaterThan(0);
      });
    });

    for (const [k, n] of [
      [6, 40],
      [40, 6],
    ]) {
      it(`matMul's weight gradient over a long shared axis (blocks of 4096 rows${2 * k < n ? ", the narrow operand swapped" : ""}) equals autodiff's`, () => {
        tf.tidy(() => {
          const rows = 9000; // > 2 blocks: the blocked Aᵀ·B
          const x = tf.randomNormal([rows, k], 0, 1, "float32", 1);
          const w = tf.randomNormal([k, n], 0, 1, "float32", 2);
          const c = tf.randomNormal([rows, n], 0, 1, "float32", 3);
          const [gx, gw] = tf.grads(((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(nnMatMul(a, b), c))) as never)([x, w]);
          const [rx, rw] = tf.grads(((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), c))) as never)([x, w]);
          expect(gw.shape).toEqual([k, n]);
          expect(maxAbsDiff(gw, rw) / tf.max(tf.abs(rw)).dataSync()[0]).toBeLessThan(1e-5);
          expect(maxAbsDiff(gx, rx)).toBeLessThan(1e-3);
        });
      });
    }

    it("a product of few rows by a wide weight matrix, run as (Bᵀ·Aᵀ)ᵀ, equals tf.matMul bit for bit (value and input gradient)", () => {
      tf.tidy(() => {
        const x = tf.randomNormal([8, 300], 0, 1, "float32", 1); // 4·8 <= 400 and 300·400 >= 65536: swapped
        const w = tf.randomNormal([300, 400], 0, 1, "float32", 2);
        const c = tf.randomNormal([8, 400], 0, 1, "float32", 3);
        const bits = (t: tf.Tensor) => Array.from(t.dataSync());
        expect(bits(nnMatMul(x, w))).toEqual(bits(tf.matMul(x, w)));
        const [gx] = tf.grads(((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(nnMatMul(a, b), c))) as never)([x, w]);
        expect(bits(gx)).toEqual(bits(tf.matMul(c, tf.transpose(w))));
      });
    });

    it("Transpose of matrices and batches of matrices (float32, int32) moves every element exactly, across 4 x 4 blocks, tails and column blocks (property)", () => {
      // wasm: the SIMD kernel (and the JS tiles at 1M+); cpu: TF.js's own. Against a plain index walk.
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 600 }), fc.boolean(), fc.boolean(), fc.nat(1000), (batch, rows, cols, batched, int, seed) => {
          tf.tidy(() => {
            const shape = batched ? [batch, rows, cols] : [rows, cols];
            const n = shape.reduce((a, c) => a * c, 1);
            const values = Array.from({ length: n }, (_, i) => (int ? ((i * 7919 + seed) % 100003) - 50000 : Math.fround(Math.sin(i + seed) * 1e3)));
            const x = tf.tensor(values, shape, int ? "int32" : "float32");
            const got = tf.transpose(x, batched ? [0, 2, 1] : [1, 0]).dataSync();
            const B = batched ? batch : 1;
            for (let b = 0; b < B; b++)
              for (let i = 0; i < rows; i++)
                for (let j = 0; j < cols; j++) if (!Object.is(got[(b * cols + j) * rows + i], values[(b * rows + i) * cols + j])) throw new Error(`[${b}, ${i}, ${j}] moved wrongly for shape [${shape}]`);
          });
        }),
        { numRuns: 60 },
      );
    });

    it("sumRows equals tf.sum over the rows, 2-D and 3-D, across lane tails and column blocks (property)", () => {
      // wasm: the SIMD kernel (blocks of 1024 columns, 4 lanes, scalar tails); cpu: JavaScript
      expect(simdKernels(tf.backend()) !== null).toBe(backend === "wasm");
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2100 }), fc.boolean(), fc.nat(1000), (outer, rows, cols, batched, seed) => {
          tf.tidy(() => {
            const x = tf.randomNormal(batched ? [outer, rows, cols] : [rows, cols], 0, 1, "float32", seed);
            const got = sumRows(x);
            const want = tf.sum(x, batched ? 1 : 0);
            expect(got.shape).toEqual(want.shape);
            expect(maxAbsDiff(got, want)).toBeLessThan(1e-4 * Math.max(1, Math.sqrt(rows)));
          });
        }),
        { numRuns: 40 },
      );
    });

    if (backend === "wasm")
      it("Sum over leading axes (the SIMD row sum) equals wasm's own Sum bit for bit, with and without keepDims (property)", () => {
        expect(leanKernelsInstalled("wasm")).toBe(true);
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.boolean(), fc.nat(1000), (rows, cols, depth, lead, keepDims, seed) => {
            const shape = [rows, cols, depth];
            const axes = lead === 1 ? [0] : [0, 1];
            const x = tf.randomNormal(shape, 0, 1, "float32", seed);
            const got = tf.sum(x, axes, keepDims);
            removeLeanKernels("wasm");
            let want: tf.Tensor;
            try {
              want = tf.sum(x, axes, keepDims);
            } finally {
              installLeanKernels("wasm");
            }
            expect(got.shape).toEqual(want.shape);
            const [a, b] = [got.dataSync(), want.dataSync()];
            expect(Array.from(a).every((v, i) => Object.is(v, b[i]))).toBe(true);
            tf.dispose([x, got, want]);
          }),
          { numRuns: 40 },
        );
      });

    it("biasAct (bias, then ReLU or none, one pass on wasm) and reluGrad equal TF.js's Add, Relu, Step and Multiply bit for bit, with replicas, across lane tails (property)", () => {
      const same = (a: tf.Tensor, b: tf.Tensor) => {
        expect(a.shape).toEqual(b.shape);
        const [x, y] = [a.dataSync(), b.dataSync()];
        return Array.from(x).every((v, i) => Object.is(v, y[i]));
      };
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.nat(1000), (rows, cols, replicas, relu, seed) => {
          tf.tidy(() => {
            const x = tf.randomNormal(replicas ? [replicas, rows, cols] : [rows, cols], 0, 1, "float32", seed);
            const bias = tf.randomNormal(replicas ? [replicas, cols] : [cols], 0, 1, "float32", seed + 1);
            // a few exact zeros and negative zeros in x and the upstream gradient
            const zeros = tf.mul(x, tf.cast(tf.greater(tf.randomUniform(x.shape, 0, 1, "float32", seed + 2), 0.1), "float32"));
            const pre = tf.add(zeros, replicas ? tf.expandDims(bias, 1) : bias);
            const want = relu ? tf.relu(pre) : pre;
            const y = biasAct(zeros, bias, relu);
            expect(same(y, want)).toBe(true);
            const dy = tf.neg(zeros);
            expect(same(reluGrad(dy, tf.relu(pre)), tf.mul(dy, tf.step(tf.relu(pre))))).toBe(true);
          });
        }),
        { numRuns: 60 },
      );
    });

    it("the one-kernel Adam equals the op-by-op update", () => {
      expect(hasFusedAdam()).toBe(true);
      // wasm: the f32x4 SIMD kernel on the backend's memory (lanes and scalar tails below)
      expect(fusedAdamLoop()).toBe(backend === "wasm" ? "wasm-simd" : "javascript");
      tf.tidy(() => {
        const shapes = [[3, 4], [5], [2, 2, 2], [1], [37, 3]];
        const total = shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
        const m = tf.randomNormal([total], 0, 0.1, "float32", 5);
        const v = tf.abs(tf.randomNormal([total], 0, 0.1, "float32", 6));
        const gs = shapes.map((s, i) => tf.randomNormal(s, 0, 1, "float32", 10 + i));
        const ps = shapes.map((s, i) => tf.randomNormal(s, 0, 1, "float32", 20 + i));
        const attrs = { beta1: 0.9, beta2: 0.999, lrT: 0.01, epsT: 1e-8 };
        const [m1, v1, ...p1] = fusedAdam(m, v, gs, ps, attrs);
        const g = tf.concat(gs.map((t) => tf.reshape(t, [-1])));
        const p = tf.concat(ps.map((t) => tf.reshape(t, [-1])));
        const mw = tf.add(tf.mul(0.9, m), tf.mul(0.1, g));
        const vw = tf.add(tf.mul(0.999, v), tf.mul(0.001, tf.square(g)));
        const pw = tf.sub(p, tf.div(tf.mul(0.01, mw), tf.add(tf.sqrt(vw), 1e-8)));
        expect(maxAbsDiff(m1, mw)).toBeLessThan(1e-6);
        expect(maxAbsDiff(v1, vw)).toBeLessThan(1e-6);
        expect(maxAbsDiff(tf.concat(p1.map((t) => tf.reshape(t, [-1]))), pw)).toBeLessThan(1e-5);
        p1.forEach((t, i) => expect(t.shape).toEqual(shapes[i]));
      });
    });
  });
}
