/** Shared helpers of the Node file loaders (reading, gzip, splits). Node-only. */
import { readFileSync, statSync, type Stats } from "node:fs";
import { totalmem } from "node:os";
import { gunzipSync } from "node:zlib";
import { DataError, randomSplit, type Split } from "../dataset.js";
import type { ParamValue } from "../params.js";

/** What a path that is not a regular file is, in words. */
function kindOf(st: Stats): string {
  return st.isDirectory() ? "a directory" : st.isFIFO() ? "a named pipe" : st.isSocket() ? "a socket" : st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : "not a regular file";
}

/**
 * Reads a file, gunzipping it when it starts with the gzip magic bytes. Only regular files are
 * read: a named pipe with no writer would block forever, and a source is read more than once.
 */
export function readBytes(where: string, path: string): Uint8Array {
  let b: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new DataError(`${where}: ${JSON.stringify(path)} is ${kindOf(st)}, not a regular file (a data source is read from a file, possibly more than once); save it to a file first`);
    b = readFileSync(path);
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(`${where}: ${JSON.stringify(path)} does not exist (relative paths are read from ${process.cwd()})`);
    if (code === "EACCES") throw new DataError(`${where}: ${JSON.stringify(path)} is not readable (permission denied)`);
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

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Refuses a finite value that float32 cannot hold (it would be stored as ±Infinity): names the
 * entry (`ref`, e.g. `row 3, column 2 ("age")`) and float32's range.
 */
export function checkFloat32(where: string, ref: string, v: number): number {
  if (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) {
    throw new DataError(`${where}: ${ref}: ${v} is outside float32's range (±3.4e38); values are stored as float32`);
  }
  return v;
}

/** Integers above this are not all representable in float32 (2^24). */
export const FLOAT32_EXACT_INT = 16777216;

/**
 * The largest dense matrix a loader allocates, in float32 values: a quarter of this machine's
 * memory, at most 2^31 − 1 (8 GiB). A larger one would fail inside the allocator or swap for hours.
 */
export const MAX_DENSE = Math.min(2 ** 31 - 1, Math.floor(totalmem() / 16));

/** A zeroed n × g float32 matrix, or an error naming the shape when it is too large to hold densely. */
export function denseMatrix(where: string, n: number, g: number, hint = ""): Float32Array {
  if (n * g > MAX_DENSE) {
    const gib = (v: number) => ((v * 4) / 2 ** 30).toFixed(1);
    throw new DataError(
      `${where}: a dense ${n} × ${g} matrix would hold ${n * g} values (${gib(n * g)} GiB), more than a loader allocates on this machine (${MAX_DENSE} values, ${gib(MAX_DENSE)} GiB: a quarter of its memory)${hint ? `; ${hint}` : ""}`,
    );
  }
  return new Float32Array(n * g);
}
