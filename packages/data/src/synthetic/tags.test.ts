import { describe, expect, it } from "vitest";
import { syntheticTags } from "./tags.js";
import { tagCounts, validate } from "../dataset.js";
import { parseCsvText } from "../loaders/csv.js";
import { loadData } from "../source.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("synthetic:tags", () => {
  it("1..L0 tags per row with the long-tailed count distribution; tags = the truth's row support", () => {
    const ds = syntheticTags({ n: 6000, seed: 2 });
    validate(ds);
    const T = ds.tags!.names.length;
    expect(T).toBe(50);
    const { counts, distribution } = tagCounts(ds);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(5);
    // P(L = l) ∝ 1/l: 0.438, 0.219, 0.146, 0.109, 0.088
    const want = [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5].map((p) => p / 2.2833);
    want.forEach((p, l) => expect(distribution[l + 1]).toBeCloseTo(p, 1.5));
    expect(Array.from(ds.truth!.levels!)).toEqual(Array.from(counts));
    expect(Array.from(ds.truth!.rowSupport!)).toEqual(Array.from(ds.tags!.y));
    // popular tags are more frequent (tagSkew 0.5)
    const freq = (t: number) => Array.from({ length: ds.n }, (_, i) => ds.tags!.y[i * T + t]).reduce((a, b) => a + b, 0);
    expect(freq(0)).toBeGreaterThan(2 * freq(T - 1));
    expect(ds.split.train.length).toBe(5000);
  });

  it("loads through the source string and describes its tags", async () => {
    const ds = await loadData("synthetic:tags?n=600&tags=20&l0=3&seed=1");
    expect(ds.tags!.names.length).toBe(20);
    expect(Math.max(...tagCounts(ds).counts)).toBeLessThanOrEqual(3);
    expect(() => syntheticTags({ tags: 3, l0: 4 })).toThrow(/l0 must be <= tags/);
  });
});

describe("csv tags= (multi-label)", () => {
  it("reads a column of |- or ;-separated tags into a 0/1 tag matrix, removed from the features", () => {
    const ds = parseCsvText("a,b,tags\n1,2,x|y\n3,4,\n5,6,y;z\n", { tags: "tags", test: 0 }, "csv:inline");
    expect(ds.g).toBe(2);
    expect(ds.tags!.names).toEqual(["x", "y", "z"]);
    expect(Array.from(ds.tags!.y)).toEqual([1, 1, 0, 0, 0, 0, 0, 1, 1]);
    expect(() => parseCsvText("a,b,t\n1,2,x\n", { label: "t", tags: "t" }, "csv:inline")).toThrow(/label= and tags= name the same column/);
    expect(() => parseCsvText("a,b\n1,2\n", { tags: "nope" }, "csv:inline")).toThrow(/tags column "nope" not found/);
  });
});

describe("csv labels= is a side file", () => {
  it("a column name given to labels= is refused with the column options, not read as a missing file", async () => {
    const d = mkdtempSync(join(tmpdir(), "sdgm-tags-"));
    const f = join(d, "x.csv");
    writeFileSync(f, "a,b,tags\n1,2,x|y\n3,4,y\n5,6,z\n");
    await expect(loadData(`csv:${f}?labels=tags&test=0`)).rejects.toThrow(/labels=tags names no file; .*label=tags .*tags=tags/);
    const ds = await loadData(`csv:${f}?tags=tags&test=0`);
    expect(ds.tags!.names).toEqual(["x", "y", "z"]);
  });
});
