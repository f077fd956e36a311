/**
 * Dataset rows in the layout of a model's observed site: [n, G] for plates (data, feature);
 * [n, G] for plates (data) with event [G]; [n, views, d] for plates (data, view) with event [d],
 * taking the views' columns from `ds.meta.groups` (contiguous blocks when absent).
 */
import { tf, DATA_PLATE, siteNeeds, type Model, type ModelIR } from "@sparse-dgm/core";
import { rows, gatherRows, type Dataset } from "@sparse-dgm/data";

/** Rows `idx` of a dataset as a tensor in the observed site's layout. */
export function observedTensor(model: Model<any, any>, ds: Dataset, idx: ArrayLike<number>): tf.Tensor {
  const site = model.ir.sites.find((s) => s.kind === "observe");
  if (!site) throw new Error(`model "${model.name}" has no observed site`);
  const n = idx.length;
  const x = rows(ds, idx);
  const sizeOf = (p: string) => model.ir.plates.find((q) => q.name === p)?.size;
  const others = site.plates.filter((p) => p !== DATA_PLATE);
  const perPoint = others.reduce((a, p) => a * (sizeOf(p) ?? 1), 1) * site.event.reduce((a, b) => a * b, 1);
  const layout = `[n, ${[...others.map((p) => `${p}=${sizeOf(p)}`), ...site.event.map(String)].join(", ")}]`;
  if (perPoint !== ds.g) {
    throw new Error(`site "${site.name}" expects ${perPoint} values per data point (${layout}) but ${ds.source} has ${ds.g} columns`);
  }
  if (others.length + site.event.length === 1) return tf.tensor2d(x, [n, ds.g]);
  if (others.length === 1 && site.event.length === 1) {
    const views = sizeOf(others[0])!;
    const d = site.event[0];
    const groups = (ds.meta.groups as number[][] | undefined) ?? Array.from({ length: views }, (_, v) => Array.from({ length: d }, (_, j) => v * d + j));
    if (groups.length !== views || groups.some((g) => g.length !== d)) {
      throw new Error(`site "${site.name}" expects ${views} groups of ${d} features; ${ds.source} has groups of sizes [${groups.map((g) => g.length).join(", ")}]`);
    }
    return tf.tidy(() => tf.reshape(tf.gather(tf.tensor2d(x, [n, ds.g]), tf.tensor1d(groups.flat(), "int32"), 1), [n, views, d]));
  }
  throw new Error(`site "${site.name}": no mapping from ${ds.source}'s [n, ${ds.g}] rows to ${layout}`);
}

/**
 * The side data a model's sites declare they need (`needs: [...]` on a site: `"labels"`, `"tags"`
 * (multi-label data's [rows, T] 0/1 tags), `"views"`
 * (each row's available views, [rows, views] of 0/1: the data's `viewMask`, else all 1), or the
 * name of a per-row attribute of the data such as `"sensitive"` or `"environment"`), for the rows
 * `idx`, keyed as the model reads them with `ctx.observed`: `label` for the class labels, the
 * attribute's own name otherwise. Fails naming the model, the site and the data when the data lack one
 * (`evaluation`: the side data of the sites evaluation runs, i.e. not of `.factor` terms, and
 * those the data have; a decoder that reads a missing one fails there, naming it).
 *
 * @example
 * ```ts
 * program.fit({ x: observedTensor(m, ds, ds.split.train), ...sideData(m, ds, ds.split.train) }, opts);
 * ```
 */
export function sideData(model: Model<any, any>, ds: Dataset, idx: ArrayLike<number>, opts: { evaluation?: boolean } = {}): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  // what sites list in `needs`, and the model's `.side` declarations (`label` is the class labels)
  const requests: Array<{ site: { name: string }; needs: string[] }> = [
    ...(model.ir.side ?? []).map((d) => ({ site: { name: `side input ${d.name}` }, needs: [d.name === "label" ? "labels" : d.name] })),
    // a factor is a training term: evaluation neither reports it nor should pay for it
    ...model.ir.sites.filter((s) => !(opts.evaluation && s.kind === "factor") && Array.isArray(s.options.needs)).map((s) => ({ site: s, needs: s.options.needs as string[] })),
  ];
  for (const { site, needs } of requests) {
    for (const need of needs) {
      const key = need === "labels" ? "label" : need;
      if (out[key]) continue;
      if (need === "views") {
        out[key] = viewAvailability(model, ds, idx);
        continue;
      }
      if (need === "tags") {
        if (!ds.tags) throw new Error(`model "${model.name}": site "${site.name}" needs multi-label tags (synthetic:tags, or csv:<path>?tags=<column>); ${ds.source} has none`);
        const T = ds.tags.names.length;
        out[key] = tf.tensor2d(Float32Array.from(gatherRows(ds.tags.y, T, idx)), [idx.length, T], "float32");
        continue;
      }
      const values = need === "labels" ? ds.labels : ds.attributes?.[need];
      if (!values && opts.evaluation) continue;
      if (!values) {
        const have = ["labels", ...Object.keys(ds.attributes ?? {})].filter((k) => k !== "labels" || ds.labels);
        throw new Error(
          `model "${model.name}": site "${site.name}" needs ${need === "labels" ? "class labels" : `the per-row attribute "${need}"`}; ${ds.source} has ${have.length ? have.join(", ") : "none"}`,
        );
      }
      out[key] = tf.tensor1d(Float32Array.from(Array.from(idx, (i) => values[i])), "float32");
    }
  }
  return out;
}

