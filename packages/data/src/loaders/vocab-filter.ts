/**
 * Vocabulary filters of the `ldac:` source: `stopwords=english` (the `stopword` package's English
 * list, matched case-insensitively) or `stopwords=<file>` (one word per line), then
 * `topTerms=N` (the N terms with the largest total count over all documents, as scikit-learn's
 * `max_features`; ties keep the earlier term). Both are recorded in `meta.preprocessing`; the
 * documents left without a term are counted in `meta.emptyDocuments` (kept: a held-out document
 * with no term scores 0 under the categorical likelihood). Node-only.
 */
import { eng } from "stopword";
import { DataError, type Dataset } from "../dataset.js";
import { selectColumns } from "../preprocess.js";
import { readText } from "./common.js";

/**
 * Applies the filters to a loaded LDA-C dataset.
 *
 * @example
 * ```ts
 * filterVocabulary(ds, { stopwords: "english", topTerms: 5000 }, "ldac:ap.dat");
 * ```
 */
export function filterVocabulary(ds: Dataset, f: { stopwords?: string; topTerms?: number }, where: string): Dataset {
  if (f.stopwords === undefined && f.topTerms === undefined) return ds;
  let cols = Array.from({ length: ds.g }, (_, j) => j);
  const steps: string[] = [];
  if (f.stopwords !== undefined) {
    if (!ds.featureNames) throw new DataError(`${where}: stopwords= needs the vocabulary (vocab=<file>) to know the words`);
    const words = f.stopwords === "english" ? eng : readText(where, f.stopwords).split(/\r?\n/).map((w) => w.trim()).filter(Boolean);
    const stop = new Set(words.map((w) => w.toLowerCase()));
    cols = cols.filter((j) => !stop.has(ds.featureNames![j].toLowerCase()));
    steps.push(`stopwords:${f.stopwords === "english" ? "english" : f.stopwords}`);
  }
  if (f.topTerms !== undefined) {
    const total = new Float64Array(ds.g);
    for (let i = 0; i < ds.n; i++) for (let j = 0; j < ds.g; j++) total[j] += ds.x[i * ds.g + j];
    cols = cols.sort((a, b) => total[b] - total[a] || a - b).slice(0, f.topTerms).sort((a, b) => a - b);
    steps.push(`topTerms:${f.topTerms}`);
  }
  const out = selectColumns(ds, Int32Array.from(cols));
  let empty = 0;
  for (let i = 0; i < out.n; i++) {
    let s = 0;
    for (let j = 0; j < out.g; j++) s += out.x[i * out.g + j];
    if (s === 0) empty++;
  }
  out.meta = { ...out.meta, preprocessing: [...((ds.meta.preprocessing as string[] | undefined) ?? []), ...steps], vocabulary: { before: ds.g, after: out.g }, emptyDocuments: empty };
  return out;
}
