/**
 * A user's own model on the command line (packages/cli/src/user-model.ts): module references,
 * exports, names, options and origins in-process (fixtures in ./fixtures, loaded without the type
 * check, which the subprocess tests below exercise), then the real `sdgm` in child processes: a
 * model file in a temporary folder outside the repository (with a local import) fitted,
 * evaluated, refused once its files changed, and a type error that stops the run with tsc's
 * message. (examples/my-sparse-model.ts --smoke, run by test/examples, is the `sdgm compare` of
 * sparseVae and a module model with --jobs 2: both rows, the origin in the row and one report.)
 */
import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveModels, modelEntry, modelOrigin, originConfig, parseModuleRef, useOrigins, isModuleRef, MODULE_TRAINING } from "../../packages/cli/src/user-model.js";
import { moduleHash } from "../../packages/cli/src/typecheck.js";
import { modelConfigs } from "../../packages/cli/src/main.js";
import { runJob, evalCheckpoint, buildFor } from "../../packages/cli/src/jobs.js";
import { deserialize } from "@sparse-dgm/infer";
import { readCheckpoint, saveCheckpoint } from "@sparse-dgm/infer/node";
import { changedSettings } from "../../packages/cli/src/compare.js";
import { loadData } from "../../packages/data/src/index.js";
import type { ResultRow } from "../../packages/viz/src/index.js";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const fixtures = "test/cli/fixtures";
const models = `./${fixtures}/models.ts`;
const SDGM = join(root, "packages/cli/bin/sdgm.js");
const data = "synthetic:moran?rho=0.2&n=300";

