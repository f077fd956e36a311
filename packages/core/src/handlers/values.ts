/** Shared helpers of the value-supplying handlers (condition, substitute, do, mask). */
import { tf } from "../tf.js";
import { broadcast } from "../math/broadcast.js";
import { DATA_PLATE, type ModelIR, type SiteDecl } from "../ir.js";
import { SiteError, NonFiniteError } from "../errors.js";
import { toCanonical } from "../layout.js";
import type { RunState } from "../runtime.js";

/** A value as users give it: a tensor or (nested) numbers. */
export type UserValue = tf.Tensor | number | number[] | number[][] | number[][][] | number[][][][] | Float32Array;

/** Converts a user value to a float32 tensor (kept by the caller). */
export function toTensor(site: string, v: UserValue): tf.Tensor {
  if (v instanceof tf.Tensor) return v.dtype === "float32" ? v : tf.cast(v, "float32");
  if (typeof v === "number") return tf.scalar(v);
  if (v instanceof Float32Array) return tf.tensor1d(v);
  if (!Array.isArray(v)) throw new SiteError(site, [], `expected a tensor or an array of numbers, got ${typeof v}`);
  try {
    return tf.tensor(v as number[]);
  } catch (e) {
    throw new SiteError(site, [], `could not read the value as a rectangular array of numbers (${(e as Error).message})`);
  }
}

/** Throws naming the first non-finite entry (row, column...) of an observed value. */
export function checkFinite(site: string, t: tf.Tensor, plates?: string[]): void {
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const idx: number[] = [];
      let r = i;
      for (let a = t.rank - 1; a >= 0; a--) {
        idx.unshift(r % t.shape[a]);
        r = Math.floor(r / t.shape[a]);
      }
      const where = idx.map((x, a) => `${plates?.[a] ?? `axis ${a}`} ${x}`).join(", ");
      throw new NonFiniteError(site, [], `value ${data[i]} at ${where || "the scalar"} is not finite`);
    }
  }
}

/** The data-plate size implied by a site-layout value. */
export function dataSizeOf(ir: ModelIR, site: SiteDecl, t: tf.Tensor, leading = 0): number | undefined {
  const i = site.plates.indexOf(DATA_PLATE);
  return i < 0 ? undefined : t.shape[leading + i];
}

/** The IR entry of a site named in handler data, with a clear error for unknown names. */
export function siteFor(ir: ModelIR, name: string, allowed: (s: SiteDecl) => boolean, what: string): SiteDecl {
  const s = ir.sites.find((x) => x.name === name);
  if (!s || !allowed(s)) {
    const names = ir.sites.filter(allowed).map((x) => x.name);
    throw new Error(`model "${ir.name}" has no ${what} "${name}"; ${what}s: ${names.join(", ") || "(none)"}`);
  }
  return s;
}

/** Site layout -> canonical layout in a run (with the replica axis when the value has one). */
export function canonicalIn(state: RunState, site: SiteDecl, t: tf.Tensor): tf.Tensor {
  const lead = state.replicas !== undefined && t.rank === site.plates.length + site.event.length + 1 ? 1 : 0;
  const c = toCanonical(state.ir, site, state.sizes, t, lead);
  if (state.replicas !== undefined && lead === 0) return broadcast(tf.expandDims(c, 0), [state.replicas, ...c.shape]);
  return c;
}

/** A value inside the support, used in place of masked-out observations (so no NaN reaches a gradient). */
export function safeFill(supportName: string): number {
  switch (supportName) {
    case "positive":
      return 1;
    case "unitInterval":
    case "simplex":
      return 0.5;
    default:
      return 0;
  }
}
