/**
 * @sparse-dgm/zoo: published sparse and structured deep generative models, each declared in the
 * DSL with its spec defaults and reference.
 */
export * from "./entry.js";
export * from "./sparse-vae.js";
export * from "./vae.js";
export * from "./likelihoods.js";
export * from "./vsc.js";
export * from "./sdlgm.js";
export * from "./binary-relevance.js";
export * from "./mib-structured.js";
export * from "./registry.js";
