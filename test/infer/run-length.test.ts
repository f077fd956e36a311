// A zoo entry that spreads schedules over the run (warm-ups as fractions of it, a sharpness rising
// over it) records the run length it assumed; `fit` says so when its own length differs, instead of
// training silently on warm-ups that never finish (a vsc built without `run` assumes 9,375 steps).
import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

const x = () => tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([64, 12], 0, 1, "float32", 3), 0.6), "float32"));

async function warningsOf(config: Record<string, unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const p = compile(zoo.vsc.build({ features: 12, latents: 8, hidden: 8, ...config } as never), { seed: 0, stepPlans: false, onWarning: (w) => warnings.push(w) });
  const data = x();
  await p.fit(data, { epochs: 2, batchSize: 32 });
  data.dispose();
  return warnings.filter((w) => /run-relative/.test(w));
}

describe("run-relative schedules and the fit's length", () => {
  it("a vsc built without run, fitted for 4 steps, is warned about, naming both lengths", async () => {
    expect(await warningsOf({})).toEqual([
      'model "vsc" spreads its run-relative schedules (warm-ups given as fractions of the run) over 9375 steps (assumed: it was built without run), but this fit runs 4; build it with run: { steps: 4 } (sdgm fit and compare do), or give the warm-ups in steps',
    ]);
  }, 60_000);

  it("no warning when the build was told this fit's length, or for the papers' variant (nothing spread over the run)", async () => {
    expect(await warningsOf({ run: { steps: 4 } })).toEqual([]);
    expect(await warningsOf({ variant: "reference" })).toEqual([]);
  }, 60_000);

  it("the recorded run says whether it was told", () => {
    expect(zoo.vsc.build({ features: 12, latents: 8, hidden: 8 } as never).ir.meta.run).toEqual({ steps: 9375, told: false });
    expect(zoo.sparseVae.build({ features: 12, run: { steps: 50 } } as never).ir.meta.run).toEqual({ steps: 50, told: true });
    expect(zoo.vae.build({ features: 12, variant: "reference" } as never).ir.meta.run).toBeUndefined();
  });
});
