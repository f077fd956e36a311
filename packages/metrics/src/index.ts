/**
 * @sparse-dgm/metrics: held-out error, DCI, MIG, SAP, MCC, support recovery, active
 * units, class-consistency Jaccard and linear probes, as the reference code computes
 * them (see `specs/metrics.md`). Pure numerics over plain arrays; no tfjs.
 * @module
 */
export * from "./types.js";
export * from "./random.js";
export * from "./gbt.js";
export * from "./lasso.js";
export * from "./entropy.js";
export * from "./dci.js";
export * from "./correlation.js";
export * from "./assignment.js";
export * from "./mcc.js";
export * from "./support.js";
export * from "./mutual-info.js";
export * from "./mig.js";
export * from "./sap.js";
export * from "./active-units.js";
export * from "./jaccard.js";
export * from "./code-support.js";
export * from "./multi-label.js";
export * from "./probe.js";
export * from "./reconstruction.js";
export * from "./ranking.js";
export * from "./coherence.js";
export * from "./top-features.js";
export * from "./registry.js";
export * from "./evaluate-program.js";
