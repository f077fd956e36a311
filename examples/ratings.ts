/**
 * Ratings end to end through the command line alone (issue 21; docs/data/ratings.md): a
 * MovieLens-sized ratings file with a known genre structure is written the way MovieLens ships it
 * (u.data-style ratings.tsv, movies.csv-style items.csv), then the Sparse VAE and the VAE are
 * compared on it with the reference's preprocessing (ratings ≥ 4, users with ≥ 20 positives, the
 * top 300 items), the categorical likelihood and 5 folds: per-fold recall@5, NDCG@10 and held-out
 * NLL, the fold summary, the support F1 against the genres, the top items per factor.
 *
 *   node packages/cli/bin/run-ts.js examples/ratings.ts [--smoke]
 *
 * The same, typed at a shell:
 *   sdgm data "synthetic:ratings" --export ml
 *   sdgm compare --models sparseVae,vae --folds 5 --seeds 1 --set likelihood=categorical \
 *     --data "ratings:ml/ratings.tsv?items=ml/items.csv&min=4&minUserPositives=20&topItems=300"
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../packages/cli/src/main.js";

const smoke = process.argv.includes("--smoke");
const dir = mkdtempSync(join(tmpdir(), "sdgm-ratings-"));
const sdgm = (...args: string[]) => main(["node", "sdgm", ...args]);

// 943 users × 1682 items, about 100,000 ratings (MovieLens 100K's size); smaller for the smoke run
await sdgm("data", smoke ? "synthetic:ratings?users=120&items=200&ratings=6000" : "synthetic:ratings", "--export", join(dir, "ml"));
const data = `ratings:${join(dir, "ml", "ratings.tsv")}?items=${join(dir, "ml", "items.csv")}&min=4&minUserPositives=${smoke ? 10 : 20}&topItems=${smoke ? 60 : 300}`;
await sdgm("data", data);
await sdgm("compare", "--models", "sparseVae,vae", "--data", data, "--folds", smoke ? "2" : "5", "--seeds", "1", "--set", "likelihood=categorical", "encoderInput=raw", ...(smoke ? ["--epochs", "2"] : []), "--out", join(dir, "out"));
const rows = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as Array<{ model: string; fold: number; metrics: Record<string, number> }>;
for (const r of rows) {
  const m = r.metrics;
  console.log(`${r.model.padEnd(10)} fold ${r.fold}: recallAt5 ${m.recallAt5?.toFixed(3)}  ndcgAt10 ${m.ndcgAt10?.toFixed(3)}  heldoutNll ${m.heldoutNll?.toFixed(1)}  supportF1 ${m.supportF1?.toFixed(3)}`);
}
if (process.exitCode) throw new Error("sdgm failed");
console.log(`report: ${join(dir, "out", "index.html")}`);
