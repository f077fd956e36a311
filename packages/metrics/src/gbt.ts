/**
 * Gradient-boosted regression trees matching sklearn's `GradientBoostingRegressor()`
 * with default settings (sklearn 1.2.1), including impurity-based feature importances.
 *
 * Hand-written: no npm package offers an sklearn-equivalent gradient-boosting regressor
 * with impurity importances (`ml-xgboost` is a different algorithm and little used), and
 * DCI needs exactly these importances.
 *
 * @module
 */
import { NumpyRandomState } from "./random.js";
import type { Matrix } from "./types.js";
import { toRows } from "./types.js";

/** sklearn's `FEATURE_THRESHOLD`: feature values closer than this are treated as equal. */
const FEATURE_THRESHOLD = 1e-7;
/** `np.finfo(np.double).eps`, sklearn's tree builder `EPSILON` (pure-node test). */
const EPSILON = 2.220446049250313e-16;
/** sklearn `tree/_utils.pxd` RAND_R_MAX. */
const RAND_R_MAX = 0x7fffffff;

/** sklearn `tree/_utils.pyx` `our_rand_r` (xorshift on a uint32 state) → value in [0, RAND_R_MAX]. */
function ourRandR(state: Uint32Array): number {
  if (state[0] === 0) state[0] = 1; // DEFAULT_SEED
  state[0] ^= state[0] << 13;
  state[0] ^= state[0] >>> 17;
  state[0] ^= state[0] << 5;
  return state[0] % (RAND_R_MAX + 1);
}

/** Options of {@link GradientBoostingRegressor}; defaults are sklearn's. */
export interface GbtOptions {
  /** Number of boosting stages (sklearn `n_estimators`). Default 100. */
  nEstimators?: number;
  /** Shrinkage (sklearn `learning_rate`). Default 0.1. */
  learningRate?: number;
  /** Maximum depth of each tree. Default 3. */
  maxDepth?: number;
  /** Minimum samples to split an internal node. Default 2. */
  minSamplesSplit?: number;
  /** Minimum samples in a leaf. Default 1. */
  minSamplesLeaf?: number;
  /**
   * sklearn's `random_state` (an integer seed), used only to break exact ties between
   * features. sklearn visits the features of every node in a random order (even with
   * `max_features=None`) and keeps the first strictly better split, so ties (common in
   * small nodes, where several features induce the same partition) go to a random
   * feature.
   *
   * - Unset (default): features are visited in index order, so **ties go to the lowest
   *   feature index**; deterministic, no RNG.
   * - Set to an integer s: the random feature order of
   *   `GradientBoostingRegressor(random_state=s)` is reproduced exactly (numpy legacy
   *   MT19937 → `randint(0, 0x7FFFFFFF)` per tree → sklearn's `rand_r` feature draws in
   *   `BestSplitter.node_split`, including its constant-feature bookkeeping), so trees,
   *   predictions and importances match sklearn even when ties occur.
   *
   * Within a feature, ties always go to the smallest threshold (as in sklearn).
   */
  randomState?: number;
}

/** One fitted regression tree in sklearn's flat array layout (leaves have `feature = -2`, sklearn's TREE_UNDEFINED). */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Node value (mean residual of the node's samples). */
  value: number[];
  /** Node impurity (MSE of the residuals in the node), as sklearn stores it. */
  impurity: number[];
  /** Number of training samples reaching the node. */
  nSamples: number[];
}

interface SplitResult {
  feature: number;
  threshold: number;
  pos: number;
  impurityLeft: number;
  impurityRight: number;
}

/**
 * A gradient-boosted ensemble of depth-limited CART regression trees with squared-error
 * loss: sklearn's `GradientBoostingRegressor()` (loss `squared_error`, 100 stages, learning
 * rate 0.1, max depth 3, `min_samples_split=2`, `min_samples_leaf=1`, `subsample=1`,
 * criterion `friedman_mse`, init = mean of y).
 *
 * Like sklearn, inputs X are cast to float32 before fitting and predicting (targets stay
 * float64); split thresholds are midpoints computed in double precision; feature values
 * within 1e-7 of each other are never separated; nodes with impurity ≤ machine epsilon
 * are leaves.
 *
 * `featureImportances` follows sklearn 1.2.1 `BaseGradientBoosting.feature_importances_`:
 * for each tree with more than one node, the sum over split nodes of
 * `n·impurity − n_left·impurity_left − n_right·impurity_right`, divided by the root's
 * sample count (**not** normalised per tree: `compute_feature_importances(normalize=False)`),
 * averaged over those trees, then normalised to sum 1. All zeros if every tree is a
 * single leaf.
 *
 * Reference: Friedman (2001), "Greedy function approximation: a gradient boosting
 * machine"; matches scikit-learn 1.2.1 `sklearn/ensemble/_gb.py` and `sklearn/tree`
 * (BestSplitter, FriedmanMSE, DepthFirstTreeBuilder). Cross-checked against sklearn in
 * `gbt.test.ts` (fixtures from `tools/reference/metrics_fixtures.py`).
 *
 * @example
 * ```ts
 * const X = [[0, 1], [1, 0], [2, 1], [3, 0]];
 * const y = [0, 1, 2, 3];
 * const gbt = new GradientBoostingRegressor().fit(X, y);
 * gbt.predict([[1.5, 0]]);      // Float64Array [≈1.5]
 * gbt.featureImportances;        // Float64Array [≈1, ≈0]
 * ```
 */
