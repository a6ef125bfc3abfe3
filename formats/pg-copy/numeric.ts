import { FerryError } from '../../core/index.js';

/**
 * PostgreSQL `numeric` in binary COPY form ⇄ decimal text.
 *
 * Wire form: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits base-10000 digits (int16).
 * The value is Σ digit[i] · 10000^(weight − i); dscale is the number of decimal digits after the point the
 * value carries (so `1.50` keeps its trailing zero). Text form: PostgreSQL's own output (`-12.50`, `0`,
 * `NaN`, `Infinity`, `-Infinity`); the text never passes through a JS number.
 */

const SIGN_POS = 0x0000;
const SIGN_NEG = 0x4000;
const SIGN_NAN = 0xc000;
const SIGN_PINF = 0xd000;
const SIGN_NINF = 0xf000;

const ZERO = 48;
const MINUS = 45;
const DOT = 46;

const NAN_BYTES = Uint8Array.from([78, 97, 78]);
const PINF_BYTES = new TextEncoder().encode('Infinity');
const NINF_BYTES = new TextEncoder().encode('-Infinity');

/** Upper bound of the text length of a numeric whose wire form is `len` bytes long, with display scale `dscale`. */
export function numericTextBound(ndigits: number, weight: number, dscale: number): number {
  return 3 + 4 * Math.max(ndigits, weight + 1, 1) + dscale + 4;
}

/**
 * Writes the decimal text of the numeric at `buf[off…]` into `out` at `pos` (which must have room for
 * {@link numericTextBound} bytes) and returns the new position.
 */
export function writeNumericText(dv: DataView, off: number, out: Uint8Array, pos: number): number {
  const ndigits = dv.getInt16(off);
  const weight = dv.getInt16(off + 2);
  const sign = dv.getUint16(off + 4);
  const dscale = dv.getInt16(off + 6);
  if (sign === SIGN_NAN) {
    out.set(NAN_BYTES, pos);
    return pos + 3;
  }
  if (sign === SIGN_PINF) {
    out.set(PINF_BYTES, pos);
    return pos + PINF_BYTES.length;
  }
  if (sign === SIGN_NINF) {
    out.set(NINF_BYTES, pos);
    return pos + NINF_BYTES.length;
  }
  if (sign !== SIGN_POS && sign !== SIGN_NEG)
    throw new FerryError('DATA', `invalid numeric sign 0x${sign.toString(16)} in binary COPY data`);
  const d = off + 8;
  if (sign === SIGN_NEG) out[pos++] = MINUS;
  // Integer part: digit groups 0..weight; the first group without leading zeros.
  if (weight < 0) out[pos++] = ZERO;
  else {
    for (let i = 0; i <= weight; i++) {
      const g = i < ndigits ? dv.getInt16(d + 2 * i) : 0;
      if (i === 0) {
        if (g >= 1000) out[pos++] = ZERO + ((g / 1000) | 0);
        if (g >= 100) out[pos++] = ZERO + (((g / 100) | 0) % 10);
        if (g >= 10) out[pos++] = ZERO + (((g / 10) | 0) % 10);
        out[pos++] = ZERO + (g % 10);
      } else {
        out[pos++] = ZERO + ((g / 1000) | 0);
        out[pos++] = ZERO + (((g / 100) | 0) % 10);
        out[pos++] = ZERO + (((g / 10) | 0) % 10);
        out[pos++] = ZERO + (g % 10);
      }
    }
  }
  if (dscale > 0) {
    out[pos++] = DOT;
    // Fraction: dscale digits, from groups weight+1, weight+2, …
    let written = 0;
    for (let i = weight + 1; written < dscale; i++) {
      const g = i >= 0 && i < ndigits ? dv.getInt16(d + 2 * i) : 0;
      const digits = [(g / 1000) | 0, ((g / 100) | 0) % 10, ((g / 10) | 0) % 10, g % 10];
      for (let k = 0; k < 4 && written < dscale; k++, written++) out[pos++] = ZERO + digits[k]!;
    }
  }
  return pos;
}

const textDecoder = new TextDecoder();

/** The decimal text of a numeric in wire form (arrays, keys, errors; the column path writes bytes directly). */
export function numericText(dv: DataView, off: number): string {
  const ndigits = dv.getInt16(off);
  const weight = dv.getInt16(off + 2);
  const dscale = dv.getInt16(off + 6);
  const out = new Uint8Array(numericTextBound(ndigits, weight, dscale));
  const end = writeNumericText(dv, off, out, 0);
  return textDecoder.decode(out.subarray(0, end));
}

