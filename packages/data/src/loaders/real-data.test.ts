import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadData } from "../source.js";
import { ratingsMatrix } from "../ratings-matrix.js";
import { parseItemsText } from "./items.js";
import { exportDataset, EXPORT_FORMATS } from "./write.js";

const tmp = () => mkdtempSync(join(tmpdir(), "sdgm-real-"));
const rowsOf = (x: Float32Array, g: number) => Array.from({ length: x.length / g }, (_, i) => Array.from(x.subarray(i * g, (i + 1) * g)));

describe("ratings filters (specs/sparse-vae.md §3.1 order)", () => {
  // users 0..3, items 0..3; user 3 has one positive only; item 3 is rated but never liked
  const t = {
    u: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 0]),
    i: Int32Array.from([0, 1, 2, 0, 1, 3, 0, 2, 0, 3, 3]),
    r: Float32Array.from([5, 4, 4, 5, 4, 2, 4, 5, 5, 1, 3]),
    users: 4,
    items: 4,
  };
  it("binarises, keeps users with enough positives, then the top items, then drops empty users", () => {
    const m = ratingsMatrix("r", t, { min: 4, minUserPositives: 2, topItems: 2 });
    // positives: u0 {0,1,2}, u1 {0,1}, u2 {0,2}, u3 {0} -> u3 dropped; item counts 0:3, 1:2, 2:2 -> items 0, 1 (tie: earlier)
    expect(m.steps).toEqual(["min:4", "minUserPositives:2", "topItems:2"]);
    expect(Array.from(m.cols)).toEqual([0, 1]);
    expect(Array.from(m.rows)).toEqual([0, 1, 2]);
    expect(rowsOf(m.x, 2)).toEqual([[1, 1], [1, 1], [1, 0]]);
    expect(m.counts).toMatchObject({ droppedByMinUserPositives: 1, droppedEmpty: 0 });
    // top items counted among the kept users only: user 3's positive on item 0 does not count
    const m2 = ratingsMatrix("r", t, { min: 4, topItems: 1 });
    expect(Array.from(m2.cols)).toEqual([0]);
    expect(m2.steps).toEqual(["min:4", "topItems:1"]);
    // a user whose positives are all outside the top items is dropped (the reference's pivot)
    const m3 = ratingsMatrix("r", { u: Int32Array.from([0, 1, 2]), i: Int32Array.from([0, 1, 0]), r: Float32Array.from([5, 5, 5]), users: 3, items: 2 }, { min: 4, topItems: 1 });
    expect([Array.from(m3.rows), m3.steps, m3.counts.droppedEmpty]).toEqual([[0, 2], ["min:4", "topItems:1", "dropEmptyUsers"], 1]);
  });
  it("refuses minUserPositives without min", () => {
    expect(() => ratingsMatrix("ratings:r", t, { minUserPositives: 2 })).toThrow("ratings:r: minUserPositives needs min=");
  });
  it("a generated file loads back to the generated matrix, truth from the items file", async () => {
    const q = "min=4&minUserPositives=5&topItems=40";
    const gen = await loadData(`synthetic:ratings?users=60&items=120&ratings=3000&${q}`);
    const { source } = await exportDataset(gen, tmp());
    const back = await loadData(`${source}&${q}`);
    expect([back.n, back.g, back.kind]).toEqual([gen.n, gen.g, "binary"]);
    expect(Array.from(back.x)).toEqual(Array.from(gen.x));
    expect(back.featureNames).toEqual(gen.featureNames);
    expect(back.meta.preprocessing).toEqual(["min:4", "minUserPositives:5", "topItems:40"]);
    // the same genres per item, whatever the order of the genre columns
    const genres = (ds: typeof gen) => {
      const K = ds.truth!.k!;
      const names = (ds.truth!.extra as { factorNames: string[] }).factorNames;
      return Array.from({ length: ds.g }, (_, j) => names.filter((_, k) => ds.truth!.support![j * K + k]).sort());
    };
    expect(genres(back)).toEqual(genres(gen));
  });
});

