import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describe as describeDs } from "../dataset.js";
import { loadData } from "../source.js";
import { parseLdacText } from "./ldac.js";

describe("ldac loader", () => {
  it("loads documents × vocabulary counts with a vocab file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-ldac-"));
    const p = join(dir, "docs.dat");
    const v = join(dir, "vocab.txt");
    writeFileSync(p, "2 0:3 2:1\n1 1:4\n\n3 0:1 1:1 3:2\n");
    writeFileSync(v, "apple\nbanana\ncherry\ndate\n\n");
    const ds = await loadData(`ldac:${p}?vocab=${v}&test=0.25`);
    expect([ds.n, ds.g, ds.kind]).toEqual([3, 4, "counts"]);
    expect(ds.featureNames).toEqual(["apple", "banana", "cherry", "date"]);
    expect(Array.from(ds.x)).toEqual([3, 0, 1, 0, 0, 4, 0, 0, 1, 1, 0, 2]);
    expect(ds.split.test.length).toBe(1);
    expect(describeDs(ds).columns[0].name).toBe("apple");
    const nov = await loadData(`ldac:${p}`);
    expect(nov.g).toBe(4);
    expect(nov.featureNames).toBeUndefined();
  });
  it("reports bad lines with row and column", () => {
    const W = "ldac:d.dat";
    const vocab = ["a", "b", "c"];
    expect(() => parseLdacText("2 0:1\n", { vocab }, W)).toThrow("ldac:d.dat: row 1: declares 2 terms but lists 1");
    expect(() => parseLdacText("x 0:1\n", { vocab }, W)).toThrow('ldac:d.dat: row 1: expected a term count first, got "x"');
    expect(() => parseLdacText("1 0:1\n1 0-1\n", { vocab }, W)).toThrow('ldac:d.dat: row 2: expected "id:count", got "0-1"');
    expect(() => parseLdacText("1 1:-1\n", { vocab }, W)).toThrow('ldac:d.dat: row 1, column 2 ("b"): count "-1" is not a non-negative integer');
    expect(() => parseLdacText("1 1:2.5\n", {}, W)).toThrow('ldac:d.dat: row 1, column 2: count "2.5" is not a non-negative integer');
    expect(() => parseLdacText("1 5:1\n", { vocab }, W)).toThrow("ldac:d.dat: row 1, column 6: term id 5 is outside the vocabulary of 3 terms");
    expect(parseLdacText("1 0:1\n1 1:1\n1 2:1\n", { limit: 2 }).n).toBe(2);
  });
});
