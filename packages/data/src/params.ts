/**
 * Typed `key=value` parameters of data sources: declaration, parsing from strings, and
 * range checks with the error wording of DESIGN §7 ("synthetic:moran: rho must be in [-1, 1], got 2").
 */
import { DataError } from "./dataset.js";

/** A parameter value after parsing. */
export type ParamValue = number | boolean | string;

/** Declaration of one source parameter. */
export interface ParamSpec {
  name: string;
  type: "int" | "number" | "bool" | "string";
  /** Default value; `undefined` means "optional, no default" (the generator decides). */
  default?: ParamValue;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Exclusive lower bound for numbers (e.g. a scale > 0). */
  gt?: number;
  /** Allowed values for strings. */
  choices?: string[];
  /** One-line documentation (shown by the CLI). */
  doc: string;
}

function rangeText(s: ParamSpec): string | undefined {
  if (s.min !== undefined && s.max !== undefined) return `in [${s.min}, ${s.max}]`;
  if (s.gt !== undefined) return `> ${s.gt}`;
  if (s.min !== undefined) return `>= ${s.min}`;
  if (s.max !== undefined) return `<= ${s.max}`;
  return undefined;
}

/** Checks one already-typed value against its spec; throws a DataError prefixed with `where`. */
export function checkParam(where: string, s: ParamSpec, v: ParamValue): ParamValue {
  const fail = (what: string): never => {
    throw new DataError(`${where}: ${s.name} must be ${what}, got ${typeof v === "string" ? JSON.stringify(v) : v}`);
  };
  switch (s.type) {
    case "int":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) fail(s.type === "int" ? "an integer" : "a number");
      const n = v as number;
      if (s.type === "int" && !Number.isInteger(n)) fail(`an integer${rangeText(s) ? " " + rangeText(s) : ""}`);
      const r = rangeText(s);
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max) || (s.gt !== undefined && n <= s.gt)) {
        fail(s.type === "int" ? `an integer ${r ?? "in range"}` : (r ?? "in range"));
      }
      return n;
    }
    case "bool":
      if (typeof v !== "boolean") fail("true or false");
      return v;
    case "string":
      if (typeof v !== "string" || v.length === 0) fail("a non-empty string");
      if (s.choices && !s.choices.includes(v as string)) fail(`one of ${s.choices.join(", ")}`);
      return v;
  }
}

/** Parses the string form of a parameter (from a source string) and checks it. */
export function parseParam(where: string, s: ParamSpec, raw: string): ParamValue {
  switch (s.type) {
    case "int":
    case "number": {
      const t = raw.trim();
      const n = t === "" ? NaN : Number(t);
      if (!Number.isFinite(n)) {
        throw new DataError(`${where}: ${s.name} must be ${s.type === "int" ? "an integer" : "a number"}, got ${JSON.stringify(raw)}`);
      }
      return checkParam(where, s, n);
    }
    case "bool": {
      const t = raw.trim().toLowerCase();
      if (t === "" || t === "true" || t === "1" || t === "yes") return true;
      if (t === "false" || t === "0" || t === "no") return false;
      throw new DataError(`${where}: ${s.name} must be true or false, got ${JSON.stringify(raw)}`);
    }
    case "string":
      return checkParam(where, s, raw);
  }
}

/**
 * Fills defaults, rejects unknown names (listing the valid ones) and checks every value.
 * `given` may hold typed values (programmatic use) or strings (from a source string).
 */
export function resolveParams(
  where: string,
  specs: readonly ParamSpec[],
  given: Record<string, ParamValue | undefined>,
): Record<string, ParamValue | undefined> {
  const out: Record<string, ParamValue | undefined> = {};
  const names = specs.map((s) => s.name);
  for (const k of Object.keys(given)) {
    if (given[k] !== undefined && !names.includes(k)) {
      throw new DataError(
        `${where}: unknown parameter ${JSON.stringify(k)}; valid parameters: ${names.length ? names.join(", ") : "(none)"}`,
      );
    }
  }
  for (const s of specs) {
    const v = given[s.name];
    if (v === undefined) out[s.name] = s.default;
    else if (typeof v === "string" && s.type !== "string") out[s.name] = parseParam(where, s, v);
    else out[s.name] = checkParam(where, s, v);
  }
  return out;
}

/** The canonical `?a=1&b=2` query for the non-default values of `params` (spec order). */
export function formatQuery(specs: readonly ParamSpec[], params: Record<string, ParamValue | undefined>): string {
  const parts: string[] = [];
  for (const s of specs) {
    const v = params[s.name];
    if (v !== undefined && v !== s.default) parts.push(`${s.name}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}
