/**
 * Preprocessing steps of a data source (`?preprocess=libSize:10000,log1p,topVariance:1000`),
 * applied in the order given after the data are loaded (or generated) and recorded in
 * `meta.preprocessing`, which result rows copy into their `config`: a row says exactly what it was
 * fitted on. The steps are the usual single-cell ones (Scanpy's `normalize_total`, `log1p`,
 * `highly_variable_genes` by variance), usable on any data:
 *
 * | step | what it does | kind after |
 * |---|---|---|
 * | `libSize[:target]` | scales each row to sum to `target` (default 10,000); all-zero rows stay 0 | real |
 * | `log1p` | x → log(1 + x) (needs x ≥ 0) | real |
 * | `topVariance:n` | keeps the n features with the largest variance over all rows (no labels used), in column order | unchanged |
 *
 * Row normalisation for the encoder is a model option (`--set encoderInput=normalise`), not a
 * data step: the likelihood still scores the data as they are. Browser-safe.
 */
import { DataError, type Dataset } from "./dataset.js";

/** One parsed step. */
export type PreprocessStep = { kind: "libSize"; target: number } | { kind: "log1p" } | { kind: "topVariance"; n: number };

/** The steps and their syntax, for errors and the CLI's help. */
export const PREPROCESS_DOC = "libSize[:target] (rows scaled to sum to target, default 10000), log1p, topVariance:n (the n features of largest variance)";

/** The canonical text of a step (`libSize:10000`, `log1p`, `topVariance:1000`). */
export function stepText(s: PreprocessStep): string {
  return s.kind === "libSize" ? `libSize:${s.target}` : s.kind === "log1p" ? "log1p" : `topVariance:${s.n}`;
}

/**
 * Parses `libSize:10000,log1p,topVariance:1000`; an unknown step or a bad argument is an error
 * naming it and listing the steps.
 *
 * @example
 * ```ts
 * parsePreprocess("csv:x.csv", "libSize,log1p"); // [{ kind: "libSize", target: 10000 }, { kind: "log1p" }]
 * ```
 */
export function parsePreprocess(where: string, text: string): PreprocessStep[] {
  const steps: PreprocessStep[] = [];
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, arg, ...extra] = raw.split(":");
    const bad = (why: string) => new DataError(`${where}: preprocess step ${JSON.stringify(raw)}: ${why}; the steps are ${PREPROCESS_DOC}`);
    if (extra.length) throw bad("too many ':'");
    const num = (def?: number) => {
      if (arg === undefined || arg === "") {
        if (def === undefined) throw bad("needs a number after ':'");
        return def;
      }
      const v = Number(arg);
      if (!Number.isFinite(v) || v <= 0) throw bad(`${JSON.stringify(arg)} is not a positive number`);
      return v;
    };
    if (name === "libSize") steps.push({ kind: "libSize", target: num(1e4) });
    else if (name === "log1p") {
      if (arg !== undefined) throw bad("takes no argument");
      steps.push({ kind: "log1p" });
    } else if (name === "topVariance") {
      const n = num();
      if (!Number.isInteger(n)) throw bad(`${n} is not an integer`);
      steps.push({ kind: "topVariance", n });
    } else throw bad("unknown step");
  }
  if (steps.length === 0) throw new DataError(`${where}: preprocess is empty; the steps are ${PREPROCESS_DOC}`);
  return steps;
}

/** The variance of each column over all rows (two passes, float64). */
function columnVariances(ds: Pick<Dataset, "x" | "n" | "g">): Float64Array {
  const { x, n, g } = ds;
  const mean = new Float64Array(g);
  for (let i = 0; i < n; i++) for (let j = 0; j < g; j++) mean[j] += x[i * g + j];
  for (let j = 0; j < g; j++) mean[j] /= Math.max(n, 1);
  const v = new Float64Array(g);
  for (let i = 0; i < n; i++) for (let j = 0; j < g; j++) v[j] += (x[i * g + j] - mean[j]) ** 2;
  for (let j = 0; j < g; j++) v[j] /= Math.max(n, 1);
  return v;
}

/** Keeps the columns `cols` (sorted) of a dataset: values, names, and the truth's feature rows. */
export function selectColumns(ds: Dataset, cols: ArrayLike<number>): Dataset {
  const g = cols.length;
  const x = new Float32Array(ds.n * g);
  for (let i = 0; i < ds.n; i++) for (let c = 0; c < g; c++) x[i * g + c] = ds.x[i * ds.g + cols[c]];
  const out: Dataset = { ...ds, x, g, ...(ds.featureNames ? { featureNames: Array.from(cols, (j) => ds.featureNames![j]) } : {}) };
  const t = ds.truth;
  if (t && (t.W || t.support)) {
    const w = t.wCols ?? t.k ?? 1;
    const rowsOf = <T extends Float32Array | Uint8Array>(a: T): T => {
      const o = new (a.constructor as new (n: number) => T)(g * w);
      for (let c = 0; c < g; c++) o.set(a.subarray(cols[c] * w, (cols[c] + 1) * w) as ArrayLike<number>, c * w);
      return o;
    };
    out.truth = { ...t, ...(t.W ? { W: rowsOf(t.W) } : {}), ...(t.support ? { support: rowsOf(t.support) } : {}) };
    if (t.anchors) out.truth.anchors = t.anchors.map((a) => a.map((j) => Array.prototype.indexOf.call(cols, j)).filter((j) => j >= 0));
  }
  if (ds.meta.groups) delete (out.meta = { ...ds.meta }).groups; // groups index the old columns
  return out;
}

/**
 * Applies the steps in order, returning a new dataset; `meta.preprocessing` lists every step
 * applied to it (a loader's own, such as the ratings filters, then these).
 *
 * @example
 * ```ts
 * const d = applyPreprocess(ds, parsePreprocess(ds.source, "libSize:10000,log1p,topVariance:500"));
 * d.meta.preprocessing; // ["libSize:10000", "log1p", "topVariance:500"]
 * ```
 */
export function applyPreprocess(ds: Dataset, steps: readonly PreprocessStep[]): Dataset {
  let out: Dataset = { ...ds, meta: { ...ds.meta } };
  for (const s of steps) {
    if (s.kind === "libSize" || s.kind === "log1p") {
      const x = new Float32Array(out.x.length);
      const { n, g } = out;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < g; j++) {
          const v = out.x[i * g + j];
          if (s.kind === "log1p" && !(v >= 0)) {
            throw new DataError(`${ds.source}: preprocess log1p: row ${i + 1}, column ${j + 1}${out.featureNames ? ` (${JSON.stringify(out.featureNames[j])})` : ""} is ${v}; log1p needs values >= 0`);
          }
          sum += v;
        }
        const scale = s.kind === "libSize" && sum > 0 ? s.target / sum : 1;
        for (let j = 0; j < g; j++) x[i * g + j] = s.kind === "log1p" ? Math.log1p(out.x[i * g + j]) : out.x[i * g + j] * scale;
      }
      out = { ...out, x, kind: "real" };
    } else {
      if (s.n > out.g) throw new DataError(`${ds.source}: preprocess topVariance:${s.n}: the data have only ${out.g} features`);
      const v = columnVariances(out);
      const cols = Int32Array.from(Array.from({ length: out.g }, (_, j) => j).sort((a, b) => v[b] - v[a] || a - b).slice(0, s.n)).sort();
      out = selectColumns(out, cols);
    }
    out.meta = { ...out.meta, preprocessing: [...((out.meta.preprocessing as string[] | undefined) ?? []), stepText(s)] };
  }
  return out;
}
