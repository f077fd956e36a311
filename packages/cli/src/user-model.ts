/**
 * A user's own model on the command line (DESIGN §7): wherever a zoo name is accepted,
 * `sdgm fit | compare | eval | render` also take a module reference `<file>#<export>`
 * (`./my-model.ts#laplaceMask`, `../models/m.ts`, `/abs/path/m.js#entry`). The export is either
 *
 * - a **DSL model** (`model("...")....observe(...)`): fitted as declared, with no `--set`
 *   options and the training settings {@link MODULE_TRAINING} unless `--epochs` etc. are given; or
 * - a **zoo-style entry** (`ZooEntry`, packages/zoo/src/entry.ts: an object with
 *   `build(config & DataShape)`): built for the data's shape like a zoo model, with its
 *   `defaults` and `optional` keys as `--set` options and its `training` settings (each field
 *   optional except `build`; missing ones take the defaults here).
 *
 * Without `#<export>` the module's default export is used. The row's `model` name is the export's
 * name, or, for the default export, the file's name without its extension (`my-model`); it names
 * the checkpoint folders and the report's rows, and must differ from the zoo's names and the other
 * modules'. Before anything runs the module is type-checked (./typecheck.ts; tsc's message on an
 * error), then imported (bin/user-model-hooks.js lets it import `sparse-dgm` from anywhere).
 *
 * Where the model came from is kept: a result row's `config` gets `modelModule`
 * (`/abs/path/m.ts#export`) and `modelSha256` (the hash of the module and the local files it
 * imports), a checkpoint's manifest `modelOrigin` ({@link ModelOrigin}); `sdgm eval` rebuilds the
 * model from it and refuses when the files changed since; worker threads of `compare --jobs N`
 * load the same origins and refuse a module that changed since the comparison began.
 */
import { existsSync, statSync } from "node:fs";
import { basename, extname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Model } from "@sparse-dgm/core";
import { zoo, type DataShape, type TrainingDefaults, type ZooEntry } from "@sparse-dgm/zoo";
import { closest, distance } from "fastest-levenshtein";
import { moduleHash, typeCheck } from "./typecheck.js";

/** Where a user's model came from (recorded in checkpoints and, flattened, in result rows). */
export interface ModelOrigin {
  /** The row name: the export's name, or the file's base name for a default export. */
  name: string;
  /** The module's absolute path. */
  module: string;
  /** The export (`default` for the default export). */
  export: string;
  /** sha256 of the module and the local files it imports (./typecheck.ts `moduleHash`). */
  sha256: string;
}

/** Training settings of a module's DSL model, and of an entry's missing `training` fields. */
export const MODULE_TRAINING: TrainingDefaults = { epochs: 100, batchSize: 100, learningRate: 1e-3, normalisation: "elbo" };

const EXTENSIONS = [".ts", ".mts", ".tsx", ".js", ".mjs", ".jsx"];

const registered = new Map<string, { entry: ZooEntry<any>; origin: ModelOrigin; kind: "model" | "entry" }>();

