/**
 * The distribution registry. Each distribution file calls `registerDistribution` once with a few
 * parameter settings; that one entry enrols it in the generic suites (`generic.test.ts` and
 * `test/backends/`): shapes, log-density against committed scipy reference values, sample moments,
 * finite gradients and support.
 */
import type { tf } from "@sparse-dgm/core";
import type { Distribution } from "./distribution.js";

/** One parameter setting of a distribution, with what the generic suites check. */
export interface DistributionCase {
  /** Unique name, e.g. "Normal(loc=0.5,scale=2)"; keys the committed reference values. */
  name: string;
  /** Builds the distribution (inside a test's tidy scope). */
  make: () => Distribution;
  /** Points at which logProb is compared with the reference (each of the event shape). */
  points?: number[] | number[][];
  /** Reference log densities at `points` (scipy, committed); omitted where no reference exists. */
  logProb?: number[];
  /** Closed-form mean and variance (flattened over batch/event), for the sample-moment checks. */
  mean?: number[];
  variance?: number[];
  /** Relative tolerance of the moment checks (default 0.05 with 20000 draws). */
  momentTol?: number;
  /** Parameter names whose gradient of logProb(points) must be finite (reparameterised ones also get d sample / d param). */
  gradParams?: string[];
  /** Log-density tolerance (absolute; default 1e-4). */
  tol?: number;
  /**
   * Rebuilds the distribution from tensor parameters (keyed as in `make().params()`), so the
   * generic suite can take gradients with `tf.grad`. Optional: without it the suite
   * differentiates `make()`'s own parameter tensors, which works only when `logProb` (and
   * `sample`) compute from them lazily.
   */
  makeWith?: (params: Record<string, tf.Tensor>) => Distribution;
}

const cases: DistributionCase[] = [];

/** Enrols parameter settings of a distribution in the generic suites. */
export function registerDistribution(...c: DistributionCase[]): void {
  for (const x of c) {
    if (cases.some((y) => y.name === x.name)) throw new Error(`distribution case "${x.name}" registered twice`);
    cases.push(x);
  }
}

/** Every registered case. */
export function distributionCases(): readonly DistributionCase[] {
  return cases;
}
