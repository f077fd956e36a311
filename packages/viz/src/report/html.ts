/**
 * HTML escaping and SVG sanitising for the self-contained report.
 */

const ESC: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and (quoted) attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESC[c]);
}

let svgCounter = 0;

/**
 * Makes an SVG string safe and unique to embed inline: drops the XML prolog, DOCTYPE,
 * comments, scripts, event-handler attributes and external links, and prefixes every `id`
 * (and its `url(#…)` / `href="#…"` references) so several SVGs can share one page.
 */
export function inlineSvg(svg: string, prefix?: string): string {
  const p = prefix ?? `s${++svgCounter}`;
  let s = svg
    .replace(/<\?xml[\s\S]*?\?>/g, "")
    .replace(/<!DOCTYPE[\s\S]*?>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<script[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<script[^>]*\/>/gi, "")
    .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, "")
    .replace(/\s+(?:xlink:)?href\s*=\s*("(?!#)[^"]*"|'(?!#)[^']*')/gi, "")
    .trim();
  const ids = new Set<string>();
  for (const m of s.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size > 0) {
    s = s
      .replace(/(\sid=")([^"]+)"/g, (all, a: string, id: string) => (ids.has(id) ? `${a}${p}-${id}"` : all))
      .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${p}-${id})` : all))
      .replace(/((?:xlink:)?href=")#([^"]+)"/g, (all, a: string, id: string) =>
        ids.has(id) ? `${a}#${p}-${id}"` : all,
      );
  }
  return s;
}