describe("item side files", () => {
  it("reads movies.csv, movies.dat and u.item", () => {
    const csv = parseItemsText('movieId,title,genres\n1,"Toy Story (1995)",Adventure|Animation\n2,X,(no genres listed)\n');
    expect(csv.layout).toBe("movies.csv");
    expect(csv.itemGenres.get("1")!.map((k) => csv.genres[k])).toEqual(["Adventure", "Animation"]);
    expect(csv.itemGenres.get("2")).toEqual([]);
    const dat = parseItemsText("1::Toy Story (1995)::Animation|Children's\n");
    expect([dat.layout, dat.titles.get("1"), dat.genres]).toEqual(["movies.dat", "Toy Story (1995)", ["Animation", "Children's"]]);
    const flags = "0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
    const item = parseItemsText(`1|Toy Story (1995)|01-Jan-1995||http://x|${flags}\n`);
    expect(item.layout).toBe("u.item");
    expect(item.itemGenres.get("1")!.map((k) => item.genres[k])).toEqual(["Animation", "Children's", "Comedy"]);
    expect(() => parseItemsText("a,b\n1,2\n", "items x")).toThrow("items x: expected a header with an id column");
  });
  it("an item missing from the side file is named", async () => {
    const d = tmp();
    writeFileSync(join(d, "r.csv"), "1,10,5\n1,11,4\n");
    writeFileSync(join(d, "i.csv"), "movieId,title,genres\n10,A,Drama\n");
    await expect(loadData(`ratings:${join(d, "r.csv")}?items=${join(d, "i.csv")}`)).rejects.toThrow('item "11" (column 2) is not in the items file');
  });
});

describe("csv index= and labels=", () => {
  it("takes an id column out of the features and joins a label file by id", async () => {
    const d = tmp();
    // pandas' to_csv: the index column's header cell is empty
    writeFileSync(join(d, "x.csv"), ",g1,g2\ncA,1,2\ncB,3,4\ncC,5,6\n");
    writeFileSync(join(d, "l.csv"), "cell,type\ncC,T\ncA,B\ncB,T\n");
    const ds = await loadData(`csv:${join(d, "x.csv")}?index=1&labels=${join(d, "l.csv")}&kind=counts`);
    expect([ds.n, ds.g, ds.featureNames, ds.rowNames]).toEqual([3, 2, ["g1", "g2"], ["cA", "cB", "cC"]]);
    expect(ds.labelNames).toEqual(["B", "T"]);
    expect(Array.from(ds.labels!)).toEqual([0, 1, 1]);
    writeFileSync(join(d, "short.csv"), "cell,type\ncA,B\n");
    await expect(loadData(`csv:${join(d, "x.csv")}?index=1&labels=${join(d, "short.csv")}`)).rejects.toThrow('no label for row 2 ("cB")');
    writeFileSync(join(d, "dup.csv"), "id,g\na,1\na,2\n");
    await expect(loadData(`csv:${join(d, "dup.csv")}?index=id`)).rejects.toThrow('rows 1 and 2 have the same index "a"');
    await expect(loadData(`csv:${join(d, "dup.csv")}?index=cell`)).rejects.toThrow('index column "cell" not found; columns: id, g');
  });
});

describe("mtx: 10x layout", () => {
  it("orients the matrix by the side files and names genes and cells", async () => {
    const d = tmp();
    // 3 genes × 2 cells, as Cell Ranger writes it
    writeFileSync(join(d, "m.mtx"), "%%MatrixMarket matrix coordinate integer general\n3 2 3\n1 1 4\n3 1 1\n2 2 7\n");
    writeFileSync(join(d, "f.tsv"), "ENSG1\tCD3E\tGene Expression\nENSG2\tMS4A1\tGene Expression\nENSG3\tNKG7\tGene Expression\n");
    writeFileSync(join(d, "b.tsv"), "AAAC-1\nAAAG-1\n");
    const ds = await loadData(`mtx:${join(d, "m.mtx")}?features=${join(d, "f.tsv")}&barcodes=${join(d, "b.tsv")}`);
    expect([ds.n, ds.g, ds.kind, ds.featureNames, ds.rowNames]).toEqual([2, 3, "counts", ["CD3E", "MS4A1", "NKG7"], ["AAAC-1", "AAAG-1"]]);
    expect(rowsOf(ds.x, 3)).toEqual([[4, 0, 1], [0, 7, 0]]);
    writeFileSync(join(d, "b3.tsv"), "a\nb\nc\nd\n");
    await expect(loadData(`mtx:${join(d, "m.mtx")}?barcodes=${join(d, "b3.tsv")}`)).rejects.toThrow("the matrix is 3 × 2, but barcodes has 4 lines");
  });
});

