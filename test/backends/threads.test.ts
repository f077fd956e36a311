// wasm threads in Node (packages/core/src/wasm-threads.ts): the threaded SIMD build that ships
// inside @tensorflow/tfjs-backend-wasm, started by the project's own loader. Threads are fixed per
// process, so each count trains in its own child process; the kernels that threads split (XNNPACK's
// matrix products, over output tiles) are deterministic, so 2 threads train bit for bit as 1.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { initBackend, parseThreads, resolveThreads, backendThreads, tf } from "@sparse-dgm/core";
import { useBackend } from "../support/backend.js";

const RUN_TS = fileURLToPath(new URL("../../packages/cli/bin/run-ts.js", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./threads-fixture.ts", import.meta.url));

interface Trained {
  threads: number;
  simdThreads: number;
  losses: string;
  params: string;
  lastLoss: number;
  plans: boolean;
}

function train(threads: number, model: string, size: string[]): Trained {
  const r = spawnSync(process.execPath, [RUN_TS, FIXTURE, model, ...size, "6"], {
    encoding: "utf8",
    timeout: 110_000,
    env: { ...process.env, SDGM_THREADS: String(threads) },
  });
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Trained;
}

describe("wasm threads", () => {
  // B, G, K, H: vsc's 190k parameters also run Adam on two threads (simd-pool.ts, from 64k)
  for (const [model, size] of [
    ["sparseVae", ["256", "100", "10", "100"]],
    ["vsc", ["256", "300", "20", "200"]],
  ] as Array<[string, string[]]>) {
    it(`${model}: 2 threads (the threaded build) train bit for bit as 1 (the single-threaded build), from step plans, and the process exits`, () => {
      const one = train(1, model, size);
      const two = train(2, model, size);
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      expect(two.simdThreads).toBe(2); // the SIMD Adam shared with a helper thread
      expect(two.plans).toBe(true);
      expect(Number.isFinite(two.lastLoss)).toBe(true);
      expect(two.losses).toBe(one.losses);
      expect(two.params).toBe(one.params);
    }, 240_000);
  }

  it("reads --threads / SDGM_THREADS as a whole number from 1 to 8, naming the option", async () => {
    expect(parseThreads("4", "--threads")).toBe(4);
    expect(() => parseThreads("0", "--threads")).toThrow('--threads: expected a whole number of threads from 1 to 8, got "0"');
    expect(() => parseThreads("two", "SDGM_THREADS")).toThrow(/SDGM_THREADS: expected a whole number/);
    expect(() => parseThreads(9, "--threads")).toThrow(/from 1 to 8/);
    expect(await resolveThreads(3)).toBe(3);
    // the default divides the cores among parallel jobs, never below 1
    const saved = process.env.SDGM_THREADS;
    delete process.env.SDGM_THREADS;
    try {
      expect(await resolveThreads(undefined, 1000)).toBe(1);
      // the cores (not the idle ones: the default does not depend on the load), divided among jobs
      const { availableParallelism } = await import("node:os");
      expect(await resolveThreads(undefined, 1)).toBe(Math.min(8, availableParallelism()));
      // sdgm compare --jobs 2: each of the two workers gets half the cores (one each on 2 cores)
      expect(await resolveThreads(undefined, 2)).toBe(Math.max(1, Math.min(8, Math.floor(availableParallelism() / 2))));
    } finally {
      process.env.SDGM_THREADS = saved;
    }
  });

  it("each result row says how many wasm threads it trained on: compare --jobs 2 divides the cores, fit --threads N uses N", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir, availableParallelism } = await import("node:os");
    const { join } = await import("node:path");
    const SDGM = fileURLToPath(new URL("../../packages/cli/bin/sdgm.js", import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, SDGM_BACKEND: "wasm" };
    delete env.SDGM_THREADS;
    const run = (args: string[]) => {
      const out = mkdtempSync(join(tmpdir(), "sdgm-threads-"));
      const r = spawnSync(process.execPath, [SDGM, ...args, "--out", out], { encoding: "utf8", timeout: 110_000, env });
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      return JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ train: { backend: string; threads?: number } }>;
    };
    // two jobs (one per data source) in two workers; one job alone would get every core
    const rows = run(["compare", "--models", "vae", "--data", "synthetic:moran?n=200&rho=0;synthetic:moran?n=200&rho=0.4", "--seeds", "1", "--jobs", "2", "--epochs", "1"]);
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r.train).toMatchObject({ backend: "wasm", threads: Math.max(1, Math.min(8, Math.floor(availableParallelism() / 2))) });
    const [fit] = run(["fit", "vae", "--data", "synthetic:moran?n=200", "--epochs", "1", "--threads", "2"]);
    expect(fit.train).toMatchObject({ backend: "wasm", threads: 2 });
  }, 240_000);

  describe("in this process (wasm started with one thread)", () => {
    useBackend("wasm");
    it("refuses another explicit count once wasm runs, and threads on the cpu backend", async () => {
      expect(tf.getBackend()).toBe("wasm");
      expect(backendThreads()).toBe(1);
      await expect(initBackend("wasm", { threads: 2 })).rejects.toThrow("the wasm backend already runs 1 thread in this process; 2 cannot be set now");
      await expect(initBackend("cpu", { threads: 2 })).rejects.toThrow("--threads 2: threads apply to the wasm backend; the cpu backend runs one thread");
      expect(await initBackend("wasm", { threads: 1 })).toBe("wasm");
    });
  });
});
