/**
 * Fuzz (issue 22): data files in every format (csv, mtx, ldac, ratings, idx) with wrong shapes,
 * NaN / inf, empty files, ragged rows, values out of range, wrong headers and malformed tokens.
 * Each case must end in a clear error (a DataError of one line that starts with the source) or a
 * correct result (a valid dataset, and for files whose every cell is a good number, exactly those
 * numbers as float32), never a silent NaN, a raw runtime error or a hang (each load has 5 s).
 * The counts of cases and outcome classes are printed at the end (the report quotes them).
 */
import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError, loadData, type Dataset } from "@sparse-dgm/data";
import { outcomes, classify, withTimeout } from "./outcomes.js";

const dir = mkdtempSync(join(tmpdir(), "sdgm-fuzz-data-"));
let file = 0;
const tally = outcomes("data files");
afterAll(() => tally.print());

/** Loads `text` (or bytes) as `scheme:` and classifies the outcome; checks the dataset when it loads. */
async function tryLoad(scheme: string, content: string | Uint8Array, query = ""): Promise<{ ds?: Dataset; error?: Error }> {
  const path = join(dir, `f${file++}.${scheme}`);
  writeFileSync(path, content);
  const source = `${scheme}:${path}${query}`;
  try {
    const ds = await withTimeout(loadData(source), 5000, `${source} did not load within 5 s`);
    // a loaded dataset: finite float32 values of its kind, a split over every row
    expect(ds.n).toBeGreaterThan(0);
    expect(ds.g).toBeGreaterThan(0);
    expect(ds.x.length).toBe(ds.n * ds.g);
    expect(ds.x.every((v) => Number.isFinite(v))).toBe(true);
    expect(ds.split.train.length + ds.split.test.length).toBe(ds.n);
    tally.add(scheme, "loaded");
    return { ds };
  } catch (e) {
    const err = e as Error;
    const cls = classify(err, (m) => e instanceof DataError && m.startsWith(`${scheme}:${path}`));
    tally.add(scheme, cls);
    expect(cls, `${source}: ${err.stack}`).toMatch(/^clear error/);
    return { error: err };
  }
}

const GOOD = ["0", "1", "-2", "3.5", "1e-3", "-7.25e2", " 4 ", "65504", "3.4e38"];
const BAD = ["NaN", "inf", "-Infinity", "1e39", "-1e39", "", "abc", "0x10", "1,5", "--1", "1e", "."];
const cell = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...GOOD) }, { weight: 1, arbitrary: fc.constantFrom(...BAD) });

