/**
 * Data from a known truth: from a {@link SparseTruth} (vectorised with tfjs), as a `Dataset` the
 * rest of the library fits and scores, or from any DSL model with a mask run forward with
 * substituted globals (`substitute` + `seed` + `trace`).
 */
import { tf, Key, ParamStore, DATA_PLATE, substitute, seed, trace, toTensor, type Model, type UserValue } from "@sparse-dgm/core";
import { randomSplit, type Dataset } from "@sparse-dgm/data";
import type { LinkName, SparseTruth } from "./arbitraries.js";
import { checkAnchors } from "./anchors.js";

/** Tensors drawn from a truth. The caller owns (disposes) them. */
export interface TruthSample {
  /** n×G observations. */
  x: tf.Tensor2D;
  /** n×K true factors. */
  z: tf.Tensor2D;
  /** G×K weights. */
  W: tf.Tensor2D;
  /** G×K 0/1 support (float32). */
  support: tf.Tensor2D;
}

const LINK_FNS: Record<LinkName, (u: tf.Tensor) => tf.Tensor> = {
  identity: (u) => u,
  tanh: (u) => tf.mul(2, tf.tanh(u)),
  square: (u) => tf.mul(0.5, tf.mul(u, tf.abs(u))),
  sin: (u) => tf.mul(2, tf.sin(u)),
};

function checkTruth(t: SparseTruth): void {
  const G = t.features;
  const K = t.factors;
  if (t.support.length !== G || t.weights.length !== G || t.links.length !== G) {
    throw new Error(`truth: support, weights and links need ${G} rows, got ${t.support.length}, ${t.weights.length}, ${t.links.length}`);
  }
  if (t.support.some((r) => r.length !== K) || t.weights.some((r) => r.length !== K)) throw new Error(`truth: support and weights need ${K} columns`);
  if (!(t.rho >= 0 && t.rho < 1)) throw new Error(`truth: rho must be in [0, 1), got ${t.rho}`);
  if (!(t.noise >= 0)) throw new Error(`truth: noise must be >= 0, got ${t.noise}`);
  if (!Number.isInteger(t.n) || t.n < 2) throw new Error(`truth: n must be an integer >= 2, got ${t.n}`);
}

/**
 * Draws n rows from a truth, vectorised:
 * z = √(1−ρ)·e + √ρ·c·1ᵀ (e ~ N(0, I_K), c ~ N(0, 1), so corr(z_k, z_l) = ρ),
 * u = z Wᵀ, x = Σ_links onehot_link ⊙ link(u) + σ ε. Randomness comes only from `key`.
 *
 * @example
 * ```ts
 * const { x, z, W, support } = sampleFromTruth(truth, Key.of(0)); // x: [n, G], z: [n, K]
 * ```
 */
export function sampleFromTruth(truth: SparseTruth, key: Key): TruthSample {
  checkTruth(truth);
  const { n, features: G, factors: K } = truth;
  const [ke, kc, kn] = key.foldIn("sampleFromTruth").split(3);
  return tf.tidy(() => {
    const W = tf.tensor2d(truth.weights, [G, K]);
    const support = tf.tensor2d(truth.support, [G, K]);
    const z = tf.add(tf.mul(Math.sqrt(1 - truth.rho), ke.normal([n, K])), tf.mul(Math.sqrt(truth.rho), kc.normal([n, 1]))) as tf.Tensor2D;
    const u = tf.matMul(z, W, false, true);
    const used = [...new Set(truth.links)];
    let x = tf.zeros([n, G]);
    for (const l of used) {
      const onehot = tf.tensor2d([truth.links.map((m) => (m === l ? 1 : 0))], [1, G]);
      x = tf.add(x, tf.mul(onehot, LINK_FNS[l](u)));
    }
    x = tf.add(x, tf.mul(truth.noise, kn.normal([n, G])));
    return { x: x as tf.Tensor2D, z, W, support };
  });
}

/** Options of {@link datasetFromTruth}. */
export interface DatasetFromTruthOptions {
  /**
   * Centre each column of x and scale it to unit SD (ddof 0) after adding the noise, so the noise
   * level is relative and every dataset of a truth family gets the same data-calibrated priors
   * (the Sparse VAE's σ-prior scale). z, W and the support are unchanged. Default false.
   */
  standardise?: boolean;
  /** Fraction of rows held out (default 0.2). */
  testFraction?: number;
}

/**
 * A `Dataset` (kind "real") drawn from a truth with `Key.of(seed)`: x (n×G), an 80/20 train/test
 * split from the same key, and `truth` = { k, z, W, wCols: k, support, anchors } so that
 * `evaluateProgram` scores MCC and support F1 against it.
 *
 * @example
 * ```ts
 * const ds = datasetFromTruth(truth, 0);
 * const program = compile(sparseVae.build({ features: ds.g, stats: { sigmaPriorScale: sigmaPriorScale(ds) } }), { seed: 0, normalisation: "reference" });
 * await program.fit(observedTensor(program.model, ds, ds.split.train), { epochs: 100, batchSize: 100, learningRate: 1e-2 });
 * evaluateProgram(program, ds)[0].supportF1;
 * ```
 */
