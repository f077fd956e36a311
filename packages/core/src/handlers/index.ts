/** Handlers (Pyro/NumPyro vocabulary), one small file each. */
export * from "./handled.js";
export * from "./trace.js";
export * from "./seed.js";
export * from "./condition.js";
export * from "./substitute.js";
export * from "./do.js";
export * from "./scale.js";
export * from "./block.js";
export * from "./mask.js";
export * from "./replay.js";
export { toTensor, checkFinite, type UserValue } from "./values.js";
