/**
 * Fuzz (issue 22): corrupted checkpoints. Bytes of the weights file flipped, the file truncated,
 * extended, deleted or swapped for another generation's; the manifest truncated, deleted, or with
 * a field (top level or inside a tensor entry) set to another value. Loading each must end in a
 * clear error naming the checkpoint, or (for a change that changes nothing) the original weights,
 * bit for bit: never a torn pair loaded, a TF.js error or a hang. A fit that resumes a corrupted
 * checkpoint (sdgm fit) refuses it the same way. Counts are printed at the end.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadData, type Dataset } from "@sparse-dgm/data";
import { readCheckpoint } from "@sparse-dgm/infer/node";
import { deserialize } from "@sparse-dgm/infer";
import { buildFor, runJob } from "../../packages/cli/src/jobs.js";
import { outcomes, classify } from "./outcomes.js";

const tally = outcomes("checkpoints");
afterAll(() => tally.print());

const source = "synthetic:moran?n=200";
let ds: Dataset;
let pristine: string;
let otherWeights: Buffer;
let reference: Float32Array;
let cases = 0;
const root = mkdtempSync(join(tmpdir(), "sdgm-fuzz-ckpt-"));

beforeAll(async () => {
  ds = await loadData(source);
  const out = join(root, "run");
  await runJob({ model: "vae", source, seeds: [0], epochs: 1, out, checkpointEvery: 0, metrics: ["elbo"], config: { hidden: 8, klWarmupSteps: 2 } }, ds);
  const dir = join(out, "checkpoints", "vae-s0");
  otherWeights = readFileSync(join(dir, JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).files.weights));
  await runJob({ model: "vae", source, seeds: [0], epochs: 2, out, checkpointEvery: 0, metrics: ["elbo"], config: { hidden: 8, klWarmupSteps: 2 } }, ds);
  pristine = dir;
  reference = readCheckpoint(dir).weights;
}, 120_000);

type Corruption =
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; bytes: number }
  | { kind: "delete"; file: "weights" | "manifest" }
  | { kind: "swap" }
  | { kind: "manifestCut"; at: number }
  | { kind: "field"; path: string; value: unknown };

const FIELDS = ["format", "version", "model", "declarationHash", "compile", "keys", "progress", "sizes", "trainSize", "stats", "params", "optimizers", "totalLength", "files", "extra"];
const ENTRY_FIELDS = ["name", "shape", "offset", "length"];
const odd = fc.constantFrom<unknown>(0, -1, 1, 7, 1e9, 2.5, NaN, null, "x", "", [], {}, [3, 4], true);

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("delete" as const), file: fc.constantFrom("weights" as const, "manifest" as const) }),
  fc.constant({ kind: "swap" as const }),
  fc.record({ kind: fc.constant("manifestCut" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("field" as const),
    path: fc.oneof(fc.constantFrom(...FIELDS), fc.tuple(fc.nat({ max: 5 }), fc.constantFrom(...ENTRY_FIELDS)).map(([i, f]) => `params.${i}.${f}`)),
    value: odd,
  }),
);

function corrupt(dir: string, c: Corruption): void {
  const mPath = join(dir, "manifest.json");
  const m = JSON.parse(readFileSync(mPath, "utf8"));
  const wPath = join(dir, m.files.weights);
  const w = readFileSync(wPath);
  switch (c.kind) {
    case "flip":
      w[c.at % w.length] = c.value;
      writeFileSync(wPath, w);
      break;
    case "truncate":
      writeFileSync(wPath, w.subarray(0, c.at % w.length));
      break;
    case "append":
      writeFileSync(wPath, Buffer.concat([w, Buffer.alloc(c.bytes, 7)]));
      break;
    case "delete":
      rmSync(c.file === "weights" ? wPath : mPath);
      break;
    case "swap":
      writeFileSync(wPath, otherWeights);
      break;
    case "manifestCut": {
      const t = readFileSync(mPath, "utf8");
      writeFileSync(mPath, t.slice(0, c.at % t.length));
      break;
    }
    case "field": {
      const parts = c.path.split(".");
      let o = m as Record<string, unknown>;
      for (const p of parts.slice(0, -1)) o = (o?.[p] ?? {}) as Record<string, unknown>;
      o[parts[parts.length - 1]] = c.value;
      writeFileSync(mPath, JSON.stringify(m, null, 1));
      break;
    }
  }
}

describe("fuzz: corrupted checkpoints", () => {
  it("load the original weights exactly or fail clearly, naming the checkpoint", async () => {
    await fc.assert(
      fc.asyncProperty(corruption, async (c) => {
        const dir = join(root, `case${cases++}`);
        cpSync(pristine, dir, { recursive: true });
        corrupt(dir, c);
        try {
          const ck = readCheckpoint(dir);
          const program = deserialize(buildFor("vae", ds, { hidden: 8, klWarmupSteps: 2 }), ck, dir);
          program.dispose();
          tally.add(c.kind, "loaded");
          expect(Buffer.compare(Buffer.from(ck.weights.buffer), Buffer.from(reference.buffer)), `${JSON.stringify(c)} loaded other weights`).toBe(0);
        } catch (e) {
          const cls = classify(e as Error, (m) => m.includes(dir) || /^checkpoint/.test(m));
          tally.add(c.kind, cls);
          expect(cls, `${JSON.stringify(c)}: ${(e as Error).message}`).toBe("clear error");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 250, seed: 22 },
    );
  }, 120_000);

  it("sdgm fit into a folder with a corrupted checkpoint refuses to resume it, naming it", async () => {
    const out = join(root, "resume");
    cpSync(pristine, join(out, "checkpoints", "vae-s0"), { recursive: true });
    corrupt(join(out, "checkpoints", "vae-s0"), { kind: "swap" }); // another generation's weights under this one's name
    await expect(runJob({ model: "vae", source, seeds: [0], epochs: 3, out, checkpointEvery: 0, metrics: ["elbo"], config: { hidden: 8, klWarmupSteps: 2 } }, ds)).rejects.toThrow(
      new RegExp(`checkpoint in ${join(out, "checkpoints", "vae-s0")} is corrupt: weights-\\d+-[0-9a-f]+\\.bin has SHA-256`),
    );
    expect(existsSync(join(out, "rows"))).toBe(false);
    expect(readdirSync(join(out, "checkpoints", "vae-s0")).length).toBe(2); // left as it was, for a look
  }, 60_000);
});
