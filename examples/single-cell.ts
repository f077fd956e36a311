/**
 * Single-cell counts end to end through the command line alone (issue 21;
 * docs/data/single-cell.md): a count matrix with cell types and a wide library-size variation is
 * written in the 10x Genomics layout (matrix.mtx, features.tsv, barcodes.tsv, and the cell types in
 * labels.csv), then the negative-binomial Sparse VAE with the library-size offset is fitted on its
 * most variable genes: how well a linear probe reads the cell types from the codes, against the
 * majority rate, and the top genes of each factor.
 *
 *   node packages/cli/bin/run-ts.js examples/single-cell.ts [--smoke]
 *
 * The same, typed at a shell:
 *   sdgm data "synthetic:cells" --export pbmc
 *   sdgm fit sparseVae --set likelihood=negativeBinomial factors=6 \
 *     --data "mtx:pbmc/matrix.mtx?features=pbmc/features.tsv&barcodes=pbmc/barcodes.tsv&labels=pbmc/labels.csv&preprocess=topVariance:500"
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../packages/cli/src/main.js";

const smoke = process.argv.includes("--smoke");
const dir = mkdtempSync(join(tmpdir(), "sdgm-cells-"));
const sdgm = (...args: string[]) => main(["node", "sdgm", ...args]);

await sdgm("data", smoke ? "synthetic:cells?cells=200&genes=120&types=3" : "synthetic:cells", "--export", join(dir, "tenx"));
const f = (n: string) => join(dir, "tenx", n);
const data = `mtx:${f("matrix.mtx")}?features=${f("features.tsv")}&barcodes=${f("barcodes.tsv")}&labels=${f("labels.csv")}&preprocess=topVariance:${smoke ? 60 : 500}`;
await sdgm("fit", "sparseVae", "--data", data, "--set", "likelihood=negativeBinomial", `factors=${smoke ? 3 : 6}`, ...(smoke ? ["--epochs", "3"] : []), "--metrics", "linearProbeAccuracy,activeUnits,heldoutNll,topicCoherence", "--out", join(dir, "out"));
if (process.exitCode) throw new Error("sdgm failed");
const [row] = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as Array<{ metrics: Record<string, number> }>;
const labels = readFileSync(f("labels.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",")[1]);
const counts = new Map<string, number>();
for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
const majority = Math.max(...counts.values()) / labels.length;
console.log(`linearProbeAccuracy ${row.metrics.linearProbeAccuracy?.toFixed(3)} vs majority rate ${majority.toFixed(3)}`);
