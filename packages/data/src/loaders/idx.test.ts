import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loadData } from "../source.js";
import { loadIdx, parseIdx } from "./idx.js";

function idxBytes(type: number, dims: number[], values: number[]): Buffer {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const b = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  const off = 4 + 4 * dims.length;
  values.forEach((v, i) => {
    const o = off + i * size;
    if (type === 8) b.writeUInt8(v, o);
    else if (type === 9) b.writeInt8(v, o);
    else if (type === 11) b.writeInt16BE(v, o);
    else if (type === 12) b.writeInt32BE(v, o);
    else if (type === 13) b.writeFloatBE(v, o);
    else b.writeDoubleBE(v, o);
  });
  return b;
}

let dir: string;
let imgs: string;
let labs: string;
let imgsGz: string;
let labsGz: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sdgm-idx-"));
  // 5 images of 2×3 pixels with values 0, 51, ..., 255 patterns.
  const px: number[] = [];
  for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) px.push(((i + j) % 6) * 51);
  imgs = join(dir, "imgs-idx3-ubyte");
  labs = join(dir, "labs-idx1-ubyte");
  imgsGz = join(dir, "imgs-idx3-ubyte.gz");
  labsGz = join(dir, "labs-idx1-ubyte.gz");
  writeFileSync(imgs, idxBytes(8, [5, 2, 3], px));
  writeFileSync(labs, idxBytes(8, [5], [0, 1, 2, 1, 0]));
  writeFileSync(imgsGz, gzipSync(idxBytes(8, [5, 2, 3], px)));
  writeFileSync(labsGz, gzipSync(idxBytes(8, [5], [0, 1, 2, 1, 0])));
});

describe("idx loader", () => {
  it("loads plain and gzipped images scaled to [0, 1], with labels", async () => {
    for (const [i, l] of [[imgs, labs], [imgsGz, labsGz]]) {
      const ds = await loadData(`idx:${i}?labels=${l}`);
      expect([ds.n, ds.g, ds.kind]).toEqual([5, 6, "real"]);
      expect(ds.meta.imageShape).toEqual([2, 3]);
      expect(Array.from(ds.x.slice(0, 6)).map((v) => Math.round(v * 255))).toEqual([0, 51, 102, 153, 204, 255]);
      expect(Array.from(ds.labels!)).toEqual([0, 1, 2, 1, 0]);
      expect(ds.split.test.length).toBe(1);
    }
  });
  it("binarises, limits, and uses a train/test file pair", async () => {
    const b = await loadData(`idx:${imgsGz}?binarize=0.5`);
    expect(b.kind).toBe("binary");
    expect(Array.from(b.x.slice(0, 6))).toEqual([0, 0, 0, 1, 1, 1]);
    const pair = await loadData(`idx:${imgs}?labels=${labs}&testImages=${imgsGz}&testLabels=${labsGz}&limit=3`);
    expect(pair.n).toBe(6);
    expect(Array.from(pair.split.train)).toEqual([0, 1, 2]);
    expect(Array.from(pair.split.test)).toEqual([3, 4, 5]);
    expect(Array.from(pair.labels!)).toEqual([0, 1, 2, 0, 1, 2]);
  });
  it("decodes other element types", () => {
    expect(Array.from(parseIdx(idxBytes(9, [2], [-3, 4])).data)).toEqual([-3, 4]);
    expect(Array.from(parseIdx(idxBytes(11, [2], [-300, 4])).data)).toEqual([-300, 4]);
    expect(Array.from(parseIdx(idxBytes(12, [1, 2], [70000, -1])).data)).toEqual([70000, -1]);
    expect(Array.from(parseIdx(idxBytes(13, [2], [0.5, -2])).data)).toEqual([0.5, -2]);
    expect(Array.from(parseIdx(idxBytes(14, [2], [0.25, 8])).data)).toEqual([0.25, 8]);
    const f = join(dir, "float-idx");
    writeFileSync(f, idxBytes(13, [1, 1, 2], [0.5, 7]));
    expect(Array.from(loadIdx(f).x)).toEqual([0.5, 7]); // non-ubyte values kept as stored
  });
  it("reports malformed files and mismatches", async () => {
    const bad = join(dir, "bad");
    writeFileSync(bad, Buffer.from([1, 2, 3, 4, 5]));
    await expect(loadData(`idx:${bad}`)).rejects.toThrow(/not an IDX file/);
    const trunc = join(dir, "trunc");
    writeFileSync(trunc, idxBytes(8, [5, 2, 3], [1, 2, 3]).subarray(0, 20));
    await expect(loadData(`idx:${trunc}`)).rejects.toThrow(/IDX file is truncated: dims 5×2×3/);
    const typ = join(dir, "typ");
    writeFileSync(typ, Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 0]));
    await expect(loadData(`idx:${typ}`)).rejects.toThrow(/unknown IDX element type 0x7/);
    await expect(loadData(`idx:${labs}`)).rejects.toThrow(/is a 1-d IDX array \(labels\?\), expected images/);
    await expect(loadData(`idx:${imgs}?labels=${imgs}`)).rejects.toThrow(/has dims 5×2×3, expected 1-d/);
    const short = join(dir, "short-labels");
    writeFileSync(short, idxBytes(8, [4], [0, 1, 2, 3]));
    await expect(loadData(`idx:${imgs}?labels=${short}`)).rejects.toThrow(/has 4 labels for the 5 images of /);
    // with a limit below both counts the files still have to match (the wrong label file is not hidden by the cut)
    await expect(loadData(`idx:${imgs}?labels=${short}&limit=3`)).rejects.toThrow(/has 4 labels for the 5 images of /);
    await expect(loadData(`idx:${imgs}?testLabels=${labs}`)).rejects.toThrow(/testLabels given without testImages/);
    await expect(loadData(`idx:${imgs}?labels=${labs}&testImages=${imgs}`)).rejects.toThrow(/give labels for both/);
    const nanf = join(dir, "nan-idx");
    writeFileSync(nanf, idxBytes(13, [2, 1, 2], [0, 1, NaN, 2]));
    await expect(loadData(`idx:${nanf}`)).rejects.toThrow(/row 2, column 1: value NaN is not finite/);
    const gzBad = join(dir, "badgz.gz");
    writeFileSync(gzBad, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(loadData(`idx:${gzBad}`)).rejects.toThrow(/looks gzipped but does not decompress/);
  });
  const fm = "/usr/share/datasets/fashion-mnist";
  it.runIf(existsSync(`${fm}/train-images-idx3-ubyte.gz`))("loads Debian's Fashion-MNIST (train + t10k, limited)", async () => {
    const ds = await loadData(
      `idx:${fm}/train-images-idx3-ubyte.gz?labels=${fm}/train-labels-idx1-ubyte.gz` +
        `&testImages=${fm}/t10k-images-idx3-ubyte.gz&testLabels=${fm}/t10k-labels-idx1-ubyte.gz&limit=2000&binarize=0.5`,
    );
    expect([ds.n, ds.g, ds.kind]).toEqual([4000, 784, "binary"]);
    expect(ds.meta.imageShape).toEqual([28, 28]);
    expect(ds.split.train.length).toBe(2000);
    expect(new Set(Array.from(ds.labels!)).size).toBe(10);
    const full = await loadData(`idx:${fm}/t10k-images-idx3-ubyte.gz?labels=${fm}/t10k-labels-idx1-ubyte.gz`);
    expect([full.n, full.g]).toEqual([10000, 784]);
    expect(full.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
