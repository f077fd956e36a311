/** Handlers (Pyro/NumPyro vocabulary), one small file each. */
export type { Handled } from "./handled.js";
export { trace, type Traced } from "./trace.js";
export { seed } from "./seed.js";
export { condition } from "./condition.js";
export { substitute, type SiteValuesInput } from "./substitute.js";
export { do_, intervene } from "./do.js";
export { scale } from "./scale.js";
export { block } from "./block.js";
export { mask } from "./mask.js";
export { replay } from "./replay.js";
export { toTensor, checkFinite, type UserValue } from "./values.js";
