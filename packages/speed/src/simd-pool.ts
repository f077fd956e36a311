/**
 * The SIMD kernels on more than one thread. When the wasm backend runs its threaded build (a
 * shared memory, `--threads` > 1), XNNPACK's pool parallelises the matrix products but the speed
 * layer's own kernels ran on the main thread alone: Adam's update over VSC's 949k parameters is
 * about a fifth of its step. Here helper threads (Node worker threads, `threads − 1` of them)
 * instantiate the same SIMD module on the same shared memory and take a share of each job; the
 * main thread takes the first share and waits for the rest with `Atomics.wait` (the helpers sleep
 * in `Atomics.wait` between jobs: they burn no core while the step runs other kernels).
 *
 * The shares are whole elements of an elementwise update, so the result is bit for bit the one
 * thread's. A helper that does not answer within {@link TIMEOUT_MS} is an error (never a hang).
 *
 * Hand-written: no npm package shares a wasm instance's memory among Node threads this way.
 */
import { Worker } from "node:worker_threads";
import type { SimdKernels } from "./simd.js";

/** One Adam segment: byte offsets of g, p, m, v, m', v', p' and its element count. */
export interface AdamSegment {
  g: number;
  p: number;
  m: number;
  v: number;
  mo: number;
  vo: number;
  po: number;
  n: number;
}

/** Control words: [0] job sequence, [1] done sequence, [2] op, [3] segment count, [4] ready; args from 8. */
const SEQ = 0;
const DONE = 1;
const OP = 2;
const COUNT = 3;
const READY = 4;
const ARGS = 8;
const MAX_SEGMENTS = 256;
const OP_ADAM = 1;
const OP_EXIT = 2;
/** A helper that has not finished its share after this long has failed. */
const TIMEOUT_MS = 30_000;

const HELPER = `
const { workerData } = require("node:worker_threads");
const { memory, bytes, ctrl, index, helpers } = workerData;
const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const c = new Int32Array(ctrl);
const f = new Float32Array(ctrl);
Atomics.add(c, ${READY}, 1);
Atomics.notify(c, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  const op = c[${OP}];
  if (op === ${OP_EXIT}) break;
  if (op === ${OP_ADAM}) {
    const b1 = f[${ARGS}], b2 = f[${ARGS} + 1], lr = f[${ARGS} + 2], eps = f[${ARGS} + 3];
    for (let s = 0; s < c[${COUNT}]; s++) {
      const a = ${ARGS} + 4 + s * 8;
      const n = c[a + 7];
      // this helper's share: [lo, hi) of the segment's elements, in multiples of 4 (SIMD lanes)
      const share = Math.ceil(n / (helpers + 1) / 4) * 4;
      const lo = Math.min(n, share * (index + 1));
      const hi = Math.min(n, share * (index + 2));
      if (hi <= lo) continue;
      const o = 4 * lo;
      k.adam(c[a] + o, c[a + 1] + o, c[a + 2] + o, c[a + 3] + o, c[a + 4] + o, c[a + 5] + o, c[a + 6] + o, hi - lo, b1, b2, lr, eps);
    }
  }
  if (Atomics.add(c, ${DONE}, 1) + 1 === helpers) Atomics.notify(c, ${DONE});
}
`;

/** A pool of helper threads bound to one shared memory. */
export class SimdPool {
  private readonly ctrl: Int32Array;
  private readonly floats: Float32Array;
  private readonly workers: Worker[] = [];

  private constructor(
    readonly helpers: number,
    private readonly main: SimdKernels,
  ) {
    const sab = new SharedArrayBuffer(4 * (ARGS + 4 + 8 * MAX_SEGMENTS));
    this.ctrl = new Int32Array(sab);
    this.floats = new Float32Array(sab);
  }

  /**
   * A pool of `helpers` threads running `bytes` (the shared-memory SIMD module) on `memory`, or
   * undefined outside Node or when a helper cannot start.
   */
  static create(helpers: number, memory: WebAssembly.Memory, bytes: Uint8Array, main: SimdKernels): SimdPool | undefined {
    if (helpers < 1) return undefined;
    const pool = new SimdPool(helpers, main);
    try {
      for (let i = 0; i < helpers; i++) {
        const w = new Worker(HELPER, { eval: true, workerData: { memory, bytes, ctrl: pool.ctrl.buffer, index: i, helpers } });
        w.unref();
        pool.workers.push(w);
      }
      // the helpers instantiate the module on their own; wait until every one is listening
      const deadline = Date.now() + TIMEOUT_MS;
      while (Atomics.load(pool.ctrl, READY) < helpers) {
        if (Date.now() > deadline) throw new Error("simd pool: the helper threads did not start");
        Atomics.wait(pool.ctrl, READY, Atomics.load(pool.ctrl, READY), 100);
      }
    } catch {
      pool.dispose();
      return undefined;
    }
    return pool;
  }

  /**
   * Adam's update over every segment, each split among the main thread and the helpers in shares
   * of whole SIMD lanes (the same elementwise update: the same bits as on one thread).
   */
  adam(segments: AdamSegment[], b1: number, b2: number, lr: number, eps: number): void {
    if (segments.length > MAX_SEGMENTS) {
      for (let i = 0; i < segments.length; i += MAX_SEGMENTS) this.adam(segments.slice(i, i + MAX_SEGMENTS), b1, b2, lr, eps);
      return;
    }
    const c = this.ctrl;
    c[OP] = OP_ADAM;
    c[COUNT] = segments.length;
    this.floats.set([b1, b2, lr, eps], ARGS);
    segments.forEach((s, i) => c.set([s.g, s.p, s.m, s.v, s.mo, s.vo, s.po, s.n], ARGS + 4 + i * 8));
    Atomics.store(c, DONE, 0);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    // the main thread's share: the first of helpers + 1
    for (const s of segments) {
      const share = Math.ceil(s.n / (this.helpers + 1) / 4) * 4;
      const n = Math.min(s.n, share);
      if (n > 0) this.main.adam(s.g, s.p, s.m, s.v, s.mo, s.vo, s.po, n, b1, b2, lr, eps);
    }
    this.waitForHelpers();
  }

  private waitForHelpers(): void {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      if (done >= this.helpers) return;
      if (Date.now() > deadline) throw new Error(`simd pool: ${this.helpers - done} helper thread(s) did not finish their share within ${TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.ctrl, DONE, done, 100);
    }
  }

  /** Stops the helpers. */
  dispose(): void {
    this.ctrl[OP] = OP_EXIT;
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
