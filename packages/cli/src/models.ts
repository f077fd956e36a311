/**
 * `sdgm models [model]`: what the zoo holds and what each entry accepts, so that options need not
 * be found by trial (`--set foo=1` names the valid ones only after a refusal). Plain text for a
 * terminal, or JSON (`--json`) for scripts; both read the entries themselves (defaults, optional
 * options, training settings), so nothing here can drift from what `build` accepts.
 */
import { entryOptions, type ZooEntry } from "@sparse-dgm/zoo";

/** One entry as `sdgm models <model> --json` prints it. */
export interface ModelDescription {
  name: string;
  title: string;
  reference: string;
  spec: string;
  defaultData: string;
  training: ZooEntry["training"];
  /**
   * Every option `--set` accepts, with its declared default; an option without one is unset unless
   * given, or set by the build from the data or another option (the Sparse VAE's `maskInit` on 0/1
   * ratings, `sdlgm`'s `refine` for a linear-Gaussian decoder): `resolved` says which.
   */
  options: Array<{ name: string; default?: unknown }>;
  /** With `--data`: the config the model is built with on that data (its `meta.config`: what a results row records). */
  resolved?: { source: string; config: Record<string, unknown> };
}

/** The description of one entry: its options in the order `--set`'s refusal lists them. */
export function describeModel(entry: ZooEntry<any>, resolved?: ModelDescription["resolved"]): ModelDescription {
  const defaults = entry.defaults as Record<string, unknown>;
  return {
    name: entry.name,
    title: entry.title,
    reference: entry.reference,
    spec: entry.spec,
    defaultData: entry.defaultData,
    training: entry.training,
    options: entryOptions(entry).map((name) => (name in defaults ? { name, default: defaults[name] } : { name })),
    ...(resolved ? { resolved } : {}),
  };
}

/** A value as `--set` would take it back (numbers and words bare, lists and schedules as JSON). */
function shown(v: unknown): string {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/**
 * The text of `sdgm models <model>`.
 *
 * @example
 * ```ts
 * formatModel(describeModel(zoo.vsc)); // "vsc: Variational Sparse Coding ...\n  options (--set name=value):\n    latents = 200\n ..."
 * ```
 */
export function formatModel(d: ModelDescription): string {
  const t = d.training;
  const lr = t.groupLearningRates ? `${t.learningRate} (${Object.entries(t.groupLearningRates).map(([g, v]) => `${g} ${v}`).join(", ")})` : `${t.learningRate}`;
  const width = Math.max(...d.options.map((o) => o.name.length));
  return [
    `${d.name}: ${d.title}`,
    `  paper: ${d.reference}`,
    `  spec: ${d.spec}`,
    `  default data: ${d.defaultData}`,
    `  training: ${t.epochs} epochs, batch ${t.batchSize}, learning rate ${lr}, normalisation ${t.normalisation}${t.balanceBy ? `, class-balanced batches by ${t.balanceBy}` : ""}`,
    `  options (--set name=value, or --set ${d.name}.name=value in compare):`,
    ...d.options.map((o) => `    ${o.name.padEnd(width)}  ${"default" in o ? shown(o.default) : "(no fixed default: unset, or set from the data or other options)"}`),
    "  The defaults above are declared ones: several follow the data (the likelihood its kind, warm-ups the run's length, some",
    "  options the likelihood or variant). `sdgm models <model> --data <source> [--set k=v ...]` prints the config as built.",
    ...(d.resolved
      ? [`  config as built on ${d.resolved.source} (what a results row records):`, ...Object.entries(d.resolved.config).map(([k, v]) => `    ${k.padEnd(width)}  ${shown(v)}`)]
      : []),
  ].join("\n");
}

/** The text of `sdgm models`: one line per entry. */
export function formatModelList(entries: readonly ZooEntry<any>[]): string {
  const width = Math.max(...entries.map((e) => e.name.length));
  return [...entries.map((e) => `${e.name.padEnd(width)}  ${e.title} (default data ${e.defaultData})`), "", "sdgm models <model> lists a model's options and their defaults."].join("\n");
}
