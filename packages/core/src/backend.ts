/**
 * Backend selection (DESIGN §4). In Node the default is the fastest backend that installs without
 * a download: `tensorflow` when the optional peer `@tensorflow/tfjs-node` is installed, otherwise
 * `wasm` (`@tensorflow/tfjs-backend-wasm`, SIMD), otherwise the pure-JS `cpu`. The environment
 * variable `SDGM_BACKEND=cpu|wasm|tensorflow` overrides, and so does the `backend` argument.
 *
 * Threads (wasm): `threads` (the CLI's `--threads`), else `SDGM_THREADS`, else every core this
 * process may use divided among `jobs` parallel jobs. More than one thread starts the threaded SIMD
 * build that ships inside `@tensorflow/tfjs-backend-wasm` with the project's own Node loader
 * (wasm-threads.ts); one thread is the package's single-threaded SIMD build. See docs/backends.md.
 */
import { tf } from "./tf.js";
import { installHeapGuard } from "./heap-guard.js";
import { announceBackend } from "./step-hook.js";
import { resolveThreads, parseThreads, useThreadedWasm, threadedWasmThreads, wasmThreadsInUse } from "./wasm-threads.js";

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

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /** wasm threads (1..8); default `SDGM_THREADS`, else the available cores divided among `jobs`. */
  threads?: number;
  /** Parallel jobs sharing the machine's cores (`sdgm compare --jobs`), for the default thread count. */
  jobs?: number;
}

/** The wasm backend's thread count once initialised in this process (threads are set once per process). */
let wasmThreads: number | undefined;
/** Why the last backend failed to initialise. */
let lastFailure: string | undefined;

async function tryBackend(name: BackendName, threads = 1): Promise<boolean> {
  lastFailure = undefined;
  try {
    if (name === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      // A thread count other than the single-threaded build's: the threaded build (once registered, it stays).
      if (wasmThreads === undefined && (threads > 1 || threadedWasmThreads() !== undefined)) await useThreadedWasm(threads);
    }
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
    if (name === "wasm") {
      wasmThreads ??= await wasmThreadsInUse();
      installHeapGuard(); // a heap overflow ends in an error, not in a hang (heap-guard.ts)
    }
    announceBackend(name);
    return true;
  } catch (e) {
    lastFailure = (e as Error)?.message ?? String(e);
    return false;
  }
}

/**
 * The thread count a wasm initialisation should use; an explicit count (argument or
 * `SDGM_THREADS`) that differs from the one the wasm backend already runs is an error.
 */
async function wasmThreadsFor(options: BackendOptions): Promise<number> {
  const env = isNode() ? process.env.SDGM_THREADS : undefined;
  const explicit = options.threads !== undefined ? parseThreads(options.threads, "threads") : env !== undefined && env.trim() !== "" ? parseThreads(env, "SDGM_THREADS") : undefined;
  if (wasmThreads !== undefined) {
    if (explicit !== undefined && explicit !== wasmThreads) {
      throw new Error(
        `the wasm backend already runs ${wasmThreads} thread${wasmThreads === 1 ? "" : "s"} in this process; ${explicit} cannot be set now (threads are fixed when wasm first starts: set --threads or SDGM_THREADS before)`,
      );
    }
    return wasmThreads;
  }
  return explicit ?? resolveThreads(undefined, options.jobs);
}

/** The number of threads the wasm backend runs in this process (undefined until it has started). */
export function backendThreads(): number | undefined {
  return wasmThreads;
}

/**
 * Selects and initialises the backend once; later calls return the same choice.
 *
 * @param preferred - an explicit choice (`--backend`); else `SDGM_BACKEND`; else the default order
 *   tensorflow, wasm, cpu.
 * @param options - wasm threads ({@link BackendOptions}); an explicit `threads` above 1 with the
 *   cpu backend is an error (it runs one thread).
 * @returns the name of the backend in use.
 * @example
 * ```ts
 * const name = await initBackend();                    // "wasm" on a fresh machine, every core
 * await initBackend("wasm", { threads: 1 });           // the single-threaded build
 * ```
 */
export async function initBackend(preferred?: BackendName, options: BackendOptions = {}): Promise<BackendName> {
  const env = isNode() ? (process.env.SDGM_BACKEND as BackendName | undefined) : undefined;
  const want = preferred ?? env;
  if (want !== undefined && !["cpu", "wasm", "tensorflow"].includes(want)) {
    throw new Error(`unknown backend "${want}": expected one of cpu, wasm, tensorflow`);
  }
  if (options.threads !== undefined && options.threads !== 1 && want !== undefined && want !== "wasm") {
    throw new Error(`--threads ${options.threads}: threads apply to the wasm backend; the ${want} backend ${want === "cpu" ? "runs one thread" : "sets its own"}`);
  }
  if (initialised && want === undefined) {
    if (options.threads !== undefined && (await initialised) === "wasm") await wasmThreadsFor(options);
    return initialised;
  }
  if (want !== undefined) {
    if (initialised && tf.getBackend() === want) {
      if (want === "wasm") await wasmThreadsFor(options); // refuses a different explicit count
      return want;
    }
    const ok = await tryBackend(want, want === "wasm" ? await wasmThreadsFor(options) : 1);
    if (!ok) {
      const hint = want === "tensorflow" ? " (install the optional peer @tensorflow/tfjs-node)" : lastFailure ? `: ${lastFailure}` : "";
      throw new Error(`backend "${want}" could not be initialised${hint}`);
    }
    initialised = Promise.resolve(want);
    return want;
  }
  const threads = await wasmThreadsFor(options);
  initialised = (async () => {
    const order: BackendName[] = isNode() ? ["tensorflow", "wasm", "cpu"] : ["wasm", "cpu"];
    for (const b of order) {
      if (await tryBackend(b, threads)) return b;
      // the optional peer not installed is the normal case; anything else is said
      if (b !== "tensorflow" && lastFailure && isNode()) process.stderr.write(`sparse-dgm: the ${b} backend could not start (${lastFailure}); trying the next\n`);
    }
    throw new Error("no TF.js backend could be initialised (tried tensorflow, wasm, cpu)");
  })();
  return initialised;
}

/** The name of the backend in use (after {@link initBackend}). */
export function currentBackend(): string {
  return tf.getBackend();
}
