/**
 * Numbers as the server sends them (decimals as strings), formatted without
 * going through binary floating point: thousands separators, a fixed number
 * of places (rounded half away from zero), an explicit sign for P&L.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `"-1234.5"` → `{negative, int: "1234", frac: "5"}`; `null` if not a decimal. */
function parse(text: string): { negative: boolean; int: string; frac: string } | null {
  const match = DECIMAL.exec(text.trim());
  if (match === null) {
    return null;
  }
  const [, sign = "", whole = "", fraction = "", exponentText] = match;
  if (whole === "" && fraction === "") {
    return null;
  }
  let digits = (whole || "0") + fraction;
  let point = (whole || "0").length + Number(exponentText ?? "0");
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) {
    digits = digits + "0".repeat(point - digits.length);
  }
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  return { negative: sign === "-", int, frac: digits.slice(point) };
}

function roundTo(int: string, frac: string, places: number): { int: string; frac: string } {
  if (frac.length <= places) {
    return { int, frac: frac.padEnd(places, "0") };
  }
  const kept = int + frac.slice(0, places);
  const up = Number(frac[places]) >= 5;
  let digits = kept;
  if (up) {
    const chars = kept.split("");
    let i = chars.length - 1;
    for (; i >= 0; i -= 1) {
      if (chars[i] === "9") {
        chars[i] = "0";
      } else {
        chars[i] = String(Number(chars[i]) + 1);
        break;
      }
    }
    digits = (i < 0 ? "1" : "") + chars.join("");
  }
  const split = digits.length - places;
  return { int: digits.slice(0, split) || "0", frac: digits.slice(split) };
}

function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export interface DecimalFormat {
  /** Places after the point (default: as many as the value has). */
  places?: number;
  /** `+` on positive values (P&L). */
  sign?: boolean;
  /** A prefix after the sign, e.g. `$`. */
  prefix?: string;
}

/** `formatDecimal("-1234.567", {places: 2, prefix: "$"})` → `"−$1,234.57"`. */
export function formatDecimal(value: string | number | null | undefined, options: DecimalFormat = {}): string {
  if (value === null || value === undefined) {
    return "—";
  }
  const parsed = parse(String(value));
  if (parsed === null) {
    return String(value);
  }
  const { int, frac } = options.places === undefined ? parsed : roundTo(parsed.int, parsed.frac, options.places);
  const zero = /^0*$/.test(int + frac);
  const body = group(int) + (frac ? `.${frac}` : "");
  const prefix = options.prefix ?? "";
  if (parsed.negative && !zero) {
    return `−${prefix}${body}`;
  }
  return `${options.sign === true && !zero ? "+" : ""}${prefix}${body}`;
}

export function formatMoney(value: string | number | null | undefined, sign = false): string {
  return formatDecimal(value, { places: 2, prefix: "$", sign });
}

/** The sign of a decimal string: -1, 0 or 1 (for P&L colours). */
export function signOf(value: string | number | null | undefined): -1 | 0 | 1 {
  if (value === null || value === undefined) {
    return 0;
  }
  const parsed = parse(String(value));
  if (parsed === null || /^0*$/.test(parsed.int + parsed.frac)) {
    return 0;
  }
  return parsed.negative ? -1 : 1;
}

/** A fraction as a percentage: `0.1234` → `"12.34 %"`. */
export function formatPercent(fraction: number | null | undefined, places = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) {
    return "—";
  }
  return `${(fraction * 100).toFixed(places)} %`;
}
