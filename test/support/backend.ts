/** Shared test helper: run a describe block's tests on one backend, restoring the previous one after. */
import { beforeAll, afterAll, expect } from "vitest";
import { tf, initBackend, type BackendName } from "@sparse-dgm/core";

/** Switches to `backend` before the block's tests (checking it took) and back afterwards. */
export function useBackend(backend: BackendName): void {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await initBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });
  afterAll(async () => {
    await initBackend(previous as BackendName);
  });
}
