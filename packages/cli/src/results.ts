/**
 * The results store of an output folder, safe for any number of writers (processes, threads,
 * array tasks of a cluster's batch engine on a shared file system):
 *
 * - `rows/<model>-<data>-s<seed>[-f<fold>].<hash>.json`: one file per result row, keyed by
 *   (model, data, seed[, fold]) ({@link rowKey}; the hash of the whole key keeps two sources whose
 *   slugs agree apart), written atomically (a temporary file, fsync, rename: `write-file-atomic`).
 *   The store is these files; a writer only ever adds or replaces its own rows.
 * - `failed/<same name>.json`: a run that did not train as asked (its error); it has no row, so
 *   results.json and results.csv hold only runs that trained as asked, and the report lists it
 *   as failed. A later successful run of the same key removes it.
 * - `artifacts/<same name>.json`: the run's curves, masks and panels, one file per row.
 * - `results.json`, `results.csv` (and the report, compare.ts) are derived from the store and
 *   written atomically. A writer that derives them checks the store again after writing, and
 *   derives again if another writer added a row meanwhile: the last writer's files hold every row.
 *
 * A folder written before the store existed (a results.json and no rows/) is imported once.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { atomicWrite, ioError } from "@sparse-dgm/infer/node";
import { resultsCsv, type ResultRow, type RunArtifacts, type FailedRun } from "@sparse-dgm/viz";
import { degenerateRows } from "@sparse-dgm/metrics";
import { sourceSlug } from "./slug.js";

export { atomicWrite, ioError };

/** What identifies a row. */
export type RowId = Pick<ResultRow, "model" | "data" | "seed"> & { fold?: number };

/** What identifies a result row: its model, data source, seed and (cross-validation) fold, when it has one. */
export function rowKey(r: RowId): string {
  return r.fold === undefined ? `${r.model}|${r.data}|${r.seed}` : `${r.model}|${r.data}|${r.seed}|${r.fold}`;
}

