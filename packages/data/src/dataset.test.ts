import { describe as suite, expect, it } from "vitest";
import { Key } from "@sparse-dgm/core";
import {
  columnMeans,
  columnSds,
  DataError,
  describe,
  formatDescription,
  gatherRows,
  headTailSplit,
  minibatches,
  randomSplit,
  rows,
  splitFromFolds,
  subset,
  validate,
  type Dataset,
} from "./dataset.js";

function tiny(over: Partial<Dataset> = {}): Dataset {
  return {
    name: "tiny",
    source: "csv:foo.csv",
    x: Float32Array.from([1, 2, 3, 4, 5, 6]),
    n: 3,
    g: 2,
    kind: "real",
    featureNames: ["a", "age"],
    split: { train: Int32Array.from([0, 1]), test: Int32Array.from([2]) },
    meta: {},
    ...over,
  };
}

suite("row helpers", () => {
  it("rows gathers a subset in order", () => {
    expect(Array.from(rows(tiny(), [2, 0]))).toEqual([5, 6, 1, 2]);
  });
  it("gatherRows keeps the typed-array kind", () => {
    const r = gatherRows(Uint8Array.from([1, 0, 0, 1, 1, 1]), 2, [1]);
    expect(r).toBeInstanceOf(Uint8Array);
    expect(Array.from(r)).toEqual([0, 1]);
  });
  it("subset gathers labels and row-indexed truth", () => {
    const ds = tiny({ labels: Int32Array.from([0, 1, -1]), truth: { k: 1, z: Float32Array.from([7, 8, 9]), levels: Int32Array.from([1, 2, 3]) } });
    const s = subset(ds, [2, 1]);
    expect(s.n).toBe(2);
    expect(Array.from(s.x)).toEqual([5, 6, 3, 4]);
    expect(Array.from(s.labels!)).toEqual([-1, 1]);
    expect(Array.from(s.truth!.z!)).toEqual([9, 8]);
    expect(Array.from(s.truth!.levels!)).toEqual([3, 2]);
    expect(s.split.train.length).toBe(2);
    validate(s);
  });
  it("per-row attributes: gathered by subset, checked by validate, counted by describe", () => {
    const ds = tiny({ attributes: { sensitive: Int32Array.from([1, 0, -1]) } });
    expect(Array.from(subset(ds, [2, 0]).attributes!.sensitive)).toEqual([-1, 1]);
    expect(describe(ds).attributes).toEqual({ sensitive: { missing: 1, counts: { "0": 1, "1": 1 } } });
    expect(formatDescription(describe(ds))).toContain("attribute sensitive: 0: 1, 1: 1, 1 missing");
    expect(() => validate(tiny({ attributes: { env: Int32Array.from([0, 1]) } }))).toThrow('csv:foo.csv: attribute "env" has 2 values for 3 rows');
    expect(() => validate(tiny({ attributes: { env: Int32Array.from([0, -2, 1]) } }))).toThrow('csv:foo.csv: row 2: attribute "env" is -2, expected an integer >= -1 (-1 = missing)');
  });
  it("column means and SDs (ddof 0 and 1)", () => {
    const ds = tiny();
    expect(Array.from(columnMeans(ds))).toEqual([3, 4]);
    const sd0 = columnSds(ds);
    expect(sd0[0]).toBeCloseTo(Math.sqrt(8 / 3), 10);
    expect(columnSds(ds, { ddof: 1 })[1]).toBeCloseTo(2, 10);
    expect(columnSds(ds, { rows: [0, 1] })[0]).toBeCloseTo(1, 10);
  });
});

suite("splits and minibatches", () => {
  it("randomSplit is seeded, sorted, disjoint and complete", () => {
    const a = randomSplit(100, 0.2, 0);
    const b = randomSplit(100, 0.2, 0);
    const c = randomSplit(100, 0.2, 1);
    expect(a.test.length).toBe(20);
    expect(a.train.length).toBe(80);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    const all = [...a.train, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a.train)).toEqual([...a.train].sort((x, y) => x - y));
    expect(() => randomSplit(10, 1)).toThrow(/test fraction must be in \[0, 1\), got 1/);
  });
  it("splitFromFolds and headTailSplit", () => {
    const s = splitFromFolds([0, 1, 1, 0]);
    expect(Array.from(s.train)).toEqual([1, 2]);
    expect(Array.from(s.test)).toEqual([0, 3]);
    const h = headTailSplit(5, 3);
    expect(Array.from(h.train)).toEqual([0, 1, 2]);
    expect(Array.from(h.test)).toEqual([3, 4]);
  });
  it("minibatches cover the indices once and are seeded", () => {
    const idx = Int32Array.from({ length: 25 }, (_, i) => 100 + i);
    const b = minibatches(idx, 10, Key.of(3));
    expect(b.map((x) => x.length)).toEqual([10, 10, 5]);
    expect([...b.flatMap((x) => Array.from(x))].sort((x, y) => x - y)).toEqual(Array.from(idx));
    expect(minibatches(idx, 10, Key.of(3), { dropLast: true }).length).toBe(2);
    expect(Array.from(minibatches(idx, 10, Key.of(3))[0])).toEqual(Array.from(b[0]));
    expect(() => minibatches(idx, 0, Key.of(0))).toThrow(/batchSize must be an integer >= 1, got 0/);
  });
});

