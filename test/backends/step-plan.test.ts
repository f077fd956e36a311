// Step plans (the speed layer, packages/speed/src/step-plan.ts): a training step recorded as its
// kernels and run again without the engine must train **exactly** as the engine does (same losses,
// same parameters, bit for bit), keep tensor counts flat, and refuse (with a reason) every step it
// cannot prove. The whole speed layer switched off (setSpeed(false)) trains bit for bit the same.
import { describe, it, expect } from "vitest";
import { tf, stepSource, noteStepUse, Key, type BackendName } from "@sparse-dgm/core";
import { captureStep, StepPlan, sameOutputs, setSpeed, leanKernelsInstalled, simdKernels } from "@sparse-dgm/speed";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "../../bench/lib/sizes.js";
import { useBackend } from "../support/backend.js";

interface Run {
  losses: number[];
  params: number[][];
  status: { active: boolean; reason?: string; kernels?: number; em?: { active: boolean }; partial?: { active: boolean; reason?: string } };
  tensors: number[];
}

/** Trains a zoo entry at a small size, with or without step plans. */
async function train(name: string, plans: boolean, epochs = 2, fullBatches = 10): Promise<Run> {
  const size = { B: 32, G: name === "mibStructured" ? 8 : 7, K: 5, H: 16 };
  const entry = zoo[name];
  const model = entry.build(configFor(name, size) as never);
  const program = compile(model, { seed: 3, normalisation: entry.training.normalisation, encoderHidden: [size.H, size.H], stepPlans: plans });
  const obs = model.ir.sites.find((s) => s.kind === "observe")!;
  const dims = [...obs.plates.filter((p) => p !== "data").map((p) => model.ir.plates.find((q) => q.name === p)!.size as number), ...obs.event];
  // full minibatches and a partial one (which has a plan of its own).
  const rows = size.B * fullBatches + 7;
  const x = tf.tidy(() => {
    const n = tf.randomNormal([rows, ...dims], 0, 1, "float32", 11);
    return (model.ir.meta as { likelihood?: string }).likelihood === "bernoulli" ? tf.cast(tf.greater(n, 0.3), "float32") : n;
  });
  const data = name === "vscClass" ? { x, label: tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 3), "int32") } : x;
  const losses: number[] = [];
  const tensors: number[] = [];
  await program.fit(data as never, {
    epochs,
    batchSize: size.B,
    onStep: (s) => {
      losses.push(...s.replicaLoss, ...Object.values(s.terms), ...Object.values(s.weights));
      tensors.push(tf.memory().numTensors);
    },
  });
  const params = program.params.all().map(({ variable }) => Array.from(variable.dataSync()));
  tf.dispose(Object.values(typeof data === "object" && !(data instanceof tf.Tensor) ? data : { x }));
  return { losses, params, status: program.stepPlanStatus(), tensors };
}

function expectIdentical(a: Run, b: Run): void {
  expect(b.losses.length).toBe(a.losses.length);
  // Object.is: the same float, bit for bit (NaN included), not merely close.
  expect(a.losses.every((v, i) => Object.is(v, b.losses[i]))).toBe(true);
  expect(b.params.length).toBe(a.params.length);
  expect(a.params.every((p, i) => p.length === b.params[i].length && p.every((v, j) => Object.is(v, b.params[i][j])))).toBe(true);
}