/** Runs the real `sdgm` (asynchronously: a blocked test worker misses vitest's heartbeats). */
function sdgm(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [SDGM, ...args], { cwd, env: { ...process.env, SDGM_BACKEND: "cpu" }, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("model references", () => {
  it("tells a module from a zoo name", () => {
    expect(["sparseVae", "vsc"].map(isModuleRef)).toEqual([false, false]);
    expect(["./m.ts", "m.ts#x", "/abs/m.js", "..\\m.ts", "m.mjs"].map(isModuleRef)).toEqual([true, true, true, true, true]);
  });

  it("refuses a missing file, a wrong extension and a bad export name in one line each", () => {
    expect(() => parseModuleRef("./nope.ts#m", root)).toThrow(`./nope.ts#m: no such file (${join(root, "nope.ts")})`);
    expect(() => parseModuleRef("./package.json#m", root)).toThrow("./package.json#m: a model module is a .ts, .mts, .tsx, .js, .mjs, .jsx file, got .json");
    expect(() => parseModuleRef(`${models}#not-a-name`, root)).toThrow(`"not-a-name" is not an export name`);
    expect(parseModuleRef(`${models}#tiny7`, root)).toEqual({ ref: `${models}#tiny7`, path: join(root, fixtures, "models.ts"), exportName: "tiny7" });
  });

  it("a missing export, or a missing default export, lists the module's models and entries", async () => {
    await expect(resolveModels([`${models}#tiny`], { check: false })).rejects.toThrow(
      `${models}#tiny: the module has no export "tiny"; its models and entries: ${models}#tiny7, ${models}#tinyEntry, ${models}#sparseVae`,
    );
    await expect(resolveModels([models], { check: false })).rejects.toThrow(
      `${models}: the module has no default export; name one with #<export>; its models and entries: ${models}#tiny7, ${models}#tinyEntry, ${models}#sparseVae`,
    );
  });

  it("refuses an export that is neither a DSL model nor an entry, saying what it is", async () => {
    await expect(resolveModels([`${models}#answer`], { check: false })).rejects.toThrow(`${models}#answer is a number, not a DSL model (model(...)...) or a zoo-style entry (an object with build(shape))`);
    await expect(resolveModels([`${models}#makeTiny`], { check: false })).rejects.toThrow("is a function (buildTiny); export a zoo-style entry { build: buildTiny } to use a model builder");
  });

  it("refuses an export that would take a zoo model's row name", async () => {
    await expect(resolveModels(["sparseVae", `${models}#sparseVae`], { check: false })).rejects.toThrow(`its rows would be named "sparseVae", as are those of the zoo's sparseVae; rename the export`);
  });

  it("names rows after the export, or after the file for a default export; a .js module loads too", async () => {
    const names = await resolveModels(["vae", `${models}#tiny7`, `./${fixtures}/default-entry.ts`, `./${fixtures}/plain.js#jsModel`], { check: false });
    expect(names).toEqual(["vae", "tiny7", "default-entry", "jsModel"]);
    expect(modelOrigin("tiny7")).toEqual({ name: "tiny7", module: join(root, fixtures, "models.ts"), export: "tiny7", sha256: await moduleHash(join(root, fixtures, "models.ts")) });
    expect(modelOrigin("default-entry")?.export).toBe("default");
    expect(modelOrigin("vae")).toBeUndefined();
    expect(modelEntry("jsModel").build({ features: 7 }).name).toBe("jsModel");
    // a plain model trains with the documented settings; an entry's missing fields take them too
    expect(modelEntry("tiny7").training).toEqual(MODULE_TRAINING);
    expect(modelEntry("default-entry").training).toEqual({ epochs: 1, batchSize: 100, learningRate: 1e-2, normalisation: "elbo" });
    expect(() => modelEntry("tiny")).toThrow(`unknown model "tiny"; zoo models: sparseVae, vae`);
    expect(() => modelEntry("sparsVae")).toThrow(`unknown model "sparsVae" (did you mean sparseVae?); zoo models: sparseVae, vae`);
  });

  it("the hash covers the module's local imports", async () => {
    const a = await moduleHash(join(root, fixtures, "models.ts"));
    const b = await moduleHash(join(root, fixtures, "default-entry.ts"));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    // default-entry.ts imports ./models.js (models.ts): both are hashed
    const { localFiles } = await import("../../packages/cli/src/typecheck.js");
    expect(await localFiles(join(root, fixtures, "default-entry.ts"))).toEqual([join(root, fixtures, "default-entry.ts"), join(root, fixtures, "models.ts")]);
  });

  it("--set: an entry's options apply; a plain DSL model takes none", async () => {
    await resolveModels([`${models}#tinyEntry`, `${models}#tiny7`, `./${fixtures}/default-entry.ts`], { check: false });
    expect(modelConfigs(["tinyEntry", "vae"], ["hidden=4"])).toEqual({ tinyEntry: { hidden: 4 }, vae: { hidden: 4 } });
    expect(modelConfigs(["default-entry"], ["default-entry.note=x"])).toEqual({ "default-entry": { note: "x" } });
    expect(() => modelConfigs(["tiny7"], ["tiny7.hidden=4"])).toThrow(`--set tiny7.hidden: tiny7 has no option "hidden"; the options are (none)`);
    expect(() => modelConfigs(["tinyEntry"], ["hiden=4"])).toThrow(`--set hiden: tinyEntry has no option "hiden" (did you mean hidden?); the options are hidden`);
  });

  it("a worker refuses a module whose hash is not the one the comparison began with", async () => {
    const [name] = await resolveModels([`${models}#tiny7`], { check: false });
    const o = modelOrigin(name)!;
    await expect(useOrigins([{ ...o, sha256: "0".repeat(64) }], { check: false, why: "the comparison began" })).rejects.toThrow(
      `${o.module}#tiny7 has changed since the comparison began (sha256 000000000000… then, ${o.sha256.slice(0, 12)}… now, over the module and its local imports): restore it or fit again`,
    );
    await expect(useOrigins([{ ...o, module: "/gone/m.ts" }], { check: false })).rejects.toThrow("the model came from /gone/m.ts#tiny7, which no longer exists (pass --model <file>#<export> if it moved)");
  });

  it("eval --model: a module that moved (same content) is found where it is now, under its recorded name", async () => {
    await resolveModels([`${models}#tiny7`], { check: false });
    const moved = { ...modelOrigin("tiny7")!, name: "oldName", module: "/old/place/models.ts" };
    await useOrigins([moved], { check: false, at: models });
    expect(modelOrigin("oldName")).toEqual({ ...moved, module: join(root, fixtures, "models.ts") });
    await expect(useOrigins([moved], { check: false, at: `${models}#nope` })).rejects.toThrow(`${models}#nope: the module has no export "nope"; its models and entries:`);
  });

  it("fits, records its origin in the row and the checkpoint, and eval rebuilds it", async () => {
    const [name] = await resolveModels([`${models}#tinyEntry`], { check: false });
    const ds = await loadData(data);
    const out = mkdtempSync(join(tmpdir(), "sdgm-user-model-"));
    const fit = await runJob({ model: name, source: data, seeds: [0], out, checkpointEvery: 0, metrics: ["heldoutMseMean"], config: { hidden: 4 } }, ds);
    const o = modelOrigin(name)!;
    expect(fit.rows[0]).toMatchObject({ model: "tinyEntry", config: { hidden: 4, epochs: 1, modelModule: `${o.module}#tinyEntry`, modelSha256: o.sha256 } });
    const manifest = JSON.parse(readFileSync(join(out, "checkpoints", "tinyEntry-s0", "manifest.json"), "utf8"));
    expect(manifest.extra.modelOrigin).toEqual(o);
    const again = await evalCheckpoint(join(out, "checkpoints", "tinyEntry-s0"), ds, data, ["heldoutMseMean"]);
    expect(again[0].model).toBe("tinyEntry");
    expect(again[0].metrics.heldoutMseMean).toBeCloseTo(fit.rows[0].metrics.heldoutMseMean, 5);
    // compare: a changed module is a changed setting; where it lies is not
    const row = fit.rows[0] as ResultRow;
    const entry = { model: name, data, config: { hidden: 4 } };
    expect(changedSettings({ ...row, config: { ...row.config, modelModule: "/elsewhere/m.ts#tinyEntry" } }, entry, ds)).toBeUndefined();
    expect(changedSettings({ ...row, config: { ...row.config, modelSha256: "abc" } }, entry, ds)).toBe(`modelSha256 "abc" → "${o.sha256}"`);
    expect(originConfig("vae")).toEqual({});
    // sdgm fit does not resume a checkpoint saved from another version of the module
    // (saved through the library: a manifest edited by hand fails its own checksum first)
    const ckDir = join(out, "checkpoints", "tinyEntry-s0");
    const ck = readCheckpoint(ckDir);
    const saved = deserialize(buildFor(name, ds, ck.manifest.extra!.modelConfig as Record<string, unknown>), ck, ckDir);
    saveCheckpoint(saved, ckDir, { ...ck.manifest.extra, modelOrigin: { ...o, sha256: "f".repeat(64) } });
    saved.dispose();
    await expect(runJob({ model: name, source: data, seeds: [0], out, checkpointEvery: 0, metrics: ["heldoutMseMean"], config: { hidden: 4 } }, ds)).rejects.toThrow(
      `${join(out, "checkpoints", "tinyEntry-s0")} holds a checkpoint of tinyEntry as it was before its module changed (modelOrigin`,
    );
  }, 120_000);
});

describe("sdgm with a model module (child processes)", () => {
  it("a model file outside the repository, with a local import: fitted, evaluated, refused once changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-own-model-"));
    writeFileSync(join(dir, "layers.ts"), `export const HIDDEN: number = 6;\n`);
    const file = join(dir, "own.ts");
    writeFileSync(
      file,
      [
        `import { model, normal } from "sparse-dgm";`,
        `import { HIDDEN } from "./layers.js";`,
        `export const own = model("own").plate("data").plate("feature", 7).plate("factor", 2)`,
        `  .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })`,
        `  .observe("x", ({ z }, ctx) => normal(ctx.layout(ctx.mlp("f", { input: z, hidden: [HIDDEN], output: 7 }), ["data", "feature"]), 0.5), { plates: ["data", "feature"] });`,
        ``,
      ].join("\n"),
    );
    const out = join(dir, "run");
    const fit = await sdgm(["fit", `${file}#own`, "--data", data, "--epochs", "1", "--out", out, "--metrics", "heldoutMseMean", "--backend", "cpu"], dir);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/^own seed 0: heldoutMseMean=[\d.]+$/m);
    const rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(rows[0].config).toMatchObject({ modelModule: `${file}#own`, modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/), epochs: 1, batchSize: 100 });
    const ckpt = join(out, "checkpoints", "own-s0");
    const ev = await sdgm(["eval", ckpt, "--data", data, "--metrics", "heldoutMseMean", "--json", "--backend", "cpu"], dir);
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout)[0].metrics.heldoutMseMean).toBeCloseTo(rows[0].metrics.heldoutMseMean, 5);
    writeFileSync(join(dir, "layers.ts"), `export const HIDDEN: number = 7;\n`);
    const stale = await sdgm(["eval", ckpt, "--data", data, "--backend", "cpu"], dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`sdgm: ${file}#own has changed since the checkpoint in ${ckpt} was saved (sha256 ${rows[0].config.modelSha256.slice(0, 12)}… then`);
  }, 180_000);

  it("a type error stops the run with tsc's message, naming file, line and column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-bad-model-"));
    writeFileSync(
      join(dir, "bad.ts"),
      [
        `import { model, normal } from "sparse-dgm";`,
        `export const bad = model("bad").plate("data").plate("feature", 7)`,
        `  .observe("x", () => normal(0, "one"), { plates: ["data", "feature"] });`,
        ``,
      ].join("\n"),
    );
    const out = join(dir, "run");
    const r = await sdgm(["compare", "--models", "vae,./bad.ts#bad", "--data", data, "--epochs", "1", "--seeds", "1", "--out", out], dir);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("sdgm: ./bad.ts#bad does not type-check (1 error; tsc says):");
    // the one error is the deliberate one: sparse-dgm itself resolved from a folder outside the repository
    expect(lines[1]).toMatch(/^bad\.ts\(3,33\): error TS2345: Argument of type 'string' is not assignable to parameter of type '\w+'\.$/);
    expect(lines).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
