/**
 * AnnData loader (`h5ad:<path>`), read through `h5wasm` (the HDF5 C library compiled to
 * WebAssembly, maintained by NIST; it reads compressed chunked datasets and variable-length
 * strings, and writes the files the tests make). What it reads, as anndata ≥ 0.7 writes it:
 *
 * - `X` (or `layers/<layer>` with `layer=`): a dense 2-D dataset, or a group with
 *   `encoding-type` `csr_matrix` / `csc_matrix` holding `data`, `indices`, `indptr` and the
 *   `shape` attribute; rows are observations (cells);
 * - `obs`: the index (`_index`, or the column the group's `_index` attribute names) as row names;
 *   `label=<column>` as class labels: a categorical column (a group with `categories` and
 *   `codes`, or anndata 0.7's `__categories/<column>` beside a codes dataset), or a string or
 *   integer column;
 * - `var`: the index as feature names, or `names=<column>`.
 *
 * The kind is `counts` when every value is a non-negative integer (counts stored as floats
 * included), else `real`, unless `kind=` says. Node-only.
 */
import { DataError, randomSplit, type DataKind, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { baseName, denseMatrix } from "./common.js";

/** Options of {@link loadH5ad}. */
export interface H5adOptions {
  /** An obs column to use as class labels. */
  label?: string;
  /** Read `layers/<layer>` instead of `X`. */
  layer?: string;
  /** A var column to use as feature names. */
  names?: string;
  kind?: DataKind;
  test?: number;
  seed?: number;
  limit?: number;
}

type H5 = typeof import("h5wasm");
type Entity = ReturnType<InstanceType<H5["File"]>["get"]>;
type Node = NonNullable<Entity>;
type H5Group = InstanceType<H5["Group"]>;
type H5Dataset = InstanceType<H5["Dataset"]>;

let h5: Promise<H5> | undefined;
/** h5wasm's Node build, loaded (and its WebAssembly instantiated) on first use. */
async function h5wasm(): Promise<H5> {
  h5 ??= import("h5wasm/node").then(async (m) => {
    const mod = ((m as unknown as { default?: H5 }).default ?? m) as H5;
    await mod.ready;
    return mod;
  });
  return h5;
}

/** The 8-byte HDF5 signature at offset 0, 512, 1024, 2048, ... (after a user block). */
function hasHdf5Signature(path: string): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off <= 1 << 20; off = off === 0 ? 512 : off * 2) {
      if (readSync(fd, buf, 0, 8, off) < 8) return false;
      if (sig.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : Number(v));

function isGroup(e: Node | null | undefined, mod: H5): e is H5Group {
  return e instanceof mod.Group;
}
function isDataset(e: Node | null | undefined, mod: H5): e is H5Dataset {
  return e instanceof mod.Dataset;
}

/** The entity at `path` under `g`, or undefined, asking HDF5 only for links that exist (a miss prints HDF5 diagnostics). */
function child(g: { keys(): string[]; get(p: string): Entity }, path: string, mod: H5): Node | undefined {
  let cur: Node | undefined = g as unknown as Node;
  for (const part of path.split("/")) {
    if (!isGroup(cur, mod) && cur !== (g as unknown as Node)) return undefined;
    const grp = cur as unknown as H5Group;
    if (!grp.keys().includes(part)) return undefined;
    cur = grp.get(part) ?? undefined;
  }
  return cur;
}

function attr(e: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  return e.attrs[name]?.value;
}

/** A 1-D dataset's values as strings (string arrays) or numbers. */
function column(d: H5Dataset): Array<string | number> {
  const v = d.value as unknown;
  if (Array.isArray(v)) return v.map((x) => (typeof x === "bigint" ? Number(x) : (x as string | number)));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, num);
  return [v as string | number];
}

/**
 * Reads an .h5ad file into a dense cells × features dataset.
 *
 * @example
 * ```ts
 * const ds = await loadH5ad("pbmc3k.h5ad", { label: "louvain", layer: "counts" });
 * ```
 */
