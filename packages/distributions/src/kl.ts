/**
 * The analytic-KL registry: KL(q || p) in closed form for pairs of distribution kinds.
 *
 * @example
 * ```ts
 * registerKL("Normal", "Normal", (q, p) => ...);
 * const k = kl(q, p);           // throws if the pair is not registered; see hasKL
 * ```
 */
import type { tf } from "@sparse-dgm/core";
import type { Distribution } from "./distribution.js";

/** A closed-form KL(q || p), summed over event dims: shape broadcast(batch shapes). */
export type KLFn = (q: any, p: any) => tf.Tensor;

const registry = new Map<string, KLFn>();

/** Registers the closed form of KL(q || p) for distributions of kinds `qKind`, `pKind`. */
export function registerKL(qKind: string, pKind: string, fn: KLFn): void {
  registry.set(`${qKind}|${pKind}`, fn);
}

/** Whether KL(q || p) has a registered closed form. */
export function hasKL(q: Distribution, p: Distribution): boolean {
  return registry.has(`${q.kind}|${p.kind}`);
}

/** Closed-form KL(q || p); throws naming the pair when none is registered. */
export function kl(q: Distribution, p: Distribution): tf.Tensor {
  const fn = registry.get(`${q.kind}|${p.kind}`);
  if (!fn) throw new Error(`no analytic KL registered for (${q.kind} || ${p.kind}); registered: ${[...registry.keys()].join(", ")}`);
  return fn(q, p);
}

/** The registered (q, p) pairs. */
export function registeredKLPairs(): Array<[string, string]> {
  return [...registry.keys()].map((k) => k.split("|") as [string, string]);
}
