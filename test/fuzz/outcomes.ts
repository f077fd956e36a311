/**
 * Outcome classes of the fuzz suite (issue 22): every case ends in a correct result or a clear
 * error; anything else (an error that does not name what it is about, a multi-line message or a
 * stack from the engine's internals, a hang) is a defect, and fails its test. The tallies are
 * printed at the end of each file and appended to `.vitest-cache/fuzz-outcomes.jsonl`.
 */
import { appendFileSync, mkdirSync } from "node:fs";

/** Classifies an error: `clear error` when `named(message)` holds and it is one line; else why not. */
export function classify(e: Error, named: (message: string) => boolean): string {
  const m = String(e?.message ?? e);
  if (/timed out|did not (load|finish) within/.test(m)) return "hang";
  if (m.includes("\n")) return "unclear: several lines";
  if (/tfjs|tensorflow|Cannot infer|Invalid typed array length|is not a function|Cannot read propert|undefined/i.test(m)) return "unclear: internals";
  if (!named(m)) return "unclear: does not name its subject";
  return "clear error";
}

/** Rejects after `ms` (a hang counts as a failure, never as a pass). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(what)), ms)))]).finally(() => clearTimeout(t));
}

/** Counts outcomes per group. */
export function outcomes(suite: string) {
  const counts = new Map<string, Map<string, number>>();
  return {
    add(group: string, outcome: string) {
      const g = counts.get(group) ?? new Map<string, number>();
      g.set(outcome, (g.get(outcome) ?? 0) + 1);
      counts.set(group, g);
    },
    print() {
      const total = [...counts.values()].reduce((a, g) => a + [...g.values()].reduce((x, y) => x + y, 0), 0);
      const lines = [`fuzz ${suite}: ${total} cases`];
      for (const [group, g] of counts) lines.push(`  ${group}: ${[...g].map(([k, v]) => `${k} ${v}`).join(", ")}`);
      console.log(lines.join("\n"));
      mkdirSync(".vitest-cache", { recursive: true });
      appendFileSync(".vitest-cache/fuzz-outcomes.jsonl", JSON.stringify({ suite, total, at: new Date().toISOString(), groups: Object.fromEntries([...counts].map(([k, g]) => [k, Object.fromEntries(g)])) }) + "\n");
    },
  };
}
