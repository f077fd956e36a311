/**
 * @sparse-dgm/nn: network blocks. Importing this package registers the blocks `ctx.mlp`,
 * `ctx.maskedDecoder` and `ctx.groupDecoder` for model callbacks.
 */
// registers ctx.groupDecoder (the module exports only a type, so its export line below loads nothing)
import "./group-decoder.js";

export {
  activate,
  type Activation,
  dense,
  denseParams,
  type DenseSpec,
  glorotInit,
  torchDefaultInit,
  zerosInit,
} from "./linear.js";
export {
  defaultBatchAxes,
  flattenFeatures,
  type MlpArgs,
  mlpForward,
} from "./mlp.js";
export {
  effectiveDecoderWeights,
  MaskedDecoder,
  type MaskedDecoderArgs,
  maskedDecoderForward,
  type MaskedDecoderLayerArgs,
  maskedDecoderWeights,
  type MaskedDecoderWeights,
} from "./masked-decoder.js";
export {
  blockedMaskedDecoder,
  decoderBlocking,
  featuresPerBlock,
} from "./masked-decoder-blocked.js";
export {
  type GroupDecoderArgs,
} from "./group-decoder.js";
export {
  productOfExperts,
} from "./poe-encoder.js";
export {
  matMul,
  product,
  reduceLeading,
} from "./matmul.js";
export {
  denseActivation,
  type FusedActivation,
  type FusedDenseOptions,
} from "./fused-dense.js";
