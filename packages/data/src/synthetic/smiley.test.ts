import { describe, expect, it } from "vitest";
import { validate } from "../dataset.js";
import { renderSmiley, smiley, smileyClassName } from "./smiley.js";

describe("synthetic:smiley", () => {
  const ds = validate(smiley({ n: 800, seed: 1 }));
  it("has 32×32 binary images", () => {
    expect([ds.n, ds.g, ds.kind]).toEqual([800, 1024, "binary"]);
    expect(ds.x.every((v) => v === 0 || v === 1)).toBe(true);
    expect(ds.meta.imageShape).toEqual([32, 32]);
    expect(ds.split.train.length + ds.split.test.length).toBe(800);
    expect(ds.split.test.length).toBe(200);
  });
  it("has 18 sources masked by presence and 16 label classes", () => {
    const t = ds.truth!;
    expect(t.k).toBe(18);
    expect(t.z).toHaveLength(800 * 18);
    const presence = t.extra!.presence as Uint8Array;
    expect(new Set(Array.from(ds.labels!)).size).toBe(16);
    expect(ds.labelNames).toHaveLength(16);
    const blocks = [[0, 4], [4, 10], [10, 13], [13, 18]];
    for (let i = 0; i < ds.n; i++) {
      let mask = 0;
      for (let a = 0; a < 4; a++) {
        mask |= presence[4 * i + a] << a;
        for (let s = blocks[a][0]; s < blocks[a][1]; s++) {
          expect(t.rowSupport![i * 18 + s]).toBe(presence[4 * i + a]);
          if (!presence[4 * i + a]) expect(t.z![i * 18 + s]).toBe(0);
        }
      }
      expect(ds.labels![i]).toBe(mask);
    }
    // Presence rate about 0.5 (S mean 0.50 in the reference test file).
    const rate = Array.from(presence).reduce((a, b) => a + b, 0) / presence.length;
    expect(rate).toBeGreaterThan(0.45);
    expect(rate).toBeLessThan(0.55);
    // Sources have SD about 0.5.
    const src = t.extra!.sources as Float32Array;
    const sd = Math.sqrt(Array.from(src).reduce((a, b) => a + b * b, 0) / src.length);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
    expect(t.extra!.blocks).toEqual([
      { name: "bowtie", start: 0, end: 4 },
      { name: "hat", start: 4, end: 10 },
      { name: "eyes", start: 10, end: 13 },
      { name: "mouth", start: 13, end: 18 },
    ]);
  });
  it("each attribute changes the image where expected", () => {
    const zero = new Float64Array(18);
    const face = new Float32Array(1024);
    renderSmiley(face, [0, 0, 0, 0], zero);
    const px = (img: Float32Array, x: number, y: number) => img[(y - 1) * 32 + (x - 1)];
    expect(px(face, 16, 16)).toBe(1);
    expect(px(face, 2, 2)).toBe(0);
    const count = (img: Float32Array) => img.reduce((a, b) => a + b, 0);
    // Disc of radius 10: about π·100 pixels.
    expect(Math.abs(count(face) - Math.PI * 100)).toBeLessThan(15);
    const eyes = new Float32Array(1024);
    renderSmiley(eyes, [0, 0, 1, 0], zero);
    expect(px(eyes, 12, 14)).toBe(0); // left eye hole at (12.5, 14)
    const mouth = new Float32Array(1024);
    renderSmiley(mouth, [0, 0, 0, 1], zero);
    expect(px(mouth, 16, 22)).toBe(0);
    const hat = new Float32Array(1024);
    renderSmiley(hat, [0, 1, 0, 0], zero);
    expect(px(hat, 16, 3)).toBe(1);
    expect(count(hat)).toBeGreaterThan(count(face));
    const bow = new Float32Array(1024);
    renderSmiley(bow, [1, 0, 0, 0], zero);
    expect(px(bow, 16, 29)).toBe(1);
    expect(px(bow, 12, 29)).toBe(1);
    expect(count(bow)).toBeGreaterThan(count(face));
  });
  it("is deterministic for a seed", () => {
    const a = smiley({ n: 50, seed: 4 });
    const b = smiley({ n: 50, seed: 4 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.truth!.z!)).toEqual(Array.from(b.truth!.z!));
    expect(Array.from(smiley({ n: 50, seed: 5 }).labels!)).not.toEqual(Array.from(a.labels!));
  });
  it("names classes and rejects bad parameters", () => {
    expect(smileyClassName(0)).toBe("none");
    expect(smileyClassName(0b1010)).toBe("hat+mouth");
    expect(() => smiley({ prob: 1.5 })).toThrow("synthetic:smiley: prob must be in [0, 1], got 1.5");
  });
});