export function datasetFromTruth(truth: SparseTruth, seed: number, options: DatasetFromTruthOptions = {}): Dataset {
  const key = Key.of(seed);
  const s = sampleFromTruth(truth, key.foldIn("data"));
  try {
    const xT = options.standardise
      ? tf.tidy(() => {
          const { mean, variance } = tf.moments(s.x, 0, true);
          return tf.div(tf.sub(s.x, mean), tf.sqrt(tf.maximum(variance, 1e-12)));
        })
      : s.x;
    const x = Float32Array.from(xT.dataSync());
    if (xT !== s.x) xT.dispose();
    const z = Float32Array.from(s.z.dataSync());
    const W = Float32Array.from(s.W.dataSync());
    const support = Uint8Array.from(s.support.dataSync(), (v) => (v !== 0 ? 1 : 0));
    const anchors = checkAnchors(truth.support, { threshold: 0 }).anchors;
    return {
      name: "truth",
      source: `testing:truth?g=${truth.features}&k=${truth.factors}&n=${truth.n}&seed=${seed}`,
      x,
      n: truth.n,
      g: truth.features,
      kind: "real",
      split: randomSplit(truth.n, options.testFraction ?? 0.2, key),
      truth: { k: truth.factors, z, W, wCols: truth.factors, support, anchors },
      meta: { generator: "@sparse-dgm/testing datasetFromTruth", truth, seed, standardise: !!options.standardise },
    };
  } finally {
    tf.dispose([s.x, s.z, s.W, s.support]);
  }
}

/** Options of {@link sampleFromModel}. */
export interface SampleFromModelOptions {
  /** Values substituted for global sites (the mask W, noise variances, ...), in each site's layout. */
  globals: Record<string, UserValue>;
  /** Number of data points. */
  n: number;
  /** The key every random site (and the fresh network weights) is drawn from. */
  key: Key;
}

/** What {@link sampleFromModel} draws (site layout; the caller disposes the tensors). */
export interface ModelSample {
  /** The observed site's value, [n, ...]. */
  x: tf.Tensor;
  /** The first local latent (a latent in the data plate), [n, ...]; undefined if the model has none. */
  z?: tf.Tensor;
  /** The first global mask site's value (rows × cols), if the model has one. */
  W?: tf.Tensor;
  /** 1 where W ≠ 0 (float32), if the model has a global mask. */
  support?: tf.Tensor;
  /** The name of each returned site. */
  sites: { x: string; z?: string; W?: string };
}

/**
 * Runs an uncompiled DSL model forward with substituted globals: `trace(seed(substitute(model,
 * globals), key))` with `n` data points. Sites not substituted are drawn from their priors;
 * network weights (decoders) are freshly initialised from `key`. The support is read from the
 * model IR's (first global) mask site: W ≠ 0. Any model with a mask can so generate data with a
 * known truth (z, W, support).
 *
 * @example
 * ```ts
 * const m = sparseVae.build({ features: 6, factors: 2 });
 * const W = [[1, 0], [0.8, 0], [0, 1], [0, -1.2], [1, 1], [0.5, -0.7]];
 * const { x, z, support } = sampleFromModel(m, { globals: { W, noiseVariance: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1] }, n: 500, key: Key.of(3) });
 * ```
 */
export function sampleFromModel(model: Model<any, any>, options: SampleFromModelOptions): ModelSample {
  const { n, key } = options;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleFromModel: n must be a positive integer, got ${n}`);
  const ir = model.ir;
  const obs = ir.sites.find((s) => s.kind === "observe");
  if (!obs) throw new Error(`sampleFromModel: model "${ir.name}" has no observed site`);
  const latent = ir.sites.find((s) => s.kind === "latent" && s.plates.includes(DATA_PLATE));
  const mask = model.masks().find((s) => s.mask?.scope === "global");
  const params = new ParamStore(key.foldIn("params"));
  // substitute() keeps the tensors it is given; pass tensors we own so they can be released.
  const owned: tf.Tensor[] = [];
  const values: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(options.globals)) {
    if (v instanceof tf.Tensor && v.dtype === "float32") values[name] = v;
    else owned.push((values[name] = v instanceof tf.Tensor ? tf.cast(v, "float32") : toTensor(name, v)));
  }
  try {
    return tf.tidy(() => {
      const handled = seed(substitute(model, values as never), key.foldIn("sites"));
      const tr = trace(handled).get({ plateSizes: { [DATA_PLATE]: n }, params });
      const out: ModelSample = { x: tr.value(obs.name), sites: { x: obs.name } };
      if (latent) {
        out.z = tr.value(latent.name);
        out.sites.z = latent.name;
      }
      if (mask) {
        out.W = tr.value(mask.name);
        out.support = tf.cast(tf.notEqual(out.W, 0), "float32");
        out.sites.W = mask.name;
      }
      return out as unknown as tf.TensorContainer;
    }) as unknown as ModelSample;
  } finally {
    params.dispose();
    tf.dispose(owned);
  }
}