export async function loadH5ad(path: string, opts: H5adOptions = {}, where = `h5ad:${path}`): Promise<Dataset> {
  const mod = await h5wasm();
  if (!existsSync(path)) throw new DataError(`${where}: cannot read ${JSON.stringify(path)}: no such file`);
  if (!hasHdf5Signature(path)) throw new DataError(`${where}: cannot open ${JSON.stringify(path)} as HDF5: no HDF5 signature (is it an .h5ad file?)`);
  let f: InstanceType<H5["File"]>;
  try {
    f = new mod.File(path, "r");
  } catch (e) {
    throw new DataError(`${where}: cannot open ${JSON.stringify(path)} as HDF5: ${(e as Error).message}`);
  }
  try {
    const xPath = opts.layer !== undefined ? `layers/${opts.layer}` : "X";
    const X = child(f, xPath, mod);
    if (!X) {
      const layers = child(f, "layers", mod);
      const have = isGroup(layers, mod) ? layers.keys() : [];
      throw new DataError(`${where}: no ${xPath} in the file${opts.layer !== undefined ? `; layers: ${have.join(", ") || "(none)"}` : ""}`);
    }
    let n: number;
    let g: number;
    let x: Float32Array;
    let limitN: number;
    if (isDataset(X, mod)) {
      const shape = X.shape ?? [];
      if (shape.length !== 2) throw new DataError(`${where}: ${xPath} is a ${shape.length}-D dataset; expected cells × features`);
      [n, g] = shape.map(num);
      limitN = opts.limit !== undefined ? Math.min(opts.limit, n) : n;
      const v = X.value as unknown as ArrayLike<number>;
      x = denseMatrix(where, limitN, g, "cells × features is stored densely: keep fewer cells (limit=) or features (preprocess=topVariance:N)");
      for (let t = 0; t < limitN * g; t++) x[t] = v[t];
    } else if (isGroup(X, mod)) {
      const enc = String(attr(X, "encoding-type") ?? attr(X, "h5sparse_format") ?? "");
      const shape = (attr(X, "shape") ?? attr(X, "h5sparse_shape")) as ArrayLike<number | bigint> | undefined;
      const csr = enc === "csr_matrix" || enc === "csr";
      const csc = enc === "csc_matrix" || enc === "csc";
      if ((!csr && !csc) || !shape) throw new DataError(`${where}: ${xPath} is a group with encoding-type ${JSON.stringify(enc)}; expected csr_matrix or csc_matrix with a shape attribute`);
      [n, g] = Array.from(shape, num);
      limitN = opts.limit !== undefined ? Math.min(opts.limit, n) : n;
      const get = (name: string) => {
        const d = child(X, name, mod);
        if (!isDataset(d, mod)) throw new DataError(`${where}: ${xPath}/${name} is missing`);
        return d.value as unknown as ArrayLike<number | bigint>;
      };
      const data = get("data");
      const indices = get("indices");
      const indptr = get("indptr");
      const outer = csr ? n : g;
      if (indptr.length !== outer + 1) throw new DataError(`${where}: ${xPath}/indptr has ${indptr.length} entries, expected ${outer + 1} for a ${n} × ${g} ${enc}`);
      x = denseMatrix(where, limitN, g, "cells × features is stored densely: keep fewer cells (limit=) or features (preprocess=topVariance:N)");
      for (let o = 0; o < outer; o++) {
        const lo = num(indptr[o]);
        const hi = num(indptr[o + 1]);
        for (let t = lo; t < hi; t++) {
          const inner = num(indices[t]);
          const [i, j] = csr ? [o, inner] : [inner, o];
          if (j < 0 || j >= g || i < 0 || i >= n) throw new DataError(`${where}: ${xPath} entry ${t} has index ${inner} outside the ${n} × ${g} matrix`);
          if (i < limitN) x[i * g + j] = num(data[t]);
        }
      }
    } else throw new DataError(`${where}: ${xPath} is neither a dataset nor a sparse group`);
    let counts = true;
    for (let t = 0; t < x.length && counts; t++) counts = x[t] >= 0 && Number.isInteger(x[t]);
    const ds: Dataset = {
      name: baseName(path).replace(/\.h5ad$/, ""),
      source: where,
      x,
      n: limitN,
      g,
      kind: opts.kind ?? (counts ? "counts" : "real"),
      split: randomSplit(limitN, opts.test ?? 0.2, opts.seed ?? 0),
      meta: { path, matrix: xPath },
    };
    const frame = (name: "obs" | "var") => {
      const grp = child(f, name, mod);
      if (isDataset(grp, mod)) throw new DataError(`${where}: ${name} is a compound dataset (anndata before 0.7); re-save the file with a current anndata`);
      return isGroup(grp, mod) ? grp : undefined;
    };
    const indexOf = (grp: H5Group | undefined, rows: number): string[] | undefined => {
      if (!grp) return undefined;
      const key = String(attr(grp, "_index") ?? "_index");
      const d = child(grp, key, mod);
      if (!isDataset(d, mod)) return undefined;
      const v = column(d).map(String);
      return v.length === rows ? v : undefined;
    };
    const obs = frame("obs");
    const varG = frame("var");
    const rowNames = indexOf(obs, n);
    if (rowNames) ds.rowNames = rowNames.slice(0, limitN);
    const featureNames = opts.names !== undefined ? columnValues(where, varG, "var", opts.names, mod, g).values.map(String) : indexOf(varG, g);
    if (featureNames) ds.featureNames = featureNames;
    if (opts.label !== undefined) {
      const { values, categories } = columnValues(where, obs, "obs", opts.label, mod, n);
      const v = values.slice(0, limitN);
      if (categories) {
        ds.labels = Int32Array.from(v, (c) => (Number(c) < 0 ? -1 : Number(c)));
        ds.labelNames = categories.map(String);
      } else if (v.every((c) => typeof c === "number" && Number.isInteger(c))) {
        ds.labels = Int32Array.from(v as number[]);
      } else {
        const ids = new Map<string, number>();
        ds.labels = Int32Array.from(v, (c) => {
          const s = String(c);
          if (s === "" || s === "nan") return -1;
          if (!ids.has(s)) ids.set(s, ids.size);
          return ids.get(s)!;
        });
        ds.labelNames = [...ids.keys()];
      }
      ds.meta.labelColumn = opts.label;
    }
    return ds;
  } finally {
    f.close();
  }
}

