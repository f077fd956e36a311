/**
 * One-string data sources (DESIGN §7):
 *
 * | source | meaning |
 * |---|---|
 * | `synthetic:<generator>?key=value&...` | `moran`, `smiley`, `sparse-linear`, `two-view` (parameters: {@link generators}) |
 * | `csv:<path>` | numeric CSV/TSV, optional header row |
 * | `mtx:<path>` | MatrixMarket coordinate/array, real/integer/pattern |
 * | `ldac:<path>?vocab=<path>` | LDA-C "N id:count ..." lines, documents × vocabulary counts |
 * | `idx:<images>?labels=<path>` | IDX (MNIST-style) images, gzip or plain |
 * | `ratings:<path>` | user,item,rating[,time] rows → users × items (`min`, `minUserPositives`, `topItems`, `items`) |
 * | `h5ad:<path>` | AnnData: X (dense or sparse CSR/CSC) or a layer, obs columns as labels, var names |
 * | `colored:<images>?labels=<path>` | coloured environments from IDX images (IRM's Colored MNIST construction) |
 *
 * Every source also takes `preprocess=<step>,<step>,...` ({@link PREPROCESS_DOC}): library-size
 * normalisation, log1p, top-variance feature selection, applied in the order given after loading
 * and recorded in `meta.preprocessing`.
 *
 * Loaded files get a seeded random split `?test=0.2&seed=0` unless the loader says otherwise
 * (IDX: `?testImages=<path>&testLabels=<path>` keeps the file's own train/test pair). A `?` in a
 * path is not supported (it always starts the query).
 *
 * This module is browser-safe: the Node file loaders are imported dynamically by `loadData`.
 */
import { DataError, validate, type Dataset } from "./dataset.js";
import { resolveParams, type ParamSpec, type ParamValue } from "./params.js";
import { applyPreprocess, parsePreprocess, stepText, PREPROCESS_DOC, type PreprocessStep } from "./preprocess.js";
import { generators } from "./synthetic/index.js";

/** The source schemes. */
export const SCHEMES = ["synthetic", "csv", "mtx", "ldac", "idx", "ratings", "h5ad", "colored"] as const;
/** One of {@link SCHEMES}. */
export type Scheme = (typeof SCHEMES)[number];
/** The file schemes (everything except `synthetic`). */
export type FileScheme = Exclude<Scheme, "synthetic">;

const splitParams: ParamSpec[] = [
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction of the seeded random split" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "seed of the split" },
  { name: "limit", type: "int", min: 1, doc: "keep only the first `limit` rows" },
];
const labelFileParams = (joined: string): ParamSpec[] => [
  { name: "labels", type: "string", doc: `a side file of class labels (id, label rows, or one label per line), joined ${joined}` },
  { name: "labelColumn", type: "string", doc: "the column of the labels file to use (default: its last column)" },
];
const kindParam = (def?: string): ParamSpec => ({
  name: "kind",
  type: "string",
  ...(def ? { default: def } : {}),
  choices: ["real", "binary", "counts"],
  doc: "value kind, checked on load" + (def ? "" : " (default: inferred from the file)"),
});

/**
 * Parameters of each file scheme.
 *
 * @example
 * ```ts
 * loaderParams.idx.map((p) => p.name); // ["labels", "binarize", "testImages", "testLabels", "test", "seed", "limit"]
 * ```
 */
