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
});
