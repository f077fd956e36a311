/** Shared helpers of the Node file loaders (reading, gzip, splits). Node-only. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataError, randomSplit, type Split } from "../dataset.js";
import type { ParamValue } from "../params.js";

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. */
export function readBytes(where: string, path: string): Uint8Array {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    throw new DataError(`${where}: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new DataError(`${where}: ${JSON.stringify(path)} looks gzipped but does not decompress: ${(e as Error).message}`);
    }
  }
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Reads a (possibly gzipped) UTF-8 text file, dropping a BOM. */
export function readText(where: string, path: string): string {
  const t = new TextDecoder("utf-8").decode(readBytes(where, path));
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}

/** The seeded random split of `?test=&seed=` for n rows. */
export function paramSplit(n: number, params: Record<string, ParamValue | undefined>): Split {
  return randomSplit(n, (params.test as number | undefined) ?? 0.2, (params.seed as number | undefined) ?? 0);
}

/** The file's base name without compression and data extensions. */
export function baseName(path: string): string {
  const b = path.split(/[\\/]/).pop() ?? path;
  return b.replace(/\.gz$/, "").replace(/\.(csv|tsv|txt|mtx|ldac|dat)$/, "") || b;
}

/** Parses a numeric cell; `undefined` for text that is not a number. Empty stays distinct. */
export function parseNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (t === "") return undefined;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Guesses a delimiter from the first line: "::", tab, ";" or ",". */
export function sniffDelimiter(text: string, candidates: string[] = ["\t", ","]): string {
  const nl = text.indexOf("\n");
  const first = nl >= 0 ? text.slice(0, nl) : text;
  for (const c of candidates) if (first.includes(c)) return c;
  return candidates[candidates.length - 1];
}
