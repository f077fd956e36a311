/**
 * Coloured environments from IDX images (`colored:<images>?labels=<path>&...`): the Colored MNIST
 * construction of Arjovsky et al. (2019, IRM §5.1) on any IDX image/label pair, e.g. Debian's
 * Fashion-MNIST (specs/mib-structured.md §3: "Colored Fashion-MNIST", the local analogue). Node-only.
 *
 * Per image: a binary label y0 = 1[class ∈ positive]; the observed label y = y0 flipped with
 * probability `labelNoise`; a colour c = y flipped with the environment's probability
 * `envFlips[e]`; the image (mean-pooled by `downsample`) put in channel c of a 2-channel image
 * (channel-major: [2, h, w] flattened, the other channel 0). With the defaults (flips 0.1, 0.2 in
 * the training environments, 0.9 in the held-out one; label noise 0.25) colour predicts y at 85%
 * in training and 10% in the held-out environment, shape at 75% everywhere.
 *
 * Parameters: `loaderParams.colored` in source.ts. Rows are the first `limit` images, dealt to the environments at random in equal shares. The
 * split: `test` of each training environment's rows and every row of the held-out environments
 * (`testEnvs`) form the test set, so a metric can score in-environment and out-of-environment rows
 * apart (`environment` has no training row in a held-out environment). Attributes: `environment`,
 * `colour`, and `shapeLabel` (y0, before the label noise).
 *
 * `<images>` may be a directory holding `train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte.gz`
 * (the labels then default to the latter), e.g. `colored:/usr/share/datasets/fashion-mnist`.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { Key } from "@sparse-dgm/core";
import { DataError, type Dataset } from "../dataset.js";
import type { ParamValue } from "../params.js";
import { loadIdx } from "./idx.js";

function numberList(where: string, name: string, raw: string, check: (v: number) => boolean, what: string): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const out = parts.map(Number);
  const bad = parts.findIndex((s, i) => s === "" || !Number.isFinite(out[i]) || !check(out[i]));
  if (bad >= 0) throw new DataError(`${where}: ${name} must be a comma-separated list of ${what}, got ${JSON.stringify(raw)} (entry ${bad + 1})`);
  return out;
}

/** Mean-pools [n, h, w] images by `f` (h and w cut to multiples of f). */
function pool(x: Float32Array, n: number, h: number, w: number, f: number): { x: Float32Array; h: number; w: number } {
  const H = Math.floor(h / f);
  const W = Math.floor(w / f);
  const out = new Float32Array(n * H * W);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < H; a++)
      for (let b = 0; b < W; b++) {
        let s = 0;
        for (let u = 0; u < f; u++) for (let v = 0; v < f; v++) s += x[i * h * w + (a * f + u) * w + (b * f + v)];
        out[i * H * W + a * W + b] = s / (f * f);
      }
  return { x: out, h: H, w: W };
}

/**
 * Builds the coloured environments from an IDX image/label pair.
 *
 * @example
 * ```ts
 * const ds = loadColored("/usr/share/datasets/fashion-mnist", { limit: 3000 });
 * // 3000 × 392 (2 × 14 × 14), labels y, attributes { environment, colour, shapeLabel }
 * ```
 */
export function loadColored(path: string, p: Record<string, ParamValue | undefined>, where = `colored:${path}`): Dataset {
  let images = path;
  let labels = p.labels as string | undefined;
  if (existsSync(path) && statSync(path).isDirectory()) {
    images = join(path, "train-images-idx3-ubyte.gz");
    labels ??= join(path, "train-labels-idx1-ubyte.gz");
  }
  if (labels === undefined) throw new DataError(`${where}: labels=<path> is needed (the class of each image decides its label)`);
  const positive = new Set(numberList(where, "positive", (p.positive as string | undefined) ?? "5,6,7,8,9", (v) => Number.isInteger(v) && v >= 0, "class ids"));
  const flips = numberList(where, "envFlips", (p.envFlips as string | undefined) ?? "0.1,0.2,0.9", (v) => v >= 0 && v <= 1, "probabilities in [0, 1]");
  if (flips.length < 2) throw new DataError(`${where}: envFlips must name at least two environments (training and held-out), got ${flips.length}`);
  const testEnvs = p.testEnvs === undefined ? [flips.length - 1] : numberList(where, "testEnvs", p.testEnvs as string, (v) => Number.isInteger(v) && v >= 0 && v < flips.length, `environment indices in [0, ${flips.length - 1}]`);
  if (testEnvs.length >= flips.length) throw new DataError(`${where}: testEnvs holds out every environment; leave at least one to train on`);
  const labelNoise = (p.labelNoise as number | undefined) ?? 0.25;
  const f = (p.downsample as number | undefined) ?? 2;
  const limit = (p.limit as number | undefined) ?? 30000;
  const testFraction = (p.test as number | undefined) ?? 0.2;
  const src = loadIdx(images, { labels, limit }, where);
  const shape = src.meta.imageShape as number[];
  if (shape.length !== 2) throw new DataError(`${where}: expected 2-d images, got ${shape.join("×")}`);
  const n = src.n;
  if (f > Math.min(shape[0], shape[1])) throw new DataError(`${where}: downsample ${f} is larger than the ${shape.join("×")} images`);
  const pooled = pool(src.x, n, shape[0], shape[1], f);
  const hw = pooled.h * pooled.w;
  const [kEnv, kNoise, kColour, kSplit] = Key.of((p.seed as number | undefined) ?? 0).foldIn("colored").split(4);
  // environments: a random permutation dealt round-robin, so the shares differ by at most one row
  const order = kEnv.permutation(n);
  const environment = new Int32Array(n);
  order.forEach((row, r) => (environment[row] = r % flips.length));
  const uNoise = kNoise.uniformArray(n);
  const uColour = kColour.uniformArray(n);
  const y = new Int32Array(n);
  const colour = new Int32Array(n);
  const shapeLabel = new Int32Array(n);
  const x = new Float32Array(n * 2 * hw);
  for (let i = 0; i < n; i++) {
    const y0 = positive.has(src.labels![i]) ? 1 : 0;
    shapeLabel[i] = y0;
    y[i] = uNoise[i] < labelNoise ? 1 - y0 : y0;
    colour[i] = uColour[i] < flips[environment[i]] ? 1 - y[i] : y[i];
    x.set(pooled.x.subarray(i * hw, (i + 1) * hw), i * 2 * hw + colour[i] * hw);
  }
  // split: `test` of each training environment, and every held-out row
  const held = new Set(testEnvs);
  const uSplit = kSplit.uniformArray(n);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (held.has(environment[i]) || uSplit[i] < testFraction ? test : train).push(i);
  return {
    name: `colored-${src.name}`,
    source: where,
    x,
    n,
    g: 2 * hw,
    kind: "real",
    labels: y,
    labelNames: ["y=0", "y=1"],
    attributes: { environment, colour, shapeLabel },
    split: { train: Int32Array.from(train), test: Int32Array.from(test) },
    meta: {
      imageShape: [2, pooled.h, pooled.w],
      images,
      labels,
      envFlips: flips,
      testEnvironments: testEnvs,
      labelNoise,
      positive: [...positive].sort((a, b) => a - b),
      construction: "Arjovsky et al. 2019 (IRM) Colored MNIST on IDX images",
    },
  };
}

/** Adapter from resolved source parameters. */
export function coloredFromParams(path: string, p: Record<string, ParamValue | undefined>, where: string): Dataset {
  return loadColored(path, p, where);
}
