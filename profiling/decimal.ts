import { FerryError } from '../core/index.js';

/**
 * Exact decimal text arithmetic for profiling: decimals arrive as text (formats/ carries them as Utf8) and are
 * compared, scaled and printed without ever becoming a JS number. `NaN`, `Infinity` and `-Infinity` (PostgreSQL
 * numeric) order as PostgreSQL does: −∞ < every number < +∞ < NaN.
 */

interface Parsed {
  /** -1, 0 or 1; 0 only for zero. */
  sign: number;
  /** Integer digits without leading zeros ('' for zero). */
  int: string;
  /** Fraction digits without trailing zeros. */
  frac: string;
  /** Rank among the specials: −2 = −∞, 2 = +∞, 3 = NaN, 0 = finite. */
  special: number;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function parseSpecial(text: string): Parsed {
  const t = text.trim();
  if (/^nan$/i.test(t)) return { sign: 0, int: '', frac: '', special: 3 };
  if (/^\+?inf(inity)?$/i.test(t)) return { sign: 1, int: '', frac: '', special: 2 };
  if (/^-inf(inity)?$/i.test(t)) return { sign: -1, int: '', frac: '', special: -2 };
  throw new FerryError('DATA', `"${text}" is not a decimal number`, { value: text });
}

/** Parses by hand (this runs once per decimal value profiled): `[+-]digits[.digits]`, spaces around allowed. */
function parse(text: string): Parsed {
  let i = 0;
  let n = text.length;
  while (i < n && text.charCodeAt(i) === 32) i++;
  while (n > i && text.charCodeAt(n - 1) === 32) n--;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < n && text.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (i !== n || (intEnd === intStart && fracEnd === fracStart)) return parseSpecial(text);
  while (intStart < intEnd && text.charCodeAt(intStart) === 48) intStart++;
  while (fracEnd > fracStart && text.charCodeAt(fracEnd - 1) === 48) fracEnd--;
  const int = text.slice(intStart, intEnd);
  const frac = text.slice(fracStart, fracEnd);
  const zero = int === '' && frac === '';
  return { sign: zero ? 0 : negative ? -1 : 1, int, frac, special: 0 };
}

/** The canonical text: no `+`, no leading or trailing zeros, `0` for any zero (`12.50` → `12.5`, `-0.0` → `0`). */
export function normalizeDecimal(text: string): string {
  const p = parse(text);
  if (p.special === 3) return 'NaN';
  if (p.special !== 0) return p.special > 0 ? 'Infinity' : '-Infinity';
  if (p.sign === 0) return '0';
  return `${p.sign < 0 ? '-' : ''}${p.int || '0'}${p.frac ? `.${p.frac}` : ''}`;
}

function compareMagnitude(a: Parsed, b: Parsed): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  if (a.frac === b.frac) return 0;
  // Equal-length digit strings compare as numbers; pad the shorter fraction with zeros.
  const n = Math.max(a.frac.length, b.frac.length);
  return a.frac.padEnd(n, '0') < b.frac.padEnd(n, '0') ? -1 : 1;
}

/** Compares two decimal texts by value: negative, zero or positive. */
export function compareDecimal(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa.special !== 0 || pb.special !== 0) {
    const ra = pa.special !== 0 ? pa.special : 0;
    const rb = pb.special !== 0 ? pb.special : 0;
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra !== 0) return 0;
  }
  if (pa.sign !== pb.sign) return pa.sign < pb.sign ? -1 : 1;
  return pa.sign * compareMagnitude(pa, pb);
}

/**
 * The decimal as an integer count of 10^-scale units, rounded toward −∞ when it has more fraction digits (so
 * order is kept: a ≤ b ⇒ scaled(a) ≤ scaled(b)). Returns undefined for NaN and ±Infinity.
 */
export function decimalToScaled(text: string, scale: number): bigint | undefined {
  const p = parse(text);
  if (p.special !== 0) return undefined;
  if (p.sign === 0) return 0n;
  const kept = p.frac.slice(0, scale).padEnd(scale, '0');
  const magnitude = BigInt(`${p.int || '0'}${kept}`);
  const dropped = p.frac.length > scale;
  if (p.sign > 0) return magnitude;
  return -magnitude - (dropped ? 1n : 0n);
}

/** The decimal text of `value` × 10^-scale, normalised (`1250n, 2` → `12.5`). */
export function scaledToDecimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return normalizeDecimal(text);
}
