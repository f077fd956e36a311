import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadData } from "../source.js";
import { parseRatingsText } from "./ratings.js";

describe("ratings loader", () => {
  it("builds a users × items matrix, skipping a header; min binarises", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-ratings-"));
    const p = join(dir, "ratings.csv");
    writeFileSync(p, "userId,movieId,rating,timestamp\n1,10,5.0,100\n1,11,3.5,101\n2,10,4.0,102\n3,12,1,103\n");
    const ds = await loadData(`ratings:${p}`);
    expect([ds.n, ds.g, ds.kind]).toEqual([3, 3, "real"]);
    expect(ds.featureNames).toEqual(["10", "11", "12"]);
    expect(ds.meta.users).toEqual(["1", "2", "3"]);
    expect(Array.from(ds.x)).toEqual([5, 3.5, 0, 4, 0, 0, 0, 0, 1]);
    const b = await loadData(`ratings:${p}?min=4`);
    expect(b.kind).toBe("binary");
    expect(Array.from(b.x)).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect((await loadData(`ratings:${p}?limit=2`)).n).toBe(2);
  });
  it("reads MovieLens '::' and tab-separated files", () => {
    expect(parseRatingsText("1::1193::5::978300760\n2::1193::4::978300761\n").n).toBe(2);
    const t = parseRatingsText("196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
    expect([t.n, t.g]).toEqual([2, 2]);
  });
  it("names the row and column of bad values", () => {
    const W = "ratings:r.csv";
    expect(() => parseRatingsText("1,2,5\n1,3,x\n", {}, W)).toThrow('ratings:r.csv: line 2, column 3 ("rating"): "x" is not a number');
    expect(() => parseRatingsText("1,2,5\n1,3,nan\n", {}, W)).toThrow('ratings:r.csv: line 2, column 3 ("rating"): value NaN is not finite');
    expect(() => parseRatingsText("1,2\n", {}, W)).toThrow("ratings:r.csv: line 1: expected user, item, rating[, time], got 2 fields");
    expect(() => parseRatingsText("1,2,3\n,2,3\n", {}, W)).toThrow('ratings:r.csv: line 2, column 1 ("user"): empty cell (missing value)');
    // lines as an editor counts them: a header and an empty line count
    expect(() => parseRatingsText("user,item,rating\n1,2,5\n\n1,3,x\n", {}, W)).toThrow('ratings:r.csv: line 4, column 3 ("rating"): "x" is not a number');
    expect(() => parseRatingsText("1\n", {}, W)).toThrow("ratings:r.csv: line 1: expected user, item, rating[, time], got 1 field");
    // a repeated (user, item) pair: which rating counts would be a guess
    expect(() => parseRatingsText("user,item,rating\n1,10,5\n2,10,4\n1,10,3\n", {}, W)).toThrow('ratings:r.csv: line 4: user "1" rates item "10" again (first on line 2); keep one rating per user and item');
  });
});
