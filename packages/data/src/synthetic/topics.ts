/**
 * `synthetic:topics`: an LDA-style corpus with named topics, English stop words and a long tail of
 * rare terms, for tests, examples and the docs ("each word applies to a few topics",
 * specs/sparse-vae.md §3.1). Defaults are small; `docs=2246&vocab=10473` is the size of the AP
 * corpus of issue 21.
 *
 * Vocabulary: 40 English stop words, `topics` × `wordsPerTopic` topic words named after their
 * topic (`sport1`, `sport2`, ...; every 10th word is shared with the next topic and named after
 * both, `sport+music3`), and the rest rare terms (`rare17`). Topic t puts Zipf weights (1/rank)
 * on its own and shared words; a background distribution puts 80 % of its mass on the stop words
 * and 20 % on the rare terms. A document has θ ~ Dirichlet(`alpha`) over topics and a length
 * ~ Poisson(`length`) (at least 5); each token comes from the background with probability 0.3,
 * else from a topic drawn from θ. Truth: `z` = θ (docs × topics), `support` = which words belong
 * to which topic (vocab × topics).
 */
import { Key } from "@sparse-dgm/core";
import { eng } from "stopword";
import { DataError, randomSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";
import { cumulative, Rng } from "./rng.js";

/** Parameters of `synthetic:topics`. */
export const topicsParams: readonly ParamSpec[] = [
  { name: "docs", type: "int", default: 1000, min: 2, doc: "documents (rows)" },
  { name: "vocab", type: "int", default: 2000, min: 2, doc: "vocabulary size (features)" },
  { name: "topics", type: "int", default: 10, min: 1, max: 40, doc: "topics (the true factors)" },
  { name: "wordsPerTopic", type: "int", default: 40, min: 2, doc: "words owned by each topic" },
  { name: "length", type: "number", default: 100, gt: 0, doc: "mean document length (tokens)" },
  { name: "alpha", type: "number", default: 0.1, gt: 0, doc: "Dirichlet concentration of the topic proportions" },
  { name: "test", type: "number", default: 0.2, min: 0, max: 0.99, doc: "test fraction of the seeded random split" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed (data and split)" },
];

/** Options of {@link syntheticTopics}. */
export interface SyntheticTopicsOptions {
  docs?: number;
  vocab?: number;
  topics?: number;
  wordsPerTopic?: number;
  length?: number;
  alpha?: number;
  test?: number;
  seed?: number;
}

const TOPIC_NAMES = ["sport", "music", "politics", "science", "health", "finance", "travel", "food", "film", "tech", "art", "law", "war", "school", "weather", "fashion", "games", "space", "farm", "crime"];
const STOP = 40;

/**
 * Generates the corpus (counts, documents × vocabulary) with the truth.
 *
 * @example
 * ```ts
 * const ds = syntheticTopics({ docs: 300, vocab: 600, topics: 5 });
 * ```
 */
export function syntheticTopics(opts: SyntheticTopicsOptions = {}): Dataset {
  const where = "synthetic:topics";
  const p = resolveParams(where, topicsParams, { ...opts });
  const D = p.docs as number;
  const V = p.vocab as number;
  const T = p.topics as number;
  const per = p.wordsPerTopic as number;
  if (STOP + T * per > V) throw new DataError(`${where}: vocab must be at least ${STOP} stop words + topics × wordsPerTopic = ${STOP + T * per}, got ${V}`);
  const rng = new Rng(Key.of(p.seed as number).foldIn("synthetic-topics"));
  const topicNames = Array.from({ length: T }, (_, t) => TOPIC_NAMES[t] ?? `topic${t + 1}`);
  const vocab: string[] = eng.slice(0, STOP);
  const support = new Uint8Array(V * T);
  const weights = Array.from({ length: T }, () => new Float64Array(V));
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < per; r++) {
      const j = STOP + t * per + r;
      const shared = T > 1 && r % 10 === 9;
      const t2 = (t + 1) % T;
      vocab.push(shared ? `${topicNames[t]}+${topicNames[t2]}${r + 1}` : `${topicNames[t]}${r + 1}`);
      support[j * T + t] = 1;
      weights[t][j] = 1 / (r + 1);
      if (shared) {
        support[j * T + t2] = 1;
        weights[t2][j] = 1 / (r + 1);
      }
    }
  }
  for (let j = vocab.length; j < V; j++) vocab.push(`rare${j - STOP - T * per + 1}`);
  const bg = new Float64Array(V);
  const rare = V - STOP - T * per;
  for (let j = 0; j < STOP; j++) bg[j] = 0.8 / (j + 1) / harmonic(STOP);
  for (let j = STOP + T * per; j < V; j++) bg[j] = rare > 0 ? (0.2 / (j - STOP - T * per + 1)) / harmonic(rare) : 0;
  const cumTopic = weights.map(cumulative);
  const cumBg = cumulative(bg);
  const x = new Float32Array(D * V);
  const z = new Float32Array(D * T);
  const alpha = new Float64Array(T).fill(p.alpha as number);
  for (let d = 0; d < D; d++) {
    const theta = rng.dirichlet(alpha);
    z.set(theta, d * T);
    const cumTheta = cumulative(theta);
    const L = Math.max(5, rng.poisson(p.length as number));
    for (let l = 0; l < L; l++) {
      const j = rng.uniform() < 0.3 ? rng.categorical(cumBg) : rng.categorical(cumTopic[rng.categorical(cumTheta)]);
      x[d * V + j]++;
    }
  }
  return {
    name: "topics",
    source: `${where}${formatQuery(topicsParams, p)}`,
    x,
    n: D,
    g: V,
    kind: "counts",
    featureNames: vocab,
    rowNames: Array.from({ length: D }, (_, d) => `doc${d + 1}`),
    split: randomSplit(D, p.test as number, p.seed as number),
    truth: { k: T, z, W: Float32Array.from(support), support, extra: { factorNames: topicNames } },
    meta: { generator: "topics", params: p },
  };
}

function harmonic(n: number): number {
  let s = 0;
  for (let k = 1; k <= n; k++) s += 1 / k;
  return s;
}