describe("ldac: stopwords= and topTerms=", () => {
  it("drops stop words, then keeps the most frequent terms", async () => {
    const d = tmp();
    writeFileSync(join(d, "c.ldac"), "3 0:5 1:2 2:1\n2 1:1 3:4\n1 2:1\n");
    writeFileSync(join(d, "v.txt"), "The\ngoal\nrare\nscore\n");
    const ds = await loadData(`ldac:${join(d, "c.ldac")}?vocab=${join(d, "v.txt")}&stopwords=english&topTerms=2`);
    expect(ds.featureNames).toEqual(["goal", "score"]);
    expect(rowsOf(ds.x, 2)).toEqual([[2, 0], [1, 4], [0, 0]]);
    expect(ds.meta).toMatchObject({ preprocessing: ["stopwords:english", "topTerms:2"], emptyDocuments: 1 });
    await expect(loadData(`ldac:${join(d, "c.ldac")}?stopwords=english`)).rejects.toThrow("stopwords= needs the vocabulary");
  });
});

describe("preprocess=", () => {
  it("applies library size, log1p and top-variance selection in order, and records them", async () => {
    const d = tmp();
    writeFileSync(join(d, "x.csv"), "a,b,c\n1,1,2\n3,1,0\n0,0,0\n");
    const ds = await loadData(`csv:${join(d, "x.csv")}?preprocess=libSize:4,log1p,topVariance:2&test=0`);
    expect(ds.meta.preprocessing).toEqual(["libSize:4", "log1p", "topVariance:2"]);
    expect(ds.kind).toBe("real");
    expect(ds.featureNames).toEqual(["a", "c"]); // b: log1p(1), log1p(1), 0 has the smallest variance
    const r = rowsOf(ds.x, 2);
    expect(r[0][0]).toBeCloseTo(Math.log1p(1), 6);
    expect(r[1][0]).toBeCloseTo(Math.log1p(3), 6);
    expect(r[2]).toEqual([0, 0]);
    const syn = await loadData("synthetic:cells?cells=20&genes=30&preprocess=topVariance:5");
    expect([syn.g, syn.kind, syn.source]).toEqual([5, "counts", "synthetic:cells?cells=20&genes=30&preprocess=topVariance:5"]);
    expect(syn.truth!.support!.length).toBe(5 * syn.truth!.k!);
    await expect(loadData(`csv:${join(d, "x.csv")}?preprocess=log2`)).rejects.toThrow('preprocess step "log2": unknown step; the steps are libSize');
    await expect(loadData(`csv:${join(d, "x.csv")}?preprocess=topVariance:9`)).rejects.toThrow("topVariance:9: the data have only 3 features");
    await expect(loadData(`csv:${join(d, "x.csv")}?bogus=1`)).rejects.toThrow(/valid parameters: .*, preprocess \(/);
  });
});

describe("h5ad", () => {
  it("reads CSR X, obs categories and var names written as AnnData does; every export format round-trips", async () => {
    const ds = await loadData("synthetic:cells?cells=40&genes=25&types=3");
    for (const f of EXPORT_FORMATS.filter((f) => f !== "ratings" && f !== "ldac")) {
      const { source } = await exportDataset(ds, tmp(), f);
      const back = await loadData(source);
      expect([back.n, back.g, back.kind], f).toEqual([40, 25, "counts"]);
      expect(Array.from(back.x), f).toEqual(Array.from(ds.x));
      expect(back.featureNames, f).toEqual(ds.featureNames);
      expect(back.rowNames, f).toEqual(ds.rowNames);
      expect(Array.from(back.labels!, (l) => back.labelNames![l]), f).toEqual(Array.from(ds.labels!, (l) => ds.labelNames![l]));
    }
  });
  it("reads dense X, CSC, integer obs columns and layers, and names what is missing", async () => {
    const { default: h5 } = (await import("h5wasm/node")) as unknown as { default: typeof import("h5wasm") };
    await h5.ready;
    const p = join(tmp(), "d.h5ad");
    const f = new h5.File(p, "w");
    f.create_dataset({ name: "X", data: Float32Array.from([0.5, 1, 2, 3, 4, 5]), shape: [2, 3] });
    const c = f.create_group("layers").create_group("counts");
    c.create_attribute("encoding-type", "csc_matrix");
    c.create_attribute("shape", [2, 3], [2], "<i8");
    c.create_dataset({ name: "data", data: Float32Array.from([1, 2, 3]) });
    c.create_dataset({ name: "indices", data: Int32Array.from([1, 0, 1]) }); // column 0: row 1; column 2: rows 0, 1
    c.create_dataset({ name: "indptr", data: Int32Array.from([0, 1, 1, 3]) });
    const obs = f.create_group("obs");
    obs.create_attribute("_index", "_index");
    obs.create_dataset({ name: "_index", data: ["c1", "c2"] });
    obs.create_dataset({ name: "batch", data: Int32Array.from([2, 0]) });
    f.close();
    const dense = await loadData(`h5ad:${p}?label=batch`);
    expect([dense.kind, rowsOf(dense.x, 3), Array.from(dense.labels!), dense.rowNames]).toEqual(["real", [[0.5, 1, 2], [3, 4, 5]], [2, 0], ["c1", "c2"]]);
    const counts = await loadData(`h5ad:${p}?layer=counts`);
    expect([counts.kind, rowsOf(counts.x, 3)]).toEqual(["counts", [[0, 0, 2], [1, 0, 3]]]);
    await expect(loadData(`h5ad:${p}?layer=raw`)).rejects.toThrow("no layers/raw in the file; layers: counts");
    await expect(loadData(`h5ad:${p}?label=cell_type`)).rejects.toThrow('obs has no column "cell_type"; columns: batch');
    await expect(loadData(`h5ad:${join(tmp(), "none.h5ad")}`)).rejects.toThrow(/cannot read ".*none.h5ad": no such file/);
    const junk = join(tmp(), "junk.h5ad");
    writeFileSync(junk, "not hdf5");
    await expect(loadData(`h5ad:${junk}`)).rejects.toThrow(/cannot open ".*junk.h5ad" as HDF5/);
  });
});

describe("generators with known structure", () => {
  it("cells: library sizes vary widely, types are labelled, genes load on few programs", async () => {
    const ds = await loadData("synthetic:cells?cells=300&genes=200");
    const lib = Array.from({ length: ds.n }, (_, i) => ds.x.subarray(i * ds.g, (i + 1) * ds.g).reduce((a, b) => a + b, 0));
    const sorted = [...lib].sort((a, b) => a - b);
    expect(sorted[Math.floor(0.84 * ds.n)] / sorted[Math.floor(0.16 * ds.n)]).toBeGreaterThan(2); // log-normal, SD 0.6
    expect(new Set(ds.labels).size).toBe(6);
    const perGene = Array.from({ length: ds.g }, (_, j) => ds.truth!.support!.subarray(j * 6, j * 6 + 6).reduce((a, b) => a + b, 0));
    expect(Math.max(...perGene)).toBeLessThanOrEqual(2);
  });
  it("topics: stop words dominate the counts, topic words belong to one or two topics", async () => {
    const ds = await loadData("synthetic:topics?docs=200&vocab=500&topics=4");
    const total = ds.x.reduce((a, b) => a + b, 0);
    let stop = 0;
    for (let i = 0; i < ds.n; i++) for (let j = 0; j < 40; j++) stop += ds.x[i * ds.g + j];
    expect(stop / total).toBeGreaterThan(0.2);
    expect(ds.featureNames!.slice(40, 42)).toEqual(["sport1", "sport2"]);
    expect(ds.featureNames![49]).toBe("sport+music10");
  });
  it("ratings: MovieLens 100K's size by default, deterministic in the seed", async () => {
    const a = await loadData("synthetic:ratings?users=50&items=80&ratings=2000&seed=3");
    const b = await loadData("synthetic:ratings?users=50&items=80&ratings=2000&seed=3");
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    const rated = a.x.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
    expect(rated).toBeGreaterThan(1600);
    expect(rated).toBeLessThan(2400);
  });
});
