/**
 * Checkpoints (DESIGN §3): one versioned JSON manifest (model declaration hash, compile options,
 * progress, RNG state, optimiser state layout, data statistics) plus one binary buffer of float32
 * weights. Browser-safe: `serialize` / `deserialize` work on memory; `./node.ts` writes them as
 * one generation (a weights file named by the manifest with its size and checksum).
 */
import { tf, type Model, type ModelIR } from "@sparse-dgm/core";
import { Program, type CompileOptions } from "./program.js";
import type { AdamState } from "./optim.js";
import type { DataStats } from "./families/family.js";

/**
 * The manifest format version. 2: the manifest names its weights file by generation, size and
 * SHA-256 (`files`); version 1 had one `weights.bin` renamed separately from its manifest.
 */
export const CHECKPOINT_VERSION = 2;

/** One tensor's place in the weights buffer. */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset and length in float32 elements. */
  offset: number;
  length: number;
  group?: string;
  trainable?: boolean;
}

/** The manifest. */
export interface CheckpointManifest {
  format: "sparse-dgm-checkpoint";
  version: number;
  model: string;
  declarationHash: string;
  /** The declaration's recorded hyperparameters and per-site hashes, to name what changed on a mismatch (absent in older checkpoints). */
  declaration?: DeclarationSummary;
  compile: CompileOptions;
  keys: Array<[number, number]>;
  progress: { step: number; position: { epoch: number; batch: number } };
  sizes: Record<string, number>;
  trainSize: number;
  stats: DataStats;
  params: TensorEntry[];
  optimizers: Record<string, { learningRate: number; t: number; m: TensorEntry[]; v: TensorEntry[] }>;
  /** Anything else the caller wants kept (run config, data source). */
  extra?: Record<string, unknown>;
  /** Total float32 elements in the weights buffer. */
  totalLength: number;
  /** On disk: the weights file of this generation, its size in bytes and its SHA-256 (hex). */
  files?: { weights: string; bytes: number; sha256: string };
}

/** A serialised checkpoint. */
export interface Checkpoint {
  manifest: CheckpointManifest;
  weights: Float32Array;
}

function fnv1a64(text: string): string {
  let h1 = 0x811c9dc5 >>> 0;
  let h2 = 0xcbf29ce4 >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619) >>> 0;
    h2 = Math.imul(h2 ^ (c + 0x9e37), 16777619) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/**
 * A hash of a model's declaration: plates, sites (kinds, plates, events, masks, options) and the
 * source of every callback. A changed model no longer matches its old checkpoints. The metadata's
 * `run` (the run length a build resolved its run-relative schedules against, for `fit`'s check) is
 * left out: what it changed is in the resolved options the metadata's config records, and a
 * rebuild from that config (`sdgm eval`) is not told the run again.
 */
export function declarationHash(ir: ModelIR): string {
  return fnv1a64(JSON.stringify(declarationParts(ir)));
}

/** The parts {@link declarationHash} hashes: the name, the metadata (without `run`), the plates and each site's canonical form. */
function declarationParts(ir: ModelIR) {
  const { run: _run, ...meta } = ir.meta;
  return {
    name: ir.name,
    meta,
    plates: ir.plates,
    sites: ir.sites.map((s) => ({
      kind: s.kind,
      name: s.name,
      plates: s.plates,
      event: s.event,
      mask: s.mask,
      options: JSON.parse(JSON.stringify(s.options, (_k, v) => (typeof v === "function" ? String(v) : v))),
      fn: String(s.fn),
    })),
  };
}

/**
 * What a checkpoint records of its declaration beside the hash, so that a mismatch can say what
 * changed: the recorded hyperparameters (`meta.config`, as zoo entries record them) and one hash per
 * site and for the plates.
 */
export interface DeclarationSummary {
  config?: Record<string, unknown>;
  plates: string;
  sites: Record<string, string>;
}

function declarationSummary(ir: ModelIR): DeclarationSummary {
  const parts = declarationParts(ir);
  const config = parts.meta.config as Record<string, unknown> | undefined;
  return {
    ...(config && typeof config === "object" ? { config: JSON.parse(JSON.stringify(config)) as Record<string, unknown> } : {}),
    plates: fnv1a64(JSON.stringify(parts.plates)),
    sites: Object.fromEntries(parts.sites.map((s) => [s.name, fnv1a64(JSON.stringify(s))])),
  };
}

/**
 * What differs between a checkpoint's declaration and a model's, in words: the hyperparameters
 * (`spikeHead "relu" → "sigmoid"`), then the plates and the sites whose declaration changed, added or
 * removed; empty when the checkpoint predates the summary or nothing it records differs.
 */
