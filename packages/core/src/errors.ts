/**
 * Errors that name the site and the plate path, as DESIGN §2 asks:
 * `site "x" [plate data=17, feature=3]: expected shape [100, 7], got [100, 1]`.
 */

/** A plate with its size, as printed in a plate path. */
export interface PlateFrame {
  name: string;
  size: number;
}

/** Formats a plate path: `[plate data=17, feature=3]`. */
export function formatPlatePath(plates: readonly PlateFrame[]): string {
  return plates.length ? ` [plate ${plates.map((p) => `${p.name}=${p.size}`).join(", ")}]` : "";
}

/** Formats a shape: `[100, 7]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** An error about one site. The message is one line naming the site and its plate path. */
export class SiteError extends Error {
  constructor(
    readonly site: string,
    readonly plates: readonly PlateFrame[],
    readonly detail: string,
  ) {
    super(`site "${site}"${formatPlatePath(plates)}: ${detail}`);
    this.name = "SiteError";
  }
}

/** A shape mismatch of an observed (or substituted) value. */
export class ShapeError extends SiteError {
  constructor(
    site: string,
    plates: readonly PlateFrame[],
    readonly expected: readonly number[],
    readonly actual: readonly number[],
    what = "expected shape",
  ) {
    super(site, plates, `${what} ${formatShape(expected)}, got ${formatShape(actual)}`);
    this.name = "ShapeError";
  }
}

/** A non-finite value, log-density, loss term or gradient, named by site (and term). */
export class NonFiniteError extends SiteError {
  constructor(site: string, plates: readonly PlateFrame[], what: string) {
    super(site, plates, what);
    this.name = "NonFiniteError";
  }
}
