/**
 * Dataset rows in the layout of a model's observed site: [n, G] for plates (data, feature);
 * [n, G] for plates (data) with event [G]; [n, views, d] for plates (data, view) with event [d],
 * taking the views' columns from `ds.meta.groups` (contiguous blocks when absent).
 */
import { tf, DATA_PLATE, type Model, type ModelIR } from "@sparse-dgm/core";
import { rows, type Dataset } from "@sparse-dgm/data";

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
 * Refuses side data the model does not declare (`.side`; the labels a fit balances its minibatches by,
 * `balanceBy`, are the fit's own), a declared side input without data, and side data whose shape is
 * not [N, ...event], each naming the input.
 */
export function checkSideData(ir: ModelIR, obsName: string, side: Record<string, tf.Tensor>, rows: number, balanceBy?: string): void {
  const declared = ir.side ?? [];
  const names = declared.map((s) => s.name);
  for (const k of Object.keys(side)) {
    if (!names.includes(k) && k !== balanceBy)
      throw new Error(`fit: data "${k}" is neither the observed site "${obsName}" nor a side input of model "${ir.name}" (side inputs: ${names.join(", ") || "none"}; declare one with .side("${k}"))`);
  }
  for (const s of declared) {
    const t = side[s.name];
    if (!t) throw new Error(`fit: side input "${s.name}" of model "${ir.name}" has no data; pass fit({ ${obsName}, ${s.name} })`);
    const want = [rows, ...s.event];
    if (t.rank !== want.length || t.shape.some((d, i) => d !== want[i]))
      throw new Error(`fit: side input "${s.name}" must have shape [${want.join(", ")}] (one row per data point), got [${t.shape.join(", ")}]`);
  }
}
