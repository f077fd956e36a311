/**
 * LDA-C loader (`ldac:<path>?vocab=<path>`): one document per line, `N id:count id:count ...`
 * with 0-based term ids, into a documents × vocabulary counts matrix. Node-only.
 */
import { DataError, randomSplit, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { baseName, denseMatrix, FLOAT32_EXACT_INT, MAX_DENSE, readText } from "./common.js";

/** Options of {@link parseLdacText}. */
export interface LdacOptions {
  /** Vocabulary terms; fixes g. Without it g = max id + 1. */
  vocab?: string[];
  test?: number;
  seed?: number;
  limit?: number;
}

/**
 * Parses LDA-C text. Errors name the row (document, 1-based) and the column (term id + 1 and
 * the vocabulary word): `ldac:x: row 3, column 7 ("cat"): count -1 is not a non-negative integer`.
 *
 * @example
 * ```ts
 * parseLdacText("2 0:3 2:1\n1 1:4\n", { vocab: ["a", "b", "c"] }); // 2 × 3 counts
 * ```
 */
export function parseLdacText(text: string, opts: LdacOptions = {}, where = "ldac:<text>"): Dataset {
  const docs: Array<Array<[number, number]>> = [];
  let maxId = -1;
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const t = lines[li].trim();
    if (t === "") continue;
    if (opts.limit !== undefined && docs.length >= opts.limit) break;
    const row = docs.length;
    const parts = t.split(/\s+/);
    const declared = /^\d+$/.test(parts[0]) ? Number(parts[0]) : NaN;
    if (!Number.isSafeInteger(declared)) {
      throw new DataError(`${where}: row ${row + 1}: expected a term count first, got ${JSON.stringify(parts[0])}`);
    }
    if (parts.length - 1 !== declared) {
      throw new DataError(`${where}: row ${row + 1}: declares ${declared} terms but lists ${parts.length - 1}`);
    }
    const pairs: Array<[number, number]> = [];
    for (let p = 1; p < parts.length; p++) {
      const m = /^(\d+):(.+)$/.exec(parts[p]);
      if (!m) throw new DataError(`${where}: row ${row + 1}: expected "id:count", got ${JSON.stringify(parts[p])}`);
      const id = Number(m[1]);
      // decimal digits only: Number() would read "0x10" as 16, "1e3" as 1000 and " " as 0
      const c = /^\d+$/.test(m[2]) ? Number(m[2]) : NaN;
      const name = opts.vocab?.[id];
      const ref = `row ${row + 1}, column ${id + 1}${name !== undefined ? ` (${JSON.stringify(name)})` : ""}`;
      if (opts.vocab && id >= opts.vocab.length) {
        throw new DataError(`${where}: ${ref}: term id ${id} is outside the vocabulary of ${opts.vocab.length} terms`);
      }
      if (!(Number.isInteger(c) && c >= 0)) {
        throw new DataError(`${where}: ${ref}: count ${JSON.stringify(m[2])} is not a non-negative integer`);
      }
      if (c > FLOAT32_EXACT_INT) {
        throw new DataError(`${where}: ${ref}: count ${c} is larger than float32 holds exactly (2^24 = ${FLOAT32_EXACT_INT}); counts are stored as float32`);
      }
      if (!opts.vocab && id >= MAX_DENSE) {
        throw new DataError(`${where}: ${ref}: term id ${id} would make ${id + 1} columns; without a vocabulary (vocab=) the ids fix the width: give the vocabulary, or check the ids`);
      }
      if (id > maxId) maxId = id;
      pairs.push([id, c]);
    }
    docs.push(pairs);
  }
  const g = opts.vocab ? opts.vocab.length : maxId + 1;
  const n = docs.length;
  const x = denseMatrix(where, n, g, opts.vocab ? "" : `the largest term id (${maxId}) fixes the width without a vocabulary (vocab=): give the vocabulary, or check the ids`);
  docs.forEach((pairs, i) => {
    for (const [id, c] of pairs) {
      x[i * g + id] += c;
      if (x[i * g + id] > FLOAT32_EXACT_INT) {
        throw new DataError(`${where}: row ${i + 1}, column ${id + 1}: the counts of term id ${id} add up to more than float32 holds exactly (2^24)`);
      }
    }
  });
  return {
    name: where.replace(/^ldac:/, ""),
    source: where,
    x,
    n,
    g,
    kind: "counts",
    ...(opts.vocab ? { featureNames: opts.vocab.slice() } : {}),
    split: randomSplit(n, opts.test ?? 0.2, opts.seed ?? 0),
    meta: {},
  };
}

/**
 * Loads `ldac:<path>` with an optional vocabulary file (one term per line; blank trailing lines
 * ignored).
 *
 * @example
 * ```ts
 * const ds = loadLdac("ap.dat", { vocab: "vocab.txt" });
 * ```
 */
export function loadLdac(
  path: string,
  opts: Omit<LdacOptions, "vocab"> & { vocab?: string } = {},
  where = `ldac:${path}`,
): Dataset {
  let vocab: string[] | undefined;
  if (opts.vocab !== undefined) {
    vocab = readText(where, opts.vocab).split(/\r?\n/).map((s) => s.trim());
    while (vocab.length && vocab[vocab.length - 1] === "") vocab.pop();
  }
  const ds = parseLdacText(readText(where, path), { ...opts, vocab }, where);
  ds.name = baseName(path);
  ds.meta.path = path;
  if (opts.vocab) ds.meta.vocab = opts.vocab;
  return ds;
}

/** Adapter from resolved source parameters. */
export function ldacFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadLdac(path, p as { vocab?: string; test?: number; seed?: number; limit?: number }, where);
}
