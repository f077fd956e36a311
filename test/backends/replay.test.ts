// Step replay (packages/core/src/replay.ts): a training step recorded as its kernels and run again
// without the engine must train **exactly** as the engine does (same losses, same parameters, bit
// for bit), keep tensor counts flat, and refuse (with a reason) every step it cannot prove.
import { describe, it, expect } from "vitest";
import { tf, record, stepSource, noteStepUse, StepPlan, sameOutputs, Key, type BackendName } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { configFor } from "../../bench/lib/sizes.js";
import { useBackend } from "../support/backend.js";

interface Run {
  losses: number[];
  params: number[][];
  status: { active: boolean; reason?: string; kernels?: number; em?: { active: boolean } };
  tensors: number[];
}

/** Trains a zoo entry at a small size, with or without replay. */
async function train(name: string, replay: boolean, epochs = 2): Promise<Run> {
  const size = { B: 32, G: name === "mibStructured" ? 8 : 7, K: 5, H: 16 };
  const entry = zoo[name];
  const model = entry.build(configFor(name, size) as never);
  const program = compile(model, { seed: 3, normalisation: entry.training.normalisation, encoderHidden: [size.H, size.H], replay });
  const obs = model.ir.sites.find((s) => s.kind === "observe")!;
  const dims = [...obs.plates.filter((p) => p !== "data").map((p) => model.ir.plates.find((q) => q.name === p)!.size as number), ...obs.event];
  // 10 full minibatches and a partial one (which runs through the engine).
  const rows = size.B * 10 + 7;
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
  return { losses, params, status: program.replayStatus(), tensors };
}

function expectIdentical(a: Run, b: Run): void {
  expect(b.losses.length).toBe(a.losses.length);
  // Object.is: the same float, bit for bit (NaN included), not merely close.
  expect(a.losses.every((v, i) => Object.is(v, b.losses[i]))).toBe(true);
  expect(b.params.length).toBe(a.params.length);
  expect(a.params.every((p, i) => p.length === b.params[i].length && p.every((v, j) => Object.is(v, b.params[i][j])))).toBe(true);
}

for (const backend of ["wasm", "cpu"] as BackendName[]) {
  describe(`step replay on ${backend}`, () => {
    useBackend(backend);
    const models = backend === "wasm" ? ["sparseVae", "vae", "vsc", "vscClass", "mibStructured"] : ["sparseVae", "vsc"];
    for (const name of models) {
      it(`${name}: trains bit-for-bit as the engine does, replaying, with flat tensor counts`, async () => {
        const engine = await train(name, false);
        const replayed = await train(name, true);
        expect(engine.status).toEqual({ active: false, reason: "replay: false" });
        expect(replayed.status.active, replayed.status.reason).toBe(true);
        expect(replayed.status.kernels).toBeGreaterThan(50);
        // the Sparse VAE's closed-form EM update (p*, η) replays too
        if (name === "sparseVae") expect(replayed.status.em).toMatchObject({ active: true });
        expectIdentical(engine, replayed);
        // flat from the second step on (the first creates the parameters and optimiser state)
        expect(new Set(replayed.tensors.slice(1)).size).toBe(1);
      }, 120_000);
    }
    if (backend === "wasm") {
      it("sdlgm: its changing temperature schedule is a per-step input, so the step replays from the start, bit for bit", async () => {
        const engine = await train("sdlgm", false, 1);
        const replayed = await train("sdlgm", true, 1);
        expect(replayed.status.active, replayed.status.reason).toBe(true);
        expectIdentical(engine, replayed);
      }, 120_000);
    }
  });
}

describe("StepPlan (recorded toy steps)", () => {
  const w = () => tf.variable(tf.tensor1d([1, 2, 3]), true, "toy-w");
  const ext = (v: tf.Variable) => new Map([[v.dataId as object, { name: "w", dataId: () => v.dataId }]]);

  it("replays a step with declared per-step noise and reproduces the engine's result", () => {
    const v = w();
    const roots = (step: number) => [Key.of(5).foldIn(step).asRoot(0)];
    const step = (s: number) => tf.tidy(() => [tf.mul(tf.exp(v), roots(s)[0].foldIn("eps").normal([3]))]);
    const r1 = record(() => step(1));
    const table = ext(v);
    const r2 = record(() => step(2));
    const plan = StepPlan.build(r1.recording, r2.recording, table);
    expect("refused" in plan).toBe(false);
    const p = plan as StepPlan;
    const again = p.run({ step: 2, roots: roots(2), inputs: {} });
    expect(sameOutputs(again, r2.recording.outputs)).toBe(true);
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
    const r1 = record(() => step(1));
    const r2 = record(() => step(2));
    const plan = StepPlan.build(r1.recording, r2.recording, ext(v));
    expect(plan).toEqual({ refused: expect.stringMatching(/changes between steps and declares no producer/) });
    tf.dispose([...r1.outputs, ...r2.outputs]);
    v.dispose();
  });

  it("accepts the same value declared as a per-step source", () => {
    const v = w();
    const step = (s: number) => tf.tidy(() => [tf.mul(v, stepSource(tf.scalar(s), (c) => Float32Array.of(c.step)))]);
    const r1 = record(() => step(1));
    const r2 = record(() => step(2));
    const plan = StepPlan.build(r1.recording, r2.recording, ext(v)) as StepPlan;
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
    const r = record(() => {
      tf.registerKernel({ kernelName: "SparseDgmTestLazy", backendName, kernelFunc: (() => ({})) as never });
      return [tf.add(v, 1)];
    });
    expect(r.recording.incomplete).toBe(true);
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
      const r1 = record(() => tf.tidy(fn));
      const r2 = record(() => tf.tidy(fn));
      const plan = StepPlan.build(r1.recording, r2.recording, ext(v));
      expect(plan).toEqual({ refused: expect.stringMatching(why) });
      tf.dispose([...r1.outputs, ...r2.outputs]);
    }
    other.dispose();
    v.dispose();
  });
});

describe("Key derivation paths (what a replayed step re-derives its noise from)", () => {
  it("rederive replays any chain of foldIn and split from the step's root onto another root (property)", async () => {
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