export class GradientBoostingRegressor {
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly randomState: number | undefined;
  /** The constant initial prediction (mean of the training targets). */
  init = 0;
  /** The fitted trees, one per stage. */
  trees: RegressionTree[] = [];
  /** Number of features seen in `fit`. */
  nFeatures = 0;
  private importances: Float64Array | null = null;

  constructor(options: GbtOptions = {}) {
    this.nEstimators = options.nEstimators ?? 100;
    this.learningRate = options.learningRate ?? 0.1;
    this.maxDepth = options.maxDepth ?? 3;
    this.minSamplesSplit = options.minSamplesSplit ?? 2;
    this.minSamplesLeaf = options.minSamplesLeaf ?? 1;
    this.randomState = options.randomState;
  }

  /**
   * Fit the ensemble.
   * @param X - n × p inputs (rows are samples).
   * @param y - n targets.
   */
  fit(X: Matrix, y: ArrayLike<number>): this {
    const rows = toRows(X);
    const n = rows.length;
    if (n === 0) throw new Error("GradientBoostingRegressor.fit: X has no rows");
    if (y.length !== n) throw new Error(`GradientBoostingRegressor.fit: X has ${n} rows but y has ${y.length}`);
    const p = rows[0].length;
    this.nFeatures = p;
    // Column-major float32 copy of X (sklearn casts X to float32).
    const cols: Float32Array[] = [];
    for (let f = 0; f < p; f++) {
      const c = new Float32Array(n);
      for (let i = 0; i < n; i++) c[i] = rows[i][f];
      cols.push(c);
    }
    const yy = Float64Array.from(y);
    this.init = numpyPairwiseSum(yy) / n; // DummyRegressor: np.average(y)
    const raw = new Float64Array(n).fill(this.init);
    const residual = new Float64Array(n);
    const rs = this.randomState === undefined ? null : new NumpyRandomState(this.randomState);
    this.trees = [];
    this.importances = null;
    const builder = new TreeBuilder(cols, this.maxDepth, this.minSamplesSplit, this.minSamplesLeaf);
    const leafOf = new Int32Array(n);
    for (let m = 0; m < this.nEstimators; m++) {
      for (let i = 0; i < n; i++) residual[i] = yy[i] - raw[i];
      // sklearn Splitter.init: rand_r_state = random_state.randint(0, RAND_R_MAX)
      const randR = rs === null ? null : rs.randomInterval(RAND_R_MAX - 1);
      const tree = builder.build(residual, leafOf, randR);
      for (let i = 0; i < n; i++) raw[i] += this.learningRate * tree.value[leafOf[i]];
      this.trees.push(tree);
    }
    return this;
  }

  /** Predict targets for the rows of X (cast to float32 first, as sklearn does). */
  predict(X: Matrix): Float64Array {
    const rows = toRows(X);
    const out = new Float64Array(rows.length);
    const x32 = new Float32Array(this.nFeatures);
    for (let i = 0; i < rows.length; i++) {
      for (let f = 0; f < this.nFeatures; f++) x32[f] = rows[i][f];
      let acc = this.init;
      for (const t of this.trees) acc += this.learningRate * t.value[applyTree(t, x32)];
      out[i] = acc;
    }
    return out;
  }

  /** Impurity-based feature importances (sum to 1, or all 0), as sklearn 1.2.1 computes them. */
  get featureImportances(): Float64Array {
    if (this.importances) return this.importances;
    const p = this.nFeatures;
    const avg = new Float64Array(p);
    let relevant = 0;
    for (const t of this.trees) {
      if (t.feature.length <= 1) continue;
      relevant++;
      const imp = treeImportances(t, p);
      for (let f = 0; f < p; f++) avg[f] += imp[f];
    }
    if (relevant > 0) {
      let total = 0;
      for (let f = 0; f < p; f++) total += avg[f] / relevant;
      if (total > 0) for (let f = 0; f < p; f++) avg[f] = avg[f] / relevant / total;
      else avg.fill(0);
    }
    this.importances = avg;
    return avg;
  }
}

