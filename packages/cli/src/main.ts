/**
 * The `sdgm` command line (DESIGN §7): fit, compare, eval, render, data, start.
 */
import { Command, Option } from "commander";
import { writeFileSync } from "node:fs";
import { zoo, zooEntry } from "@sparse-dgm/zoo";
import { renderModel } from "@sparse-dgm/viz";

/** Runs the command line with `argv` (process.argv). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name("sdgm").description("sparse-dgm: fit, compare and render sparse deep generative models").showHelpAfterError();

  program
    .command("render")
    .description("render a zoo model's graph: plates, sites and mask edges")
    .argument("<model>", `zoo model (${Object.keys(zoo).join(", ")})`)
    .addOption(new Option("--format <format>", "output format").choices(["dot", "svg", "json"]).default("json"))
    .option("--features <n>", "number of observed features G (default: the model's render shape)", (v) => parseInt(v, 10))
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (name: string, opts: { format: "dot" | "svg" | "json"; features?: number; out?: string }) => {
      const entry = zooEntry(name);
      const shape = opts.features ? { ...entry.renderShape, features: opts.features } : entry.renderShape;
      const m = entry.build({ ...shape });
      const text = await renderModel(m, opts.format);
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text + "\n");
    });

  program
    .command("data")
    .description("describe a data source: shape, kind, split sizes, a preview")
    .argument("<source>", "e.g. synthetic:moran?rho=0.6, csv:path.csv, idx:images.gz?labels=labels.gz")
    .option("--json", "print JSON")
    .action(async (source: string, opts: { json?: boolean }) => {
      const data = await import("@sparse-dgm/data");
      const ds = await data.loadData(source);
      const d = data.describe(ds);
      process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + "\n" : data.formatDescription(d) + "\n");
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.stderr.write(`sdgm: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
