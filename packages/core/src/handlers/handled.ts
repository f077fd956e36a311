/** The type of a model wrapped in handlers: it keeps the model's static site table. */
import type { Model, SiteTable } from "../model.js";
import type { Messenger } from "../runtime.js";

/** A model wrapped in one or more handlers (usable wherever a model is run). */
export interface Handled<S extends SiteTable = SiteTable, P extends string = string> {
  readonly model: Model<S, P>;
  readonly messengers: readonly Messenger[];
}
