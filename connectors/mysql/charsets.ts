import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

/**
 * Character data arrives as the column's own bytes (the session sets `character_set_results = binary`, so the
 * server converts nothing and cannot replace an unconvertible byte with `?`). These functions turn those bytes
 * into UTF-8 for Arrow, or return undefined when the bytes are not valid in the column's charset.
 */
export type CharsetDecoder = (raw: Buffer) => Uint8Array | string | undefined;

/**
 * MariaDB's and MySQL's `latin1` is Windows-1252, with the five bytes cp1252 leaves undefined mapped to the
 * C1 controls of the same value (as the servers' own conversion to utf8mb4 does).
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** UTF-8 bytes of each latin1 byte value. */
const LATIN1_UTF8: Uint8Array[] = Array.from({ length: 256 }, (_, b) => {
  const cp = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
  return new TextEncoder().encode(String.fromCodePoint(cp));
});

function latin1(raw: Buffer): Uint8Array {
  let high = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i]! >= 0x80) high++;
  if (high === 0) return raw;
  const out = new Uint8Array(raw.length + high * 2);
  let p = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b < 0x80) out[p++] = b;
    else {
      const enc = LATIN1_UTF8[b]!;
      out.set(enc, p);
      p += enc.length;
    }
  }
  return out.subarray(0, p);
}

function ascii(raw: Buffer): Uint8Array | undefined {
  for (let i = 0; i < raw.length; i++) if (raw[i]! >= 0x80) return undefined;
  return raw;
}

const utf16be = new TextDecoder('utf-16be', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });

function fatal(decoder: TextDecoder): CharsetDecoder {
  return (raw) => {
    try {
      return decoder.decode(raw);
    } catch {
      return undefined;
    }
  };
}

function utf32(raw: Buffer): string | undefined {
  if (raw.length % 4 !== 0) return undefined;
  let out = '';
  for (let i = 0; i < raw.length; i += 4) {
    const cp = raw.readUInt32BE(i);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    out += String.fromCodePoint(cp);
  }
  return out;
}

/** UTF-8 (utf8mb3, utf8mb4): the bytes as they are, once checked. */
export const validUtf8: CharsetDecoder = (raw) => (isUtf8(raw) ? raw : undefined);

/** The decoder for a charset ferry supports (see `SUPPORTED_CHARSETS`); UTF-8 is validated, not copied. */
export function charsetDecoder(charset: string | undefined): CharsetDecoder {
  switch (charset) {
    case 'latin1':
      return latin1;
    case 'ascii':
      return ascii;
    case 'ucs2':
    case 'utf16':
      return fatal(utf16be);
    case 'utf16le':
      return fatal(utf16le);
    case 'utf32':
      return utf32;
    default:
      return validUtf8;
  }
}

/** Text for an error message: the bytes as hex, at most 32 of them. */
export function hexPreview(raw: Uint8Array): string {
  const hex = Buffer.from(raw.subarray(0, 32)).toString('hex');
  return `0x${hex}${raw.length > 32 ? '…' : ''}`;
}
