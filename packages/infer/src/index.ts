/** compile(model) to variational inference: guides, estimators, objective, schedules, trainer, checkpoints. */
export {};
