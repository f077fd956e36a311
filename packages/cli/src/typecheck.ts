/**
 * Type-checks a user's model module before the command line runs it (./user-model.ts), with the
 * TypeScript compiler's own API (the `typescript` package): one program over the module(s) and the
 * local files they import, `sparse-dgm` and `@sparse-dgm/*` resolved as the command line itself
 * resolves them (bin/user-model-hooks.js does the same at run time), so a file in examples/, in
 * /tmp or in another project checks against the library that will run it. Only the user's files
 * are reported (the library is checked by its own build), in tsc's words:
 * `examples/bad.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.`
 *
 * Cost: building the program parses the library and TF.js's declarations (about 1,000 files),
 * about 9 s of CPU (docs/comparison.md has the measurement). A passing check is remembered in
 * `node_modules/.cache/sparse-dgm/` beside the `typescript` package, keyed by the module's path,
 * and holds while no file of its program changed (size and modification time of each, and the
 * hash of the user's files): a re-run of an unchanged model costs a few milliseconds.
 *
 * The compiler options are fixed (strict, ES2022, bundler resolution, the DOM and Node types the
 * library uses); a tsconfig.json beside the model is not read. A `.js` module is parsed, and
 * type-checked only when it opts in with `// @ts-check` (TypeScript's convention).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TS from "typescript";

const here = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
/** The library's packages (the folder holding packages/cli): files there are not the user's. */
const LIBRARY = resolve(dirname(here), "../..").replace(/\\/g, "/") + "/";

let tsModule: typeof TS | undefined;
/** The compiler, loaded on first use (a zoo-only command never pays for it). */
async function typescript(): Promise<typeof TS> {
  tsModule ??= ((await import("typescript")) as unknown as { default: typeof TS }).default;
  return tsModule;
}

/** Whether a module name is the library's (resolved as the command line resolves it). */
export function isLibraryName(name: string): boolean {
  return name === "sparse-dgm" || name.startsWith("sparse-dgm/") || name.startsWith("@sparse-dgm/");
}

/** A file of the user's (not under node_modules, not the library's own sources). */
export function isUserFile(file: string): boolean {
  const f = file.replace(/\\/g, "/");
  return !f.includes("/node_modules/") && !f.startsWith(LIBRARY);
}

function compilerOptions(ts: typeof TS): TS.CompilerOptions {
  const nodeTypes = dirname(dirname(require.resolve("@types/node/package.json")));
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowJs: true,
    checkJs: false,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    typeRoots: [nodeTypes],
  };
}

/** A compiler host whose resolution sends the library's names to the command line's own copy. */
function host(ts: typeof TS, options: TS.CompilerOptions): TS.CompilerHost {
  const h = ts.createCompilerHost(options, true);
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
  h.resolveModuleNameLiterals = (literals, containingFile, redirected, opts, containingSourceFile) =>
    literals.map((lit) =>
      ts.resolveModuleName(
        lit.text,
        isLibraryName(lit.text) ? here : containingFile,
        opts,
        h,
        cache,
        redirected,
        ts.getModeForUsageLocation(containingSourceFile, lit, opts),
      ),
    );
  return h;
}

/**
 * The user's files a module consists of: itself and, transitively, the files it imports by a
 * relative or absolute path (resolved as TypeScript resolves them: `./layers.js` may be
 * `layers.ts`), sorted. Packages (the library, node_modules) are not followed. A lexical scan, no
 * type checking: cheap enough for every worker thread to re-hash a module before loading it.
 */
