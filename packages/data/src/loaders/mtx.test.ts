import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadData } from "../source.js";
import { parseMtxText } from "./mtx.js";

describe("mtx loader", () => {
  it("coordinate integer → counts, with transpose and limit, via loadData", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-mtx-"));
    const p = join(dir, "m.mtx");
    writeFileSync(p, "%%MatrixMarket matrix coordinate integer general\n% a comment\n2 3 3\n1 1 5\n2 3 1\n1 2 2\n");
    const ds = await loadData(`mtx:${p}`);
    expect([ds.n, ds.g, ds.kind]).toEqual([2, 3, "counts"]);
    expect(Array.from(ds.x)).toEqual([5, 2, 0, 0, 0, 1]);
    const t = await loadData(`mtx:${p}?transpose=true`);
    expect([t.n, t.g]).toEqual([3, 2]);
    expect(Array.from(t.x)).toEqual([5, 0, 2, 0, 0, 1]);
    expect((await loadData(`mtx:${p}?limit=1`)).n).toBe(1);
    expect((await loadData(`mtx:${p}?kind=real`)).kind).toBe("real");
  });
  it("real, pattern, symmetric and array formats", () => {
    expect(parseMtxText("%%MatrixMarket matrix coordinate real general\n1 2 1\n1 2 -1.5e0\n").kind).toBe("real");
    const pat = parseMtxText("%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 1\n2 2\n");
    expect([pat.kind, ...pat.x]).toEqual(["binary", 1, 0, 0, 1]);
    const sym = parseMtxText("%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1\n2 1 3\n");
    expect(Array.from(sym.x)).toEqual([1, 3, 3, 0]);
    const skew = parseMtxText("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 3\n");
    expect(Array.from(skew.x)).toEqual([0, -3, 3, 0]);
    const arr = parseMtxText("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
    expect(Array.from(arr.x)).toEqual([1, 3, 2, 4]); // column-major listing
    expect(parseMtxText("%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 -2\n").kind).toBe("real");
  });
  it("reports syntax errors with line numbers and bad values with row/column", async () => {
    const W = "mtx:m.mtx";
    expect(() => parseMtxText("hello\n", {}, W)).toThrow(/mtx:m.mtx: line 1: expected "%%MatrixMarket matrix/);
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate complex general\n", {}, W)).toThrow(/field must be real, double, integer or pattern, got complex/);
    expect(() => parseMtxText("%%MatrixMarket matrix crd real general\n", {}, W)).toThrow(/format must be coordinate or array/);
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real hermitian\n", {}, W)).toThrow(/symmetry must be/);
    expect(() => parseMtxText("%%MatrixMarket matrix array pattern general\n", {}, W)).toThrow(/array format cannot have a pattern field/);
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real general\n2 2\n", {}, W)).toThrow('mtx:m.mtx: line 2: expected M N NNZ, got "2 2"');
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n", {}, W)).toThrow("mtx:m.mtx: line 3: entry (3, 1) is outside the 2 × 2 matrix");
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 x\n", {}, W)).toThrow('mtx:m.mtx: line 3: "x" is not a number');
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real general\n2 2 1\n1\n", {}, W)).toThrow('mtx:m.mtx: line 3: expected "i j value", got "1"');
    expect(() => parseMtxText("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n", {}, W)).toThrow("mtx:m.mtx: expected 2 entries, found 1");
    const dir = mkdtempSync(join(tmpdir(), "sdgm-mtx-"));
    const p = join(dir, "nan.mtx");
    writeFileSync(p, "%%MatrixMarket matrix coordinate real general\n3 4 1\n2 3 nan\n");
    await expect(loadData(`mtx:${p}`)).rejects.toThrow(`mtx:${p}: row 2, column 3: value NaN is not finite`);
  });
});
