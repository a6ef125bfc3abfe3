import { FerryError } from '../../core/index.js';

/**
 * Text forms of PostgreSQL's network and bit-string types (ferry carries them as text):
 * inet `192.168.0.1` or `10.0.0.0/8` (prefix shown when not a host address), cidr always with `/n`,
 * IPv6 in RFC 5952 form (`2001:db8::1`, `::ffff:1.2.3.4`), macaddr `08:00:2b:01:02:03`,
 * macaddr8 `08:00:2b:ff:fe:01:02:03`, bit/varbit `0101`.
 */

const AF_INET = 2;
/** PostgreSQL's own constant for IPv6 (not the OS's AF_INET6). */
const PGSQL_AF_INET6 = 3;

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

function ipv6Text(b: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  // IPv4-mapped and IPv4-compatible forms keep the dotted quad, as PostgreSQL prints them.
  const v4 = `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${v4}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = words.map((w) => w.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}

/** inet/cidr wire (family, bits, is_cidr, nb, address) → text. */
export function formatInet(b: Uint8Array, off: number, len: number): string {
  const family = b[off]!;
  const bits = b[off + 1]!;
  const isCidr = b[off + 2]! !== 0;
  const nb = b[off + 3]!;
  if (len !== 4 + nb || (family !== AF_INET && family !== PGSQL_AF_INET6))
    throw new FerryError('DATA', 'invalid inet/cidr value in binary COPY data');
  const max = family === AF_INET ? 32 : 128;
  let addr: string;
  if (family === AF_INET) addr = `${b[off + 4]}.${b[off + 5]}.${b[off + 6]}.${b[off + 7]}`;
  else addr = ipv6Text(b, off + 4);
  return isCidr || bits !== max ? `${addr}/${bits}` : addr;
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : 256));
  return out.every((n) => n <= 255) ? out : undefined;
}

function parseIpv6(s: string): number[] | undefined {
  let tail: number[] = [];
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    body = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const words = (h: string) => (h === '' ? [] : h.split(':'));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const w of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    const n = Number.parseInt(w, 16);
    bytes.push(n >> 8, n & 255);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Parses inet/cidr text into wire bytes; `cidr` demands no bits set right of the mask (as PostgreSQL does). */
export function encodeInet(text: string, cidr: boolean): Uint8Array {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const v6 = addrText.includes(':');
  const addr = v6 ? parseIpv6(addrText) : parseIpv4(addrText);
  const max = v6 ? 128 : 32;
  const bits = slash < 0 ? max : /^\d{1,3}$/.test(t.slice(slash + 1)) ? Number(t.slice(slash + 1)) : -1;
  if (!addr || bits < 0 || bits > max)
    throw new FerryError('DATA', `"${text}" is not a valid ${cidr ? 'cidr' : 'inet'} value`, { value: text });
  if (cidr) {
    for (let i = 0; i < addr.length; i++) {
      const keep = Math.max(0, Math.min(8, bits - i * 8));
      if ((addr[i]! & (0xff >> keep)) !== 0)
        throw new FerryError('DATA', `"${text}" has bits set to the right of its cidr mask`, { value: text });
    }
  }
  return Uint8Array.from([v6 ? PGSQL_AF_INET6 : AF_INET, bits, cidr ? 1 : 0, addr.length, ...addr]);
}

/** macaddr (6 bytes) or macaddr8 (8 bytes) → `xx:xx:…`. */
export function formatMac(b: Uint8Array, off: number, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(hex2(b[off + i]!));
  return parts.join(':');
}

/** Parses `08:00:2b:01:02:03` (also `-` separated or bare hex) into `size` bytes. */
export function encodeMac(text: string, size: 6 | 8): Uint8Array {
  const hex = text.trim().replace(/[:.-]/g, '');
  if (!new RegExp(`^[0-9a-fA-F]{${size * 2}}$`).test(hex))
    throw new FerryError('DATA', `"${text}" is not a valid ${size === 6 ? 'macaddr' : 'macaddr8'}`, {
      value: text,
    });
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** bit/varbit wire (int32 bit count, then bits MSB first) → `0101…`. */
export function formatBits(dv: DataView, off: number): string {
  const n = dv.getInt32(off);
  let s = '';
  for (let i = 0; i < n; i++) s += (dv.getUint8(off + 4 + (i >> 3)) >> (7 - (i & 7))) & 1 ? '1' : '0';
  return s;
}

/** Parses `0101…` into bit/varbit wire bytes; `length` (bit(n)) must match exactly when given. */
export function encodeBits(text: string, length?: number): Uint8Array {
  if (!/^[01]*$/.test(text)) throw new FerryError('DATA', `"${text}" is not a bit string`, { value: text });
  if (length !== undefined && text.length !== length)
    throw new FerryError('DATA', `bit string of length ${text.length} does not fit bit(${length})`, {
      value: text,
    });
  const out = new Uint8Array(4 + ((text.length + 7) >> 3));
  new DataView(out.buffer).setInt32(0, text.length);
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 49) out[4 + (i >> 3)]! |= 0x80 >> (i & 7);
  return out;
}

/** money wire (int64 in the currency's smallest unit) → decimal text with `scale` fractional digits. */
export function formatMoney(units: bigint, scale: number): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const body = scale > 0 ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  return neg ? `-${body}` : body;
}
