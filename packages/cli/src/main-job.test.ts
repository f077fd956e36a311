// The main job's vsc and vscClass rows must differ by the class term only, or the report's
// comparison of the two would credit the class term with what the spike head or c did.
import { describe, it, expect } from "vitest";
import { zooEntry } from "@sparse-dgm/zoo";
import { MAIN_JOB } from "./main-job.js";

describe("main job", () => {
  it("fits vsc and vscClass with the same settings but the class term", () => {
    const vsc = MAIN_JOB.entries.find((e) => e.model === "vsc")!;
    const cls = MAIN_JOB.entries.find((e) => e.model === "vscClass")!;
    expect(cls.data).toBe(vsc.data);
    expect([cls.epochs, cls.batchSize, cls.learningRate]).toEqual([vsc.epochs, vsc.batchSize, vsc.learningRate]);
    // the effective configs: each entry's defaults with its overrides
    const effective = (e: typeof vsc) => ({ ...(zooEntry(e.model).defaults as Record<string, unknown>), ...e.config });
    const a = effective(vsc);
    const b = effective(cls);
    const classKeys = ["classWeight", "classVariant", "classWarmup", "classWarmupSteps"];
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !classKeys.includes(k)));
    for (const k of keys) expect(b[k], k).toEqual(a[k]);
    expect(b.classWeight).toBeGreaterThan(0);
  });
});