export function declarationDiff(saved: DeclarationSummary | undefined, ir: ModelIR): string[] {
  if (!saved) return [];
  const now = declarationSummary(ir);
  const show = (v: unknown) => (v === undefined ? "unset" : JSON.stringify(v));
  const out: string[] = [];
  const a = saved.config ?? {};
  const b = now.config ?? {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${k} ${show(a[k])} → ${show(b[k])}`);
  }
  if (saved.plates !== now.plates) out.push("the plates");
  const sites = [...new Set([...Object.keys(saved.sites), ...Object.keys(now.sites)])];
  const changed = sites.filter((n) => saved.sites[n] !== now.sites[n]);
  if (changed.length)
    out.push(`site${changed.length === 1 ? "" : "s"} ${changed.map((n) => (saved.sites[n] === undefined ? `${n} (new)` : now.sites[n] === undefined ? `${n} (gone)` : n)).join(", ")}`);
  return out;
}

/** Serialises a program (weights, optimiser moments, progress, RNG keys). */
export function serialize(program: Program, extra?: Record<string, unknown>): Checkpoint {
  const internals = program.internals();
  const tensors: Array<{ entry: Omit<TensorEntry, "offset" | "length">; data: Float32Array }> = [];
  for (const { variable, meta } of program.params.all()) {
    tensors.push({ entry: { name: meta.name, shape: variable.shape.slice(), group: meta.group, trainable: meta.trainable }, data: variable.dataSync() as Float32Array });
  }
  const optimizers: CheckpointManifest["optimizers"] = {};
  const optEntries: Array<{ group: string; which: "m" | "v"; name: string; t: tf.Tensor }> = [];
  for (const [group, opt] of internals.optimizers) {
    const st: AdamState = opt.getState();
    optimizers[group] = { learningRate: opt.learningRate, t: st.t, m: [], v: [] };
    for (const [name, t] of Object.entries(st.m)) optEntries.push({ group, which: "m", name, t });
    for (const [name, t] of Object.entries(st.v)) optEntries.push({ group, which: "v", name, t });
  }
  let offset = 0;
  const params: TensorEntry[] = tensors.map(({ entry, data }) => {
    const e = { ...entry, offset, length: data.length };
    offset += data.length;
    return e;
  });
  const optData: Float32Array[] = [];
  for (const o of optEntries) {
    const data = o.t.dataSync() as Float32Array;
    o.t.dispose();
    optimizers[o.group][o.which].push({ name: o.name, shape: o.t.shape.slice(), offset, length: data.length });
    optData.push(data);
    offset += data.length;
  }
  const weights = new Float32Array(offset);
  let p = 0;
  for (const { data } of tensors) {
    weights.set(data, p);
    p += data.length;
  }
  for (const d of optData) {
    weights.set(d, p);
    p += d.length;
  }
  const manifest: CheckpointManifest = {
    format: "sparse-dgm-checkpoint",
    version: CHECKPOINT_VERSION,
    model: program.model.name,
    declarationHash: declarationHash(program.model.ir),
    declaration: declarationSummary(program.model.ir),
    compile: program.options,
    keys: program.keys.map((k) => k.words()),
    progress: { step: internals.stepCount, position: { ...internals.position } },
    sizes: internals.sizes,
    trainSize: internals.trainSize,
    stats: internals.stats,
    params,
    optimizers,
    totalLength: offset,
    ...(extra ? { extra } : {}),
  };
  return { manifest, weights };
}

/**
 * Checks that every tensor the manifest lists lies inside the weights buffer with as many values
 * as its shape holds, and that the parameters are finite; throws one line naming the tensor.
 */
function checkLayout(m: CheckpointManifest, weights: Float32Array, where: string): void {
  const total = weights.length;
  const entries: Array<[string, TensorEntry]> = [
    ...(m.params ?? []).map((e) => ["parameter", e] as [string, TensorEntry]),
    ...Object.entries(m.optimizers ?? {}).flatMap(([g, o]) => [...(o.m ?? []), ...(o.v ?? [])].map((e) => [`${g} optimiser moment`, e] as [string, TensorEntry])),
  ];
  for (const [what, e] of entries) {
    const size = Array.isArray(e.shape) ? e.shape.reduce((a, b) => a * b, 1) : NaN;
    if (!Number.isSafeInteger(e.offset) || !Number.isSafeInteger(e.length) || e.offset < 0 || e.length < 0 || e.offset + e.length > total) {
      throw new Error(
        `checkpoint${where}: ${what} "${e.name}" lies at [${e.offset}, ${e.offset + e.length}), outside the ${total} float32 values of its weights: the manifest was edited or is corrupt`,
      );
    }
    if (size !== e.length) {
      throw new Error(`checkpoint${where}: ${what} "${e.name}" has shape [${e.shape}] (${size} values) but ${e.length} values in the weights: the manifest was edited or is corrupt`);
    }
  }
  // serialize lays the tensors end to end: an offset that is not where the previous one ends was edited
  let end = 0;
  for (const [what, e] of [...entries].sort((a, b) => a[1].offset - b[1].offset)) {
    if (e.offset !== end) {
      throw new Error(`checkpoint${where}: ${what} "${e.name}" lies at [${e.offset}, ${e.offset + e.length}), not where the previous tensor ends (${end}): the manifest was edited or is corrupt`);
    }
    end += e.length;
  }
  if (end !== total) throw new Error(`checkpoint${where}: the manifest's tensors hold ${end} values, its weights ${total}: the manifest was edited or is corrupt`);
  for (const e of m.params ?? []) {
    const v = weights.subarray(e.offset, e.offset + e.length);
    let bad = 0;
    let first = 0;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) {
        if (!bad) first = v[i];
        bad++;
      }
    }
    if (bad) throw new Error(`checkpoint${where}: parameter "${e.name}" holds ${bad} non-finite value${bad === 1 ? "" : "s"} (${first}): the run that saved it diverged; it is not loaded`);
  }
}