/** The file name (without `.json`) of a row, its failure record and its artefacts. */
export function rowFileName(r: RowId): string {
  const hash = createHash("sha256").update(rowKey(r)).digest("hex").slice(0, 10);
  // at most 48 + 140 characters of slugs: with the seed, fold and hash the name stays under 255 bytes
  return `${sourceSlug(r.model, 48)}-${sourceSlug(r.data, 140)}-s${r.seed}${r.fold === undefined ? "" : `-f${r.fold}`}.${hash}`;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw ioError("read", path, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}): ${what}`);
  }
}

/** Checks that `v` is a result row (model, data, seed, metrics of numbers), naming the file and the field. */
function checkRow(v: unknown, where: string): ResultRow {
  const r = v as Partial<ResultRow> & { fold?: unknown };
  const bad = (what: string) => new Error(`${where}: not a result row: ${what}`);
  if (!r || typeof r !== "object" || Array.isArray(r)) throw bad(`expected an object, got ${Array.isArray(v) ? "an array" : JSON.stringify(v)?.slice(0, 40)}`);
  if (typeof r.model !== "string" || !r.model) throw bad(`"model" must be a non-empty string, got ${JSON.stringify(r.model)}`);
  if (typeof r.data !== "string" || !r.data) throw bad(`"data" must be a non-empty string, got ${JSON.stringify(r.data)}`);
  if (!Number.isSafeInteger(r.seed)) throw bad(`"seed" must be an integer, got ${JSON.stringify(r.seed)}`);
  if (r.fold !== undefined && !Number.isSafeInteger(r.fold)) throw bad(`"fold" must be an integer, got ${JSON.stringify(r.fold)}`);
  if (!r.metrics || typeof r.metrics !== "object" || Array.isArray(r.metrics)) throw bad(`"metrics" must be an object`);
  for (const [k, m] of Object.entries(r.metrics)) if (typeof m !== "number" || !Number.isFinite(m)) throw bad(`metric "${k}" is ${JSON.stringify(m)}, not a finite number`);
  return r as ResultRow;
}

/** The files of a store folder (`*.json`, not the temporaries of writers that are writing or were killed). */
function jsonFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw ioError("list", dir, e);
  }
  return names.filter((n) => n.endsWith(".json")).sort();
}

/** The results store of one output folder (see the module comment). */
export class ResultStore {
  readonly rowsDir: string;
  readonly failedDir: string;
  readonly artifactsDir: string;

  constructor(readonly out: string) {
    this.rowsDir = join(out, "rows");
    this.failedDir = join(out, "failed");
    this.artifactsDir = join(out, "artifacts");
  }

  /** Where a row's artefacts are. */
  artifactPath(r: RowId): string {
    return join(this.artifactsDir, `${rowFileName(r)}.json`);
  }

  private ensure(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw ioError("create", dir, e);
    }
  }

  /**
   * Imports the rows of a results.json written before the store existed (no rows/ folder yet), so
   * its rows count as done and stay in the derived files. A file that is not an array of rows is
   * refused, naming it.
   */
  private importLegacy(): void {
    if (existsSync(this.rowsDir)) return;
    const legacy = join(this.out, "results.json");
    if (!existsSync(legacy)) return;
    const rows = readLegacyRows(legacy);
    this.ensure(this.rowsDir);
    for (const r of rows) atomicWrite(join(this.rowsDir, `${rowFileName(r)}.json`), JSON.stringify(r, null, 2));
  }

  /**
   * Stores finished rows (each replaces the row of its key) and their artefacts, and removes the
   * failure records of their keys. Artefacts are written first: a row in the store always has its
   * artefacts.
   */
  put(rows: readonly ResultRow[], artifacts: readonly RunArtifacts[] = []): void {
    this.importLegacy();
    this.ensure(this.rowsDir);
    if (artifacts.length) this.ensure(this.artifactsDir);
    for (const a of artifacts) atomicWrite(this.artifactPath(a), JSON.stringify(a));
    for (const r of rows) {
      const name = `${rowFileName(checkRow(r, `${r.model} on ${r.data}, seed ${r.seed}`))}.json`;
      atomicWrite(join(this.rowsDir, name), JSON.stringify(r, null, 2));
      removeIfThere(join(this.failedDir, name));
    }
  }

  /** Records runs that failed (no row): the report lists them; a re-run tries them again. */
  fail(runs: readonly FailedRun[]): void {
    this.ensure(this.failedDir);
    for (const f of runs) {
      const rec: FailedRun = { ...f, at: f.at ?? new Date().toISOString(), host: f.host ?? hostname() };
      atomicWrite(join(this.failedDir, `${rowFileName(f)}.json`), JSON.stringify(rec, null, 2));
    }
  }

  /** Every row in the store (a folder with only a legacy results.json: its rows). */
  rows(): ResultRow[] {
    if (!existsSync(this.rowsDir)) {
      const legacy = join(this.out, "results.json");
      return existsSync(legacy) ? readLegacyRows(legacy) : [];
    }
    const byKey = new Map<string, ResultRow>();
    for (const n of jsonFiles(this.rowsDir)) {
      const p = join(this.rowsDir, n);
      const r = readStoreFile(p, "a row file of the results store (rows/); remove it, or fix it by hand");
      if (r === undefined) continue;
      const row = checkRow(r, p);
      byKey.set(rowKey(row), row);
    }
    return [...byKey.values()];
  }

  /** Failure records without a row of the same key (a failed run that later trained is no failure). */
  failures(): FailedRun[] {
    const done = new Set(this.rows().map(rowKey));
    const out: FailedRun[] = [];
    for (const n of jsonFiles(this.failedDir)) {
      const f = readStoreFile(join(this.failedDir, n), "a failure record (failed/)") as FailedRun | undefined;
      if (f && typeof f.model === "string" && !done.has(rowKey(f))) out.push(f);
    }
    return out;
  }

  /** The artefacts of a row, when saved. */
  artifact(r: RowId): RunArtifacts | undefined {
    const p = this.artifactPath(r);
    return readStoreFile(p, "an artefact file (artifacts/)") as RunArtifacts | undefined;
  }

  /**
   * A fingerprint of the store's contents (every row and failure file's name, inode, size and
   * modification time): it changes whenever any writer adds or replaces a row.
   */
  signature(): string {
    const h = createHash("sha256");
    for (const dir of [this.rowsDir, this.failedDir]) {
      for (const n of jsonFiles(dir)) {
        try {
          const s = statSync(join(dir, n), { bigint: true });
          h.update(`${dir}/${n}:${s.ino}:${s.size}:${s.mtimeNs}\n`);
        } catch {
          h.update(`${dir}/${n}:gone\n`); // removed between the listing and the stat
        }
      }
    }
    return h.digest("hex");
  }

  /**
   * Writes results.json and results.csv from the store (sorted by `order`, else by model, data,
   * fold and seed), atomically; derives them again while other writers change the store meanwhile
   * (at most `rounds` times: a writer that changes it derives them itself afterwards). Returns the
   * rows written.
   */
  derive(order?: (a: ResultRow, b: ResultRow) => number, rounds = 20): ResultRow[] {
    this.importLegacy();
    this.ensure(this.out);
    let rows: ResultRow[] = [];
    for (let i = 0; i < rounds; i++) {
      const before = this.signature();
      rows = this.rows().sort(order ?? byKey);
      atomicWrite(join(this.out, "results.json"), JSON.stringify(rows, null, 2));
      atomicWrite(join(this.out, "results.csv"), resultsCsv(rows));
      if (this.signature() === before) break;
    }
    return rows;
  }
}

/** Rows by model, data, fold and seed (the derived files' order when no other is asked for). */
export function byKey(a: ResultRow, b: ResultRow): number {
  const fa = (a as RowId).fold ?? -1;
  const fb = (b as RowId).fold ?? -1;
  return a.model < b.model ? -1 : a.model > b.model ? 1 : a.data < b.data ? -1 : a.data > b.data ? 1 : fa - fb || a.seed - b.seed;
}

function removeIfThere(p: string): void {
  try {
    unlinkSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw ioError("remove", p, e);
  }
}

/** A store file's JSON, or undefined when it is gone (replaced or removed between listing and reading). */
function readStoreFile(p: string, what: string): unknown {
  try {
    return readJson(p, what);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The rows of a results.json, checked: an array of rows, or an error naming the file and what is wrong. */
export function readLegacyRows(path: string): ResultRow[] {
  const v = readJson(path, "expected the array of result rows sdgm writes; fix or remove it");
  if (!Array.isArray(v)) {
    throw new Error(`${path} is not a results file: expected an array of result rows, got ${v === null ? "null" : typeof v}; fix or remove it`);
  }
  return v.map((r, i) => checkRow(r, `${path}, row ${i + 1}`));
}

/**
 * Stores `rows` in `<out>` and rewrites results.json and results.csv from the whole store (sorted
 * by `order`, else by model, data, fold and seed). Returns the rows as written.
 */
export function writeResults(out: string, rows: ResultRow[], order?: (a: ResultRow, b: ResultRow) => number, artifacts: RunArtifacts[] = []): ResultRow[] {
  const store = new ResultStore(out);
  if (rows.length || artifacts.length) store.put(rows, artifacts);
  return store.derive(order);
}

/**
 * One warning line per row whose binary code is degenerate (collapsed, one fixed set, mostly
 * empty, or nearly fixed), so it is never read as a perfect score; it says whether the Jaccard scores were dropped
 * or kept.
 */
export function degenerateWarnings(rows: readonly Pick<ResultRow, "model" | "data" | "seed" | "metrics">[]): string[] {
  return degenerateRows(rows).map(({ row: r, why, jaccard }) => {
    const scores =
      jaccard === "not reported"
        ? "; withinClassJaccard and betweenClassJaccard are not reported"
        : jaccard === "kept"
          ? "; withinClassJaccard and betweenClassJaccard are kept but overstate how consistent the codes are"
          : "";
    return `warning: ${r.model} on ${r.data}, seed ${r.seed}: code ${why}${scores}`;
  });
}

/** One warning line per row whose fit skipped non-finite steps (how many, and the first). */
export function skippedStepWarnings(rows: readonly ResultRow[]): string[] {
  return rows
    .filter((r) => (r.train?.skippedSteps ?? 0) > 0)
    .map((r) => `warning: ${r.model} on ${r.data}, seed ${r.seed}${r.fold === undefined ? "" : `, fold ${r.fold}`}: ${r.train.skippedSteps} of ${r.train.steps} steps skipped (non-finite loss); first: ${r.train.firstSkipped ?? "?"}`);
}
