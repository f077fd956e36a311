/**
 * Layout helpers shared by the families: a local site's guide works on flat rows [(R,) B, width]
 * (one encoder row per data point) and hands the model canonical-layout tensors.
 */
import { tf, DATA_PLATE, canonicalShape, type SiteDecl } from "@sparse-dgm/core";
import type { DrawContext } from "./family.js";

/** The number of values of a local site per data point (its non-data plates and event). */
export function localWidth(site: SiteDecl, sizes: Record<string, number>): number {
  return site.plates.filter((p) => p !== DATA_PLATE).reduce((a, p) => a * sizes[p], 1) * site.event.reduce((a, b) => a * b, 1);
}

/** A local site's width per data point, the batch rows, and the reshape of flat rows to its canonical layout. */
export function localLayout(g: Pick<DrawContext, "ir" | "sizes" | "lead" | "replicas">, site: SiteDecl): { toSite: (t: tf.Tensor) => tf.Tensor; full: number[]; width: number; rows: number } {
  const shape = canonicalShape(g.ir, site, g.sizes);
  const full = g.lead ? [g.replicas!, ...shape] : shape;
  return { toSite: (t) => tf.reshape(t, full), full, width: localWidth(site, g.sizes), rows: g.sizes[DATA_PLATE] };
}

/** A global site's canonical shape in a fit (without the replica axis). */
export function globalShape(g: Pick<DrawContext, "ir" | "sizes">, site: SiteDecl): number[] {
  return canonicalShape(g.ir, site, g.sizes);
}
