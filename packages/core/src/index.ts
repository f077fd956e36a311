/**
 * @sparse-dgm/core: the model builder, plates, sites (incl. mask sites), the model IR, handlers,
 * the splittable RNG key and owned numerics.
 */
export * from "./tf.js";
export * from "./key.js";
export * from "./backend.js";
export * from "./math/index.js";
