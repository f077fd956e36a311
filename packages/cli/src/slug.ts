/** File-name-safe slugs of data sources and model names. */
import { createHash } from "node:crypto";

/**
 * Longest slug kept whole: with the model, the seeds and `.json` around it a file name stays below
 * the usual 255-byte limit (a two-file `idx:` source's 130-character slug is kept as it was).
 */
const SLUG_MAX = 160;

/**
 * A data source as a file-name-safe slug (`synthetic:smiley?n=2000` → `synthetic_smiley_n_2000`).
 * A long source (an `idx:` path with its label and test files) keeps its first characters and a
 * hash of the whole, so that distinct sources still get distinct names (`max`: the longest slug kept whole).
 */
export function sourceSlug(source: string, max = SLUG_MAX): string {
  const slug = source.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
  if (slug.length <= max) return slug;
  return `${slug.slice(0, max - 11).replace(/_$/, "")}_${createHash("sha256").update(source).digest("hex").slice(0, 10)}`;
}
