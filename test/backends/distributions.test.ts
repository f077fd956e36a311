// The log-density reference checks of every registered distribution case (see
// packages/distributions/src/generic.test.ts for the conventions), on both the `cpu` and the
// `wasm` backend.
import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { distributionCases, type DistributionCase, type Distribution } from "@sparse-dgm/distributions";
import { useBackend } from "../support/backend.js";

/** The case's points as a tensor of shape [P, 1 x batchRank, ...eventShape]. */
function pointsTensor(c: DistributionCase, d: Distribution): tf.Tensor {
  const pts = c.points as number[];
  return tf.reshape(tf.tensor(pts, undefined, "float32"), [pts.length, ...d.batchShape.map(() => 1), ...d.eventShape]);
}

/** wasm's float32 exp/log kernels differ from the JS ones by a few ulps: widen the tolerance. */
const TOL_FACTOR: Record<"cpu" | "wasm", number> = { cpu: 1, wasm: 3 };

for (const backend of ["cpu", "wasm"] as const) {
  describe(`distributions logProb on ${backend}`, () => {
    useBackend(backend);

    for (const c of distributionCases()) {
      if (!c.points || !c.logProb) continue;
      it(`${c.name} matches the reference`, () => {
        tf.tidy(() => {
          const d = c.make();
          const got = d.logProb(pointsTensor(c, d)).dataSync();
          const want = c.logProb!;
          expect(got.length).toBe(want.length);
          const tol = (c.tol ?? 1e-4) * TOL_FACTOR[backend];
          for (let i = 0; i < want.length; i++) {
            if (!Number.isFinite(want[i])) expect(got[i], `point ${i}`).toBe(want[i]);
            else expect(Math.abs(got[i] - want[i]), `point ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol);
          }
        });
      });
    }
  });
}