suite("validate", () => {
  it("accepts a good dataset", () => {
    expect(validate(tiny())).toBeDefined();
  });
  it("names the row and column of a non-finite value", () => {
    const x = new Float32Array(40);
    x[16 * 2 + 1] = NaN;
    const ds = tiny({ x, n: 20, split: { train: new Int32Array(0), test: new Int32Array(0) } });
    expect(() => validate(ds)).toThrow(DataError);
    expect(() => validate(ds)).toThrow('csv:foo.csv: row 17, column 2 ("age"): value NaN is not finite');
  });
  it("without feature names omits the name", () => {
    const ds = tiny({ featureNames: undefined, x: Float32Array.from([1, 2, Infinity, 4, 5, 6]) });
    expect(() => validate(ds)).toThrow("csv:foo.csv: row 2, column 1: value Infinity is not finite");
  });
  it("checks binary and counts kinds", () => {
    expect(() => validate(tiny({ kind: "binary" }))).toThrow('row 1, column 2 ("age"): value 2 is not 0 or 1 (kind binary)');
    expect(() => validate(tiny({ kind: "counts", x: Float32Array.from([1, 2, 3, 4.5, 5, 6]) }))).toThrow(
      'row 2, column 2 ("age"): value 4.5 is not a non-negative integer (kind counts)',
    );
    expect(() => validate(tiny({ kind: "counts", x: Float32Array.from([1, -2, 3, 4, 5, 6]) }))).toThrow(/row 1, column 2.*value -2/);
    expect(validate(tiny({ kind: "counts" })).kind).toBe("counts");
    expect(validate(tiny({ kind: "binary", x: Float32Array.from([0, 1, 1, 0, 0, 0]) })).kind).toBe("binary");
  });
  it("checks shapes, names, labels, split and truth", () => {
    expect(() => validate(tiny({ n: 4 }))).toThrow(/x has 6 values, expected n×g = 4×2 = 8/);
    expect(() => validate(tiny({ featureNames: ["a"] }))).toThrow(/1 feature names for 2 columns/);
    expect(() => validate(tiny({ labels: Int32Array.from([0, 1]) }))).toThrow(/2 labels for 3 rows/);
    expect(() => validate(tiny({ labels: Int32Array.from([0, -2, 1]) }))).toThrow(/row 2: label -2 is < -1/);
    expect(() => validate(tiny({ split: { train: Int32Array.from([0, 1]), test: Int32Array.from([1]) } }))).toThrow(/row 2 appears twice/);
    expect(() => validate(tiny({ split: { train: Int32Array.from([0, 3]), test: new Int32Array(0) } }))).toThrow(/split.train index 3 out of range/);
    expect(() => validate(tiny({ truth: { k: 2, z: new Float32Array(5) } }))).toThrow(/truth.z has 5 values/);
    expect(() => validate(tiny({ truth: { k: 2, W: new Float32Array(5) } }))).toThrow(/truth.W has 5 values/);
    expect(() => validate(tiny({ truth: { k: 2, support: new Uint8Array(5) } }))).toThrow(/truth.support has 5 values/);
    expect(() => validate(tiny({ n: 1.5 }))).toThrow(/bad shape/);
  });
});

suite("describe", () => {
  it("summarises shape, kind, split, columns, preview, labels and truth", () => {
    const ds = tiny({
      labels: Int32Array.from([0, 1, -1]),
      labelNames: ["cat", "dog"],
      truth: { k: 1, z: new Float32Array(3), W: Float32Array.from([1, 0]), support: Uint8Array.from([1, 0]), extra: { a: 1 } },
    });
    const d = describe(ds, { maxCols: 1, previewRows: 2 });
    expect(d.shape).toEqual([3, 2]);
    expect(d.kind).toBe("real");
    expect(d.split).toEqual({ train: 2, test: 1 });
    // two columns, one shown: the one with the larger variance (column 0: 1, 3, 5)
    expect(d.columns).toEqual([{ index: 0, name: "a", min: 1, mean: 3, max: 5 }]);
    expect(d.columnsBy).toBe("variance");
    expect(d.preview).toEqual([[1], [3]]);
    // an image's first pixels are blank: the columns shown are the ones that vary, in column order
    const wide = tiny({ g: 4, x: Float32Array.from([0, 9, 0, 1, 0, 0, 0, 2, 0, 9, 0, 3]) });
    const dw = describe(wide, { maxCols: 2 });
    expect(dw.columns.map((c) => c.index)).toEqual([1, 3]);
    expect(dw.preview).toEqual([[9, 1], [0, 2], [9, 3]]);
    expect(formatDescription(dw)).toContain("columns (the 2 of 4 with the largest variance):");
    expect(describe(wide).columnsBy).toBe("all");
    expect(d.labels).toEqual({ classes: 2, missing: 1, counts: { cat: 1, dog: 1 } });
    expect(d.truth).toMatchObject({ k: 1, z: [3, 1], W: [2, 1], support: { nonzeros: 1 }, extra: ["a"] });
    const text = formatDescription(d);
    expect(text).toContain("shape 3 × 2, kind real, split 2 train / 1 test");
    expect(text).toContain("labels: 2 classes, 1 missing");
  });
});