/** Index of the leaf that row x reaches. */
function applyTree(t: RegressionTree, x: ArrayLike<number>): number {
  let node = 0;
  while (t.feature[node] >= 0) node = x[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
  return node;
}

/** sklearn `Tree.compute_feature_importances(normalize=False)`. */
function treeImportances(t: RegressionTree, p: number): Float64Array {
  const imp = new Float64Array(p);
  for (let node = 0; node < t.feature.length; node++) {
    const f = t.feature[node];
    if (f < 0) continue;
    const l = t.left[node];
    const r = t.right[node];
    imp[f] += t.nSamples[node] * t.impurity[node] - t.nSamples[l] * t.impurity[l] - t.nSamples[r] * t.impurity[r];
  }
  const root = t.nSamples[0];
  for (let f = 0; f < p; f++) imp[f] /= root;
  return imp;
}

/**
 * numpy's pairwise summation (`pairwise_sum_DOUBLE`, block size 128, 8-way unrolled), so
 * that means match `np.mean`/`np.average` bit-for-bit.
 */
export function numpyPairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpyPairwiseSum(a, start, n2) + numpyPairwiseSum(a, start + n2, n - n2);
}

/**
 * Depth-first CART builder with the FriedmanMSE criterion: a port of sklearn 1.2.1's
 * DepthFirstTreeBuilder + BestSplitter + FriedmanMSE that keeps sklearn's in-place
 * `samples` array, its introsort, its partition and its incremental `update()` so that
 * floating-point sums (and hence near-tie decisions) are the same as sklearn's.
 */
class TreeBuilder {
  private readonly n: number;
  private readonly p: number;
  private readonly samples: Int32Array;
  private readonly xf: Float32Array;
  private y: Float64Array = new Float64Array(0);
  private tree!: RegressionTree;
  private leafOf!: Int32Array;
  /** sklearn splitter state: the permuted feature array and the known-constant prefix copy. */
  private readonly features: Int32Array;
  private readonly constantFeatures: Int32Array;
  /** sklearn `rand_r_state`; null = deterministic index-order visiting. */
  private randState: Uint32Array | null = null;
  // criterion state (FriedmanMSE / MSE)
  private cStart = 0;
  private cEnd = 0;
  private cPos = 0;
  private sumTotal = 0;
  private sqTotal = 0;
  private sumLeft = 0;

  constructor(
    private readonly cols: Float32Array[],
    private readonly maxDepth: number,
    private readonly minSamplesSplit: number,
    private readonly minSamplesLeaf: number,
  ) {
    this.p = cols.length;
    this.n = cols.length > 0 ? cols[0].length : 0;
    this.samples = new Int32Array(this.n);
    this.xf = new Float32Array(this.n);
    this.features = new Int32Array(this.p);
    this.constantFeatures = new Int32Array(this.p);
  }

  build(y: Float64Array, leafOf: Int32Array, randR: number | null): RegressionTree {
    this.y = y;
    this.leafOf = leafOf;
    this.randState = randR === null ? null : Uint32Array.of(randR);
    for (let f = 0; f < this.p; f++) this.features[f] = f;
    for (let i = 0; i < this.n; i++) this.samples[i] = i;
    this.tree = { feature: [], threshold: [], left: [], right: [], value: [], impurity: [], nSamples: [] };
    this.addNode(0, this.n, 0, null, 0);
    return this.tree;
  }

  /** Criterion.init: totals over samples[start:end] in their current order. */
  private criterionInit(start: number, end: number): void {
    let sum = 0;
    let sq = 0;
    const y = this.y;
    const s = this.samples;
    for (let k = start; k < end; k++) {
      const v = y[s[k]];
      sum += v;
      sq += v * v;
    }
    this.cStart = start;
    this.cEnd = end;
    this.sumTotal = sum;
    this.sqTotal = sq;
    this.reset();
  }

  private reset(): void {
    this.cPos = this.cStart;
    this.sumLeft = 0;
  }

  /** RegressionCriterion.update: move pos to newPos, summing from whichever end is closer. */
  private update(newPos: number): void {
    const y = this.y;
    const s = this.samples;
    const end = this.cEnd;
    if (newPos - this.cPos <= end - newPos) {
      for (let k = this.cPos; k < newPos; k++) this.sumLeft += y[s[k]];
    } else {
      this.sumLeft = this.sumTotal; // reverse_reset
      for (let k = end - 1; k >= newPos; k--) this.sumLeft -= y[s[k]];
    }
    this.cPos = newPos;
  }