/** A dataframe column: its values, and its categories when it is categorical (values are then the codes). */
function columnValues(where: string, grp: H5Group | undefined, frame: string, name: string, mod: H5, rows: number): { values: Array<string | number>; categories?: Array<string | number> } {
  if (!grp) throw new DataError(`${where}: the file has no ${frame} group, so no column ${JSON.stringify(name)}`);
  const e = child(grp, name, mod);
  const columns = () => grp.keys().filter((k) => k !== "__categories" && k !== String(attr(grp, "_index") ?? "_index"));
  if (!e) throw new DataError(`${where}: ${frame} has no column ${JSON.stringify(name)}; columns: ${columns().join(", ") || "(none)"}`);
  let out: { values: Array<string | number>; categories?: Array<string | number> };
  if (isGroup(e, mod)) {
    const codes = child(e, "codes", mod);
    const cats = child(e, "categories", mod);
    if (!isDataset(codes, mod) || !isDataset(cats, mod)) throw new DataError(`${where}: ${frame}/${name} is a group without codes and categories`);
    out = { values: column(codes), categories: column(cats) };
  } else if (isDataset(e, mod)) {
    const old = child(grp, `__categories/${name}`, mod); // anndata 0.7: codes here, categories beside
    out = isDataset(old, mod) ? { values: column(e), categories: column(old) } : { values: column(e) };
  } else throw new DataError(`${where}: ${frame}/${name} is not a column`);
  if (out.values.length !== rows) throw new DataError(`${where}: ${frame}/${name} has ${out.values.length} entries, expected ${rows}`);
  return out;
}

/** Adapter from resolved source parameters. */
export function h5adFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Promise<Dataset> {
  return loadH5ad(path, p as H5adOptions, where);
}
