/**
 * Crash-safe file writes for Node (checkpoints here, the results store in the command line):
 * `write-file-atomic` writes a temporary file, fsyncs it and renames it into place, so a reader
 * sees the old file or the new one, never part of one, even after `kill -9` or a power cut.
 * Errors become one line naming the file and the system's reason ({@link ioError}).
 */
import { closeSync, fsyncSync, openSync } from "node:fs";
import writeFileAtomic from "write-file-atomic";

/** The system's reasons, in words, for the error codes a full, read-only or missing disk gives. */
const REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EMFILE: "too many open files",
  EIO: "input/output error",
};

/**
 * An I/O error as one line naming the file, the system's reason and its code:
 * `cannot write runs/x/results.json: no space left on device (ENOSPC)`. The code is kept on the
 * error (`.code`).
 */
export function ioError(what: string, path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const plain = typeof err?.message === "string" ? err.message.replace(/^\w+: /, "").replace(/, \w+( '.*')?$/, "") : String(e);
  const why = err?.code ? `${REASONS[err.code] ?? plain} (${err.code})` : plain;
  const out = new Error(`cannot ${what} ${path}: ${why}`) as NodeJS.ErrnoException;
  if (err?.code) out.code = err.code;
  return out;
}

/**
 * Writes a file atomically (temporary file, fsync, rename). A failure (a full disk: ENOSPC)
 * throws {@link ioError} and leaves the old file as it was; the temporary file is removed.
 */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic.sync(path, typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw ioError("write", path, e);
  }
}

/** Flushes a directory's entries (the renames into it) to disk; a file system that cannot is left alone. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the renames are still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
