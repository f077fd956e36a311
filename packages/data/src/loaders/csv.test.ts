import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loadData } from "../source.js";
import { loadCsv, parseCsvText } from "./csv.js";

let dir: string;
const w = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sdgm-csv-"));
});

describe("csv loader", () => {
  it("loads a CSV with a header via loadData", async () => {
    const rows = ["a,b,age"];
    for (let i = 0; i < 10; i++) rows.push(`${i},${i * 2},${30 + i}`);
    const p = w("h.csv", rows.join("\n") + "\n");
    const ds = await loadData(`csv:${p}`);
    expect([ds.n, ds.g, ds.kind]).toEqual([10, 3, "real"]);
    expect(ds.featureNames).toEqual(["a", "b", "age"]);
    expect(Array.from(ds.x.slice(3, 6))).toEqual([1, 2, 31]);
    expect(ds.split.test.length).toBe(2);
    expect(ds.name).toBe("h");
    const ds2 = await loadData(`csv:${p}?test=0.5&seed=3&limit=4`);
    expect([ds2.n, ds2.split.test.length]).toEqual([4, 2]);
  });
  it("loads without a header, TSV, gzip, and label columns", () => {
    const a = parseCsvText("1,2\n3,4\n", { test: 0 });
    expect(a.featureNames).toEqual(["V1", "V2"]);
    expect(a.meta.header).toBe(false);
    const t = parseCsvText("x\ty\n1\t2\n", {});
    expect(t.featureNames).toEqual(["x", "y"]);
    const gz = w("z.csv.gz", gzipSync(Buffer.from("p,q\n1,0\n0,1\n")));
    const b = loadCsv(gz, { kind: "binary" });
    expect([b.n, b.g, b.kind, b.name]).toEqual([2, 2, "binary", "z"]);
    const l = parseCsvText("f1,cls,f2\n1,cat,2\n3,dog,4\n5,,6\n", { label: "cls" });
    expect(l.g).toBe(2);
    expect(l.featureNames).toEqual(["f1", "f2"]);
    expect(Array.from(l.labels!)).toEqual([0, 1, -1]);
    expect(l.labelNames).toEqual(["cat", "dog"]);
    const li = parseCsvText("1,7\n2,3\n", { label: "2", header: "false" });
    expect(Array.from(li.labels!)).toEqual([7, 3]);
    expect(parseCsvText("1,2\n", { header: true }).n).toBe(0);
  });
  it("names the row and column of bad values", async () => {
    const rows = ["a,b,age"];
    for (let i = 0; i < 20; i++) rows.push(i === 16 ? `1,2,NaN` : `1,2,3`);
    const p = w("foo.csv", rows.join("\n"));
    await expect(loadData(`csv:${p}`)).rejects.toThrow(`csv:${p}: row 17, column 3 ("age"): value NaN is not finite`);
    expect(() => parseCsvText("a,b\n1,x\n", {}, "csv:t.csv")).toThrow('csv:t.csv: row 1, column 2 ("b"): "x" is not a number');
    expect(() => parseCsvText("a,b\n1,2\n3,\n", {}, "csv:t.csv")).toThrow('csv:t.csv: row 2, column 2 ("b"): empty cell (missing value)');
    expect(() => parseCsvText("a,b\n1,2\n3\n", {}, "csv:t.csv")).toThrow("csv:t.csv: row 2 has 1 columns, expected 2");
    expect(() => parseCsvText("", {}, "csv:t.csv")).toThrow("csv:t.csv: the file has no rows");
    expect(() => parseCsvText("a,b\n1,2\n", { label: "c" }, "csv:t.csv")).toThrow('csv:t.csv: label column "c" not found; columns: a, b');
    expect(() => parseCsvText('a,b\n1,"2\n', {}, "csv:t.csv")).toThrow(/csv:t.csv: CSV syntax error/);
    expect(() => parseCsvText("c,a\n1,2\nz,3\n", { label: "c" }, "csv:t.csv")).toThrow(
      'csv:t.csv: row 2, column 1 ("c"): label "z" is not an integer, but earlier labels were',
    );
    const p2 = w("bin.csv", "a,b\n0,1\n1,2\n");
    await expect(loadData(`csv:${p2}?kind=binary`)).rejects.toThrow(/row 2, column 2 \("b"\): value 2 is not 0 or 1 \(kind binary\)/);
    await expect(loadData(`csv:${p2}?kind=counts`)).resolves.toMatchObject({ kind: "counts" });
  });
});