/** Whether a model argument names a module (has a `#`, a path separator or a script extension) rather than a zoo entry. */
export function isModuleRef(model: string): boolean {
  return /[#/\\]/.test(model) || /\.[cm]?[jt]sx?$/.test(model);
}

/** A module reference taken apart: the file (absolute) and the export, if one is named. */
export interface ModuleRef {
  ref: string;
  path: string;
  exportName?: string;
}

/** Parses `<file>#<export>` (the file relative to `cwd`); a missing file or a wrong extension is one clear line. */
export function parseModuleRef(ref: string, cwd = process.cwd()): ModuleRef {
  const at = ref.lastIndexOf("#");
  const file = at < 0 ? ref : ref.slice(0, at);
  const exportName = at < 0 || at === ref.length - 1 ? undefined : ref.slice(at + 1);
  if (!file) throw new Error(`${ref}: expected <file>#<export>, e.g. ./my-model.ts#myModel`);
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new Error(`${ref}: no such file (${path})`);
  if (!statSync(path).isFile()) throw new Error(`${ref}: ${path} is not a file`);
  if (!EXTENSIONS.includes(extname(path))) throw new Error(`${ref}: a model module is a ${EXTENSIONS.join(", ")} file, got ${extname(path) || "no extension"}`);
  if (exportName !== undefined && !/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new Error(`${ref}: "${exportName}" is not an export name`);
  return { ref, path, exportName };
}

/** The row name of an export: its name, or the file's base name (characters outside [A-Za-z0-9_-] as "-") for `default`. */
export function rowName(path: string, exportName: string): string {
  return exportName === "default" ? basename(path, extname(path)).replace(/[^A-Za-z0-9_-]+/g, "-") : exportName;
}

/**
 * Resolves model arguments to the names rows use: a zoo name stays (an unknown one is refused,
 * listing the zoo); a module reference is type-checked (all of them in one program, unless
 * `check: false`), imported, validated and registered for {@link modelEntry}. Refuses two
 * references that would share a row name, or one that would take a zoo model's.
 */
export async function resolveModels(models: readonly string[], options: { check?: boolean } = {}): Promise<string[]> {
  const refs = models.filter(isModuleRef).map((m) => parseModuleRef(m));
  for (const m of models) if (!isModuleRef(m)) modelEntry(m);
  const hashes = await Promise.all(refs.map((r) => moduleHash(r.path)));
  if (options.check !== false && refs.length) {
    const t = await typeCheck(refs.map((r, i) => ({ path: r.path, sha256: hashes[i], label: r.ref })));
    if (t.checked.length) process.stderr.write(`type-checked ${t.checked.join(", ")} in ${(t.ms / 1000).toFixed(1)} s\n`);
  }
  const names = new Map<string, string>();
  const refNames: string[] = [];
  for (const [i, r] of refs.entries()) {
    const ns = await importModule(r.ref, r.path);
    const exportName = pickExport(ns, r);
    const origin: ModelOrigin = { name: rowName(r.path, exportName), module: r.path, export: exportName, sha256: hashes[i] };
    const where = `${r.path}#${exportName}`;
    const clash = Object.hasOwn(zoo, origin.name) ? `the zoo's ${origin.name}` : names.has(origin.name) && names.get(origin.name) !== where ? names.get(origin.name) : undefined;
    if (clash) throw new Error(`${r.ref}: its rows would be named "${origin.name}", as are those of ${clash}; rename the export (a row takes the export's name, a default export the file's)`);
    names.set(origin.name, where);
    register(origin, ns[exportName], r.ref);
    refNames.push(origin.name);
  }
  let next = 0;
  return models.map((m) => (isModuleRef(m) ? refNames[next++] : m));
}

/**
 * Loads recorded origins (a checkpoint's, or those a worker thread is sent): each module must hash
 * as recorded, else it is refused (`why` says what the hash was taken for). `at` is where the one
 * module is now when it moved (`sdgm eval --model <file>[#export]`). Type-checked unless `check: false`.
 */
export async function useOrigins(origins: readonly ModelOrigin[], options: { check?: boolean; at?: string; why?: string } = {}): Promise<void> {
  for (const o of origins) {
    const moved = options.at ? parseModuleRef(options.at) : undefined;
    const path = moved?.path ?? o.module;
    const exportName = moved?.exportName ?? o.export;
    const where = `${o.module}#${o.export}`;
    if (!existsSync(path)) throw new Error(`the model came from ${where}, which no longer exists (pass --model <file>#<export> if it moved)`);
    const sha256 = await moduleHash(path);
    if (sha256 !== o.sha256) {
      throw new Error(
        `${path}#${exportName} has changed since ${options.why ?? "the model was recorded"} (sha256 ${o.sha256.slice(0, 12)}… then, ${sha256.slice(0, 12)}… now, over the module and its local imports): restore it or fit again`,
      );
    }
    const label = options.at ?? where;
    if (options.check !== false) await typeCheck([{ path, sha256, label }]);
    const ns = await importModule(label, path);
    register({ ...o, module: path, export: pickExport(ns, { ref: label, path, exportName }) }, ns[exportName], label);
  }
}

/** The zoo entry, or the registered module entry, of a row name; an unknown name lists the zoo. */
export function modelEntry(name: string): ZooEntry<any> {
  const user = registered.get(name);
  if (user) return user.entry;
  if (Object.hasOwn(zoo, name)) return zoo[name];
  if (isModuleRef(name)) throw new Error(`model module ${name} is not loaded: pass the model arguments through resolveModels([...]) first and use the names it returns`);
  const near = closest(name, Object.keys(zoo));
  const hint = distance(name, near) <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${near}?)` : "";
  throw new Error(`unknown model "${name}"${hint}; zoo models: ${Object.keys(zoo).join(", ")}; or a model module: ./file.ts#export`);
}

/** What a module's export is: a DSL model (fixed shape, no options) or a zoo-style entry; undefined for a zoo model. */
export function moduleKind(name: string): "model" | "entry" | undefined {
  return registered.get(name)?.kind;
}

/** Where a registered module model came from (undefined for a zoo model). */
export function modelOrigin(name: string): ModelOrigin | undefined {
  return registered.get(name)?.origin;
}

/** The comparison-level record of where its module models came from: `{ modules: { name: "path#export (sha256 …)" } }`, or nothing. */
export function originSummary(names: readonly string[]): { modules?: Record<string, string> } {
  const mods = names.flatMap((n) => {
    const o = modelOrigin(n);
    return o ? [[n, `${o.module}#${o.export} (sha256 ${o.sha256})`] as const] : [];
  });
  return mods.length ? { modules: Object.fromEntries(mods) } : {};
}

/** A result row's `config` keys for a module model: `modelModule` (`path#export`) and `modelSha256`; none for a zoo model. */
export function originConfig(name: string): Record<string, string> {
  const o = modelOrigin(name);
  return o ? { modelModule: `${o.module}#${o.export}`, modelSha256: o.sha256 } : {};
}

/** A checkpoint manifest's `extra` for a module model: `{ modelOrigin }`; none for a zoo model. */
export function originExtra(name: string): { modelOrigin?: ModelOrigin } {
  const o = modelOrigin(name);
  return o ? { modelOrigin: o } : {};
}

async function importModule(ref: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    // the first line of the stack inside the user's file says where
    const at = err.stack?.split("\n").find((l) => l.includes(path) || l.includes(pathToFileURL(path).href));
    throw new Error(`${ref}: importing the module failed: ${err.message}${at ? ` (${at.trim()})` : ""}`);
  }
}

