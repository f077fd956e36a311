import { describe, expect, it } from "vitest";
import { DataError } from "./dataset.js";
import { loadData, loaderParams, parseSource, SCHEMES } from "./source.js";
import { generators } from "./synthetic/index.js";

describe("parseSource", () => {
  it("parses synthetic sources with defaults and typed values", () => {
    const p = parseSource("synthetic:moran?rho=0.4&seed=2");
    expect(p.scheme).toBe("synthetic");
    expect(p.target).toBe("moran");
    expect(p.params).toEqual({ n: 1000, rho: 0.4, sigma: 0.5, k: 5, seed: 2 });
    expect(p.where).toBe("synthetic:moran");
    expect(parseSource("synthetic:sparse-linear?nonlinear").params.nonlinear).toBe(true);
    expect(parseSource("synthetic:sparse-linear?nonlinear=false").params.nonlinear).toBe(false);
    expect(parseSource("  synthetic:two-view  ").target).toBe("two-view");
  });
  it("parses file sources with paths and parameters", () => {
    const p = parseSource("idx:/d/train.gz?labels=/d/labels.gz&binarize=0.5&limit=10");
    expect(p.target).toBe("/d/train.gz");
    expect(p.params).toMatchObject({ labels: "/d/labels.gz", binarize: 0.5, limit: 10, test: 0.2, seed: 0 });
    expect(parseSource("csv:data/a%20b.csv").target).toBe("data/a%20b.csv");
    expect(parseSource("ldac:x.dat?vocab=v%20x.txt").params.vocab).toBe("v x.txt");
    expect(parseSource("ratings:r.csv?min=4").params.min).toBe(4);
    expect(parseSource("mtx:m.mtx?transpose=true&kind=counts").params).toMatchObject({ transpose: true, kind: "counts" });
  });
  it("lists every scheme and generator", () => {
    expect([...SCHEMES]).toEqual(["synthetic", "csv", "mtx", "ldac", "idx", "ratings", "h5ad", "colored"]);
    expect(Object.keys(generators)).toEqual(["moran", "smiley", "sparse-linear", "tags", "two-view", "ratings", "cells", "topics", "fair"]);
    expect(Object.keys(loaderParams).sort()).toEqual(["colored", "csv", "h5ad", "idx", "ldac", "mtx", "ratings"]);
  });
  it("rejects bad source strings with helpful errors", () => {
    const bad: Array<[string, string | RegExp]> = [
      ["", /empty data source; expected one of synthetic:<generator>/],
      ["foo.csv", /data source "foo.csv" has no scheme; expected one of synthetic:<generator>\?key=value&\.\.\., csv:<path>/],
      ["xml:foo.xml", 'unknown data source scheme "xml" in "xml:foo.xml"; valid schemes: synthetic, csv, mtx, ldac, idx, ratings, h5ad, colored'],
      ["synthetic:", "synthetic: missing generator name; valid generators: moran, smiley, sparse-linear, tags, two-view, ratings, cells, topics, fair"],
      ["synthetic:mnist", 'unknown synthetic generator "mnist"; valid generators: moran, smiley, sparse-linear, tags, two-view, ratings, cells, topics, fair'],
      ["synthetic:toString", /unknown synthetic generator "toString"/],
      ["synthetic:moran?rh=1", 'synthetic:moran: unknown parameter "rh"; valid parameters: n, rho, sigma, k, seed'],
      ["synthetic:moran?rho=2", "synthetic:moran: rho must be in [-1, 1], got 2"],
      ["synthetic:moran?rho=abc", 'synthetic:moran: rho must be a number, got "abc"'],
      ["synthetic:moran?rho=", 'synthetic:moran: rho must be a number, got ""'],
      ["synthetic:moran?n=10.5", "synthetic:moran: n must be an integer >= 2, got 10.5"],
      ["synthetic:moran?n=0", "synthetic:moran: n must be an integer >= 2, got 0"],
      ["synthetic:moran?rho=0.1&rho=0.2", 'synthetic:moran: parameter "rho" given twice'],
      ["synthetic:sparse-linear?nonlinear=maybe", 'synthetic:sparse-linear: nonlinear must be true or false, got "maybe"'],
      ["synthetic:moran?rho=%E0%A4%A", /synthetic:moran: malformed parameter/],
      ["csv:", "csv: missing file path (expected csv:<path>)"],
      ["csv:a.csv?kind=float", 'csv:a.csv: kind must be one of real, binary, counts, got "float"'],
      ["csv:a.csv?test=1", "csv:a.csv: test must be in [0, 0.99], got 1"],
      ["idx:a?binarize=2", "idx:a: binarize must be in [0, 1], got 2"],
      ["ldac:a?vocab=", 'ldac:a: vocab must be a non-empty string, got ""'],
      ["ratings:r?foo=1", 'ratings:r: unknown parameter "foo"; valid parameters: min, minUserPositives, topItems, items, delimiter, test, seed, limit, preprocess ('],
    ];
    for (const [s, msg] of bad) {
      expect(() => parseSource(s), s).toThrow(DataError);
      expect(() => parseSource(s), s).toThrow(msg);
    }
  });
});

describe("loadData", () => {
  it("generates and validates synthetic data", async () => {
    const ds = await loadData("synthetic:moran?rho=0.2&seed=1");
    expect([ds.n, ds.g]).toEqual([1000, 7]);
    expect(ds.source).toBe("synthetic:moran?rho=0.2&seed=1");
    const s = await loadData("synthetic:smiley?n=20");
    expect(s.g).toBe(1024);
    const sl = await loadData(parseSource("synthetic:sparse-linear?n=50&ntest=10&k=8&l0=3&d=6"));
    expect([sl.n, sl.g, sl.truth!.k]).toEqual([50, 6, 8]);
  });
  it("reports a missing file with the source prefix", async () => {
    await expect(loadData("csv:/nonexistent/x.csv")).rejects.toThrow(/^csv:\/nonexistent\/x.csv: "\/nonexistent\/x.csv" does not exist \(relative paths are read from /);
    // a missing side file names its parameter
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const csv = join(mkdtempSync(join(tmpdir(), "sdgm-src-")), "x.csv");
    writeFileSync(csv, "a,b\n1,2\n3,4\n5,6\n");
    await expect(loadData(`csv:${csv}?labels=/nonexistent/labels.csv`)).rejects.toThrow(`csv:${csv} labels=: "/nonexistent/labels.csv" does not exist`);
  });
});