  private addNode(start: number, end: number, depth: number, parentImpurity: number | null, nConstant: number): number {
    const t = this.tree;
    const n = end - start;
    this.criterionInit(start, end);
    const sum = this.sumTotal;
    let impurity: number;
    if (parentImpurity === null) {
      const mean = sum / n;
      impurity = this.sqTotal / n - mean * mean;
    } else impurity = parentImpurity;
    const id = t.feature.length;
    t.feature.push(-2);
    t.threshold.push(-2);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(sum / n);
    t.impurity.push(impurity);
    t.nSamples.push(n);
    let isLeaf = depth >= this.maxDepth || n < this.minSamplesSplit || n < 2 * this.minSamplesLeaf || impurity <= EPSILON;
    let split: SplitResult | null = null;
    let childConstant = nConstant;
    if (!isLeaf) {
      const r = this.nodeSplit(start, end, nConstant);
      split = r.split;
      childConstant = r.nConstant;
      if (split === null) isLeaf = true;
    }
    if (isLeaf || split === null) {
      for (let k = start; k < end; k++) this.leafOf[this.samples[k]] = id;
      return id;
    }
    t.feature[id] = split.feature;
    t.threshold[id] = split.threshold;
    const l = this.addNode(start, split.pos, depth + 1, split.impurityLeft, childConstant);
    t.left[id] = l;
    const r = this.addNode(split.pos, end, depth + 1, split.impurityRight, childConstant);
    t.right[id] = r;
    return id;
  }

  /** Copy feature f of samples[start:end] into xf and sort both (sklearn introsort); false if constant. */
  private gather(f: number, start: number, end: number): boolean {
    const col = this.cols[f];
    const xf = this.xf;
    const s = this.samples;
    for (let k = start; k < end; k++) xf[k] = col[s[k]];
    const n = end - start;
    if (n > 0) introsort(xf, s, start, n, 2 * Math.floor(Math.log(n)));
    return !(xf[end - 1] <= xf[start] + FEATURE_THRESHOLD);
  }

  /**
   * sklearn BestSplitter.node_split with the FriedmanMSE proxy improvement. Returns the
   * best split (null if every feature is constant in the node) and the number of known
   * constant features to pass to the children.
   */
  private nodeSplit(start: number, end: number, nKnownConstants: number): { split: SplitResult | null; nConstant: number } {
    const best: BestState = { proxy: -Infinity, feature: -1, pos: end, threshold: 0 };
    let nConstantOut = nKnownConstants;
    if (this.randState === null) {
      for (let f = 0; f < this.p; f++) if (this.gather(f, start, end)) this.scanFeature(f, start, end, best);
    } else {
      // Exact port of sklearn 1.2.1 BestSplitter.node_split's feature-drawing loop.
      const features = this.features;
      const rs = this.randState;
      let fi = this.p;
      let nVisited = 0;
      let nFound = 0;
      let nDrawn = 0;
      let nTotal = nKnownConstants;
      const maxFeatures = this.p;
      while (fi > nTotal && (nVisited < maxFeatures || nVisited <= nFound + nDrawn)) {
        nVisited++;
        let fj = nDrawn + (ourRandR(rs) % (fi - nFound - nDrawn));
        if (fj < nKnownConstants) {
          const tmp = features[nDrawn];
          features[nDrawn] = features[fj];
          features[fj] = tmp;
          nDrawn++;
          continue;
        }
        fj += nFound;
        const f = features[fj];
        if (!this.gather(f, start, end)) {
          const tmp = features[fj];
          features[fj] = features[nTotal];
          features[nTotal] = tmp;
          nFound++;
          nTotal++;
          continue;
        }
        fi--;
        const tmp = features[fi];
        features[fi] = features[fj];
        features[fj] = tmp;
        this.scanFeature(f, start, end, best);
      }
      // Respect sklearn's invariant for constant features.
      for (let k = 0; k < nKnownConstants; k++) features[k] = this.constantFeatures[k];
      for (let k = nKnownConstants; k < nKnownConstants + nFound; k++) this.constantFeatures[k] = features[k];
      nConstantOut = nTotal;
    }
    if (best.pos >= end) return { split: null, nConstant: nConstantOut };
    // Reorganize into samples[start:pos] + samples[pos:end] (sklearn's swap partition).
    const s = this.samples;
    const col = this.cols[best.feature];
    let partitionEnd = end;
    let p = start;
    while (p < partitionEnd) {
      if (col[s[p]] <= best.threshold) p++;
      else {
        partitionEnd--;
        const tmp = s[p];
        s[p] = s[partitionEnd];
        s[partitionEnd] = tmp;
      }
    }
    this.reset();
    this.update(best.pos);
    // children_impurity
    const y = this.y;
    let sqLeft = 0;
    for (let k = start; k < best.pos; k++) {
      const v = y[s[k]];
      sqLeft += v * v;
    }
    const nl = best.pos - start;
    const nr = end - best.pos;
    const sumLeft = this.sumLeft;
    const sumRight = this.sumTotal - sumLeft;
    const sqRight = this.sqTotal - sqLeft;
    const ml = sumLeft / nl;
    const mr = sumRight / nr;
    return {
      split: {
        feature: best.feature,
        threshold: best.threshold,
        pos: best.pos,
        impurityLeft: sqLeft / nl - ml * ml,
        impurityRight: sqRight / nr - mr * mr,
      },
      nConstant: nConstantOut,
    };
  }