function isEntryLike(v: unknown): v is Record<string, unknown> & { build: (c: DataShape) => unknown } {
  return typeof v === "object" && v !== null && typeof (v as { build?: unknown }).build === "function";
}

function isUsable(v: unknown): boolean {
  return v instanceof Model || isEntryLike(v);
}

/** The export a reference means: the named one, else `default`; a missing one lists the module's models and entries. */
function pickExport(ns: Record<string, unknown>, r: ModuleRef): string {
  const want = r.exportName ?? "default";
  if (Object.hasOwn(ns, want)) return want;
  const file = relative(process.cwd(), r.path) || r.path;
  const shown = file.startsWith(".") || file.startsWith("/") ? file : `./${file}`;
  const usable = Object.keys(ns).filter((k) => isUsable(ns[k]));
  const others = Object.keys(ns).filter((k) => !usable.includes(k));
  const listing = usable.length
    ? `its models and entries: ${usable.map((k) => (k === "default" ? shown : `${shown}#${k}`)).join(", ")}`
    : `it exports no DSL model or zoo-style entry${others.length ? ` (its exports: ${others.join(", ")})` : ""}`;
  return fail(r.exportName ? `${r.ref}: the module has no export "${want}"; ${listing}` : `${r.ref}: the module has no default export; name one with #<export>; ${listing}`);
}

function fail(message: string): never {
  throw new Error(message);
}

/** What a value is, for a message. */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "function") return `a function (${v.name || "anonymous"}); export a zoo-style entry { build: ${v.name || "it"} } to use a model builder`;
  if (typeof v === "object") return Array.isArray(v) ? "an array" : `an object without build() (keys: ${Object.keys(v).slice(0, 8).join(", ") || "none"})`;
  return `a ${typeof v}`;
}

function register(origin: ModelOrigin, value: unknown, ref: string): void {
  registered.set(origin.name, { entry: toEntry(value, origin.name, ref), origin, kind: value instanceof Model ? "model" : "entry" });
}

/** A module's export as a zoo entry (validated: one line naming the field that is wrong). */
function toEntry(value: unknown, name: string, ref: string): ZooEntry<any> {
  if (value instanceof Model) {
    return { name, title: `${value.name} (${ref})`, reference: "", spec: "", defaults: {}, optional: [], build: () => value, defaultData: "", renderShape: { features: 1 }, training: MODULE_TRAINING };
  }
  if (!isEntryLike(value)) {
    const looksLikeModel = typeof value === "object" && value !== null && "ir" in value;
    fail(
      looksLikeModel
        ? `${ref} is a model of another copy of sparse-dgm; import the library as "sparse-dgm" (the command line's copy)`
        : `${ref} is ${describe(value)}, not a DSL model (model(...)...) or a zoo-style entry (an object with build(shape))`,
    );
  }
  const v = value;
  const defaults = v.defaults ?? {};
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) fail(`${ref}: defaults must be an object of hyperparameters`);
  const optional = v.optional ?? [];
  if (!Array.isArray(optional) || !optional.every((o) => typeof o === "string")) fail(`${ref}: optional must be a list of option names`);
  const training = { ...MODULE_TRAINING, ...(v.training as Partial<TrainingDefaults> | undefined) };
  for (const k of ["epochs", "batchSize"] as const) if (!Number.isInteger(training[k]) || training[k] < 1) fail(`${ref}: training.${k} must be a positive integer, got ${JSON.stringify(training[k])}`);
  if (!(training.learningRate > 0)) fail(`${ref}: training.learningRate must be positive, got ${JSON.stringify(training.learningRate)}`);
  if (!["reference", "elbo"].includes(training.normalisation)) fail(`${ref}: training.normalisation must be "reference" or "elbo", got ${JSON.stringify(training.normalisation)}`);
  const text = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : "");
  return {
    name,
    title: text("title") || `${name} (${ref})`,
    reference: text("reference"),
    spec: text("spec"),
    defaults,
    optional: optional as string[],
    build: (shape: DataShape) => {
      const m = v.build(shape);
      if (!(m instanceof Model)) fail(`${ref}: build() returned ${describe(m)}, not a DSL model`);
      return m;
    },
    defaultData: text("defaultData"),
    renderShape: v.renderShape as DataShape,
    training,
  };
}
