/**
 * Fuzz (issue 22): option values of every numeric or list option of `sdgm`, and `--set` values of
 * every zoo model's hyperparameters. Each value ends in a clear error (one line naming the option,
 * or the model and the option) or an accepted value that is in the option's range (the command's
 * action is replaced, so nothing trains). Counts are printed at the end.
 */
import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import type { Command, CommanderError } from "commander";
import { zoo, zooEntry } from "@sparse-dgm/zoo";
import { cli, modelConfigs } from "../../packages/cli/src/main.js";
import { outcomes, classify } from "./outcomes.js";

const tally = outcomes("options");
afterAll(() => tally.print());

/** Parses `argv` with every action replaced by one that records the options; never exits. */
async function parse(argv: string[]): Promise<{ opts?: Record<string, unknown>; error?: string }> {
  const p = cli().exitOverride();
  let err = "";
  let opts: Record<string, unknown> | undefined;
  const quiet = (c: Command) => c.exitOverride().configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
  quiet(p);
  for (const c of p.commands) {
    quiet(c);
    c.action((...a: unknown[]) => {
      opts = (a[a.length - 1] as Command).opts();
    });
  }
  try {
    await p.parseAsync(["node", "sdgm", ...argv]);
    return { opts };
  } catch (e) {
    return { error: (e as CommanderError).code?.startsWith("commander.") ? err.trim().split("\n")[0] : (e as Error).message };
  }
}