export const loaderParams: Record<FileScheme, readonly ParamSpec[]> = {
  csv: [
    { name: "header", type: "string", default: "auto", choices: ["auto", "true", "false"], doc: "first row is a header (auto: if any of its cells is not a number)" },
    { name: "delimiter", type: "string", doc: "field delimiter (default: tab if the first line has one, else comma)" },
    { name: "label", type: "string", doc: "a column (header name or 1-based index) to use as class labels instead of a feature" },
    { name: "tags", type: "string", doc: "a column (header name or 1-based index) holding each row's tag set for multi-label data, tags separated by | or ; (removed from the features)" },
    { name: "index", type: "string", doc: "a column (header name or 1-based index) of row ids (e.g. cell barcodes), not a feature" },
    ...labelFileParams("by the index column's ids (or by row order without index=)"),
    kindParam("real"),
    ...splitParams,
  ],
  mtx: [
    { name: "transpose", type: "bool", doc: "the file is features × observations (e.g. genes × cells); default false, or from the sizes of features= and barcodes=" },
    { name: "features", type: "string", doc: "10x features.tsv / genes.tsv: one feature per line (id, name[, type]); names the features" },
    { name: "barcodes", type: "string", doc: "10x barcodes.tsv: one observation id per line" },
    ...labelFileParams("by barcode (or by row order without barcodes=)"),
    kindParam(),
    ...splitParams,
  ],
  ldac: [
    { name: "vocab", type: "string", doc: "vocabulary file, one term per line (its length fixes g)" },
    { name: "stopwords", type: "string", doc: "drop these terms: english (the stopword package's list) or a file of one word per line; needs vocab" },
    { name: "topTerms", type: "int", min: 1, doc: "then keep the terms with the largest total counts" },
    ...splitParams,
  ],
  idx: [
    { name: "labels", type: "string", doc: "IDX label file (idx1), gzip or plain" },
    { name: "binarize", type: "number", min: 0, max: 1, doc: "threshold: pixels (scaled to [0,1]) > t become 1, else 0; kind binary" },
    { name: "testImages", type: "string", doc: "a second IDX image file used as the test split (e.g. t10k-images-idx3-ubyte.gz)" },
    { name: "testLabels", type: "string", doc: "labels of testImages" },
    ...splitParams.map((p) => (p.name === "limit" ? { ...p, doc: "keep only the first `limit` images of each file (the training file and testImages; labels to match)" } : p)),
  ],
  ratings: [
    { name: "min", type: "number", doc: "binarise: rating >= min becomes 1, else 0 (MovieLens setting: min=4)" },
    { name: "minUserPositives", type: "int", min: 1, doc: "keep users with at least this many positives (ratings >= min; needs min; MovieLens setting: 20)" },
    { name: "topItems", type: "int", min: 1, doc: "then keep the items with the most positives (ratings without min) among those users (MovieLens setting: 300)" },
    { name: "items", type: "string", doc: "item side file (MovieLens movies.csv, movies.dat or u.item): titles as feature names, genres as the known item × genre structure" },
    { name: "delimiter", type: "string", doc: "field delimiter (default: '::' if present, else tab if present, else comma)" },
    ...splitParams,
  ],
  h5ad: [
    { name: "label", type: "string", doc: "an obs column (e.g. cell_type) to use as class labels" },
    { name: "layer", type: "string", doc: "read layers/<name> (e.g. counts) instead of X" },
    { name: "names", type: "string", doc: "a var column to use as feature names (default: the var index)" },
    kindParam(),
    ...splitParams,
  ],
  // coloured environments (loaders/colored.ts)
  colored: [
    { name: "labels", type: "string", doc: "IDX label file (default: train-labels-idx1-ubyte.gz beside the images when <images> is a directory)" },
    { name: "positive", type: "string", default: "5,6,7,8,9", doc: "the classes whose binary label y0 is 1 (comma-separated; the IRM paper's digit >= 5)" },
    { name: "labelNoise", type: "number", default: 0.25, min: 0, max: 0.5, doc: "probability that the observed label y is y0 flipped" },
    { name: "envFlips", type: "string", default: "0.1,0.2,0.9", doc: "per environment, the probability that the colour is y flipped (comma-separated)" },
    { name: "testEnvs", type: "string", doc: "held-out environments, 0-based and comma-separated (default: the last one)" },
    { name: "downsample", type: "int", default: 2, min: 1, doc: "mean-pool the images by this factor (28×28 → 14×14 at 2)" },
    { name: "limit", type: "int", default: 30000, min: 2, doc: "use the first `limit` images" },
    { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction of each training environment" },
    { name: "seed", type: "int", default: 0, min: 0, doc: "seed of the environments, label noise, colours and split" },
  ],
};

/** A parsed data source. */
export interface ParsedSource {
  scheme: Scheme;
  /** Generator name (synthetic) or file path. */
  target: string;
  /** Parameters with defaults filled in (undefined = not given and no default). */
  params: Record<string, ParamValue | undefined>;
  /** The prefix used in error messages: `synthetic:moran`, `csv:data/foo.csv`. */
  where: string;
  /** The string that was parsed. */
  raw: string;
  /** The `preprocess=` steps, in order (empty when not given). */
  preprocess: PreprocessStep[];
}

function describeSchemes(): string {
  return "synthetic:<generator>?key=value&..., csv:<path>, mtx:<path>, ldac:<path>?vocab=<path>, idx:<images>?labels=<path>, ratings:<path>, h5ad:<path>, colored:<images>?labels=<path>";
}

/**
 * Parses a one-string data source, checking the scheme, the generator name, parameter names
 * and values. Errors list the valid choices.
 *
 * @example
 * ```ts
 * parseSource("synthetic:moran?rho=0.4&seed=2").params; // { n: 1000, rho: 0.4, sigma: 0.5, k: 5, seed: 2 }
 * parseSource("synthetic:moran?rho=2"); // DataError: synthetic:moran: rho must be in [-1, 1], got 2
 * parseSource("idx:train-images-idx3-ubyte.gz?labels=train-labels-idx1-ubyte.gz&limit=1000");
 * ```
 */
export function parseSource(s: string): ParsedSource {
  if (typeof s !== "string" || s.trim() === "") throw new DataError(`empty data source; expected one of ${describeSchemes()}`);
  const raw = s.trim();
  const colon = raw.indexOf(":");
  const scheme = colon > 0 ? raw.slice(0, colon) : "";
  if (!/^[a-z][a-z0-9-]*$/.test(scheme)) {
    throw new DataError(`data source ${JSON.stringify(raw)} has no scheme; expected one of ${describeSchemes()}`);
  }
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new DataError(`unknown data source scheme ${JSON.stringify(scheme)} in ${JSON.stringify(raw)}; valid schemes: ${SCHEMES.join(", ")}`);
  }
  const rest = raw.slice(colon + 1);
  const q = rest.indexOf("?");
  const target = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : "";
  const where = `${scheme}:${target}`;
  const given: Record<string, string> = {};
  if (query !== "") {
    for (const part of query.split("&")) {
      if (part === "") continue;
      const eq = part.indexOf("=");
      let k: string;
      let v: string;
      try {
        k = decodeURIComponent(eq >= 0 ? part.slice(0, eq) : part);
        v = decodeURIComponent(eq >= 0 ? part.slice(eq + 1) : "");
      } catch {
        throw new DataError(`${where}: malformed parameter ${JSON.stringify(part)}`);
      }
      if (k in given) throw new DataError(`${where}: parameter ${JSON.stringify(k)} given twice`);
      given[k] = v;
    }
  }
  let specs: readonly ParamSpec[];
  if (scheme === "synthetic") {
    const names = Object.keys(generators);
    if (target === "") throw new DataError(`synthetic: missing generator name; valid generators: ${names.join(", ")}`);
    const gen = generators[target];
    if (!gen || !Object.prototype.hasOwnProperty.call(generators, target)) {
      throw new DataError(`unknown synthetic generator ${JSON.stringify(target)}; valid generators: ${names.join(", ")}`);
    }
    specs = gen.params;
  } else {
    if (target === "") throw new DataError(`${scheme}: missing file path (expected ${scheme}:<path>)`);
    specs = loaderParams[scheme as FileScheme];
  }
  const preprocess = "preprocess" in given ? parsePreprocess(where, given.preprocess) : [];
  delete given.preprocess;
  let params: Record<string, ParamValue | undefined>;
  try {
    params = resolveParams(where, specs, given);
  } catch (e) {
    // every source also takes preprocess=: say so where the valid parameters are listed
    if (e instanceof DataError && /unknown parameter/.test(e.message)) throw new DataError(`${e.message}, preprocess (${PREPROCESS_DOC})`);
    throw e;
  }
  return { scheme: scheme as Scheme, target, params, where, raw, preprocess };
}

/**
 * Loads (or generates) a dataset from a one-string source and validates it (finite values,
 * kind, shape, split), naming the row and column of the first bad value.
 *
 * @example
 * ```ts
 * const ds = await loadData("synthetic:smiley?n=2000&seed=1");
 * const fm = await loadData("idx:/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
 *   + "?labels=/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz&limit=5000");
 * ```
 */
export async function loadData(source: string | ParsedSource): Promise<Dataset> {
  const ps = typeof source === "string" ? parseSource(source) : source;
  let ds: Dataset;
  if (ps.scheme === "synthetic") ds = generators[ps.target].generate(ps.params);
  else {
    const { loadFile } = await import("./loaders/index.js");
    ds = await loadFile(ps);
  }
  if (ps.preprocess?.length) {
    const base = ds.source;
    ds = applyPreprocess(validate(ds), ps.preprocess);
    // a file source's string already holds preprocess=; a generator's canonical one gets it appended
    if (ps.scheme === "synthetic") ds.source = `${base}${base.includes("?") ? "&" : "?"}preprocess=${ps.preprocess.map(stepText).join(",")}`;
  }
  return validate(ds);
}
