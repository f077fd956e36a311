/**
 * What happens after the wasm backend's heap overflows (`memory access out of bounds`, issue 21):
 * its state is corrupt. Measured (bench/out/oom2.ts, 2026-12-07): with threads the next free
 * deadlocks, so the `tf.dispose` of a scope the error unwinds hangs the process forever and the
 * user never sees an error; with one thread later kernels return garbage. This guard, installed on
 * TF.js's engine when the wasm backend starts, marks the backend dead at the first such error: the
 * scopes the error unwinds and every later disposal free nothing (the process is about to report
 * the error and exit), and a later kernel throws at once, so the error reaches the caller (the
 * command line names the phase, the sizes and what to change) instead of a hang.
 *
 * TF.js has no hook for this; the guard wraps the engine's `scopedRun` (every tidy and kernel
 * scope), and the wasm backend's `disposeData` and its writes of host values (`write`, `move`).
 * @module
 */
import { tf } from "./tf.js";

let overflow: Error | undefined;

/** Whether `e` is the wasm heap's overflow (a trap on an address past the heap). */
function isOverflow(e: unknown): boolean {
  return e instanceof Error && /memory access out of bounds|Aborted\(OOM\)/.test(e.message) && tf.getBackend() === "wasm";
}

/**
 * Marks the wasm backend dead when `e` is its heap's overflow (returns whether it was): later
 * disposals free nothing and later kernels throw. For callers that catch errors from code that
 * runs kernels outside the engine's scopes (a replayed step plan).
 */
export function noteHeapOverflow(e: unknown): boolean {
  if (!isOverflow(e)) return false;
  overflow ??= e as Error;
  return true;
}

/** The overflow that killed the wasm backend in this process, if one did. */
export function heapOverflow(): Error | undefined {
  return overflow;
}

/** The error of any wasm work after the overflow. */
function dead(): Error {
  return new Error(`the wasm backend's heap overflowed earlier in this process (${overflow!.message}); nothing more can run in it`);
}

type Scoped = (start: () => void, end: () => void, f: () => unknown) => unknown;
const guarded = new WeakSet<object>();

/** Installs the guard on the engine and the wasm backend (once; see the module's description). */
export function installHeapGuard(): void {
  const engine = tf.engine() as unknown as { scopedRun: Scoped };
  if (!guarded.has(engine)) {
    guarded.add(engine);
    const run = engine.scopedRun.bind(engine) as Scoped;
    engine.scopedRun = (start, end, f) => {
      if (overflow && tf.getBackend() === "wasm") throw dead();
      return run(
        start,
        () => {
          if (!overflow) end();
        },
        () => {
          try {
            return f();
          } catch (e) {
            noteHeapOverflow(e);
            throw e;
          }
        },
      );
    };
  }
  const backend = tf.findBackend("wasm") as unknown as Record<string, (...args: unknown[]) => unknown> | null;
  if (backend && !guarded.has(backend)) {
    guarded.add(backend);
    const dispose = backend.disposeData.bind(backend);
    backend.disposeData = (...args) => (overflow ? true : dispose(...args));
    // host values written into the heap (tensors made from arrays) allocate outside any kernel scope
    for (const name of ["write", "move"]) {
      const f = backend[name]?.bind(backend);
      if (!f) continue;
      backend[name] = (...args) => {
        if (overflow) throw dead();
        try {
          return f(...args);
        } catch (e) {
          noteHeapOverflow(e);
          throw e;
        }
      };
    }
  }
}
