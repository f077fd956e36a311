// Every test file runs on the backend named by SDGM_BACKEND (cpu by default in tests, for
// determinism); test/backends/ runs the numerics on cpu and wasm explicitly. wasm runs one thread
// (its single-threaded build) unless SDGM_THREADS says otherwise: test/backends/threads.test.ts
// starts the threaded build in child processes.
import { initBackend, type BackendName } from "@sparse-dgm/core";

process.env.SDGM_THREADS ??= "1";
await initBackend((process.env.SDGM_BACKEND as BackendName | undefined) ?? "cpu");
