/** `trace`: records every site of a run. */
import type { Model } from "../model.js";
import { run, withMessenger, type Runnable, type RunOptions } from "../runtime.js";
import { Trace } from "../trace.js";

/** A model wrapped in `trace`; `get()` runs it and returns the trace. */
export interface Traced {
  get(opts?: RunOptions): Trace;
}

/**
 * Records a run.
 *
 * @example
 * ```ts
 * const tr = trace(seed(m, Key.of(1))).get({ plateSizes: { data: 4 } });
 * tr.value("z");       // [4, K]
 * tr.logJoint();
 * ```
 */
export function trace(m: Model<any, any> | Runnable): Traced {
  return {
    get(opts?: RunOptions): Trace {
      let tr: Trace | undefined;
      const r = withMessenger(m, {
        enter(state) {
          tr = new Trace(state);
        },
        postprocess(msg) {
          tr!.add(msg);
        },
      });
      run(r, opts);
      return tr!;
    },
  };
}
