/**
 * Writes a dataset as the files a real data set of its kind comes in, so that generated data go
 * through the file sources end to end (`sdgm data <source> --export <dir>`):
 *
 * | format | files | read back with |
 * |---|---|---|
 * | `ratings` | `ratings.tsv` (user, item, rating, time: MovieLens 100K's u.data layout), `items.csv` (movieId, title, genres) | `ratings:<dir>/ratings.tsv?items=<dir>/items.csv` |
 * | `mtx` | 10x layout: `matrix.mtx` (features × barcodes), `features.tsv`, `barcodes.tsv`, `labels.csv` | `mtx:<dir>/matrix.mtx?features=...&barcodes=...&labels=...` |
 * | `csv` | `data.csv` (an id column, then the features), `labels.csv` | `csv:<dir>/data.csv?index=id&labels=<dir>/labels.csv` |
 * | `ldac` | `corpus.ldac`, `vocab.txt` | `ldac:<dir>/corpus.ldac?vocab=<dir>/vocab.txt` |
 * | `h5ad` | `data.h5ad` (X as CSR, obs index and `label`, var index) | `h5ad:<dir>/data.h5ad?label=label` |
 *
 * A `synthetic:ratings` dataset is written from its raw draws (every rating, before `min` and the
 * filters), as a MovieLens release would be. Node-only.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError, type Dataset } from "../dataset.js";
import { drawRatings } from "../synthetic/ratings.js";

/** The export formats. */
export const EXPORT_FORMATS = ["ratings", "mtx", "csv", "ldac", "h5ad"] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What {@link exportDataset} wrote. */
export interface Exported {
  files: string[];
  /** The source string that loads the files back. */
  source: string;
}