/** A decimal value parsed from text: sign, all its digits without the point, and the count after the point. */
export interface ParsedDecimal {
  special?: 'NaN' | 'Infinity' | '-Infinity';
  negative: boolean;
  /** ASCII digits, leading zeros removed (empty for zero). */
  digits: string;
  /** Digits after the decimal point (the display scale). */
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text (`-12.50`, `1e-3`, `NaN`, `Infinity`); throws DATA for anything else. */
export function parseDecimal(text: string): ParsedDecimal {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return { special: 'NaN', negative: false, digits: '', scale: 0 };
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf')
    return { special: 'Infinity', negative: false, digits: '', scale: 0 };
  if (lower === '-infinity' || lower === '-inf')
    return { special: '-Infinity', negative: true, digits: '', scale: 0 };
  const m = DECIMAL.exec(t);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === '')))
    throw new FerryError('DATA', `"${text}" is not a decimal number`, { value: text });
  let intPart = m[2]!;
  let frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1_000_000)
    throw new FerryError('DATA', `decimal exponent out of range in "${text}"`, { value: text });
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    intPart += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = intPart.padStart(k, '0');
    frac = padded.slice(padded.length - k) + frac;
    intPart = padded.slice(0, padded.length - k);
  }
  const digits = (intPart + frac).replace(/^0+/, '');
  return { negative: m[1] === '-' && digits !== '', digits, scale: frac.length };
}

/**
 * Encodes decimal text as numeric wire bytes into `out` (an array of int16 values is built first).
 * `typmod` (precision, scale) is checked, not applied: a value with more fractional digits than the scale,
 * or more integer digits than precision − scale, throws DATA instead of being rounded.
 */
export function encodeNumeric(
  text: string,
  precision?: number,
  scaleLimit?: number,
  allowInfinity = true,
): Uint8Array {
  const p = parseDecimal(text);
  if (p.special) {
    if (p.special !== 'NaN' && !allowInfinity)
      throw new FerryError('DATA', `numeric ${p.special} needs PostgreSQL 14 or later on the target`, {
        value: text,
      });
    if (p.special !== 'NaN' && precision !== undefined)
      throw new FerryError('DATA', `numeric(${precision},${scaleLimit ?? 0}) cannot hold ${p.special}`, {
        value: text,
      });
    const out = new Uint8Array(8);
    const dv = new DataView(out.buffer);
    dv.setUint16(4, p.special === 'NaN' ? SIGN_NAN : p.special === 'Infinity' ? SIGN_PINF : SIGN_NINF);
    return out;
  }
  let { digits, scale } = p;
  if (scaleLimit !== undefined && scale > scaleLimit) {
    // Trailing zeros beyond the scale change nothing; anything else would be rounded by PostgreSQL.
    const extra = digits.length > 0 ? digits.slice(digits.length - (scale - scaleLimit)) : '';
    if (/[^0]/.test(extra))
      throw new FerryError('DATA', `value has more than ${scaleLimit} decimal places and would be rounded`, {
        value: text,
      });
    digits = digits.slice(0, Math.max(0, digits.length - (scale - scaleLimit)));
    scale = scaleLimit;
  }
  const intDigits = Math.max(0, digits.length - scale);
  if (precision !== undefined && intDigits > precision - (scaleLimit ?? 0))
    throw new FerryError('DATA', `value does not fit numeric(${precision},${scaleLimit ?? 0})`, {
      value: text,
    });
  if (scale > 0x3fff)
    throw new FerryError('DATA', `numeric scale ${scale} exceeds PostgreSQL's limit`, { value: text });
  // Align to base-10000 groups around the decimal point.
  const allDigits = digits.padStart(scale + 1, '0');
  const intStr = allDigits.slice(0, allDigits.length - scale);
  const fracStr = allDigits.slice(allDigits.length - scale);
  const intPad = intStr.padStart(Math.ceil(intStr.length / 4) * 4, '0');
  const fracPad = fracStr.padEnd(Math.ceil(fracStr.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPad.length; i += 4) groups.push(Number(intPad.slice(i, i + 4)));
  for (let i = 0; i < fracPad.length; i += 4) groups.push(Number(fracPad.slice(i, i + 4)));
  let weight = intPad.length / 4 - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const used = groups.slice(first, last);
  if (used.length === 0) weight = 0;
  if (weight > 0x7fff || weight < -0x8000)
    throw new FerryError('DATA', `numeric value out of PostgreSQL's range`, { value: text });
  const out = new Uint8Array(8 + used.length * 2);
  const dv = new DataView(out.buffer);
  dv.setInt16(0, used.length);
  dv.setInt16(2, weight);
  dv.setUint16(4, p.negative && used.length > 0 ? SIGN_NEG : SIGN_POS);
  dv.setInt16(6, scale);
  for (let i = 0; i < used.length; i++) dv.setInt16(8 + 2 * i, used[i]!);
  return out;
}
