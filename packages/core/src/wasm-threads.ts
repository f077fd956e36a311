/**
 * Threads for the wasm backend in Node, without touching `node_modules`.
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded SIMD build (`wasm-out/tfjs-backend-wasm-
 * threaded-simd.{js,wasm}`, emscripten pthreads over a shared memory, XNNPACK's thread pool), but
 * its loader starts it only in a browser: in Node its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false,
 * and its pthread workers would be started from Blob URLs, which Node's `Worker` cannot run. This
 * module is the project's own loader for Node:
 *
 * - the build's emscripten module is evaluated here, its `.wasm` found next to it, and its pthread
 *   workers started from `packages/core/wasm/pthread-worker.cjs` (which runs the worker script the
 *   package ships as a string);
 * - the result is wrapped in the package's exported `BackendWasm` and registered under the name
 *   `wasm` through TF.js's public `removeBackend` / `registerBackend`, so every wasm kernel (and the
 *   speed layer's) applies unchanged;
 * - the thread count is XNNPACK's pool size (`setThreadsCount`). The build caps it at half the
 *   logical cores it is told of (it assumes two hardware threads per core), so the module is told
 *   of `2·threads` cores through the `os` module it requires: `threads` is what runs.
 *
 * One thread uses the package's own single-threaded SIMD build, exactly as before. Hand-written:
 * no npm package starts TF.js's threaded wasm build in Node.
 */
import { tf } from "./tf.js";

/** XNNPACK's pool in the threaded build holds at most this many threads (8 pthread workers are preallocated). */
export const MAX_WASM_THREADS = 8;

/**
 * The cores this process may use: Node's `os.availableParallelism()` (1 outside Node). Not the
 * idle cores: the one-minute load average counts this process's own recent work (and a job that
 * just ended), so a second run on an idle machine would start on fewer threads than the first.
 * On a busy machine threads wait for each other at every parallel kernel (2 cores at load 20: VSC
 * on Fashion-MNIST 59-68 ms per step on one thread, 104-175 ms on two): set `--threads 1` there
 * (docs/backends.md, "When one thread is faster").
 */
export async function availableCores(): Promise<number> {
  if (typeof process === "undefined" || !process.versions?.node) return 1;
  const os = await import("node:os");
  return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
}

/**
 * Reads a thread count: a whole number from 1 to {@link MAX_WASM_THREADS}. `what` names the
 * option or variable for the error.
 */
export function parseThreads(value: string | number, what: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) throw new Error(`${what}: expected a whole number of threads from 1 to ${MAX_WASM_THREADS}, got "${value}"`);
  return n;
}

/**
 * The wasm thread count to use: `explicit` (`--threads`), else `SDGM_THREADS`, else the
 * cores ({@link availableCores}) divided among `jobs` parallel jobs (at least 1, at most
 * {@link MAX_WASM_THREADS}).
 */
export async function resolveThreads(explicit?: number, jobs = 1): Promise<number> {
  if (explicit !== undefined) return parseThreads(explicit, "threads");
  const env = typeof process !== "undefined" ? process.env.SDGM_THREADS : undefined;
  if (env !== undefined && env.trim() !== "") return parseThreads(env, "SDGM_THREADS");
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor((await availableCores()) / Math.max(1, jobs))));
}

/** The emscripten module's functions the backend binds (as TF.js's own loader binds them). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  [k: string]: unknown;
}

let registeredThreads: number | undefined;

/** The thread count the wasm backend was registered with here, if it was ({@link useThreadedWasm}). */
export function threadedWasmThreads(): number | undefined {
  return registeredThreads;
}

/**
 * Registers the threaded build as the `wasm` backend with `threads` threads (call before the wasm
 * backend is initialised; {@link initBackend} does). Idempotent for the same count.
 */
export async function useThreadedWasm(threads: number): Promise<void> {
  if (registeredThreads === threads) return;
  const [{ createRequire }, { readFileSync }, vm, os, { fileURLToPath }, path, wasmBackend] = await Promise.all([
    import("node:module"),
    import("node:fs"),
    import("node:vm"),
    import("node:os"),
    import("node:url"),
    import("node:path"),
    import("@tensorflow/tfjs-backend-wasm"),
  ]);
  const require = createRequire(import.meta.url);
  const glue = require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js");
  const dir = path.dirname(glue);
  const worker = fileURLToPath(new URL("../wasm/pthread-worker.cjs", import.meta.url));
  const factory = async (): Promise<tf.KernelBackend> => {
    // The build sizes its pool as min(threads, cores / 2): tell it of 2·threads cores.
    const cores = Array.from({ length: 2 * threads }, () => os.cpus()[0]);
    const osView = { ...os, cpus: () => cores };
    const requireForGlue = (id: string) => (id === "os" || id === "node:os" ? osView : require(id));
    const mod: { exports: unknown } = { exports: {} };
    const load = vm.compileFunction(readFileSync(glue, "utf8"), ["require", "module", "exports", "__filename", "__dirname"], { filename: glue });
    load(requireForGlue, mod, mod.exports, glue, dir);
    const make = mod.exports as (config: Record<string, unknown>) => Promise<EmscriptenModule>;
    const wasm = await make({
      locateFile: (file: string) => (file.endsWith(".worker.js") ? worker : path.join(dir, file)),
      // what each pthread worker evaluates to define the module (a path: the worker reads the file)
      mainScriptUrlOrBlob: glue,
    });
    wasm.tfjs = {
      init: wasm.cwrap("init", null, []),
      initWithThreadsCount: wasm.cwrap("init_with_threads_count", null, ["number"]),
      getThreadsCount: wasm.cwrap("get_threads_count", "number", []),
      registerTensor: wasm.cwrap("register_tensor", null, ["number", "number", "number"]),
      disposeData: wasm.cwrap("dispose_data", null, ["number"]),
      dispose: wasm.cwrap("dispose", null, []),
    };
    wasmBackend.setThreadsCount(threads);
    const backend = new wasmBackend.BackendWasm(wasm as never) as unknown as tf.KernelBackend;
    // XNNPACK's pool threads (started by the line above) run for the life of the process, and
    // emscripten keeps a running thread's worker referenced: the process would never exit when its
    // work is done. Unreferenced, they end with it.
    const pthreads = wasm.PThread as { runningWorkers?: Array<{ unref?(): void }> } | undefined;
    for (const w of pthreads?.runningWorkers ?? []) w.unref?.();
    return backend;
  };
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", factory, 2);
  registeredThreads = threads;
}

/** The number of threads the wasm backend in use runs (1 for the single-threaded build), or undefined before it is initialised. */
export async function wasmThreadsInUse(): Promise<number | undefined> {
  if (tf.getBackend() !== "wasm") return undefined;
  const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
  try {
    return getThreadsCount();
  } catch {
    return undefined;
  }
}
