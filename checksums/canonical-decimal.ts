import { FerryError } from '../core/index.js';
import { ByteSink } from './byte-sink.js';

/**
 * The one canonical text of every integer and decimal: no sign on zero, no leading zeros, no trailing
 * fractional zeros and no trailing '.', exponents expanded (`1.5E3` → `1500`), `NaN`, `Infinity` and
 * `-Infinity` spelled so. Works on UTF-8/ASCII bytes so decimals read from Arrow are never decoded.
 */

/** Longest canonical text accepted; PostgreSQL numeric holds at most 131072 + 16383 digits. */
const MAX_CANONICAL_LENGTH = 1 << 20;

const POW10: number[] = [];
for (let k = 0, p = 1; k <= 16; k++, p *= 10) POW10.push(p);

const ZERO = 48;
const MINUS = 45;

/**
 * Writes `u32 length` + the canonical digits of an integer-valued JS number with |v| ≤ 2^53
 * (the fast path for int8…int64 values that fit; no string is made).
 */
export function writeIntegerText(sink: ByteSink, v: number): void {
  sink.ensure(4 + 17);
  const b = sink.buf;
  const at = sink.pos;
  let p = at + 4;
  if (v < 0) {
    b[p++] = MINUS;
    v = -v;
  }
  let n = 1;
  while (n < 16 && v >= POW10[n]!) n++;
  if (v < 0x80000000) {
    for (let k = p + n - 1; k >= p; k--) {
      const q = (v / 10) | 0;
      b[k] = ZERO + (v - q * 10);
      v = q;
    }
  } else {
    // Below 2^53, v/10 has an ulp of at most 1/8, so floor never rounds a .9 up.
    for (let k = p + n - 1; k >= p; k--) {
      const q = Math.floor(v / 10);
      b[k] = ZERO + (v - q * 10);
      v = q;
    }
  }
  p += n;
  sink.view.setUint32(at, p - at - 4, true);
  sink.pos = p;
}

/** Digit `k` of the integer digits followed by the fraction digits (a function, not a closure: no allocation). */
function digitAt(src: Uint8Array, intStart: number, nInt: number, fracStart: number, k: number): number {
  return k < nInt ? src[intStart + k]! : src[fracStart + k - nInt]!;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchesWord(src: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (lowerAscii(src[start + k]!) !== word.charCodeAt(k)) return false;
  return true;
}

const latin = new TextDecoder('latin1');

function invalid(src: Uint8Array, start: number, end: number, why: string): FerryError {
  const text = latin.decode(src.subarray(start, Math.min(end, start + 100)));
  return new FerryError('DATA', `invalid decimal value ${JSON.stringify(text)}: ${why}`, { value: text });
}

/**
 * Writes `u32 length` + the canonical text of the decimal in `src[start, end)` (surrounding ASCII spaces
 * allowed, an optional sign, digits with at most one '.', an optional exponent; or NaN/Infinity/inf in
 * any case). Throws FerryError DATA for anything else.
 */
export function writeDecimalText(src: Uint8Array, start: number, end: number, sink: ByteSink): void {
  let i = start;
  let e = end;
  while (i < e && src[i] === 32) i++;
  while (e > i && src[e - 1] === 32) e--;
  let negative = false;
  if (i < e && (src[i] === 43 || src[i] === MINUS)) negative = src[i++] === MINUS;
  const intStart = i;
  while (i < e && isDigit(src[i]!)) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < e && src[i] === 46) {
    fracStart = ++i;
    while (i < e && isDigit(src[i]!)) i++;
    fracEnd = i;
  }
  const nInt = intEnd - intStart;
  const nFrac = fracEnd - fracStart;
  if (nInt + nFrac === 0) {
    if (matchesWord(src, intStart, e, 'nan')) {
      writeSpecial(sink, 'NaN');
      return;
    }
    if (matchesWord(src, intStart, e, 'infinity') || matchesWord(src, intStart, e, 'inf')) {
      writeSpecial(sink, negative ? '-Infinity' : 'Infinity');
      return;
    }
    throw invalid(src, start, end, 'no digits');
  }
  let exp = 0;
  if (i < e && (src[i] === 101 || src[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < e && (src[i] === 43 || src[i] === MINUS)) expNegative = src[i++] === MINUS;
    const expStart = i;
    while (i < e && isDigit(src[i]!)) {
      exp = exp * 10 + src[i]! - ZERO;
      if (exp > MAX_CANONICAL_LENGTH) throw invalid(src, start, end, 'exponent too large');
      i++;
    }
    if (i === expStart) throw invalid(src, start, end, 'exponent without digits');
    if (expNegative) exp = -exp;
  }
  if (i !== e) throw invalid(src, start, end, `unexpected character at offset ${i - start}`);

  // D = integer digits then fraction digits; the point sits after `nInt + exp` digits of D.
  const n = nInt + nFrac;
  let first = 0;
  while (first < n && digitAt(src, intStart, nInt, fracStart, first) === ZERO) first++;
  if (first === n) {
    writeSpecial(sink, '0');
    return;
  }
  let last = n - 1;
  while (digitAt(src, intStart, nInt, fracStart, last) === ZERO) last--;
  const nSig = last - first + 1;
  const point = nInt + exp - first;
  const length = (negative ? 1 : 0) + (point <= 0 ? 2 - point + nSig : point >= nSig ? point : nSig + 1);
  if (length > MAX_CANONICAL_LENGTH) throw invalid(src, start, end, 'too many digits once expanded');

  sink.ensure(4 + length);
  const b = sink.buf;
  const at = sink.pos;
  let p = at + 4;
  if (negative) b[p++] = MINUS;
  if (point <= 0) {
    b[p++] = ZERO;
    b[p++] = 46;
    for (let k = 0; k < -point; k++) b[p++] = ZERO;
    for (let k = first; k <= last; k++) b[p++] = digitAt(src, intStart, nInt, fracStart, k);
  } else if (point >= nSig) {
    for (let k = first; k <= last; k++) b[p++] = digitAt(src, intStart, nInt, fracStart, k);
    for (let k = nSig; k < point; k++) b[p++] = ZERO;
  } else {
    for (let k = 0; k < nSig; k++) {
      if (k === point) b[p++] = 46;
      b[p++] = digitAt(src, intStart, nInt, fracStart, first + k);
    }
  }
  sink.view.setUint32(at, p - at - 4, true);
  sink.pos = p;
}

function writeSpecial(sink: ByteSink, text: string): void {
  sink.u32(text.length);
  sink.ascii(text);
}

const scratchIn = new ByteSink(64);
const scratchOut = new ByteSink(64);
const utf8 = new TextEncoder();

/** The canonical text of a decimal given as a string (e.g. `"-001.50e1"` → `"-15"`); FerryError DATA if invalid. */
export function canonicalDecimal(text: string): string {
  scratchIn.pos = 0;
  scratchIn.ensure(text.length * 3);
  const { written } = utf8.encodeInto(text, scratchIn.buf);
  scratchOut.pos = 0;
  writeDecimalText(scratchIn.buf, 0, written, scratchOut);
  return latin.decode(scratchOut.buf.subarray(4, scratchOut.pos));
}
