/**
 * @sparse-dgm/distributions: distribution classes, the analytic-KL registry and relaxations.
 * Adding a distribution is one file plus one line here; the file registers its cases with
 * `registerDistribution` (generic suites) and its closed-form KLs with `registerKL`.
 */
export {
  boolean,
  closedUnitInterval,
  type Constraint,
  integerInterval,
  nonnegative,
  nonnegativeInteger,
  oneHot,
  positive,
  real,
  simplex,
  unitInterval,
} from "./constraints.js";
export {
  type Bijector,
  bijectTo,
  hasBijector,
  registerBijector,
  registeredBijectors,
} from "./bijectors.js";
export {
  asTensor,
  broadcastShapes,
  checkParams,
  Distribution,
  DistributionArgError,
  type DistributionSummary,
  type Param,
  shapeOf,
} from "./distribution.js";
export {
  hasKL,
  kl,
  type KLFn,
  registeredKLPairs,
  registerKL,
} from "./kl.js";
export {
  type DistributionCase,
  distributionCases,
  registerDistribution,
} from "./registry.js";
export {
  normal,
  Normal,
} from "./normal.js";
export {
  laplace,
  Laplace,
} from "./laplace.js";
export {
  bernoulli,
  Bernoulli,
  type BernoulliParams,
} from "./bernoulli.js";
export {
  categorical,
  Categorical,
  type CategoricalParams,
  normalisedLogProbs,
  normalisedProbs,
  vectorParam,
  type VectorParam,
} from "./categorical.js";
export {
  multinomial,
  Multinomial,
} from "./multinomial.js";
export {
  beta,
  Beta,
} from "./beta.js";
export {
  gamma,
  Gamma,
  standardGammaSample,
} from "./gamma.js";
export {
  inverseGamma,
  InverseGamma,
  scaledInvChi2,
} from "./inverse-gamma.js";
export {
  poisson,
  Poisson,
} from "./poisson.js";
export {
  negativeBinomial,
  NegativeBinomial,
  type NegativeBinomialParams,
} from "./negative-binomial.js";
export {
  delta,
  Delta,
} from "./delta.js";
export {
  spikeSlabLasso,
  SpikeSlabLasso,
  type SpikeSlabLassoForm,
  type SpikeSlabLassoOptions,
} from "./spike-slab-lasso.js";
export {
  SPIKE_AND_SLAB_EPS,
  spikeAndSlab,
  SpikeAndSlab,
  spikeAndSlabKL,
  type SpikeAndSlabOptions,
} from "./spike-and-slab.js";
export {
  RELAXED_EPS,
  relaxedBernoulli,
  RelaxedBernoulli,
  type RelaxedBernoulliOptions,
  straightThroughGrad,
} from "./relaxed-bernoulli.js";
export {
  relaxedOneHotCategorical,
  RelaxedOneHotCategorical,
  type RelaxedOneHotCategoricalOptions,
} from "./relaxed-one-hot-categorical.js";
export {
  hardConcrete,
  HardConcrete,
  type HardConcreteOptions,
} from "./hard-concrete.js";
export {
  type ThresholdSigmoidDraw,
  thresholdSigmoidSpikeSlab,
  ThresholdSigmoidSpikeSlab,
  type ThresholdSigmoidSpikeSlabOptions,
} from "./threshold-sigmoid.js";
export {
  cappedFixedLevel,
  cappedSparseCode,
  CappedSparseCode,
  cappedSparseCodeKL,
  CappedSupportMass,
  cappedSupportMassKL,
  type CappedSupportMassOptions,
  type CappedSparseCodeOptions,
  type CappedSparseDraw,
} from "./capped-sparse-code.js";
export {
  pseudoInputKL,
  type PseudoInputOptions,
  pseudoInputSpikeSlab,
  PseudoInputSpikeSlab,
} from "./pseudo-input-prior.js";
export {
  transformed,
  TransformedDistribution,
} from "./transformed.js";
export {
  multivariateNormalTriL,
  MultivariateNormalTriL,
} from "./multivariate-normal.js";
