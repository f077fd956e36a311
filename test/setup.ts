// Every test file runs on the backend named by SDGM_BACKEND (cpu by default in tests, for
// determinism); test/backends/ runs the numerics on cpu and wasm explicitly.
import { initBackend, type BackendName } from "@sparse-dgm/core";

await initBackend((process.env.SDGM_BACKEND as BackendName | undefined) ?? "cpu");
