/**
 * `sdgm merge <into> <folders...>`: joins output folders written apart (array tasks that each had
 * their own `--out`) into one: their rows, failure records, artefacts and checkpoints, then the
 * derived results.json / results.csv and the report. Folders of older versions (a results.json
 * and no rows/) are read too. The same row in two folders with different contents is refused,
 * naming them, unless `replace` lets the later folder win. Safe to run while other writers add
 * rows to `into` (the store is one file per row).
 */
import { cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { entryOptions, zooEntry } from "@sparse-dgm/zoo";
import type { FailedRun, ResultRow, RunArtifacts } from "@sparse-dgm/viz";
import { ioError, ResultStore, rowKey } from "./results.js";
import { writeReportFor, type CompareEntry } from "./compare.js";

/** What a merge did. */
export interface MergeSummary {
  /** Rows added or replaced in `into`. */
  rows: number;
  /** Rows already in `into` with the same contents. */
  same: number;
  /** Failure records carried over (runs with no row in any folder). */
  failed: number;
  /** Checkpoint folders copied. */
  checkpoints: number;
}

/** Merges `from` folders into `into` (see the module comment). */
export async function mergeFolders(into: string, from: string[], opts: { replace?: boolean; title?: string } = {}): Promise<MergeSummary> {
  if (!from.length) throw new Error("merge: name at least one folder to merge");
  const target = new ResultStore(into);
  const have = new Map(target.rows().map((r) => [rowKey(r), JSON.stringify(r)]));
  const incoming = new Map<string, { row: ResultRow; artifacts?: RunArtifacts; folder: string }>();
  const failures = new Map<string, FailedRun>();
  const conflicts: string[] = [];
  for (const folder of from) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`merge: ${folder} is not a folder`);
    const store = new ResultStore(folder);
    const rows = store.rows();
    if (!rows.length && !store.failures().length) process.stderr.write(`note: merge: ${folder} holds no rows\n`);
    for (const row of rows) {
      const k = rowKey(row);
      const text = JSON.stringify(row);
      const prev = incoming.get(k);
      const clash = prev ? JSON.stringify(prev.row) !== text : have.has(k) && have.get(k) !== text;
      if (clash && !opts.replace) {
        conflicts.push(`${row.model} on ${row.data}, seed ${row.seed}${row.fold === undefined ? "" : `, fold ${row.fold}`} (${prev ? prev.folder : into} and ${folder})`);
        continue;
      }
      incoming.set(k, { row, artifacts: store.artifact(row), folder });
    }
    for (const f of store.failures()) failures.set(rowKey(f), f);
  }
  if (conflicts.length) {
    throw new Error(
      `merge: ${conflicts.length} row${conflicts.length === 1 ? "" : "s"} differ between folders: ${conflicts.slice(0, 5).join("; ")}${conflicts.length > 5 ? "; ..." : ""}. Remove the one you do not want, or pass --replace (later folders win)`,
    );
  }
  const fresh = [...incoming.values()].filter(({ row }) => have.get(rowKey(row)) !== JSON.stringify(row));
  for (const { row, artifacts } of fresh) target.put([row], artifacts ? [artifacts] : []);
  const failed = [...failures.values()].filter((f) => !incoming.has(rowKey(f)) && !have.has(rowKey(f)));
  if (failed.length) target.fail(failed);
  let checkpoints = 0;
  for (const folder of from) {
    const dir = join(folder, "checkpoints");
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const to = join(into, "checkpoints", name);
      if (existsSync(join(to, "manifest.json"))) continue; // one checkpoint is one unit: never mixed with another
      try {
        cpSync(join(dir, name), to, { recursive: true });
      } catch (e) {
        throw ioError("copy a checkpoint to", to, e);
      }
      checkpoints++;
    }
  }
  const rows = target.derive();
  // the report's model graphs are built with each (model, data)'s hyperparameters as fitted
  const entries: CompareEntry[] = [];
  for (const r of rows) {
    if (entries.some((e) => e.model === r.model && e.data === r.data)) continue;
    let config: Record<string, unknown> | undefined;
    try {
      const names = new Set(entryOptions(zooEntry(r.model)));
      config = Object.fromEntries(Object.entries(r.config ?? {}).filter(([k]) => names.has(k) && k !== "features" && k !== "stats"));
    } catch {
      continue; // a model this sdgm does not know: its rows show, without a graph
    }
    entries.push({ model: r.model, data: r.data, config });
  }
  // the K of K-fold rows, as each row's config records it (one K in the folder, or none reported)
  const ks = new Set(rows.filter((r) => r.fold !== undefined).map((r) => (r.config as { folds?: unknown } | undefined)?.folds));
  const folds = ks.size === 1 && Number.isInteger([...ks][0]) ? ([...ks][0] as number) : undefined;
  await writeReportFor({ out: into, title: opts.title ?? "sparse-dgm comparison", entries, seeds: [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b), ...(folds ? { folds } : {}), jobs: 1, replicas: true });
  return { rows: fresh.length, same: incoming.size - fresh.length, failed: failed.length, checkpoints };
}
