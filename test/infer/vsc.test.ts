// VSC's compiled pieces (specs/vsc.md b0): the hard-gate ELBO next to the relaxed one, the spike
// head's initial inclusion, the sharpness schedule and the paper's Gaussian decoder heads.
import { describe, it, expect } from "vitest";
import { tf, linear } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

const data = () => tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([96, 12], 0, 1, "float32", 3), 0.6), "float32"));
const small = { features: 12, latents: 6, hidden: 10 };

describe("vsc: compiled", () => {
  it("reports the ELBO with hard gates (elboHard) besides the relaxed one; they agree when the gate is sharp", async () => {
    const x = data();
    const soft = compile(zoo.vsc.build({ ...small } as never), { seed: 2 });
    await soft.fit(x, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
    const ev = soft.evaluate(x);
    expect(ev.elboHard).toBeDefined();
    expect(Number.isFinite(ev.elboHard![0])).toBe(true);
    // With c → ∞ the relaxed gate is the step function, drawn from the same noise.
    const sharp = compile(zoo.vsc.build({ ...small, sharpness: 1e7 } as never), { seed: 2 });
    await sharp.fit(x, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
    const e2 = sharp.evaluate(x);
    expect(Math.abs(e2.elbo[0] - e2.elboHard![0])).toBeLessThan(1e-3 * Math.abs(e2.elbo[0]));
    // models without a relaxed code have none
    const vae = compile(zoo.vae.build({ features: 12, factors: 2, hidden: 8 } as never), { seed: 0 });
    await vae.fit(x, { epochs: 1, batchSize: 32 });
    expect(vae.evaluate(x).elboHard).toBeUndefined();
    tf.dispose(x);
  });

  it("inclusionInit starts every unit at γ ≈ γ0 < 1, where its gradient flows; the relu head's default init leaves units at γ = 1", async () => {
    const x = data();
    const gammaAtInit = (extra: object) => {
      const p = compile(zoo.vsc.build({ ...small, latents: 40, ...extra } as never), { seed: 4 });
      return Array.from(p.encode(x).z.activity!.dataSync());
    };
    const g0 = gammaAtInit({ variant: "reference", inclusionInit: 0.3 });
    expect(Math.max(...g0)).toBeLessThan(1);
    const mean = g0.reduce((a, b) => a + b, 0) / g0.length;
    expect(Math.abs(Math.log(mean) - Math.log(0.3))).toBeLessThan(0.3);
    const dflt = gammaAtInit({ variant: "reference" });
    expect(dflt.filter((g) => g === 1).length).toBeGreaterThan(0.2 * dflt.length);
    // the default sigmoid head has no unit at γ = 1
    expect(Math.max(...gammaAtInit({}))).toBeLessThan(1);
    expect(() => zoo.vsc.build({ ...small, inclusionInit: 1.5 } as never)).toThrow("vsc: inclusionInit must be in (0, 1), got 1.5");
    tf.dispose(x);
  });

  it("spikeHead sigmoid: γ = sigmoid(v) (strictly inside (0, 1)); inclusionInit sets its logit; unknown heads are refused", async () => {
    const x = data();
    const p = compile(zoo.vsc.build({ ...small, latents: 40, spikeHead: "sigmoid", inclusionInit: 0.2 } as never), { seed: 5 });
    const g = Array.from(p.encode(x).z.activity!.dataSync());
    expect(Math.max(...g)).toBeLessThan(1);
    expect(Math.min(...g)).toBeGreaterThan(0);
    expect(Math.abs(g.reduce((a, b) => a + b, 0) / g.length - 0.2)).toBeLessThan(0.05);
    await p.fit(x, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
    expect(Number.isFinite(p.evaluate(x).elbo[0])).toBe(true);
    expect(() => zoo.vsc.build({ ...small, spikeHead: "tanh" } as never)).toThrow('vsc: spikeHead must be one of relu, sigmoid, got "tanh"');
    tf.dispose(x);
  });

  it("takes a sharpness schedule (the paper's c from 50 to 200) and refuses a non-positive one", async () => {
    const x = data();
    const m = zoo.vsc.build({ ...small, sharpness: linear({ from: 50, to: 200, steps: 6 }) } as never);
    const p = compile(m, { seed: 1 });
    const r = await p.fit(x, { epochs: 3, batchSize: 32, learningRate: 1e-2 });
    expect(r.history.every(Number.isFinite)).toBe(true);
    expect(() => zoo.vsc.build({ ...small, sharpness: linear({ from: 50, to: -1, steps: 6 }) } as never)).toThrow(/vsc: sharpness \(a linear schedule, at step 6\) must be positive, got -1/);
    expect(() => zoo.vsc.build({ ...small, sharpness: 0 } as never)).toThrow("vsc: sharpness must be positive, got 0");
    tf.dispose(x);
  });

  it("the paper's Gaussian decoder (sigmoid mean and log-variance heads, floored variance) trains", async () => {
    const x = data();
    const p = compile(zoo.vsc.build({ ...small, likelihood: "gaussianHeads", noiseScale: 0.1 } as never), { seed: 0 });
    const r = await p.fit(x, { epochs: 4, batchSize: 32, learningRate: 1e-2 });
    expect(r.history[r.history.length - 1]).toBeLessThan(r.history[0]);
    expect(p.params.get("mlp/decoder/1/kernel").shape).toEqual([10, 24]); // μ and log σ² heads
    // the variance floor bounds the likelihood: at most −½ log(2π σ²_min) per feature
    const bound = 12 * -0.5 * Math.log(2 * Math.PI * 0.01 ** 2);
    const ev = p.evaluate(x);
    expect(ev.elbo[0]).toBeLessThan(bound);
    tf.dispose(x);
  });

  it("records every option in the model's config (results rows, checkpoints), vscClass's own defaults included", () => {
    const cls = zoo.vscClass.build({ ...small, classWeight: 10 } as never).ir.meta.config as Record<string, unknown>;
    // without the run's length the run-relative schedules resolve against Fashion-MNIST's 9,375 steps
    expect(cls).toMatchObject({ classWeight: 10, classVariant: "pairs", classWarmupSteps: 0, variant: "default", spikeHead: "sigmoid", sharpness: { kind: "linear", from: 50, to: 200, steps: 9375 } });
    // rebuilding from the recorded config gives the same config
    expect(zoo.vscClass.build(cls as never).ir.meta.config).toEqual(cls);
    const vamp = zoo.vscVampPrior.build({ ...small, pseudoInputs: 7 } as never).ir.meta.config as Record<string, unknown>;
    expect(vamp).toMatchObject({ pseudoInputs: 7, sharpen: 10, spikeHead: "relu" });
    // vsc's defaults are vscClass's but the class term; its reference variant is the papers' relu head and c = 50
    expect(zoo.vsc.build(small as never).ir.meta.config).toMatchObject({ variant: "default", spikeHead: "sigmoid", sharpness: { kind: "linear", from: 50, to: 200, steps: 9375 } });
    const ref = zoo.vsc.build({ ...small, variant: "reference" } as never).ir.meta.config as Record<string, unknown>;
    expect(ref).toMatchObject({ variant: "reference", spikeHead: "relu", sharpness: 50 });
    expect(zoo.vsc.build(ref as never).ir.meta.config).toEqual(ref);
    expect(() => zoo.vsc.build({ ...small, variant: "reference", spikeHead: "sigmoid" } as never)).toThrow('vsc: variant "reference" uses the papers\' relu spike head; spikeHead "sigmoid" contradicts it');
    expect(() => zoo.vsc.build({ ...small, variant: "paper" } as never)).toThrow('vsc: variant must be one of default, reference, got "paper"');
    expect(() => zoo.vscClass.build({ ...small, classWarmupSteps: -1 } as never)).toThrow("vscClass: classWarmupSteps must be >= 0, got -1");
    expect(() => zoo.vscClass.build({ ...small, classWarmup: 3750 } as never)).toThrow("vscClass: classWarmup is a fraction of the run in [0, 1], got 3750; give a number of steps as classWarmupSteps");
  });

  it("resolves the default c schedule and the class warm-up against the run's length", () => {
    const run = { steps: 2345 };
    const cls = zoo.vscClass.build({ ...small, run } as never).ir.meta.config as Record<string, unknown>;
    // the slab warm-up over 20-30 % of the run; λ = 3 from the first step (no class warm-up by default)
    expect(cls).toMatchObject({ warmupStartSteps: 469, warmupEndSteps: 704, classWarmupSteps: 0, classWeight: 3, sharpness: { kind: "linear", from: 50, to: 200, steps: 2345 } });
    const weight = zoo.vscClass.build({ ...small, run } as never).ir.sites.find((x) => x.name === "classConsistency")!;
    expect(weight.options.weight).toBe(3);
    // a class warm-up given as a fraction still ramps λ in after the slab warm-up
    const ramped = zoo.vscClass.build({ ...small, run, classWarmup: 0.4 } as never).ir.sites.find((x) => x.name === "classConsistency")!;
    expect(ramped.options.weight).toMatchObject({ kind: "warmup", from: 0, to: 3, start: 704, end: 704 + 938 });
    // the code's KL weight ramps from 0 to 1 over the first half of the run
    const vsc = zoo.vsc.build({ ...small, run } as never);
    expect(vsc.ir.meta.config).toMatchObject({ warmupStartSteps: 469, warmupEndSteps: 704, klWarmupSteps: 1173, sharpness: { kind: "linear", from: 50, to: 200, steps: 2345 } });
    expect(vsc.ir.sites.find((x) => x.name === "z")!.options.klWeight).toMatchObject({ kind: "warmup", from: 0, to: 1, start: 0, end: 1173 });
    // the reference variant: no slab or KL warm-up, c = 50, whatever the run
    const ref = zoo.vsc.build({ ...small, run, variant: "reference" } as never);
    expect(ref.ir.meta.config).toMatchObject({ warmupStartSteps: 0, warmupEndSteps: 0, klWarmupSteps: 0, sharpness: 50, spikeHead: "relu" });
    expect(ref.ir.sites.find((x) => x.name === "z")!.options.klWeight).toBeUndefined();
    expect(() => zoo.vsc.build({ ...small, run, warmupStart: 0.5, warmupEnd: 0.3 } as never)).toThrow("vsc: the slab warm-up ends (step 704) before it starts (step 1173); give warmupEnd >= warmupStart (to switch it off: warmupStart 0 and warmupEnd 0)");
    expect(() => zoo.vsc.build({ ...small, run, warmupStart: 600 } as never)).toThrow("vsc: warmupStart is a fraction of the run in [0, 1], got 600; give a number of steps as warmupStartSteps");
    // given values win over the run-relative defaults
    expect(zoo.vscClass.build({ ...small, run, sharpness: 80, classWarmupSteps: 10 } as never).ir.meta.config).toMatchObject({ sharpness: 80, classWarmupSteps: 10 });
  });

  it("records only the warm-up steps that acted, and refuses a fraction given together with its ...Steps option", () => {
    const run = { steps: 94 };
    // a ...Steps option given: no fraction is recorded beside it (was warmupStart 0.2 beside warmupStartSteps 10, and 0.2 of 94 is 19)
    const cfg = zoo.vsc.build({ ...small, run, warmupStartSteps: 10 } as never).ir.meta.config as Record<string, unknown>;
    expect(cfg).toMatchObject({ warmupStartSteps: 10, warmupEndSteps: 28, klWarmupSteps: 47 });
    for (const k of ["warmupStart", "warmupEnd", "klWarmup"]) expect(cfg, k).not.toHaveProperty(k);
    const cls = zoo.vscClass.build({ ...small, run, classWarmupSteps: 100 } as never).ir.meta.config as Record<string, unknown>;
    expect(cls.classWarmupSteps).toBe(100);
    expect(cls).not.toHaveProperty("classWarmup");
    // the recorded config rebuilds the same model for any run (steps, not fractions)
    expect(zoo.vscClass.build({ ...(cls as object), run: { steps: 5000 } } as never).ir.meta.config).toEqual(cls);
    // both given: refused naming both (was: the Steps option silently won)
    expect(() => zoo.vsc.build({ ...small, run, warmupStart: 0.1, warmupStartSteps: 10 } as never)).toThrow(/^vsc: warmupStart \(0\.1\) and warmupStartSteps \(10\) are both given; give one/);
    expect(() => zoo.vsc.build({ ...small, run, warmupEnd: 0.3, warmupEndSteps: 30 } as never)).toThrow(/^vsc: warmupEnd \(0\.3\) and warmupEndSteps \(30\) are both given/);
    expect(() => zoo.vsc.build({ ...small, run, klWarmup: 0, klWarmupSteps: 5 } as never)).toThrow(/^vsc: klWarmup \(0\) and klWarmupSteps \(5\) are both given/);
    expect(() => zoo.vscClass.build({ ...small, run, classWarmup: 0.4, classWarmupSteps: 100 } as never)).toThrow(/^vscClass: classWarmup \(0\.4\) and classWarmupSteps \(100\) are both given/);
    // the shared helper: the VAEs behave the same
    expect(() => zoo.vae.build({ features: 7, run, klWarmup: 0.5, klWarmupSteps: 3 })).toThrow(/^vae: klWarmup \(0\.5\) and klWarmupSteps \(3\) are both given/);
    expect(() => zoo.sparseVae.build({ features: 7, run, priorWarmup: 0.5, priorWarmupSteps: 3 })).toThrow(/^sparseVae: priorWarmup \(0\.5\) and priorWarmupSteps \(3\) are both given/);
    const svae = zoo.sparseVae.build({ features: 7, run, klWarmupSteps: 3 }).ir.meta.config as Record<string, unknown>;
    expect(svae).toMatchObject({ klWarmupSteps: 3, priorWarmupSteps: 47 });
    expect(svae).not.toHaveProperty("klWarmup");
    expect(svae).not.toHaveProperty("priorWarmup");
    expect(zoo.vae.build({ features: 7, run }).ir.meta.config).not.toHaveProperty("klWarmup");
  });

  it("variant reference: a slab warm-up start alone is refused saying the variant has none (warmupEnd 0)", () => {
    const run = { steps: 47 };
    // was: "the slab warm-up ends (step 0) before it starts (step 9); give warmupEnd >= warmupStart" (the user never gave warmupEnd)
    expect(() => zoo.vsc.build({ ...small, run, variant: "reference", warmupStart: 0.2 } as never)).toThrow(
      'vsc: variant "reference" has no slab warm-up (warmupEnd 0), so a warm-up starting at step 9 would end before it starts: give warmupEnd (a fraction >= warmupStart) or warmupEndSteps too, or leave variant reference (--set variant=default)',
    );
    // following the advice works
    expect(zoo.vsc.build({ ...small, run, variant: "reference", warmupStart: 0.2, warmupEnd: 0.3 } as never).ir.meta.config).toMatchObject({ warmupStartSteps: 9, warmupEndSteps: 14 });
    // and the relu-head warning's inclusionInit advice is accepted under variant reference
    expect(zoo.vsc.build({ ...small, run, variant: "reference", inclusionInit: 0.1 } as never).ir.meta.config).toMatchObject({ spikeHead: "relu", inclusionInit: 0.1 });
  });
});
