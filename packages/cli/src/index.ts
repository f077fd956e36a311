/** The sdgm command line: its entry point, and the resolution of model arguments (zoo names and model modules). */
export { main } from "./main.js";
export { resolveModels, modelEntry, modelOrigin, type ModelOrigin } from "./user-model.js";
