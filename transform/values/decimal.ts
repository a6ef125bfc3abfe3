/**
 * Exact decimal arithmetic on text: parsing, normalising, rescaling and comparing, never through a JS
 * number. A decimal is sign + integer digits + fraction digits.
 */

export interface DecimalParts {
  negative: boolean;
  /** Integer digits without leading zeros ('' for zero). */
  int: string;
  /** Fraction digits as written (trailing zeros kept). */
  frac: string;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/** Parses `-12.50`, `+.5`, `1e3`, `1.5E-2` exactly; null for anything else (and for NaN/Infinity). */
export function parseDecimal(text: string): DecimalParts | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 0) {
    const move = frac.slice(0, exp).padEnd(exp, '0');
    int += move;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const n = -exp;
    const padded = int.padStart(n, '0');
    frac = padded.slice(padded.length - n) + frac;
    int = padded.slice(0, padded.length - n);
  }
  int = int.replace(/^0+/, '');
  return { negative: m[1] === '-', int, frac };
}

function isZero(p: DecimalParts): boolean {
  return p.int === '' && /^0*$/.test(p.frac);
}

/** Canonical text: no leading or trailing zeros, `0` for zero (never `-0`), `-0.5` for minus one half. */
export function formatDecimal(p: DecimalParts): string {
  const frac = p.frac.replace(/0+$/, '');
  const body = (p.int || '0') + (frac ? `.${frac}` : '');
  return p.negative && !isZero(p) ? `-${body}` : body;
}

/** The canonical text of a decimal value; text that is not a finite decimal (NaN) is returned as is. */
export function normalizeDecimal(text: string): string {
  const p = parseDecimal(text);
  return p ? formatDecimal(p) : text;
}

/**
 * The decimal written with exactly `scale` fraction digits and at most `precision` digits in all, or a
 * reason it cannot be without rounding (no value is rounded).
 */
export function rescaleDecimal(
  p: DecimalParts,
  precision: number | undefined,
  scale: number | undefined,
): { text: string } | { error: string } {
  let frac = p.frac;
  if (scale !== undefined) {
    if (frac.length > scale) {
      if (!/^0*$/.test(frac.slice(scale)))
        return { error: `has more than ${scale} decimal places (no rounding is done)` };
      frac = frac.slice(0, scale);
    } else frac = frac.padEnd(scale, '0');
  }
  if (precision !== undefined && p.int.length > precision - (scale ?? 0))
    return { error: `has more than ${precision - (scale ?? 0)} integer digits (precision ${precision})` };
  const body = (p.int || '0') + (frac ? `.${frac}` : '');
  const zero = p.int === '' && /^0*$/.test(frac);
  return { text: p.negative && !zero ? `-${body}` : body };
}

/** -1, 0 or 1 comparing two parsed decimals exactly. */
export function compareDecimals(a: DecimalParts, b: DecimalParts): number {
  const za = isZero(a);
  const zb = isZero(b);
  const sa = za ? 0 : a.negative ? -1 : 1;
  const sb = zb ? 0 : b.negative ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let c: number;
  if (a.int.length !== b.int.length) c = a.int.length < b.int.length ? -1 : 1;
  else if (a.int !== b.int) c = a.int < b.int ? -1 : 1;
  else {
    const n = Math.max(a.frac.length, b.frac.length);
    const fa = a.frac.padEnd(n, '0');
    const fb = b.frac.padEnd(n, '0');
    c = fa === fb ? 0 : fa < fb ? -1 : 1;
  }
  return sa < 0 ? -c : c;
}

/** The integer a decimal equals, or null when it has a non-zero fraction. */
export function decimalToBigInt(p: DecimalParts): bigint | null {
  if (!/^0*$/.test(p.frac)) return null;
  const v = BigInt(p.int || '0');
  return p.negative ? -v : v;
}

/** Plain decimal text (no exponent) of a finite JS number, using its shortest round-trip digits. */
export function numberToDecimalText(n: number): string {
  const s = String(n);
  if (!/[eE]/.test(s)) return s === '-0' ? '0' : s;
  const p = parseDecimal(s);
  return p ? formatDecimal(p) : s;
}
