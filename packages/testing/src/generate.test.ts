import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf, Key } from "@sparse-dgm/core";
import { validate } from "@sparse-dgm/data";
import { sparseVae } from "@sparse-dgm/zoo";
import { sparseTruth, type SparseTruth } from "./arbitraries.js";
import { datasetFromTruth, sampleFromModel, sampleFromTruth } from "./generate.js";

const moranLike: SparseTruth = {
  features: 5,
  factors: 2,
  support: [[1, 0], [1, 0], [0, 1], [0, 1], [1, 1]],
  weights: [[1, 0], [-2, 0], [0, 1.5], [0, 1], [0.5, 0.5]],
  links: ["identity", "tanh", "identity", "sin", "square"],
  rho: 0,
  noise: 0.1,
  n: 4000,
};

function corr(a: Float32Array | number[], b: Float32Array | number[]): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const col = (t: tf.Tensor, j: number) => tf.tidy(() => tf.squeeze(tf.slice(t, [0, j], [-1, 1]), [1]).dataSync() as Float32Array);

describe("sampleFromTruth", () => {
  it("has the right shapes and is a pure function of the key", () => {
    for (const t of fc.sample(sparseTruth({ n: { min: 10, max: 50 } }), { seed: 1, numRuns: 5 })) {
      const a = sampleFromTruth(t, Key.of(3));
      const b = sampleFromTruth(t, Key.of(3));
      const c = sampleFromTruth(t, Key.of(4));
      expect(a.x.shape).toEqual([t.n, t.features]);
      expect(a.z.shape).toEqual([t.n, t.factors]);
      expect(a.W.arraySync()).toEqual(t.weights.map((r) => r.map((v) => Math.fround(v))));
      expect(a.support.arraySync()).toEqual(t.support);
      expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
      expect(Array.from(a.x.dataSync())).not.toEqual(Array.from(c.x.dataSync()));
      tf.dispose([a, b, c].flatMap((s) => [s.x, s.z, s.W, s.support]));
    }
  });

  it("applies the links to u = z Wᵀ, with the factor correlation rho", () => {
    const s = sampleFromTruth({ ...moranLike, noise: 0 }, Key.of(0));
    const z = s.z.arraySync() as number[][];
    const x = s.x.arraySync() as number[][];
    for (const i of [0, 1, 7]) {
      const [z1, z2] = z[i];
      expect(x[i][0]).toBeCloseTo(z1, 5);
      expect(x[i][1]).toBeCloseTo(2 * Math.tanh(-2 * z1), 5);
      expect(x[i][3]).toBeCloseTo(2 * Math.sin(z2), 5);
      const u = 0.5 * z1 + 0.5 * z2;
      expect(x[i][4]).toBeCloseTo(0.5 * u * Math.abs(u), 5);
    }
    // An anchor of factor 1 is independent of factor 2 (rho = 0).
    expect(Math.abs(corr(col(s.x, 0), col(s.z, 1)))).toBeLessThan(0.06);
    tf.dispose([s.x, s.z, s.W, s.support]);
    const r = sampleFromTruth({ ...moranLike, rho: 0.6 }, Key.of(1));
    expect(corr(col(r.z, 0), col(r.z, 1))).toBeCloseTo(0.6, 1);
    tf.dispose([r.x, r.z, r.W, r.support]);
  });

  it("leaks no tensors", () => {
    const before = tf.memory().numTensors;
    const s = sampleFromTruth(moranLike, Key.of(0));
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose([s.x, s.z, s.W, s.support]);
    datasetFromTruth(moranLike, 0, { standardise: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("datasetFromTruth", () => {
  it("is a valid real Dataset with an 80/20 split and the truth for the metrics", () => {
    const ds = validate(datasetFromTruth({ ...moranLike, n: 500 }, 7));
    expect(ds.kind).toBe("real");
    expect([ds.n, ds.g]).toEqual([500, 5]);
    expect(ds.split.test.length).toBe(100);
    expect(ds.split.train.length).toBe(400);
    expect(ds.truth!.k).toBe(2);
    expect(ds.truth!.wCols).toBe(2);
    expect(Array.from(ds.truth!.support!)).toEqual(moranLike.support.flat());
    expect(ds.truth!.anchors).toEqual([[0, 1], [2, 3]]);
    expect(ds.truth!.z!.length).toBe(1000);
    const again = datasetFromTruth({ ...moranLike, n: 500 }, 7);
    expect(again.x).toEqual(ds.x);
    expect(again.split).toEqual(ds.split);
    expect(datasetFromTruth({ ...moranLike, n: 500 }, 8).x).not.toEqual(ds.x);
  });

  it("standardise gives unit-SD columns and leaves the truth alone", () => {
    const ds = datasetFromTruth(moranLike, 0, { standardise: true });
    const raw = datasetFromTruth(moranLike, 0);
    expect(ds.truth!.z).toEqual(raw.truth!.z);
    for (let j = 0; j < ds.g; j++) {
      let m = 0, v = 0;
      for (let i = 0; i < ds.n; i++) m += ds.x[i * ds.g + j] / ds.n;
      for (let i = 0; i < ds.n; i++) v += (ds.x[i * ds.g + j] - m) ** 2 / ds.n;
      expect(m).toBeCloseTo(0, 4);
      expect(Math.sqrt(v)).toBeCloseTo(1, 3);
    }
  });
});

describe("sampleFromModel", () => {
  const W = [[1, 0], [0.8, 0], [0, 1], [0, -1.2], [1, 1], [0, 0]];
  const build = () => sparseVae.build({ features: 6, factors: 2, hidden: 8 });

  it("runs the uncompiled Sparse VAE forward with a substituted W, returning x, z, W and the support", () => {
    const before = tf.memory().numTensors;
    const s = sampleFromModel(build(), { globals: { W, noiseVariance: new Array(6).fill(0.01) }, n: 300, key: Key.of(3) });
    expect(s.x.shape).toEqual([300, 6]);
    expect(s.z!.shape).toEqual([300, 2]);
    expect(s.sites).toEqual({ x: "x", z: "z", W: "W" });
    expect(s.W!.arraySync()).toEqual(W.map((r) => r.map(Math.fround)));
    expect(s.support!.arraySync()).toEqual(W.map((r) => r.map((v) => (v !== 0 ? 1 : 0))));
    const again = sampleFromModel(build(), { globals: { W, noiseVariance: new Array(6).fill(0.01) }, n: 300, key: Key.of(3) });
    expect(Array.from(again.x.dataSync())).toEqual(Array.from(s.x.dataSync()));
    tf.dispose([s.x, s.z!, s.W!, s.support!, again.x, again.z!, again.W!, again.support!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a feature depends only on the factors its W row reaches (the masked decoder has no first-layer bias)", () => {
    // Substitute z too: factor 1 varies, factor 2 is held at 0.3, so anchors of factor 2 and the
    // feature reached by nothing are constant up to the (tiny) noise.
    const z = Array.from({ length: 200 }, (_, i) => [Math.sin(i) * 2, 0.3]);
    const s = sampleFromModel(build(), { globals: { W, noiseVariance: new Array(6).fill(1e-10), z }, n: 200, key: Key.of(5) });
    const sd = tf.tidy(() => Array.from(tf.sqrt(tf.moments(s.x, 0).variance).dataSync()));
    expect(sd[2]).toBeLessThan(1e-3);
    expect(sd[3]).toBeLessThan(1e-3);
    expect(sd[5]).toBeLessThan(1e-3);
    expect(sd[0]).toBeGreaterThan(1e-2);
    expect(sd[4]).toBeGreaterThan(1e-2);
    tf.dispose([s.x, s.z!, s.W!, s.support!]);
  });
});