  /** Scan all split positions of the gathered feature f, updating the best split (strict >). */
  private scanFeature(f: number, start: number, end: number, best: BestState): void {
    const xf = this.xf;
    const msl = this.minSamplesLeaf;
    this.reset();
    let p = start;
    while (p < end) {
      while (p + 1 < end && xf[p + 1] <= xf[p] + FEATURE_THRESHOLD) p++;
      p++;
      if (p >= end) break;
      if (p - start < msl || end - p < msl) continue;
      this.update(p);
      const nl = p - start;
      const nr = end - p;
      const sumRight = this.sumTotal - this.sumLeft;
      const diff = nr * this.sumLeft - nl * sumRight;
      const proxy = (diff * diff) / (nl * nr);
      if (proxy > best.proxy) {
        best.proxy = proxy;
        let thr = xf[p - 1] / 2 + xf[p] / 2;
        if (thr === xf[p] || !Number.isFinite(thr)) thr = xf[p - 1];
        best.feature = f;
        best.pos = p;
        best.threshold = thr;
      }
    }
  }
}

interface BestState {
  proxy: number;
  feature: number;
  pos: number;
  threshold: number;
}

function swap(xf: Float32Array, s: Int32Array, i: number, j: number): void {
  const a = xf[i];
  xf[i] = xf[j];
  xf[j] = a;
  const b = s[i];
  s[i] = s[j];
  s[j] = b;
}

function median3(xf: Float32Array, off: number, n: number): number {
  const a = xf[off];
  const b = xf[off + Math.floor(n / 2)];
  const c = xf[off + n - 1];
  if (a < b) {
    if (b < c) return b;
    if (a < c) return c;
    return a;
  }
  if (b < c) {
    if (a < c) return a;
    return c;
  }
  return b;
}

/** sklearn `_splitter.pyx` introsort (median-of-3, 3-way partition, heapsort fallback). */
function introsort(xf: Float32Array, s: Int32Array, off: number, n: number, maxd: number): void {
  while (n > 1) {
    if (maxd <= 0) {
      heapsort(xf, s, off, n);
      return;
    }
    maxd--;
    const pivot = median3(xf, off, n);
    let i = 0;
    let l = 0;
    let r = n;
    while (i < r) {
      if (xf[off + i] < pivot) {
        swap(xf, s, off + i, off + l);
        i++;
        l++;
      } else if (xf[off + i] > pivot) {
        r--;
        swap(xf, s, off + i, off + r);
      } else i++;
    }
    introsort(xf, s, off, l, maxd);
    off += r;
    n -= r;
  }
}

function siftDown(xf: Float32Array, s: Int32Array, off: number, start: number, end: number): void {
  let root = start;
  for (;;) {
    const child = root * 2 + 1;
    let maxind = root;
    if (child < end && xf[off + maxind] < xf[off + child]) maxind = child;
    if (child + 1 < end && xf[off + maxind] < xf[off + child + 1]) maxind = child + 1;
    if (maxind === root) break;
    swap(xf, s, off + root, off + maxind);
    root = maxind;
  }
}

function heapsort(xf: Float32Array, s: Int32Array, off: number, n: number): void {
  let start = Math.floor((n - 2) / 2);
  for (;;) {
    siftDown(xf, s, off, start, n);
    if (start === 0) break;
    start--;
  }
  for (let end = n - 1; end > 0; end--) {
    swap(xf, s, off, off + end);
    siftDown(xf, s, off, 0, end);
  }
}