/** The natural format of a dataset: its generator's kind, else csv. */
export function defaultFormat(ds: Dataset): ExportFormat {
  const gen = ds.meta.generator;
  return gen === "ratings" ? "ratings" : gen === "cells" ? "mtx" : gen === "topics" ? "ldac" : "csv";
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Writes `ds` to `dir` in `format` (default {@link defaultFormat}).
 *
 * @example
 * ```ts
 * const { source } = await exportDataset(await loadData("synthetic:topics"), "/tmp/corpus");
 * // "ldac:/tmp/corpus/corpus.ldac?vocab=/tmp/corpus/vocab.txt"
 * ```
 */
export async function exportDataset(ds: Dataset, dir: string, format: ExportFormat = defaultFormat(ds)): Promise<Exported> {
  mkdirSync(dir, { recursive: true });
  const at = (f: string) => resolve(join(dir, f));
  const rowId = (i: number) => ds.rowNames?.[i] ?? String(i + 1);
  const featureName = (j: number) => ds.featureNames?.[j] ?? `V${j + 1}`;
  const integerCheck = (what: string) => {
    for (let t = 0; t < ds.x.length; t++) {
      const v = ds.x[t];
      if (!(v >= 0 && Number.isInteger(v))) throw new DataError(`${ds.source}: cannot write ${what}: row ${Math.floor(t / ds.g) + 1}, column ${(t % ds.g) + 1} is ${v}, not a non-negative integer`);
    }
  };
  const labelsFile = (files: string[]) => {
    if (!ds.labels) return undefined;
    const lines = ["id,label", ...Array.from(ds.labels, (l, i) => `${csvCell(rowId(i))},${l < 0 ? "" : csvCell(ds.labelNames?.[l] ?? String(l))}`)];
    writeFileSync(at("labels.csv"), lines.join("\n") + "\n");
    files.push(at("labels.csv"));
    return at("labels.csv");
  };
  const files: string[] = [];
  switch (format) {
    case "ratings": {
      const lines: string[] = [];
      let items: Array<{ id: string; title: string; genres: string[] }>;
      if (ds.meta.generator === "ratings") {
        const p = ds.meta.params as { users: number; items: number; genres: number; ratings: number; seed: number };
        const d = drawRatings(p);
        for (let t = 0; t < d.u.length; t++) lines.push(`${d.u[t] + 1}\t${d.i[t] + 1}\t${d.r[t]}\t${874724710 + t}`);
        items = d.titles.map((title, j) => ({ id: String(j + 1), title, genres: d.itemGenres[j].map((g) => d.genreNames[g]) }));
      } else {
        for (let i = 0; i < ds.n; i++) for (let j = 0; j < ds.g; j++) if (ds.x[i * ds.g + j] !== 0) lines.push(`${rowId(i)}\t${j + 1}\t${ds.x[i * ds.g + j]}\t${874724710 + lines.length}`);
        const names = ds.truth?.extra?.factorNames as string[] | undefined;
        const K = ds.truth?.wCols ?? ds.truth?.k ?? 0;
        items = Array.from({ length: ds.g }, (_, j) => ({
          id: String(j + 1),
          title: featureName(j),
          genres: ds.truth?.support && names ? names.filter((_, k) => ds.truth!.support![j * K + k]) : [],
        }));
      }
      writeFileSync(at("ratings.tsv"), lines.join("\n") + "\n");
      writeFileSync(at("items.csv"), ["movieId,title,genres", ...items.map((it) => `${it.id},${csvCell(it.title)},${csvCell(it.genres.join("|") || "(no genres listed)")}`)].join("\n") + "\n");
      files.push(at("ratings.tsv"), at("items.csv"));
      return { files, source: `ratings:${at("ratings.tsv")}?items=${at("items.csv")}` };
    }
    case "mtx": {
      integerCheck("a MatrixMarket integer matrix");
      const entries: string[] = [];
      for (let j = 0; j < ds.g; j++) for (let i = 0; i < ds.n; i++) if (ds.x[i * ds.g + j] !== 0) entries.push(`${j + 1} ${i + 1} ${ds.x[i * ds.g + j]}`);
      writeFileSync(at("matrix.mtx"), `%%MatrixMarket matrix coordinate integer general\n%metadata_json: {"format_version": 2, "software_version": "sparse-dgm export"}\n${ds.g} ${ds.n} ${entries.length}\n${entries.join("\n")}\n`);
      const ids = ds.meta.featureIds as string[] | undefined;
      writeFileSync(at("features.tsv"), Array.from({ length: ds.g }, (_, j) => `${ids?.[j] ?? `GENE${String(j + 1).padStart(5, "0")}`}\t${featureName(j)}\tGene Expression`).join("\n") + "\n");
      writeFileSync(at("barcodes.tsv"), Array.from({ length: ds.n }, (_, i) => rowId(i)).join("\n") + "\n");
      files.push(at("matrix.mtx"), at("features.tsv"), at("barcodes.tsv"));
      const lab = labelsFile(files);
      return { files, source: `mtx:${at("matrix.mtx")}?features=${at("features.tsv")}&barcodes=${at("barcodes.tsv")}${lab ? `&labels=${lab}` : ""}` };
    }
    case "csv": {
      const lines = [["id", ...Array.from({ length: ds.g }, (_, j) => csvCell(featureName(j)))].join(",")];
      for (let i = 0; i < ds.n; i++) lines.push([csvCell(rowId(i)), ...Array.from(ds.x.subarray(i * ds.g, (i + 1) * ds.g), String)].join(","));
      writeFileSync(at("data.csv"), lines.join("\n") + "\n");
      files.push(at("data.csv"));
      const lab = labelsFile(files);
      return { files, source: `csv:${at("data.csv")}?index=id${lab ? `&labels=${lab}` : ""}${ds.kind !== "real" ? `&kind=${ds.kind}` : ""}` };
    }
    case "ldac": {
      integerCheck("LDA-C counts");
      const lines: string[] = [];
      for (let i = 0; i < ds.n; i++) {
        const pairs: string[] = [];
        for (let j = 0; j < ds.g; j++) if (ds.x[i * ds.g + j] !== 0) pairs.push(`${j}:${ds.x[i * ds.g + j]}`);
        lines.push(`${pairs.length}${pairs.length ? " " + pairs.join(" ") : ""}`);
      }
      writeFileSync(at("corpus.ldac"), lines.join("\n") + "\n");
      writeFileSync(at("vocab.txt"), Array.from({ length: ds.g }, (_, j) => featureName(j)).join("\n") + "\n");
      files.push(at("corpus.ldac"), at("vocab.txt"));
      return { files, source: `ldac:${at("corpus.ldac")}?vocab=${at("vocab.txt")}` };
    }
    case "h5ad": {
      const mod = await import("h5wasm/node");
      const h5 = ((mod as unknown as { default?: typeof import("h5wasm") }).default ?? mod) as typeof import("h5wasm");
      await h5.ready;
      const f = new h5.File(at("data.h5ad"), "w");
      try {
        f.create_attribute("encoding-type", "anndata");
        f.create_attribute("encoding-version", "0.1.0");
        const data: number[] = [];
        const indices: number[] = [];
        const indptr: number[] = [0];
        for (let i = 0; i < ds.n; i++) {
          for (let j = 0; j < ds.g; j++) {
            const v = ds.x[i * ds.g + j];
            if (v !== 0) {
              data.push(v);
              indices.push(j);
            }
          }
          indptr.push(data.length);
        }
        const X = f.create_group("X");
        X.create_attribute("encoding-type", "csr_matrix");
        X.create_attribute("encoding-version", "0.1.0");
        X.create_attribute("shape", [ds.n, ds.g], [2], "<i8");
        X.create_dataset({ name: "data", data: Float32Array.from(data) });
        X.create_dataset({ name: "indices", data: Int32Array.from(indices) });
        X.create_dataset({ name: "indptr", data: Int32Array.from(indptr) });
        const frame = (name: string, index: string[], columns: string[]) => {
          const g = f.create_group(name);
          g.create_attribute("encoding-type", "dataframe");
          g.create_attribute("encoding-version", "0.2.0");
          g.create_attribute("_index", "_index");
          if (columns.length) g.create_attribute("column-order", columns);
          g.create_dataset({ name: "_index", data: index });
          return g;
        };
        const obs = frame("obs", Array.from({ length: ds.n }, (_, i) => rowId(i)), ds.labels ? ["label"] : []);
        if (ds.labels) {
          const names = ds.labelNames ?? [...new Set(Array.from(ds.labels).filter((l) => l >= 0))].sort((a, b) => a - b).map(String);
          const codeOf = (l: number) => (l < 0 ? -1 : ds.labelNames ? l : names.indexOf(String(l)));
          const c = obs.create_group("label");
          c.create_attribute("encoding-type", "categorical");
          c.create_attribute("encoding-version", "0.2.0");
          c.create_dataset({ name: "categories", data: names });
          c.create_dataset({ name: "codes", data: names.length < 128 ? Int8Array.from(ds.labels, codeOf) : Int32Array.from(ds.labels, codeOf) });
        }
        frame("var", Array.from({ length: ds.g }, (_, j) => featureName(j)), []);
      } finally {
        f.close();
      }
      files.push(at("data.h5ad"));
      return { files, source: `h5ad:${at("data.h5ad")}${ds.labels ? "?label=label" : ""}` };
    }
  }
}
