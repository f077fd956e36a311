/**
 * Text end to end through the command line alone (issue 21; docs/data/text.md): a corpus with
 * named topics, English stop words and a long tail of rare words is written as LDA-C with a
 * vocabulary file, then the Sparse VAE is fitted with the categorical likelihood on it, stop words
 * dropped and the vocabulary cut to its most frequent terms: the top words of each factor by name
 * and their coherence (NPMI) against random word sets.
 *
 *   node packages/cli/bin/run-ts.js examples/topics.ts [--smoke]
 *
 * The same, typed at a shell:
 *   sdgm data "synthetic:topics" --export corpus
 *   sdgm fit sparseVae --set likelihood=categorical factors=10 \
 *     --data "ldac:corpus/corpus.ldac?vocab=corpus/vocab.txt&stopwords=english&topTerms=1000"
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../packages/cli/src/main.js";

const smoke = process.argv.includes("--smoke");
const dir = mkdtempSync(join(tmpdir(), "sdgm-topics-"));
const sdgm = (...args: string[]) => main(["node", "sdgm", ...args]);

await sdgm("data", smoke ? "synthetic:topics?docs=150&vocab=300&topics=4&wordsPerTopic=20" : "synthetic:topics", "--export", join(dir, "corpus"));
const data = `ldac:${join(dir, "corpus", "corpus.ldac")}?vocab=${join(dir, "corpus", "vocab.txt")}&stopwords=english&topTerms=${smoke ? 150 : 1000}`;
await sdgm("fit", "sparseVae", "--data", data, "--set", "likelihood=categorical", `factors=${smoke ? 4 : 10}`, ...(smoke ? ["--epochs", "3"] : []), "--metrics", "topicCoherence,heldoutNll,heldoutMultinomialNll,recallAt5,ndcgAt10", "--out", join(dir, "out"));
if (process.exitCode) throw new Error("sdgm failed");
const [row] = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as Array<{ metrics: Record<string, number>; topFeatures: { coherence: number; randomCoherence: number } }>;
console.log(`topicCoherence ${row.metrics.topicCoherence?.toFixed(3)} vs random word sets ${row.topFeatures.randomCoherence?.toFixed(3)}`);