/**
 * Each row's available views, [rows, views] of 0/1: the data's `viewMask`, or every view (1). The
 * number of views is the model's (the plate of its observed site besides the data plate: views
 * given by the model's configuration, e.g. `--set groups`, count too); a view mask of another
 * width fails naming both.
 */
export function viewAvailability(model: Model<any, any>, ds: Dataset, idx: ArrayLike<number>): tf.Tensor2D {
  const obs = model.ir.sites.find((s) => s.kind === "observe");
  const plate = obs?.plates.find((p) => p !== DATA_PLATE);
  const views = (plate ? model.ir.plates.find((q) => q.name === plate)?.size : undefined) ?? 1;
  const m = ds.viewMask;
  if (m && m.length !== ds.n * views) throw new Error(`model "${model.name}" reads ${views} views; ${ds.source}'s view mask has ${m.length / Math.max(ds.n, 1)} per row`);
  const out = new Float32Array(idx.length * views);
  for (let r = 0; r < idx.length; r++) for (let v = 0; v < views; v++) out[r * views + v] = m ? m[idx[r] * views + v] : 1;
  return tf.tensor2d(out, [idx.length, views]);
}

/**
 * The side inputs a model reads: those declared with `.side(name)` and those its sites list in
 * `needs` (`"labels"` read as `label`), each once.
 */
export function sideInputNames(ir: ModelIR): string[] {
  return [...new Set([...(ir.side ?? []).map((s) => s.name), ...siteNeeds(ir)])];
}

/**
 * Refuses side data the model does not declare (`.side` or a site's `needs`; the labels a fit
 * balances its minibatches by, `balanceBy`, are the fit's own), side data whose shape is not
 * [N, ...event] (or has not one row per data point), each naming the input; at `fit` also a
 * `.side` input without data, and an input listed in the `needs` of a factor or observed site
 * without data (a factor without its input contributes nothing: an independence penalty would
 * silently be 0). A latent's `needs` may be absent (its guide documents the default, e.g. a
 * product-of-experts guide without an availability input reads every view).
 * `what` names the entry point in the message (default "fit"; encode, evaluate, reconstruct and
 * iwae check the names and shapes of what they are given, and require nothing).
 */
export function checkSideData(ir: ModelIR, obsName: string, side: Record<string, tf.Tensor>, rows: number, balanceBy?: string, what = "fit"): void {
  const declared = ir.side ?? [];
  const names = sideInputNames(ir);
  for (const k of Object.keys(side)) {
    if (names.includes(k) || k === balanceBy) continue;
    if (what === "fit")
      throw new Error(`fit: data "${k}" is neither the observed site "${obsName}" nor a side input of model "${ir.name}" (side inputs: ${names.join(", ") || "none"}; declare one with .side("${k}"))`);
    throw new Error(`${what}: side data "${k}" is not a side input of model "${ir.name}" (side inputs: ${names.join(", ") || "none"})`);
  }
  for (const s of declared) {
    const t = side[s.name];
    if (!t) {
      if (what === "fit") throw new Error(`fit: side input "${s.name}" of model "${ir.name}" has no data; pass fit({ ${obsName}, ${s.name} })`);
      continue;
    }
    const want = [rows, ...s.event];
    if (t.rank !== want.length || t.shape.some((d, i) => d !== want[i]))
      throw new Error(`${what}: side input "${s.name}" must have shape [${want.join(", ")}] (one row per data point), got [${t.shape.join(", ")}]`);
  }
  for (const [k, t] of Object.entries(side)) if (t.shape[0] !== rows) throw new Error(`${what}: side data "${k}" has ${t.shape[0]} rows for ${rows} data rows`);
  if (what !== "fit") return;
  for (const site of ir.sites) {
    if ((site.kind !== "factor" && site.kind !== "observe") || !Array.isArray(site.options.needs)) continue;
    for (const need of site.options.needs as string[]) {
      const k = need === "labels" ? "label" : need;
      if (!side[k])
        throw new Error(
          `fit: ${site.kind === "factor" ? "factor" : "observed site"} "${site.name}" of model "${ir.name}" needs side data "${k}", which the fit was not given; pass fit({ ${obsName}, ${k} })`,
        );
    }
  }
}
