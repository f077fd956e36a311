// mibStructured (specs/mib-structured.md): the MIB objective reduces to the VAE (one group, one
// view, β = 1), the product-of-experts encoder respects A_in and the per-row view availability
// exactly, and β enters as the rate's weight 1/β.
import { describe, it, expect } from "vitest";
import { tf, Key } from "@sparse-dgm/core";
import { compile } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";

const LOG_2PI = Math.log(2 * Math.PI);

/** y = x W + b per row (W [in, out]). */
function dense(x: number[][], W: number[][], b?: number[]): number[][] {
  return x.map((row) => W[0].map((_, j) => row.reduce((s, v, i) => s + v * W[i][j], 0) + (b ? b[j] : 0)));
}
const relu = (m: number[][]) => m.map((r) => r.map((v) => Math.max(v, 0)));

describe("mibStructured", () => {
  it("one group, one view, β = 1: the loss is the VAE's negative ELBO on the same weights and noise (computed here by hand)", async () => {
    const N = 16;
    const d = 5;
    const H = 6;
    const k = 3;
    const m = zoo.mibStructured.build({ features: d, latentGroups: 1, groupDim: k, hidden: H, beta: 1, learnDecoderMask: false, decoderMask: [[1]], encoderMask: [[1]], availability: "none", noiseScale: 0.3 } as never);
    const p = compile(m, { seed: 3 });
    const x = tf.randomNormal([N, 1, d], 0, 1, "float32", 7);
    await p.fit(x, { epochs: 2, batchSize: 8 }); // weights away from their initial values
    // the objective has exactly the VAE's two terms, unweighted
    expect(p.termNames().sort()).toEqual(["distortion:x", "rate:z"]);
    const ev = p.evaluate(x, { seed: 0 });
    // by hand: the one expert (an MLP d → H → H → 2k) combined with the prior expert N(0, 1)
    const P = (name: string) => p.params.get(name).arraySync() as number[][][];
    const xs = (x.arraySync() as number[][][]).map((r) => r[0]);
    let h = relu(dense(xs, P("guide/z/experts/0/kernel")[0], P("guide/z/experts/0/bias")[0] as unknown as number[]));
    h = relu(dense(h, P("guide/z/experts/1/kernel")[0], P("guide/z/experts/1/bias")[0] as unknown as number[]));
    const out = dense(h, P("guide/z/experts/2/kernel")[0], P("guide/z/experts/2/bias")[0] as unknown as number[]);
    // the same noise the program draws for z in evaluation (seed 0)
    const eps = Array.from(Key.of(3).foldIn("evaluate").foldIn(0).foldIn("z").foldIn(0).normalArray(N * k));
    let total = 0;
    for (let i = 0; i < N; i++) {
      const mu: number[] = [];
      const s: number[] = [];
      let kl = 0;
      for (let j = 0; j < k; j++) {
        const lv = Math.min(Math.max(out[i][k + j], -10), 10);
        const prec = Math.exp(-lv) + 1e-4;
        const lam = 1 + prec;
        mu.push((prec * out[i][j]) / lam);
        s.push(1 / Math.sqrt(lam));
        kl += 0.5 * (s[j] * s[j] + mu[j] * mu[j] - 1 - Math.log(s[j] * s[j]));
      }
      const z = mu.map((v, j) => v + s[j] * eps[i * k + j]);
      // the decoder: a bias-free first layer on A_out[0, 0] z, ReLU, then the view's output layer
      const h1 = relu(dense([z], P("groupDecoder/decoder/0/kernel")[0]));
      const mean = dense(h1, P("groupDecoder/decoder/1/kernel")[0], P("groupDecoder/decoder/1/bias")[0] as unknown as number[])[0];
      const sigma = 0.3;
      const logLik = mean.reduce((a, mv, f) => a - 0.5 * (LOG_2PI + 2 * Math.log(sigma) + ((xs[i][f] - mv) / sigma) ** 2), 0);
      total += -logLik + kl;
    }
    const negElbo = total / N;
    expect(-ev.elbo[0]).toBeCloseTo(negElbo, 3);
    expect(Math.abs(-ev.elbo[0] - negElbo) / Math.abs(negElbo)).toBeLessThan(1e-5);
    tf.dispose(x);
    p.dispose();
  });

  it("β enters as the rate's weight 1/β; fixed masks add no term; learned masks add their sparsity prior", () => {
    const b2 = zoo.mibStructured.build({ features: 4, latentGroups: 1, groupDim: 2, beta: 2, learnDecoderMask: false, decoderMask: [[1]], encoderMask: [[1]] } as never);
    const z = b2.ir.sites.find((s) => s.name === "z")!;
    expect(z.options.klWeight).toBe(0.5);
    const learned = zoo.mibStructured.build({ features: 6, groups: [[0, 1, 2], [3, 4, 5]] } as never);
    const p = compile(learned, { seed: 0 });
    const x = tf.randomNormal([8, 2, 3], 0, 1, "float32", 1);
    return p.fit(x, { epochs: 1, batchSize: 8 }).then(() => {
      expect(p.termNames()).toContain("maskPrior:Aout");
      tf.dispose(x);
      p.dispose();
    });
  });

  it("S-2: a given decoderMask / encoderMask is used, fixed, and recorded; learning a given mask, or gate options with nothing learned, are refused", () => {
    const groups = [
      [0, 1],
      [2, 3],
    ];
    const site = (m: ReturnType<typeof zoo.mibStructured.build>, name: string) => m.ir.sites.find((s) => s.name === name)!.mask!;
    // before: Aout stayed a learned hard-concrete mask and the config did not show decoderMask
    const m = zoo.mibStructured.build({ features: 4, groups, decoderMask: [[1, 0, 0], [0, 1, 1]], encoderMask: [[1, 0], [0, 1], [0, 1]] } as never);
    expect(site(m, "Aout")).toMatchObject({ valueType: "fixed", fixedValue: [[1, 0, 0], [0, 1, 1]] });
    expect(site(m, "Ain")).toMatchObject({ valueType: "fixed", fixedValue: [[1, 0], [0, 1], [0, 1]] });
    const config = m.ir.meta.config as Record<string, unknown>;
    expect(config).toMatchObject({ learnDecoderMask: false, decoderMask: [[1, 0, 0], [0, 1, 1]], encoderMask: [[1, 0], [0, 1], [0, 1]] });
    // no mask given: A_out still learned by default
    expect(site(zoo.mibStructured.build({ features: 4, groups } as never), "Aout").valueType).toBe("binary");
    expect(() => zoo.mibStructured.build({ features: 4, groups, decoderMask: [[1, 0, 0], [0, 1, 1]], learnDecoderMask: true } as never)).toThrow(
      "mibStructured: decoderMask is a fixed A_out, but learnDecoderMask is true (the mask would be learned and decoderMask ignored): set learnDecoderMask=false, or drop decoderMask to learn A_out",
    );
    expect(() => zoo.mibStructured.build({ features: 4, groups, encoderMask: [[1, 1], [1, 1], [1, 1]], learnEncoderMask: true } as never)).toThrow(/mibStructured: encoderMask is a fixed A_in, but learnEncoderMask is true/);
    expect(() => zoo.mibFair.build({ features: 4, edgePenalty: 3 } as never)).toThrow("mibFair: edgePenalty applies to a learned mask, and neither decoderMask nor encoderMask is learned (learnDecoderMask=false, learnEncoderMask=false)");
    // an instance that fixes A_out by preset learns it when asked (its preset mask is dropped, not refused)
    expect(site(zoo.mibMultimodal.build({ features: 4, groups, learnDecoderMask: true } as never), "Aout").valueType).toBe("binary");
    expect(site(zoo.mibConditional.build({ features: 4, learnDecoderMask: true, edgePenalty: 3 } as never), "Aout").estimator).toMatchObject({ kind: "hard-concrete", penalty: 3 });
  });

  it("S-3: side data given to encode / evaluate / reconstruct / iwae is checked like fit's (a misspelt key is refused); a factor's needs are required at fit", async () => {
    const m = zoo.mibStructured.build({ features: 6, groups: [[0, 1, 2], [3, 4, 5]], hidden: 8 } as never);
    const p = compile(m, { seed: 2, encoderHidden: [8] });
    const N = 12;
    const x = tf.randomNormal([N, 2, 3], 0, 1, "float32", 5);
    await p.fit({ x, views: tf.ones([N, 2]) }, { epochs: 1, batchSize: 6 });
    const none = tf.zeros([N, 2]);
    // before: encode(x, { side: { veiws } }) returned the all-views posterior, evaluate ran
    for (const [what, run] of [
      ["encode", () => p.encode(x, { side: { veiws: none } })],
      ["evaluate", () => p.evaluate(x, { side: { veiws: none } })],
      ["reconstruct", () => p.reconstruct(x, { side: { veiws: none } })],
      ["iwae", () => p.iwae(x, 2, { side: { veiws: none } })],
    ] as const)
      expect(run, what).toThrow(`${what}: side data "veiws" is not a side input of model "mibStructured" (side inputs: views)`);
    expect(() => p.encode(x, { side: { views: tf.zeros([N - 1, 2]) } })).toThrow('encode: side data "views" has 11 rows for 12 data rows');
    // the right key still acts: no view at all gives the prior mean 0
    expect(Array.from(p.encode(x, { side: { views: none } }).z.mean.dataSync()).every((v) => Math.abs(v) < 1e-6)).toBe(true);
    p.dispose();
    // mibInvariant without its penalty's inputs: before, it trained with the invariance term exactly 0
    const inv = compile(zoo.mibInvariant.build({ features: 6, hidden: 8 } as never), { seed: 0, encoderHidden: [8] });
    const xi = tf.randomNormal([32, 1, 6], 0, 1, "float32", 5);
    await expect(inv.fit({ x: xi }, { epochs: 1, batchSize: 16 })).rejects.toThrow(
      'fit: factor "independence" of model "mibInvariant" needs side data "environment", which the fit was not given; pass fit({ x, environment })',
    );
    const env = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2));
    await expect(inv.fit({ x: xi, environment: env }, { epochs: 1, batchSize: 16 })).rejects.toThrow('fit: factor "independence" of model "mibInvariant" needs side data "label"');
    const r = await inv.fit({ x: xi, environment: env, label: tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i >> 1) % 2)) }, { epochs: 1, batchSize: 16 });
    expect(r.curves["auxiliary:independence"].some((v) => v !== 0)).toBe(true);
    tf.dispose([x, none, xi, env]);
    inv.dispose();
  });

  it("a view a row lacks (availability 0) leaves every group's posterior as if the view's data were anything; no view at all gives the prior", async () => {
    const groups = [[0, 1, 2], [3, 4, 5]];
    const m = zoo.mibStructured.build({ features: 6, groups, hidden: 8 } as never); // learned A_out, A_in all ones, availability "views"
    const p = compile(m, { seed: 2, encoderHidden: [8] });
    const N = 12;
    const x = tf.randomNormal([N, 2, 3], 0, 1, "float32", 5);
    const all = tf.ones([N, 2]);
    await p.fit({ x, views: all }, { epochs: 1, batchSize: 6 });
    const onlyFirst = tf.tensor2d(Array.from({ length: N }, (_, i) => (i % 2 ? [1, 1] : [1, 0])));
    const moved = tf.concat([tf.slice(x, [0, 0, 0], [N, 1, 3]), tf.mul(tf.slice(x, [0, 1, 0], [N, 1, 3]), -7)], 1);
    const a = p.encode(x, { side: { views: onlyFirst } }).z.mean.arraySync() as number[][][];
    const b = p.encode(moved, { side: { views: onlyFirst } }).z.mean.arraySync() as number[][][];
    for (let i = 0; i < N; i += 2) expect(b[i]).toEqual(a[i]); // rows without view 2: exactly unchanged
    expect(b[1]).not.toEqual(a[1]); // a row with both views reads view 2
    const none = p.encode(x, { side: { views: tf.zeros([N, 2]) } }).z.mean.dataSync();
    expect(Array.from(none).every((v) => v === 0)).toBe(true); // the prior's mean
    // availability of the wrong shape fails naming it
    expect(() => p.encode(x, { side: { views: tf.ones([N, 3]) } })).toThrow(/availability "views"/);
    tf.dispose([x, all, onlyFirst, moved]);
    p.dispose();
  });
});
