/**
 * Backend selection (DESIGN §4). In Node the default is the fastest backend that installs without
 * a download: `tensorflow` when the optional peer `@tensorflow/tfjs-node` is installed, otherwise
 * `wasm` (`@tensorflow/tfjs-backend-wasm`, SIMD), otherwise the pure-JS `cpu`. The environment
 * variable `SDGM_BACKEND=cpu|wasm|tensorflow` overrides, and so does the `backend` argument.
 *
 * Threads: in Node the wasm backend runs single-threaded (`WASM_HAS_MULTITHREAD_SUPPORT` is false,
 * because its threaded build needs browser workers); see docs/backends.md.
 */
import { tf } from "./tf.js";
import { announceBackend } from "./step-hook.js";

/** The backends sparse-dgm knows how to select. */
export type BackendName = "cpu" | "wasm" | "tensorflow";

/** Kernels a backend lacks, with the workaround sparse-dgm uses (never a silent fallback). */
export const MISSING_KERNELS: Record<BackendName, Record<string, string>> = {
  wasm: {
    Einsum: "no wasm kernel: sparse-dgm never calls tf.einsum; contractions are written as reshape + matMul or mul + sum",
    Lgamma: "no kernel on any backend: use lgamma() from @sparse-dgm/core (owned numerics with a custom gradient)",
  },
  cpu: {
    Einsum: "the cpu kernel exists but has no gradient: sparse-dgm never calls tf.einsum",
    Lgamma: "no kernel on any backend: use lgamma() from @sparse-dgm/core",
  },
  tensorflow: {},
};

let initialised: Promise<BackendName> | undefined;

function isNode(): boolean {
  return typeof process !== "undefined" && !!process.versions?.node;
}

const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection"] as const;
type Listener = (...args: unknown[]) => void;

/**
 * Runs `init` and then removes the process-wide error handlers it added. The wasm backend's
 * emscripten module installs an `uncaughtException` handler that re-throws from inside its own
 * minified source and an `unhandledRejection` handler that throws: every uncaught error (a user's
 * own `throw` too) then printed about 38 KB of that source and exited with code 7. Without them
 * Node reports the error itself (its message and where it was thrown) and exits with code 1.
 */
async function withoutNewProcessHandlers<T>(init: () => Promise<T>): Promise<T> {
  if (!isNode() || typeof process.listeners !== "function") return init();
  const listeners = (e: string) => (process.listeners as (e: string) => Listener[])(e);
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await init();
  } finally {
    for (const e of PROCESS_EVENTS) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    if (name === "tensorflow") {
      const mod = "@tensorflow/tfjs-node";
      await import(/* @vite-ignore */ mod);
    }
    // PROD silences tfjs's console banners and skips its debug checks; sparse-dgm does its own.
    tf.env().set("PROD", true);
    const ok = await withoutNewProcessHandlers(async () => {
      if (!(await tf.setBackend(name))) return false;
      await tf.ready();
      return true;
    });
    if (!ok || tf.getBackend() !== name) return false;
    announceBackend(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Selects and initialises the backend once; later calls return the same choice.
 *
 * @param preferred - an explicit choice (`--backend`); else `SDGM_BACKEND`; else the default order
 *   tensorflow, wasm, cpu.
 * @returns the name of the backend in use.
 * @example
 * ```ts
 * const name = await initBackend();        // "wasm" on a fresh machine
 * ```
 */
export async function initBackend(preferred?: BackendName): Promise<BackendName> {
  const env = isNode() ? (process.env.SDGM_BACKEND as BackendName | undefined) : undefined;
  const want = preferred ?? env;
  if (want !== undefined && !["cpu", "wasm", "tensorflow"].includes(want)) {
    throw new Error(`unknown backend "${want}": expected one of cpu, wasm, tensorflow`);
  }
  if (initialised && want === undefined) return initialised;
  if (want !== undefined) {
    if (initialised && tf.getBackend() === want) return want;
    const ok = await tryBackend(want);
    if (!ok) {
      const hint = want === "tensorflow" ? " (install the optional peer @tensorflow/tfjs-node)" : "";
      throw new Error(`backend "${want}" could not be initialised${hint}`);
    }
    initialised = Promise.resolve(want);
    return want;
  }
  initialised = (async () => {
    const order: BackendName[] = isNode() ? ["tensorflow", "wasm", "cpu"] : ["wasm", "cpu"];
    for (const b of order) if (await tryBackend(b)) return b;
    throw new Error("no TF.js backend could be initialised (tried tensorflow, wasm, cpu)");
  })();
  return initialised;
}

/** The name of the backend in use (after {@link initBackend}). */
export function currentBackend(): string {
  return tf.getBackend();
}
