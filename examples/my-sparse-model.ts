/**
 * A user's own model, used from the command line beside the zoo's (docs/comparison.md, "Your own
 * model"): a masked-decoder VAE whose real mask W (feature × factor) has a Laplace prior (an L1
 * penalty) and a point estimate, against the Sparse VAE's spike-and-slab lasso on the same data,
 * splits and seeds, in one results table and one report:
 *
 *   npx sdgm compare --models sparseVae,./examples/my-sparse-model.ts#laplaceMaskVae --data synthetic:moran
 *   npx sdgm fit ./examples/my-sparse-model.ts#laplaceMaskVae --data synthetic:moran --set maskScale=0.5
 *   npx sdgm render ./examples/my-sparse-model.ts --format svg      # the default export
 *   npx sdgm fit ./examples/my-sparse-model.ts#laplaceMask7 --data synthetic:moran   # a plain DSL model
 *
 * `laplaceMaskVae` is a zoo-style entry (`ZooEntry`: built for the data's shape, `--set` options
 * from its `defaults`, its own training settings); `laplaceMask7` is a plain DSL model of fixed
 * shape (no options). The file imports only `sparse-dgm`; the command line type-checks it first.
 *
 * Run directly, it runs that comparison with the command line (one seed, 2 epochs and 300 rows
 * with --smoke) and prints both rows:
 *
 *   node packages/cli/bin/run-ts.js examples/my-sparse-model.ts [--smoke]
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tf, model, map, warmup, normal, laplace, scaledInvChi2, positiveInt, positiveNumber, type ZooEntry } from "sparse-dgm";

/** The hyperparameters `--set` takes for this model. */
export interface LaplaceMaskVaeConfig {
  /** Latent factors K (one more than synthetic:moran's 2: its column of W should shrink to ~0). */
  factors: number;
  /** Hidden width of the masked decoder and the encoder. */
  hidden: number;
  /** Scale b of the Laplace(0, b) prior on each mask entry (smaller: a stronger L1 penalty). */
  maskScale: number;
  /**
   * Steps over which the KL weight of z rises from 0 to 1 (Bowman et al. 2016). Without it this
   * model collapses on synthetic:moran (held-out MSE 18.0, the data's variance, one seed), with
   * 300 it fits (0.48).
   */
  klWarmupSteps: number;
}

/** The model for data with `features` columns. */
function buildLaplaceMaskVae(c: Partial<LaplaceMaskVaeConfig> & { features: number; stats?: { sigmaPriorScale?: number } }) {
  const name = "laplaceMaskVae";
  const G = positiveInt(name, "features", c.features);
  const K = positiveInt(name, "factors", c.factors ?? 3);
  const H = positiveInt(name, "hidden", c.hidden ?? 50);
  const b = positiveNumber(name, "maskScale", c.maskScale ?? 1);
  const klWarm = c.klWarmupSteps ?? 300;
  if (!Number.isInteger(klWarm) || klWarm < 0) throw new Error(`${name}: klWarmupSteps must be an integer >= 0, got ${klWarm}`);
  const s = c.stats?.sigmaPriorScale ?? 0.36;
  return model(name)
    .meta({ config: { features: G, factors: K, hidden: H, maskScale: b, klWarmupSteps: klWarm, sigmaScale: s } })
    .plate("data")
    .plate("feature", G)
    .plate("factor", K)
    .mask("W", () => laplace(0, b), { rows: "feature", cols: "factor", valueType: "real", estimator: map(), init: "standardNormal", doc: "which factors reach which features" })
    .latent("z", () => normal(0, 1), { plates: ["data", "factor"], ...(klWarm > 0 ? { klWeight: warmup({ start: 0, end: klWarm }) } : {}) })
    .global("noiseVariance", () => scaledInvChi2(3, s), { plates: ["feature"], init: "columnVariance" })
    .observe(
      "x",
      ({ z, W, noiseVariance }, ctx) =>
        normal(ctx.maskedDecoder("f", { input: z, mask: W, hidden: [H, H], firstLayer: "unitRows" }), tf.sqrt(noiseVariance)),
      { plates: ["data", "feature"] },
    );
}

/** The zoo-style entry: `./examples/my-sparse-model.ts#laplaceMaskVae` (rows are named `laplaceMaskVae`). */
export const laplaceMaskVae: ZooEntry<LaplaceMaskVaeConfig> = {
  name: "laplaceMaskVae",
  title: "Masked-decoder VAE with a Laplace (L1) prior on a real mask, MAP",
  reference: "Tibshirani 1996 (the lasso) on the first decoder layer; cf. Moran et al. 2022's spike-and-slab lasso",
  spec: "(none)",
  defaults: { factors: 3, hidden: 50, maskScale: 1, klWarmupSteps: 300 },
  build: buildLaplaceMaskVae,
  defaultData: "synthetic:moran",
  renderShape: { features: 7 },
  // the Sparse VAE's synthetic study: 200 epochs of batches of 100 at lr 0.01, its objective's scaling
  training: { epochs: 200, batchSize: 100, learningRate: 1e-2, normalisation: "reference" },
};

/** The same model as a plain DSL model for synthetic:moran's 7 features: `#laplaceMask7`. */
export const laplaceMask7 = buildLaplaceMaskVae({ features: 7 });

export default laplaceMaskVae;

// Run as a program: the comparison above, by the command line in a child process (the CLI imports
// this file, which cannot happen inside its own evaluation).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes("--smoke");
  const out = mkdtempSync(join(tmpdir(), "sdgm-my-model-"));
  const data = smoke ? "synthetic:moran?n=300" : "synthetic:moran";
  const here = relative(process.cwd(), fileURLToPath(import.meta.url));
  // --jobs 2: the two models train in two worker threads, each loading this module again
  const args = ["compare", "--models", `sparseVae,./${here}#laplaceMaskVae`, "--data", data, "--jobs", "2", "--out", out, ...(smoke ? ["--seeds", "1", "--epochs", "2"] : [])];
  console.log(`sdgm ${args.join(" ")}`);
  const sdgm = fileURLToPath(new URL("../packages/cli/bin/sdgm.js", import.meta.url));
  const run = spawnSync(process.execPath, [sdgm, ...args], { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`sdgm compare exited with ${run.status}`);
  const rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ model: string; seed: number; metrics: Record<string, number>; config: Record<string, unknown> }>;
  for (const r of rows) {
    const m = r.metrics;
    console.log(`${r.model.padEnd(15)} seed ${r.seed}: heldoutMse ${m.heldoutMse?.toFixed(3)}  supportF1 ${m.supportF1?.toFixed(3)}  ${r.config.modelModule ? `from ${r.config.modelModule}` : "(zoo)"}`);
  }
  // both rows, the module's row saying where it came from, and one report naming it
  const mine = rows.find((r) => r.model === "laplaceMaskVae");
  const where = `${fileURLToPath(import.meta.url)}#laplaceMaskVae`;
  if (!rows.some((r) => r.model === "sparseVae") || mine?.config.modelModule !== where || !/^[0-9a-f]{64}$/.test(String(mine.config.modelSha256))) {
    throw new Error(`expected a sparseVae row and a laplaceMaskVae row from ${where} in ${join(out, "results.json")}`);
  }
  if (!existsSync(join(out, "index.html")) || !readFileSync(join(out, "index.html"), "utf8").includes(where)) throw new Error(`expected a report naming ${where} in ${out}`);
  console.log(`report: ${join(out, "index.html")}`);
}
