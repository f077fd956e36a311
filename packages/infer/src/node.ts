/**
 * Checkpoint files for Node. A checkpoint directory holds `manifest.json` and the weights file it
 * names, `weights-<step>-<nonce>.bin`: one generation per save. A save writes the new weights
 * file (temporary file, fsync, rename), then the manifest naming it with its size and SHA-256,
 * the same way, and only then removes the generation it replaced. The manifest's rename is the
 * one moment a checkpoint changes, so a crash (kill -9, a full disk, a power cut) at any point
 * leaves the old checkpoint or the new one; a reader checks the size and the checksum, so a torn
 * or mismatched pair is never loaded (it fails, naming the files).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, existsSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import type { Model } from "@sparse-dgm/core";
import { serialize, deserialize, declarationHash, CHECKPOINT_VERSION, type Checkpoint, type CheckpointManifest } from "./checkpoint.js";
import type { Program } from "./program.js";
import { atomicWrite, ioError, syncDir } from "./files.js";

export { atomicWrite, ioError, syncDir };

/** A weights file's name: `weights-<step>-<nonce>.bin` (the nonce keeps concurrent writers' files apart). */
const WEIGHTS_FILE = /^weights-\d+-[0-9a-f]+\.bin$/;

/** Files of generations this process wrote, per checkpoint directory (removed once replaced). */
const written = new Map<string, string[]>();

/** Leftovers older than this (a killed writer's temporary or unnamed weights files) are removed by the next save. */
const STALE_MS = 10 * 60 * 1000;

function sha256(b: Uint8Array | string): string {
  return createHash("sha256").update(b).digest("hex");
}

/** The SHA-256 of a manifest's content (without its own `manifestSha256`): an edited manifest no longer matches. */
function manifestSum(m: CheckpointManifest & { manifestSha256?: string }): string {
  const { manifestSha256: _, ...rest } = m;
  return sha256(JSON.stringify(rest));
}

/** The weights file the manifest in `dir` names now, if any. */
function namedWeights(dir: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Partial<CheckpointManifest>;
    return m.files?.weights;
  } catch {
    return undefined;
  }
}

/**
 * Writes a checkpoint generation into `dir` (see the module comment). `extra` is kept in the
 * manifest (run settings, the data's fingerprint, curves so far). Throws one line naming the file
 * on an I/O error (a full disk), leaving the previous generation loadable.
 */
export function saveCheckpoint(program: Program, dir: string, extra?: Record<string, unknown>): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError("create", dir, e);
  }
  const { manifest, weights } = serialize(program, extra);
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  const name = `weights-${String(manifest.progress.step).padStart(10, "0")}-${randomBytes(4).toString("hex")}.bin`;
  atomicWrite(join(dir, name), bytes);
  const replaced = namedWeights(dir);
  const full: CheckpointManifest = { ...manifest, files: { weights: name, bytes: bytes.byteLength, sha256: sha256(bytes) } };
  atomicWrite(join(dir, "manifest.json"), JSON.stringify({ ...full, manifestSha256: manifestSum(full) }, null, 1));
  syncDir(dir);
  // the manifest names the new generation now: the one it replaced and this process's earlier ones can go
  const key = resolve(dir);
  const mine = written.get(key) ?? [];
  for (const old of new Set([...mine, ...(replaced ? [replaced] : [])])) if (old !== name) removeQuietly(join(dir, old));
  written.set(key, [name]);
  removeStale(dir, name);
}

function removeQuietly(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // gone already (another writer, or never written)
  }
}

/** Removes a killed writer's leftovers: temporary files and weights files no manifest names, older than {@link STALE_MS}. */
function removeStale(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names) {
    if (n === keep || n === "manifest.json") continue;
    const leftover = WEIGHTS_FILE.test(n) || /^(manifest\.json|weights-\d+-[0-9a-f]+\.bin)\.\w+$/.test(n);
    if (!leftover) continue;
    try {
      if (now - statSync(join(dir, n)).mtimeMs > STALE_MS) unlinkSync(join(dir, n));
    } catch {
      // removed meanwhile
    }
  }
}

