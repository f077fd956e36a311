/**
 * Fuzz (issue 22): fits on odd data that the loaders accept (values near float32's limits, tiny
 * values, constant or all-zero columns, duplicated rows, a one-row test split, binary data under a
 * Gaussian model) with odd training settings (a batch of 1, a batch larger than the data, a large
 * learning rate). Each fit ends in a result row holding every requested metric, finite, with the
 * epochs asked for, or in a clear error naming the data, the site or the metric: never a silent NaN,
 * a missing metric or a TF.js stack. Counts are printed at the end.
 */
import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadData } from "@sparse-dgm/data";
import { runJob } from "../../packages/cli/src/jobs.js";
import { outcomes, classify, withTimeout } from "./outcomes.js";

const tally = outcomes("training");
afterAll(() => tally.print());
const dir = mkdtempSync(join(tmpdir(), "sdgm-fuzz-fit-"));
let k = 0;

const DATA: Record<string, (i: number, j: number) => number> = {
  "near float32's limit": (i, j) => ((i * 7 + j) % 5) * 3e37,
  tiny: (i, j) => ((i + j) % 3) * 1e-30,
  "constant column": (i, j) => (j === 0 ? 5 : Math.sin(i + j)),
  "all zero": () => 0,
  "duplicated rows": (i, j) => Math.cos((i % 2) + j),
  binary: (i, j) => (i * j) % 2,
};
const METRICS = ["heldoutMse", "heldoutMseMean", "heldoutNll", "elbo"];

describe("fuzz: training on odd data", () => {
  it("a row with every requested metric finite, or a clear error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(DATA)),
        fc.constantFrom("vae", "sparseVae"),
        fc.constantFrom(1, 8, 1000),
        fc.constantFrom(1e-2, 10),
        fc.constantFrom(6, 40),
        async (kind, model, batchSize, learningRate, n) => {
          const csv = join(dir, `d${k++}.csv`);
          writeFileSync(csv, ["a,b,c", ...Array.from({ length: n }, (_, i) => [0, 1, 2].map((j) => DATA[kind](i, j)).join(","))].join("\n"));
          const source = `csv:${csv}`;
          const what = `${model} on ${kind} data, n=${n}, batch ${batchSize}, lr ${learningRate}`;
          try {
            const ds = await loadData(source);
            const res = await withTimeout(
              runJob({ model, source, seeds: [0], epochs: 2, batchSize, learningRate, out: join(dir, `o${k}`), checkpointEvery: 0, metrics: METRICS }, ds),
              60_000,
              `${what} did not finish within 60 s`,
            );
            const row = res.rows[0];
            expect(row.train.epochs, what).toBe(2);
            for (const m of METRICS) expect(Number.isFinite(row.metrics[m]), `${what}: ${m} = ${row.metrics[m]}`).toBe(true);
            tally.add(model, row.train.skippedSteps ? "trained, steps skipped and said" : "trained");
          } catch (e) {
            const cls = classify(e as Error, (m) => m.includes(source) || /^site "/.test(m) || METRICS.some((x) => m.startsWith(`${x} is`)));
            tally.add(model, cls === "clear error" ? `clear error: ${(e as Error).message.includes("non-finite") ? "non-finite loss" : (e as Error).message.match(/^(\w+ is|site "\w+": the data)/)?.[0] ?? "data"}` : cls);
            expect(cls, `${what}: ${(e as Error).message}`).toBe("clear error");
          }
        },
      ),
      { numRuns: 14, seed: 22 },
    );
  }, 300_000);
});
