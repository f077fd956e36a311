import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loadData } from "../source.js";

function idx(dims: number[], values: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length + values.length);
  b[2] = 8;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  values.forEach((v, i) => b.writeUInt8(v, 4 + 4 * dims.length + i));
  return b;
}

const N = 3000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sdgm-colored-"));
  // N images of 4×4: image i has every pixel = 10·(i mod 10) + the pixel's index (so pooling is checkable); class i mod 10
  const px: number[] = [];
  for (let i = 0; i < N; i++) for (let j = 0; j < 16; j++) px.push(10 * (i % 10) + j);
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx([N, 4, 4], px)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([N], Array.from({ length: N }, (_, i) => i % 10))));
});

describe("colored: environments", () => {
  it("pools, colours by the label with each environment's flip rate, flips labels at labelNoise, and holds out the last environment", async () => {
    const ds = await loadData(`colored:${dir}?labelNoise=0.25&envFlips=0.1,0.3,0.9`);
    expect([ds.n, ds.g, ds.kind]).toEqual([N, 2 * 2 * 2, "real"]);
    expect(ds.meta.imageShape).toEqual([2, 2, 2]);
    const { environment, colour, shapeLabel } = ds.attributes!;
    const y = ds.labels!;
    const rate = (pred: (i: number) => boolean, env: number) => {
      let k = 0;
      let m = 0;
      for (let i = 0; i < N; i++) {
        if (environment[i] !== env) continue;
        m++;
        if (pred(i)) k++;
      }
      return { rate: k / m, m };
    };
    // equal shares, colour flips at the environment's rate (SD ≤ 0.016 at 1000 rows)
    for (const [e, flip] of [[0, 0.1], [1, 0.3], [2, 0.9]]) {
      const r = rate((i) => colour[i] !== y[i], e);
      expect(r.m).toBe(1000);
      expect(Math.abs(r.rate - flip)).toBeLessThan(0.05);
    }
    let noisy = 0;
    let bad = 0;
    for (let i = 0; i < N; i++) {
      noisy += y[i] !== shapeLabel[i] ? 1 : 0;
      if (shapeLabel[i] !== (i % 10 >= 5 ? 1 : 0)) bad++;
      // the pooled image sits in channel `colour`, the other channel is 0
      const c = colour[i];
      const img = Array.from(ds.x.subarray(i * 8, i * 8 + 8));
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const expect0 = [0, 1, 4, 5].map((j) => j + 10 * (i % 10)); // the top-left 2×2 block's pixel values
      if (Math.abs(img[c * 4] - mean(expect0) / 255) > 1e-6 || img.slice((1 - c) * 4, (1 - c) * 4 + 4).some((v) => v !== 0)) bad++;
    }
    expect(bad).toBe(0);
    expect(Math.abs(noisy / N - 0.25)).toBeLessThan(0.03);
    // every held-out row is in test; 20% of the others
    const train = new Set(ds.split.train);
    for (let i = 0; i < N; i++) if (environment[i] === 2) expect(train.has(i)).toBe(false);
    expect(Math.abs(ds.split.train.length / 2000 - 0.8)).toBeLessThan(0.04);
  });
  it("checks its lists and needs labels", async () => {
    await expect(loadData(`colored:${dir}?envFlips=0.1`)).rejects.toThrow("envFlips must name at least two environments");
    await expect(loadData(`colored:${dir}?envFlips=0.1,x`)).rejects.toThrow('colored:' + dir + ': envFlips must be a comma-separated list of probabilities in [0, 1], got "0.1,x" (entry 2)');
    await expect(loadData(`colored:${dir}?testEnvs=0,1,2`)).rejects.toThrow("testEnvs holds out every environment");
    await expect(loadData(`colored:${join(dir, "train-images-idx3-ubyte.gz")}`)).rejects.toThrow("labels=<path> is needed");
  });
  const fashion = "/usr/share/datasets/fashion-mnist";
  it.skipIf(!existsSync(fashion))("builds coloured Fashion-MNIST: 392 features, three environments", async () => {
    const ds = await loadData(`colored:${fashion}?limit=3000`);
    expect([ds.n, ds.g]).toEqual([3000, 392]);
    expect(ds.meta.testEnvironments).toEqual([2]);
  });
});