/**
 * Rebuilds a program from a checkpoint of the same model. Throws clearly for another model,
 * another format version, a changed declaration, a truncated weights buffer, a manifest whose
 * layout does not fit its weights, or non-finite parameters. `dir` names the checkpoint in errors.
 */
export function deserialize<M extends Model<any, any>>(model: M, ckpt: Checkpoint, dir?: string): Program<M> {
  const m = ckpt.manifest;
  const where = dir ? ` in ${dir}` : "";
  if (m.format !== "sparse-dgm-checkpoint") throw new Error(`not a sparse-dgm checkpoint (format ${JSON.stringify(m.format)})`);
  if (m.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint version ${m.version} is not supported (this library reads version ${CHECKPOINT_VERSION})`);
  if (m.model !== model.name) throw new Error(`checkpoint is of model "${m.model}", not "${model.name}"`);
  const hash = declarationHash(model.ir);
  if (m.declarationHash !== hash) {
    const diff = declarationDiff(m.declaration, model.ir);
    throw new Error(
      `checkpoint of "${m.model}"${where} was saved from a different declaration (hash ${m.declarationHash}, this model ${hash}): ${diff.length ? `changed: ${diff.join("; ")}` : "hyperparameters or code changed"}`,
    );
  }
  if (ckpt.weights.length !== m.totalLength) {
    throw new Error(`checkpoint${where}: weights are truncated or corrupt: ${ckpt.weights.length} float32 values, the manifest lists ${m.totalLength}`);
  }
  checkLayout(m, ckpt.weights, where);
  const program = new Program(model, m.compile);
  const internals = program.internals();
  const keysMatch = program.keys.every((k, i) => k.words()[0] === m.keys[i][0] && k.words()[1] === m.keys[i][1]);
  if (!keysMatch) throw new Error("checkpoint keys do not match its compile options");
  internals.restore({ sizes: m.sizes, trainSize: m.trainSize, stats: m.stats });
  for (const e of m.params) {
    const value = tf.tensor(ckpt.weights.subarray(e.offset, e.offset + e.length), e.shape);
    const perReplica = program.replicas === undefined ? e.shape : e.shape.slice(1);
    program.params.getOrCreate(e.name, perReplica, () => tf.zeros(perReplica), { group: e.group, trainable: e.trainable });
    program.params.assign({ [e.name]: value });
    value.dispose();
  }
  for (const [group, o] of Object.entries(m.optimizers)) {
    const opt = internals.optimizer(group, o.learningRate);
    const read = (list: TensorEntry[]) => Object.fromEntries(list.map((e) => [e.name, tf.tensor(ckpt.weights.subarray(e.offset, e.offset + e.length), e.shape)]));
    const mm = read(o.m);
    const vv = read(o.v);
    opt.setState({ t: o.t, m: mm, v: vv });
    tf.dispose([...Object.values(mm), ...Object.values(vv)]);
  }
  internals.setProgress(m.progress.step, m.progress.position);
  return program;
}