describe("fuzz: data files", () => {
  it("csv: good cells load exactly (as float32); a bad cell, a ragged row or no data rows is a clear error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom(",", "\t", ";"),
        async (width, raw, header, sep) => {
          // most cases have rows of one width (the header's); some are ragged
          const rows = raw.map((r, i) => (i % 4 === 3 ? r : [...r, ...Array(width).fill("1")].slice(0, width)));
          const text = [...(header ? [Array.from({ length: width }, (_, j) => `col${j}`).join(sep)] : []), ...rows.map((r) => r.join(sep))].join("\n");
          const { ds } = await tryLoad("csv", text, `?header=${header}&delimiter=${encodeURIComponent(sep)}&test=0.5`);
          // a blank line is skipped (a one-column row with an empty cell is one): the loader's data rows
          rows.splice(0, rows.length, ...rows.filter((r) => r.join(sep).trim() !== ""));
          const widths = new Set([...rows.map((r) => r.length), ...(header ? [width] : [])]);
          // "1,5" is two cells when the delimiter is a comma
          const clean = rows.length > 0 && widths.size === 1 && rows.every((r) => r.every((c) => GOOD.includes(c)));
          if (clean) {
            expect(ds, text).toBeDefined();
            expect(Array.from(ds!.x)).toEqual(rows.flat().map((c) => Math.fround(Number(c.trim()))));
          } else if (rows.some((r) => r.some((c) => BAD.includes(c) && c !== "1,5"))) {
            expect(ds, `${text} loaded`).toBeUndefined();
          }
        },
      ),
      { numRuns: 150, seed: 22 },
    );
  });

  it("mtx: headers, sizes, entries out of range or beyond the count, symmetric shapes and bad values", async () => {
    const valid = fc.constantFrom("%%MatrixMarket matrix coordinate real general", "%%MatrixMarket matrix coordinate integer general", "%%MatrixMarket matrix coordinate real symmetric");
    const any = fc.constantFrom(
      "%%MatrixMarket matrix coordinate real general",
      "%%MatrixMarket matrix coordinate integer general",
      "%%MatrixMarket matrix coordinate pattern general",
      "%%MatrixMarket matrix coordinate real symmetric",
      "%%MatrixMarket matrix coordinate integer skew-symmetric",
      "%%MatrixMarket matrix array real general",
      "%%MatrixMarket matrix coordinate complex general",
      "%%MatrixMarket vector coordinate real general",
      "garbage",
      "",
    );
    const header = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: any });
    const good = fc.constantFrom("0", "1", "2", "7", "3.5");
    const value = fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: cell });
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: -1, max: 2 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), value), { maxLength: 8 }),
        async (head, M0, N0, nnzSlack, cells) => {
          const square = head.includes("symmetric");
          const [M, N] = square && M0 !== N0 && nnzSlack === 0 ? [M0, M0] : [M0, N0];
          // distinct positions mostly inside the matrix (and in the lower triangle when symmetric)
          const seen = new Set<string>();
          const entries: Array<[number, number, string]> = [];
          for (const [k, v] of cells) {
            let i = (k % (M + 1)) + (k % 7 === 6 ? 1 : 0);
            let j = (Math.floor(k / 6) % (N + 1)) + 0;
            if (square && i < j && k % 5 !== 0) [i, j] = [j, i];
            if (seen.has(`${i},${j}`) && k % 9 !== 0) continue;
            seen.add(`${i},${j}`);
            entries.push([i, j, v]);
          }
          const nnz = entries.length + (nnzSlack === 2 ? -1 : nnzSlack === -1 ? 1 : 0);
          const array = head.includes(" array ");
          const size = array ? `${M} ${N}` : `${M} ${N} ${nnz}`;
          const body = entries.map(([i, j, v]) => (array ? v : head.includes("pattern") ? `${i} ${j}` : `${i} ${j} ${v}`));
          await tryLoad("mtx", [head, "% a comment", size, ...body].join("\n"));
        },
      ),
      { numRuns: 150, seed: 22 },
    );
  });

  it("ldac: declared and listed counts, ids, counts in hex, floats, negatives and huge ids", async () => {
    const pair = fc.oneof(
      { weight: 30, arbitrary: fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 20 })).map(([i, c]) => `${i}:${c}`) },
      { weight: 1, arbitrary: fc.constantFrom("0:0x10", "1:-1", "2:1.5", "3:1e3", "x:1", "4", ":", "2000000000:1", "5:99999999", "1:") },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: -1, max: 12 }), fc.array(pair, { maxLength: 5 })), { maxLength: 6 }), async (docs) => {
        const text = docs.map(([off, ps]) => `${ps.length + (off > 1 ? 0 : off)} ${ps.join(" ")}`).join("\n");
        await tryLoad("ldac", text);
      }),
      { numRuns: 150, seed: 22 },
    );
  });

  it("ratings: fields per row, ratings that are not numbers or overflow, an empty file", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom("u1", "u2", "u3", "u4", ""), fc.constantFrom("i1", "i2", "i3", "i4", ""), fc.oneof({ weight: 10, arbitrary: fc.constantFrom("1", "2", "4", "5", "3.5") }, { weight: 1, arbitrary: cell }), fc.integer({ min: 0, max: 9 })),
          { maxLength: 8 },
        ),
        fc.boolean(),
        async (rows, min) => {
          const text = rows.map(([u, i, r, extra]) => [u, i, r, ...(extra === 0 ? ["123", "x"] : extra < 5 ? ["123"] : [])].join(",")).join("\n");
          await tryLoad("ratings", text, min ? "?min=3" : "");
        },
      ),
      { numRuns: 120, seed: 22 },
    );
  });

  it("idx: magic numbers, types, dims and lengths that do not match", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x07),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }),
        fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) }),
        fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
        fc.constantFrom(0, 1, 2, 5, NaN, Infinity, 1e39, -3),
        async (type, dims, slack, badMagic, special) => {
          const size = ({ 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 } as Record<number, number>)[type] ?? 1;
          const count = dims.reduce((a, b) => a * b, 1) * (dims.length ? 1 : 0);
          const head = new Uint8Array(4 + 4 * dims.length);
          const dv = new DataView(head.buffer);
          head[0] = badMagic ? 1 : 0;
          head[2] = type;
          head[3] = dims.length;
          dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
          const body = new Uint8Array(Math.max(0, count * size + slack));
          const bv = new DataView(body.buffer);
          for (let t = 0; t + size <= body.length; t += size) {
            if (type === 0x0d) bv.setFloat32(t, t === 0 ? special : t / size, false);
            else if (type === 0x0e) bv.setFloat64(t, t === 0 ? special : t / size, false);
            else body[t] = (t * 7) & 0xff;
          }
          const bytes = new Uint8Array(head.length + body.length);
          bytes.set(head);
          bytes.set(body, head.length);
          await tryLoad("idx", bytes);
        },
      ),
      { numRuns: 120, seed: 22 },
    );
  });
});
