/**
 * Renders a model's graph from its IR (no model run needed): plates as boxes, sites as nodes,
 * dependencies as edges, and every mask as an edge from its factor plate to its output plate.
 * Formats: `json` (a plain graph, listing every mask with rows, cols, scope, valueType, prior,
 * estimator), `dot` (Graphviz) and `svg` (Graphviz compiled to WebAssembly by `@viz-js/viz`,
 * which ships inside the npm package: no binary, works in browsers).
 *
 * @example
 * ```ts
 * const graph = modelGraph(sparseVae.build({ features: 7 }));
 * const svg = await renderModel(m, "svg");
 * ```
 */
import type { Model, SiteDecl, EstimatorSpec } from "@sparse-dgm/core";
import { canonicalPlates } from "@sparse-dgm/core";

/** The plain graph of a model. */
export interface ModelGraph {
  name: string;
  meta: Record<string, unknown>;
  plates: Array<{ name: string; size: number | "data" }>;
  sites: Array<{
    name: string;
    kind: string;
    plates: string[];
    event: number[];
    dependsOn: string[];
    prior?: { kind: string; params: Record<string, number | string | boolean> };
    doc?: string;
  }>;
  masks: Array<{
    name: string;
    rows: string;
    cols: string;
    scope: string;
    valueType: string;
    prior: string;
    estimator: string;
    estimatorSpec: EstimatorSpec;
    maxActive?: number;
    fixedValue?: number[][];
  }>;
  edges: Array<{ from: string; to: string; kind: "dependency" | "mask" }>;
}

const PRIOR_NAMES: Record<string, string> = {
  SpikeSlabLasso: "spike-and-slab lasso",
  SpikeAndSlab: "spike-and-slab (Dirac spike, Gaussian slab)",
  CappedSparseCode: "cardinality-capped two-stage categorical code",
  Bernoulli: "Bernoulli",
};

function priorName(site: SiteDecl): string {
  if (site.mask?.valueType === "fixed") return "fixed (declared inductive bias)";
  const k = site.prior?.kind;
  if (k) return PRIOR_NAMES[k] ?? k;
  return typeof site.options.prior === "string" ? site.options.prior : "(depends on the run)";
}

/** A readable estimator name. */
export function estimatorName(e: EstimatorSpec): string {
  switch (e.kind) {
    case "map-em":
      return `MAP + closed-form EM${e.form ? ` (${e.form} p*)` : ""}`;
    case "relaxed-bernoulli":
      return `relaxed Bernoulli (binary Concrete)${e.straightThrough ? ", straight-through" : ""}`;
    case "gumbel-softmax":
      return `Gumbel-Softmax${e.straightThrough ? ", straight-through" : ""}`;
    case "threshold-sigmoid":
      return "threshold-sigmoid relaxation with slab warm-up";
    case "score-function":
      return `score function (${e.baseline} baseline)`;
    default:
      return e.kind;
  }
}

/** The model's graph as plain data. */
export function modelGraph(m: Model<any, any>): ModelGraph {
  const ir = m.ir;
  const sites = ir.sites.map((s) => ({
    name: s.name,
    kind: s.kind,
    plates: s.plates.slice(),
    event: s.event.slice(),
    dependsOn: s.dependsOn.slice(),
    ...(s.prior ? { prior: s.prior } : {}),
    ...(typeof s.options.doc === "string" ? { doc: s.options.doc } : {}),
  }));
  const masks = ir.sites
    .filter((s) => s.mask)
    .map((s) => ({
      name: s.name,
      rows: s.mask!.rows,
      cols: s.mask!.cols,
      scope: s.mask!.scope,
      valueType: s.mask!.valueType,
      prior: priorName(s),
      estimator: estimatorName(s.mask!.estimator),
      estimatorSpec: s.mask!.estimator,
      ...(s.mask!.maxActive !== undefined ? { maxActive: s.mask!.maxActive } : {}),
      ...(s.mask!.fixedValue ? { fixedValue: s.mask!.fixedValue } : {}),
    }));
  const edges: ModelGraph["edges"] = [];
  for (const s of ir.sites) for (const d of s.dependsOn) edges.push({ from: d, to: s.name, kind: "dependency" });
  for (const mk of masks) edges.push({ from: `plate:${mk.cols}`, to: `plate:${mk.rows}`, kind: "mask" });
  return {
    name: ir.name,
    meta: { ...ir.meta },
    plates: canonicalPlates(ir).map((p) => ({ name: p, size: ir.plates.find((x) => x.name === p)!.size ?? "data" })),
    sites,
    masks,
    edges,
  };
}