for (const backend of ["wasm", "cpu"] as BackendName[]) {
  describe(`step plans on ${backend}`, () => {
    useBackend(backend);
    const models = backend === "wasm" ? ["sparseVae", "vae", "vsc", "vscClass", "mibStructured"] : ["sparseVae", "vsc"];
    for (const name of models) {
      it(`${name}: trains bit-for-bit as the engine does, from plans, with flat tensor counts`, async () => {
        const engine = await train(name, false);
        const planned = await train(name, true);
        expect(engine.status).toEqual({ active: false, reason: "stepPlans: false" });
        expect(planned.status.active, planned.status.reason).toBe(true);
        expect(planned.status.kernels).toBeGreaterThan(50);
        // the Sparse VAE's closed-form EM update (p*, η) runs from a plan too
        if (name === "sparseVae") expect(planned.status.em).toMatchObject({ active: true });
        expectIdentical(engine, planned);
        // flat from the second step on (the first creates the parameters and optimiser state)
        expect(new Set(planned.tensors.slice(1)).size).toBe(1);
      }, 120_000);
    }
    it("vae: epochs of one full minibatch and a partial one get a plan each (each proven on two consecutive epochs), bit for bit", async () => {
      const engine = await train("vae", false, 6, 1);
      const planned = await train("vae", true, 6, 1);
      expect(planned.status.active, planned.status.reason).toBe(true);
      expect(planned.status.partial?.active, planned.status.partial?.reason).toBe(true);
      expectIdentical(engine, planned);
      expect(new Set(planned.tensors.slice(1)).size).toBe(1);
    }, 120_000);
    it("vae: a fit with too few full minibatches left to repay a plan's proof runs through the engine (3 left: none; 4: a plan)", async () => {
      const three = await train("vae", true, 1, 3);
      expect(three.status.active).toBe(false);
      expect(three.status.reason).toMatch(/too few calls left to repay a plan's proof: 1, fewer than 4/);
      expectIdentical(await train("vae", false, 1, 3), three);
      const four = await train("vae", true, 1, 4);
      expect(four.status.active, four.status.reason).toBe(true);
    }, 120_000);
    if (backend === "wasm") {
      it("sdlgm: its changing temperature schedule is a per-step input, so the step runs from a plan from the start, bit for bit", async () => {
        const engine = await train("sdlgm", false, 1);
        const planned = await train("sdlgm", true, 1);
        expect(planned.status.active, planned.status.reason).toBe(true);
        expectIdentical(engine, planned);
      }, 120_000);
      for (const name of ["sparseVae", "vsc"]) {
        it(`${name}: the whole speed layer off (engine, TF.js's own kernels, scalar twins of the SIMD kernels) trains bit for bit as on`, async () => {
          const on = await train(name, true);
          setSpeed(false);
          try {
            expect(leanKernelsInstalled("wasm")).toBe(false);
            expect(simdKernels(tf.backend())).toBeNull();
            const off = await train(name, true);
            expect(off.status).toMatchObject({ active: false, reason: expect.stringMatching(/speed layer is off/) });
            expectIdentical(on, off);
          } finally {
            setSpeed(true);
          }
          expect(leanKernelsInstalled("wasm")).toBe(true);
          expect(on.status.active).toBe(true);
        }, 120_000);
      }
    }
  });
}

describe("StepPlan (recorded toy steps)", () => {
  const w = () => tf.variable(tf.tensor1d([1, 2, 3]), true, "toy-w");
  const ext = (v: tf.Variable) => new Map([[v.dataId as object, { name: "w", dataId: () => v.dataId }]]);

  it("runs a step with declared per-step noise from its plan and reproduces the engine's result", () => {
    const v = w();
    const roots = (step: number) => [Key.of(5).foldIn(step).asRoot(0)];
    const step = (s: number) => tf.tidy(() => [tf.mul(tf.exp(v), roots(s)[0].foldIn("eps").normal([3]))]);
    const r1 = captureStep(() => step(1));
    const table = ext(v);
    const r2 = captureStep(() => step(2));
    const plan = StepPlan.build(r1.capture, r2.capture, table);
    expect("refused" in plan).toBe(false);
    const p = plan as StepPlan;
    const again = p.run({ step: 2, roots: roots(2), inputs: {} });
    expect(sameOutputs(again, r2.capture.outputs)).toBe(true);
    // a later step: fresh noise from that step's roots, the variable's current value
    v.assign(tf.tensor1d([0, 0, 1]));
    const later = p.run({ step: 3, roots: roots(3), inputs: {} });
    const direct = step(3)[0];
    expect(Array.from(tf.backend().readSync(later[0].dataId) as Float32Array)).toEqual(Array.from(direct.dataSync()));
    tf.dispose([...r1.outputs, ...r2.outputs, direct]);
    for (const o of [...again, ...later]) tf.backend().disposeData(o.dataId);
    p.dispose();
    v.dispose();
  });

  it("refuses a host value that changes between steps without a producer", () => {
    const v = w();
    const step = (s: number) => tf.tidy(() => [tf.mul(v, tf.scalar(s))]);
    const r1 = captureStep(() => step(1));
    const r2 = captureStep(() => step(2));
    const plan = StepPlan.build(r1.capture, r2.capture, ext(v));
    expect(plan).toEqual({ refused: expect.stringMatching(/changes between steps and declares no producer/) });
    tf.dispose([...r1.outputs, ...r2.outputs]);
    v.dispose();
  });

  it("accepts the same value declared as a per-step source", () => {
    const v = w();
    const step = (s: number) => tf.tidy(() => [tf.mul(v, stepSource(tf.scalar(s), (c) => Float32Array.of(c.step)))]);
    const r1 = captureStep(() => step(1));
    const r2 = captureStep(() => step(2));
    const plan = StepPlan.build(r1.capture, r2.capture, ext(v)) as StepPlan;
    const out = plan.run({ step: 7, roots: [], inputs: {} });
    expect(Array.from(tf.backend().readSync(out[0].dataId) as Float32Array)).toEqual([7, 14, 21]);
    tf.backend().disposeData(out[0].dataId);
    tf.dispose([...r1.outputs, ...r2.outputs]);
    plan.dispose();
    v.dispose();
  });

  it("marks a recording incomplete when a kernel is registered during it (lazily, on first use)", () => {
    const v = w();
    const backendName = tf.getBackend();
    const r = captureStep(() => {
      tf.registerKernel({ kernelName: "SparseDgmTestLazy", backendName, kernelFunc: (() => ({})) as never });
      return [tf.add(v, 1)];
    });
    expect(r.capture.incomplete).toBe(true);
    tf.unregisterKernel("SparseDgmTestLazy", backendName);
    tf.dispose(r.outputs);
    v.dispose();
  });

  it("refuses steps that read the step number, read values on the host, or read undeclared tensors", () => {
    const v = w();
    const other = tf.tensor1d([4, 5, 6]);
    const cases: Array<[() => tf.Tensor[], RegExp]> = [
      [() => (noteStepUse(Infinity, "the model's code (ctx.step)"), [tf.add(v, 1)]), /ctx\.step/],
      [() => (tf.add(v, 1).dataSync(), [tf.add(v, 1)]), /reads tensor values on the host/],
      [() => [tf.add(v, other)], /not a declared input/],
    ];
    for (const [fn, why] of cases) {
      const r1 = captureStep(() => tf.tidy(fn));
      const r2 = captureStep(() => tf.tidy(fn));
      const plan = StepPlan.build(r1.capture, r2.capture, ext(v));
      expect(plan).toEqual({ refused: expect.stringMatching(why) });
      tf.dispose([...r1.outputs, ...r2.outputs]);
    }
    other.dispose();
    v.dispose();
  });
});

describe("Key derivation paths (what a planned step re-derives its noise from)", () => {
  it("rederive repeats any chain of foldIn and split from the step's root onto another root (property)", async () => {
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.nat(1000), fc.tuple(fc.integer({ min: 2, max: 4 }), fc.nat(3))), { maxLength: 6 }),
        fc.nat(1000),
        fc.nat(1000),
        (ops, s1, s2) => {
          const derive = (k: Key) =>
            ops.reduce((acc: Key, op) => (Array.isArray(op) ? acc.split(op[0])[Math.min(op[1], op[0] - 1)] : acc.foldIn(op)), k);
          const root1 = Key.of(s1).asRoot(0);
          const root2 = Key.of(s2).asRoot(0);
          const k = derive(root1);
          // the same words as deriving it directly, and re-derived onto another root like a fresh derivation
          expect(k.words()).toEqual(derive(Key.of(s1)).words());
          expect(k.rederive([root2]).words()).toEqual(derive(Key.of(s2)).words());
        },
      ),
      { numRuns: 200 },
    );
  });
});
