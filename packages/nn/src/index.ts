/**
 * @sparse-dgm/nn: network blocks. Importing this package registers the blocks `ctx.mlp`,
 * `ctx.maskedDecoder` and `ctx.groupDecoder` for model callbacks.
 */
export * from "./linear.js";
export * from "./mlp.js";
export * from "./masked-decoder.js";
export * from "./masked-decoder-blocked.js";
export * from "./group-decoder.js";
export * from "./poe-encoder.js";
export * from "./matmul.js";
export * from "./fused-dense.js";
