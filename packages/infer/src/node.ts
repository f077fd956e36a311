/**
 * Checkpoint files for Node: `<dir>/manifest.json` and `<dir>/weights.bin`, each written to a
 * temporary file and renamed into place (weights first, manifest last), so a crash never leaves
 * a half-written checkpoint that looks complete.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "@sparse-dgm/core";
import { serialize, deserialize, declarationHash, CHECKPOINT_VERSION, type Checkpoint } from "./checkpoint.js";
import type { Program } from "./program.js";

/** Writes a checkpoint directory atomically. */
export function saveCheckpoint(program: Program, dir: string, extra?: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const { manifest, weights } = serialize(program, extra);
  const wTmp = join(dir, "weights.bin.tmp");
  writeFileSync(wTmp, Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
  renameSync(wTmp, join(dir, "weights.bin"));
  const mTmp = join(dir, "manifest.json.tmp");
  writeFileSync(mTmp, JSON.stringify(manifest, null, 1));
  renameSync(mTmp, join(dir, "manifest.json"));
}

/** Reads a checkpoint directory (clear errors for a missing or truncated one). */
export function readCheckpoint(dir: string): Checkpoint {
  const mPath = join(dir, "manifest.json");
  const wPath = join(dir, "weights.bin");
  if (!existsSync(mPath)) throw new Error(`no checkpoint in ${dir} (missing manifest.json)`);
  if (!existsSync(wPath)) throw new Error(`checkpoint in ${dir} has no weights.bin`);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(mPath, "utf8"));
  } catch (e) {
    throw new Error(`checkpoint manifest ${mPath} is not valid JSON (${(e as Error).message})`);
  }
  const buf = readFileSync(wPath);
  if (buf.byteLength % 4 !== 0) throw new Error(`checkpoint weights ${wPath} are truncated (${buf.byteLength} bytes is not a whole number of float32 values)`);
  const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { manifest, weights };
}

/**
 * Whether `dir` holds a checkpoint that {@link loadCheckpoint} can resume for `model`: `"none"`
 * (no manifest), `"same"`, or `"changed"` with `reason`: another model, format version or
 * declaration (the hyperparameters or the code changed since it was saved), or, for each key of
 * `expectExtra`, a different value in the manifest's `extra` (what the caller saved beside the
 * weights, e.g. the seeds and training settings; a missing value counts as different).
 * Reads only the manifest.
 */
export function checkpointState(model: Model<any, any>, dir: string, expectExtra: Record<string, unknown> = {}): { state: "none" | "same" | "changed"; reason?: string } {
  const mPath = join(dir, "manifest.json");
  if (!existsSync(mPath)) return { state: "none" };
  let m: { model?: string; version?: number; declarationHash?: string; extra?: Record<string, unknown> };
  try {
    m = JSON.parse(readFileSync(mPath, "utf8"));
  } catch {
    return { state: "changed", reason: "its manifest is not valid JSON" };
  }
  const hash = declarationHash(model.ir);
  const reasons: string[] = [];
  if (m.model !== model.name) reasons.push(`model ${m.model} → ${model.name}`);
  if (m.version !== CHECKPOINT_VERSION) reasons.push(`format version ${m.version} → ${CHECKPOINT_VERSION}`);
  if (m.declarationHash !== hash) reasons.push(`declaration ${m.declarationHash} → ${hash} (hyperparameters or code)`);
  for (const [k, v] of Object.entries(expectExtra)) {
    const was = JSON.stringify(m.extra?.[k]) ?? "none";
    if (was !== JSON.stringify(v)) reasons.push(`${k} ${was} → ${JSON.stringify(v)}`);
  }
  return reasons.length ? { state: "changed", reason: reasons.join(", ") } : { state: "same" };
}

/** Loads a program from a checkpoint directory. */
export function loadCheckpoint(model: Model<any, any>, dir: string): Program {
  return deserialize(model, readCheckpoint(dir));
}