function readManifest(dir: string): CheckpointManifest {
  const mPath = join(dir, "manifest.json");
  if (!existsSync(mPath)) {
    throw new Error(existsSync(dir) ? `no checkpoint in ${dir} (missing manifest.json)` : `no checkpoint in ${dir} (no such directory)`);
  }
  let text: string;
  try {
    text = readFileSync(mPath, "utf8");
  } catch (e) {
    throw ioError("read", mPath, e);
  }
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new Error(`checkpoint manifest ${mPath} is not valid JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== "object" || m.format !== "sparse-dgm-checkpoint") throw new Error(`${mPath} is not a sparse-dgm checkpoint manifest`);
  if (m.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `checkpoint in ${dir} has format version ${m.version}; this sdgm reads version ${CHECKPOINT_VERSION} (a manifest naming its weights file by generation and checksum): remove ${dir} to train afresh`,
    );
  }
  const recorded = (m as { manifestSha256?: unknown }).manifestSha256;
  if (recorded !== manifestSum(m)) {
    throw new Error(`checkpoint manifest ${mPath} was edited or is corrupt (its content does not match its SHA-256); it is not loaded`);
  }
  delete (m as { manifestSha256?: unknown }).manifestSha256;
  const f = m.files;
  if (!f || typeof f.weights !== "string" || !WEIGHTS_FILE.test(f.weights) || !Number.isSafeInteger(f.bytes) || typeof f.sha256 !== "string") {
    throw new Error(`checkpoint manifest ${mPath} does not name a valid weights file (files: ${JSON.stringify(f)})`);
  }
  return m;
}

/**
 * Reads a checkpoint directory: the manifest and the weights file it names, checked against the
 * size and SHA-256 the manifest records. A missing, torn, truncated or mismatched weights file
 * fails with one line naming the files; it is never loaded.
 */
export function readCheckpoint(dir: string): Checkpoint {
  // a concurrent writer may replace the generation between reading the manifest and its weights: read again once
  for (let attempt = 0; ; attempt++) {
    const manifest = readManifest(dir);
    const wPath = join(dir, manifest.files!.weights);
    let buf: Buffer;
    try {
      buf = readFileSync(wPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && attempt === 0) continue;
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error(`checkpoint in ${dir} is torn: its manifest names ${manifest.files!.weights}, which is missing; it is not loaded`);
      }
      throw ioError("read", wPath, e);
    }
    if (buf.byteLength !== manifest.files!.bytes) {
      throw new Error(`checkpoint in ${dir} is torn or truncated: ${manifest.files!.weights} has ${buf.byteLength} bytes, its manifest says ${manifest.files!.bytes}; it is not loaded`);
    }
    const sum = sha256(buf);
    if (sum !== manifest.files!.sha256) {
      throw new Error(`checkpoint in ${dir} is corrupt: ${manifest.files!.weights} has SHA-256 ${sum.slice(0, 12)}…, its manifest says ${manifest.files!.sha256.slice(0, 12)}…; it is not loaded`);
    }
    const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { manifest, weights };
  }
}

/**
 * Whether `dir` holds a checkpoint that {@link loadCheckpoint} can resume for `model`: `"none"`
 * (no manifest), `"same"`, or `"changed"` with `reason`: another model, format version or
 * declaration (the hyperparameters or the code changed since it was saved), or, for each key of
 * `expectExtra`, a different value in the manifest's `extra` (what the caller saved beside the
 * weights, e.g. the seeds, training settings and the data's fingerprint; a missing value counts
 * as different), or a manifest that cannot be read. Reads only the manifest.
 */
export function checkpointState(
  model: Model<any, any>,
  dir: string,
  expectExtra: Record<string, unknown> = {},
): { state: "none" | "same" | "changed"; reason?: string; keys?: string[]; saved?: Record<string, unknown> } {
  if (!existsSync(join(dir, "manifest.json"))) return { state: "none" };
  let m: CheckpointManifest;
  try {
    m = readManifest(dir);
  } catch (e) {
    return { state: "changed", reason: (e as Error).message };
  }
  const hash = declarationHash(model.ir);
  const reasons: string[] = [];
  const keys: string[] = [];
  if (m.model !== model.name) reasons.push(`model ${m.model} → ${model.name}`);
  if (m.declarationHash !== hash) reasons.push(`declaration ${m.declarationHash} → ${hash} (hyperparameters or code)`);
  for (const [k, v] of Object.entries(expectExtra)) {
    const was = JSON.stringify(m.extra?.[k]) ?? "none";
    if (was !== JSON.stringify(v)) {
      reasons.push(`${k} ${was} → ${JSON.stringify(v)}`);
      keys.push(k);
    }
  }
  return reasons.length ? { state: "changed", reason: reasons.join(", "), keys, saved: m.extra ?? {} } : { state: "same", saved: m.extra ?? {} };
}

/** Loads a program from a checkpoint directory (checked as {@link readCheckpoint} says). */
export function loadCheckpoint(model: Model<any, any>, dir: string): Program {
  return deserialize(model, readCheckpoint(dir), dir);
}