const value = fc.oneof(
  fc.integer({ min: -5, max: 2000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom("", " ", "abc", "1e3", "0x10", "1.5", "+3", "-0", "00", "Infinity", "NaN", "9007199254740993", "1,2", ",", ";", "  7  ", "12abc"),
  fc.string({ maxLength: 6 }),
);

/** Each option: the command line around it, and what an accepted value must satisfy. */
const OPTIONS: Array<{ cmd: string[]; opt: string; key: string; ok: (v: unknown) => boolean }> = [
  ...["--epochs", "--seeds", "--batch-size"].map((opt) => ({ cmd: ["fit", "vae", "--data", "synthetic:moran"], opt, key: camel(opt), ok: (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 })),
  { cmd: ["fit", "vae", "--data", "synthetic:moran"], opt: "--seed", key: "seed", ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0 },
  { cmd: ["fit", "vae", "--data", "synthetic:moran"], opt: "--checkpoint-every", key: "checkpointEvery", ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0 },
  { cmd: ["fit", "vae", "--data", "synthetic:moran"], opt: "--lr", key: "lr", ok: (v) => typeof v === "number" && Number.isFinite(v) && v > 0 },
  ...["--seeds", "--epochs", "--jobs"].map((opt) => ({ cmd: ["compare", "--models", "vae", "--data", "synthetic:moran"], opt, key: camel(opt), ok: (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 })),
  { cmd: ["compare", "--data", "synthetic:moran"], opt: "--models", key: "models", ok: (v) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && s.trim() === s && s !== "") },
  { cmd: ["compare", "--models", "vae"], opt: "--data", key: "data", ok: (v) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && s.trim() === s && s !== "") },
  { cmd: ["compare", "--models", "vae", "--data", "synthetic:moran"], opt: "--metrics", key: "metrics", ok: (v) => Array.isArray(v) && v.length > 0 },
  ...["--jobs", "--seeds"].map((opt) => ({ cmd: ["start"], opt, key: camel(opt), ok: (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 })),
  { cmd: ["render", "vae"], opt: "--features", key: "features", ok: (v) => Number.isSafeInteger(v) && (v as number) >= 1 },
];

function camel(opt: string): string {
  return opt.replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** What a boolean option must mean for each fuzzed `--set` value that builds (absent: it must be refused). */
const BOOLEAN_MEANING: Record<string, boolean> = { true: true, false: false, yes: true, no: false, off: false, on: true, "1": true, "0": false, "-0": false };

describe("fuzz: options", () => {
  it("every numeric and list option: a clear error naming it, or a value in its range", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPTIONS), value, async (o, v) => {
        const r = await parse([...o.cmd, `${o.opt}=${v}`]);
        if (r.error !== undefined) {
          const cls = classify(new Error(r.error), (m) => m.includes(`option '${o.opt} `) && m.includes("is invalid"));
          tally.add(o.opt, cls);
          expect(cls, `${o.opt}=${JSON.stringify(v)}: ${r.error}`).toBe("clear error");
        } else {
          tally.add(o.opt, "accepted");
          expect(o.ok(r.opts![o.key]), `${o.opt}=${JSON.stringify(v)} accepted as ${JSON.stringify(r.opts![o.key])}`).toBe(true);
        }
      }),
      { numRuns: 400, seed: 22 },
    );
  });

  it("S-4: a boolean option given by --set means what it says (true/false, yes/no, on/off, 1/0 in any case) or is refused naming the model and the option", () => {
    const est = (v: string) => {
      const config = modelConfigs(["sdlgm"], [`straightThrough=${v}`]).sdlgm;
      const m = zooEntry("sdlgm").build({ ...config, features: 20 });
      return [(m.ir.sites.find((s) => s.name === "z")!.mask!.estimator as { straightThrough?: unknown }).straightThrough, (m.ir.meta.config as Record<string, unknown>).straightThrough];
    };
    // before: "no" built with straightThrough "no" (truthy: the hard forward pass)
    for (const v of ["no", "No", "off", "false", "False", "0"]) expect(est(v), v).toEqual([false, false]);
    for (const v of ["yes", "on", "true", "TRUE", "1"]) expect(est(v), v).toEqual([true, true]);
    expect(() => est("abc")).toThrow('sdlgm: straightThrough must be true or false (or yes/no, on/off, 1/0), got "abc"');
    expect(() => est("2")).toThrow("sdlgm: straightThrough must be true or false (or yes/no, on/off, 1/0), got 2");
    expect(() => zooEntry("mibStructured").build({ features: 20, groups: [[0, 1], [2, 3]], learnDecoderMask: "nope" } as never)).toThrow('mibStructured: learnDecoderMask must be true or false (or yes/no, on/off, 1/0), got "nope"');
  });

  it("--set: every zoo model's hyperparameters with odd values build or fail naming the model and the option", async () => {
    const models = Object.keys(zoo);
    const setValue = fc.oneof(
      fc.constantFrom("0", "-1", "1e38", "1e-30", "NaN", "abc", "true", "[]", "{}", "[0]", "1.5", "3", "100000", "-0", "no", "yes", "off", "False", "TRUE"),
      fc.integer({ min: -3, max: 50 }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...models), fc.nat(), setValue, async (model, k, v) => {
        const entry = zooEntry(model);
        const keys = Object.keys(entry.defaults as object);
        const key = keys[k % keys.length];
        try {
          const config = modelConfigs([model], [`${key}=${v}`])[model];
          const built = entry.build({ ...config, ...entry.renderShape });
          tally.add("--set", "built");
          // built with the meaning asked for, not only built (S-4: "no" built and switched straight-through on)
          const def = (entry.defaults as Record<string, unknown>)[key];
          const recorded = (built.ir.meta.config as Record<string, unknown> | undefined)?.[key];
          if (typeof def === "boolean") expect(recorded, `${model} --set ${key}=${v} built with ${JSON.stringify(recorded)}`).toBe(BOOLEAN_MEANING[v.toLowerCase()]);
          else if (typeof def === "number" && recorded !== undefined && typeof recorded !== "object") expect(typeof recorded, `${model} --set ${key}=${v} recorded ${JSON.stringify(recorded)}`).toBe("number");
        } catch (e) {
          const cls = classify(e as Error, (m) => m.includes(model) && (m.includes(key) || m.includes("--set")));
          tally.add("--set", cls);
          expect(cls, `${model} --set ${key}=${v}: ${(e as Error).message}`).toBe("clear error");
        }
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});
