/**
 * @sparse-dgm/infer: compile(model) to variational inference: auto-guides, estimators, the
 * objective builder, schedules, EM hooks, the trainer and checkpoints.
 */
export * from "./guide.js";
export * from "./objective.js";
export * from "./program.js";
export * from "./optim.js";
export * from "./checkpoint.js";
export * from "./data.js";
export * from "./estimators.js";
export * from "./independence.js";