export async function localFiles(entry: string): Promise<string[]> {
  const ts = await typescript();
  const options = compilerOptions(ts);
  const seen = new Set<string>([resolve(entry)]);
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!/^\.{1,2}(\/|$)|^\//.test(fileName)) continue;
      const r = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      const target = r && resolve(r.resolvedFileName);
      if (target && isUserFile(target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen].sort();
}

/**
 * A module's content hash: sha256 over its local files ({@link localFiles}), each by its path
 * relative to the module's folder and its bytes (moving the folder keeps the hash; editing any
 * of the files changes it).
 */
export async function moduleHash(entry: string): Promise<string> {
  const h = createHash("sha256");
  const dir = dirname(resolve(entry));
  for (const f of await localFiles(entry)) {
    h.update(`${relative(dir, f).replace(/\\/g, "/")}\0`);
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

interface CacheRecord {
  typescript: string;
  sha256: string;
  /** Every file of the passing program: path, size, modification time. */
  files: Array<[string, number, number]>;
}

function cacheFile(module: string, ts: typeof TS): string {
  const key = createHash("sha256").update(`${resolve(module)}\0${ts.version}\0${JSON.stringify(compilerOptions(ts))}`).digest("hex").slice(0, 24);
  return join(cacheDir(), `typecheck-${key}.json`);
}

function cacheDir(): string {
  try {
    // node_modules/.cache/sparse-dgm beside the compiler (the find-cache-dir convention)
    return join(dirname(dirname(require.resolve("typescript/package.json"))), ".cache", "sparse-dgm");
  } catch {
    return join(tmpdir(), "sparse-dgm-cache");
  }
}

function stamp(file: string): [string, number, number] | undefined {
  try {
    const s = statSync(file);
    return [file, s.size, s.mtimeMs];
  } catch {
    return undefined;
  }
}

function cachedPass(module: string, sha256: string, ts: typeof TS): boolean {
  try {
    const rec = JSON.parse(readFileSync(cacheFile(module, ts), "utf8")) as CacheRecord;
    if (rec.typescript !== ts.version || rec.sha256 !== sha256) return false;
    return rec.files.every(([f, size, mtime]) => {
      const s = stamp(f);
      return s !== undefined && s[1] === size && s[2] === mtime;
    });
  } catch {
    return false;
  }
}

function rememberPass(module: string, sha256: string, files: string[], ts: typeof TS): void {
  // an optimisation only: a cache that cannot be written is skipped, never an error
  try {
    const path = cacheFile(module, ts);
    mkdirSync(dirname(path), { recursive: true });
    const rec: CacheRecord = { typescript: ts.version, sha256, files: files.map(stamp).filter((s): s is [string, number, number] => s !== undefined) };
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(rec));
    renameSync(tmp, path);
  } catch {
    /* no cache */
  }
}

/** What a check did: the modules it checked (the others were unchanged since they passed), and how long it took. */
export interface CheckResult {
  checked: string[];
  cached: string[];
  ms: number;
}

/**
 * Type-checks the modules (absolute paths, with their content hashes from {@link moduleHash}) in
 * one program; throws on the first module's errors with tsc's message for each (file, line and
 * column, relative to the working directory; with the code frame when stderr is a terminal).
 * `labels` name the modules in the error (the references as the user wrote them).
 */
export async function typeCheck(modules: Array<{ path: string; sha256: string; label: string }>): Promise<CheckResult> {
  const t0 = performance.now();
  const ts = await typescript();
  const todo = modules.filter((m) => !cachedPass(m.path, m.sha256, ts));
  const cached = modules.filter((m) => !todo.includes(m)).map((m) => m.label);
  if (!todo.length) return { checked: [], cached, ms: performance.now() - t0 };
  const options = compilerOptions(ts);
  const program = ts.createProgram({ rootNames: todo.map((m) => m.path), options, host: host(ts, options) });
  const roots = new Set(todo.map((m) => resolve(m.path)));
  const mine = program.getSourceFiles().filter((f) => isUserFile(f.fileName) || roots.has(resolve(f.fileName)));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...mine.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length) {
    const formatHost = { getCurrentDirectory: () => process.cwd(), getCanonicalFileName: (f: string) => f, getNewLine: () => "\n" };
    const text = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost);
    const n = diagnostics.length;
    throw new Error(`${todo.map((m) => m.label).join(", ")} does not type-check (${n} error${n === 1 ? "" : "s"}; tsc says):\n${text.trimEnd()}`);
  }
  const files = program.getSourceFiles().map((f) => f.fileName);
  for (const m of todo) rememberPass(m.path, m.sha256, files, ts);
  return { checked: todo.map((m) => m.label), cached, ms: performance.now() - t0 };
}