function q(s: string): string {
  return `"${s.replace(/"/g, '\\"')}"`;
}

const SHAPES: Record<string, string> = {
  observe: "ellipse",
  latent: "ellipse",
  global: "ellipse",
  mask: "doubleoctagon",
  param: "box",
  deterministic: "box",
  factor: "note",
};

/** Graphviz DOT of the model graph. */
export function modelDot(m: Model<any, any>): string {
  const g = modelGraph(m);
  const sizeOf = (p: string) => {
    const x = g.plates.find((y) => y.name === p)!;
    return x.size === "data" ? "N" : String(x.size);
  };
  const lines: string[] = [
    `digraph ${q(g.name)} {`,
    `  graph [fontname="Helvetica", label=${q(`${g.name}`)}, labelloc=t, compound=true, rankdir=TB];`,
    `  node [fontname="Helvetica", fontsize=11];`,
    `  edge [fontname="Helvetica", fontsize=9];`,
  ];
  // One box per distinct plate set (plates may cross, so nesting is not always possible).
  const groups = new Map<string, typeof g.sites>();
  for (const s of g.sites) {
    const order = g.plates.map((p) => p.name).filter((p) => s.plates.includes(p));
    const key = order.join(" × ");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
  }
  let ci = 0;
  for (const [key, sites] of groups) {
    const indent = key ? "    " : "  ";
    if (key) {
      const label = key
        .split(" × ")
        .map((p) => `${p} (${sizeOf(p)})`)
        .join(" × ");
      lines.push(`  subgraph cluster_${ci++} { label=${q(label)}; style=rounded; color="#888888";`);
    }
    for (const s of sites) {
      const prior = s.prior ? `\\n~ ${s.prior.kind}` : "";
      const style = s.kind === "observe" ? ', style=filled, fillcolor="#dddddd"' : s.kind === "mask" ? ', style=filled, fillcolor="#fde9c9"' : "";
      lines.push(`${indent}${q(s.name)} [shape=${SHAPES[s.kind] ?? "ellipse"}, label=${q(`${s.name}\\n(${s.kind})${prior}`)}${style}];`);
    }
    if (key) lines.push("  }");
  }
  for (const e of g.edges.filter((x) => x.kind === "dependency")) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  for (const mk of g.masks) {
    const from = `plate:${mk.cols}`;
    const to = `plate:${mk.rows}`;
    lines.push(`  ${q(from)} [shape=box, style="rounded,dashed", label=${q(`${mk.cols} (${sizeOf(mk.cols)})`)}];`);
    lines.push(`  ${q(to)} [shape=box, style="rounded,dashed", label=${q(`${mk.rows} (${sizeOf(mk.rows)})`)}];`);
    lines.push(
      `  ${q(from)} -> ${q(to)} [style=bold, color="#c25400", label=${q(`${mk.name}: ${mk.scope} ${mk.valueType}\\n${mk.prior}`)}];`,
    );
  }
  lines.push("}");
  return lines.join("\n");
}

let vizInstance: Promise<{ renderString(dot: string, o: { format: string }): string }> | undefined;

/** SVG of the model graph (Graphviz in WebAssembly). */
export async function modelSvg(m: Model<any, any>): Promise<string> {
  vizInstance ??= import("@viz-js/viz").then((v) => v.instance());
  const viz = await vizInstance;
  return viz.renderString(modelDot(m), { format: "svg" });
}

/** Renders a model in a format: "json" | "dot" | "svg". */
export async function renderModel(m: Model<any, any>, format: "json" | "dot" | "svg"): Promise<string> {
  if (format === "json") return JSON.stringify(modelGraph(m), null, 2);
  if (format === "dot") return modelDot(m);
  if (format === "svg") return modelSvg(m);
  throw new Error(`unknown render format "${format}"; formats: json, dot, svg`);
}
