/**
 * Tensor layouts. Users see a site's value in its **site layout**: its plates in the order the
 * site lists them, then its event shape (`x` in plates ["data", "feature"] is [N, G]). Inside
 * callbacks, values are in the **canonical layout**: one axis per plate of the model, in the
 * model's plate order with `data` first, size 1 where the site does not live in that plate, then
 * the event shape; compiled replicas add a leading replica axis. So values of different sites
 * broadcast against each other by plate, with no user-written reshapes:
 * z [B, 1, K] * W [1, G, K] -> [B, G, K].
 */
import { tf } from "./tf.js";
import { DATA_PLATE, type ModelIR, type SiteDecl } from "./ir.js";
import { ShapeError, type PlateFrame } from "./errors.js";

/** The model's plates in canonical order: `data` first, then the others as declared. */
export function canonicalPlates(ir: ModelIR): string[] {
  const names = ir.plates.map((p) => p.name);
  return names.includes(DATA_PLATE) ? [DATA_PLATE, ...names.filter((n) => n !== DATA_PLATE)] : names;
}

/** Sizes of every plate, given the data size (and overrides). */
export function plateSizes(ir: ModelIR, dataSize: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of ir.plates) {
    const size = p.name === DATA_PLATE ? dataSize : p.size;
    if (size !== undefined) out[p.name] = size;
  }
  return out;
}

/** The plate path of a site (for error messages). */
export function platePath(site: SiteDecl, sizes: Record<string, number>): PlateFrame[] {
  return site.plates.map((name) => ({ name, size: sizes[name] ?? NaN }));
}

/** The site-layout shape: sizes of the site's plates, in its order, then the event. */
export function siteShape(site: SiteDecl, sizes: Record<string, number>): number[] {
  return [...site.plates.map((p) => sizes[p]), ...site.event];
}

/** The canonical shape of a site (without the replica axis). */
export function canonicalShape(ir: ModelIR, site: SiteDecl, sizes: Record<string, number>): number[] {
  return [...canonicalPlates(ir).map((p) => (site.plates.includes(p) ? sizes[p] : 1)), ...site.event];
}

function permutationToCanonical(ir: ModelIR, site: SiteDecl): number[] {
  const order = canonicalPlates(ir).filter((p) => site.plates.includes(p));
  return order.map((p) => site.plates.indexOf(p));
}

/**
 * Site layout -> canonical layout. `leading` extra axes (replicas) are kept in front.
 * Checks the shape exactly: no silent broadcasting.
 */
export function toCanonical(ir: ModelIR, site: SiteDecl, sizes: Record<string, number>, t: tf.Tensor, leading = 0): tf.Tensor {
  const expected = siteShape(site, sizes);
  const actual = t.shape.slice(leading);
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ShapeError(site.name, platePath(site, sizes), [...t.shape.slice(0, leading), ...expected], t.shape);
  }
  const perm = permutationToCanonical(ir, site);
  const ev = site.event.map((_, i) => leading + site.plates.length + i);
  const isIdentity = perm.every((p, i) => p === i);
  const moved = isIdentity ? t : tf.transpose(t, [...Array.from({ length: leading }, (_, i) => i), ...perm.map((p) => p + leading), ...ev]);
  return tf.reshape(moved, [...t.shape.slice(0, leading), ...canonicalShape(ir, site, sizes)]);
}

/** Canonical layout -> site layout (inverse of {@link toCanonical}). */
export function fromCanonical(ir: ModelIR, site: SiteDecl, sizes: Record<string, number>, t: tf.Tensor, leading = 0): tf.Tensor {
  const order = canonicalPlates(ir).filter((p) => site.plates.includes(p));
  const squeezed = tf.reshape(t, [...t.shape.slice(0, leading), ...order.map((p) => sizes[p]), ...site.event]);
  const perm = site.plates.map((p) => order.indexOf(p));
  if (perm.every((p, i) => p === i)) return squeezed;
  const ev = site.event.map((_, i) => leading + site.plates.length + i);
  return tf.transpose(squeezed, [...Array.from({ length: leading }, (_, i) => i), ...perm.map((p) => p + leading), ...ev]);
}

/** The canonical axis of a plate (after `leading` replica axes). */
export function plateAxis(ir: ModelIR, plate: string, leading = 0): number {
  const i = canonicalPlates(ir).indexOf(plate);
  if (i < 0) throw new Error(`model "${ir.name}" has no plate "${plate}"`);
  return leading + i;
}
