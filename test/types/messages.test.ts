// The type checker's messages for misuses name the site: compiled in memory with the TypeScript API
// (as a user's editor would show them), not just "an error somewhere".
import { describe, it, expect } from "vitest";
import ts from "typescript";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

/** The diagnostics of `source` compiled as a file of test/types with the repo's settings. */
function diagnostics(source: string): string[] {
  const configPath = join(here, "..", "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const file = join(here, "__misuse__.ts");
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (f === file ? source : read(f));
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => f === file || exists(f);
  const program = ts.createProgram([file], { ...config.options, noEmit: true, composite: false, incremental: false }, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
}

describe("type errors name the site", () => {
  it("condition(m, { xx }) and mapEm({ etaSite: 'etta' })", () => {
    const msgs = diagnostics(`
      import { tf, model, condition, mapEm, emUpdate } from "@sparse-dgm/core";
      import { normal, beta, spikeSlabLasso } from "@sparse-dgm/distributions";
      const m = model("m").plate("data").plate("feature", 3).plate("factor", 2)
        .global("eta", () => beta(1, 3), { plates: ["factor"], estimator: emUpdate() })
        .mask("W", ({ eta }) => spikeSlabLasso({ inclusion: eta }), { rows: "feature", cols: "factor", estimator: mapEm({ etaSite: "etta" }) })
        .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
        .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 1), { plates: ["data", "feature"] });
      condition(m, { xx: tf.zeros([2, 3]) });
    `);
    // TypeScript prints the literal type with its quotes escaped
    expect(msgs.some((d) => d.includes('no observed site \\"xx\\"; observed sites: x'))).toBe(true);
    expect(msgs.some((d) => d.includes('"etta"') && d.includes('"eta"'))).toBe(true);
  }, 120_000);

  it("ctx.observed, ctx.posterior and .ahead take the model's site names", () => {
    const msgs = diagnostics(`
      import { tf, model } from "@sparse-dgm/core";
      import { normal } from "@sparse-dgm/distributions";
      import { compile } from "@sparse-dgm/infer";
      const m = model("m").plate("data").plate("feature", 3).plate("factor", 2)
        .global("W", () => normal(0, 1), { plates: ["feature", "factor"] })
        .latent("z", () => normal(0, 1), { plates: ["data", "factor"] })
        .side("label")
        .factor("a", (_s, ctx) => (ctx.observed("lable"), tf.scalar(0)))
        .factor("b", (_s, ctx) => (ctx.posterior("zz"), tf.scalar(0)))
        .factor("c", (_s, ctx) => (ctx.posterior("W"), tf.scalar(0)))
        .factor("ok", (_s, ctx) => (ctx.observed("label"), ctx.posterior("z"), tf.scalar(0)))
        .observe("x", ({ z, W }) => normal(tf.sum(tf.mul(z, W), -1, true), 1), { plates: ["data", "feature"] });
      const early = model("early").plate("data").plate("feature", 3)
        .latent("z", (_s, ctx) => (ctx.observed("x"), normal(0, 1)), { plates: ["data"] })
        .observe("x", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
      const forgot = model("forgot").plate("data").plate("feature", 3).ahead("x")
        .latent("z", (_s, ctx) => (ctx.observed("x"), normal(0, 1)), { plates: ["data"] })
        .observe("y", ({ z }) => normal(z, 1), { plates: ["data", "feature"] });
      compile(forgot);
    `);
    const has = (...parts: string[]) => msgs.some((d) => parts.every((p) => d.includes(p)));
    // a misspelt side input: the names it may read are listed
    expect(has('"lable"', '"label"')).toBe(true);
    // a misspelt local site, and a global (no guide per data point): the local sites are listed
    expect(has('"zz"', '"z"')).toBe(true);
    expect(has('"W"', 'parameter of type \'"z"\'')).toBe(true);
    // the observed site read before it is declared, without .ahead
    expect(has('"x"', "never")).toBe(true);
    // .ahead("x") never declared: compile's type error names it
    expect(has('read ahead (.ahead(\\"x\\")) but never declared')).toBe(true);
    expect(msgs, msgs.join("\n")).toHaveLength(5);
  }, 120_000);
});
