/**
 * Parsers of the command line's option values, checked when parsed: a value that is not what the
 * option takes fails with commander's one line naming the option and the value
 * (`option '--epochs <n>' argument 'abc' is invalid. expected an integer >= 1`), before anything
 * runs. `parseInt` alone read `abc` as NaN and `12abc` as 12, and NaN options were ignored.
 */
import { InvalidArgumentError } from "commander";

/** An integer option in [min, max] (decimal digits only: `1e3`, `12abc`, `0x10` and `2.5` are refused). */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const t = v.trim();
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    if (!/^[+-]?\d+$/.test(t)) throw new InvalidArgumentError(`expected an integer ${range}.`);
    const n = Number(t);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${range}.`);
    return n;
  };
}

/** A finite number option greater than 0 (a learning rate). */
export function positiveOption(v: string): number {
  const t = v.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError("expected a finite number > 0.");
  return n;
}

/**
 * A non-empty list split on `sep` (blanks around items dropped): `--models ,` or `--data ';'`
 * names nothing and is refused.
 */
export function listOption(sep: string, what: string): (v: string) => string[] {
  return (v) => {
    const items = v
      .split(sep)
      .map((s) => s.trim())
      .filter(Boolean);
    if (!items.length) throw new InvalidArgumentError(`expected at least one ${what} (separated by '${sep}').`);
    return items;
  };
}
