import { createHmac, hash } from 'node:crypto';

/** The variant nibble (10xx) for each hex digit's char code: keeps the low two bits, sets the top ones to 10. */
const VARIANT: Record<number, string> = Object.fromEntries(
  Array.from('0123456789abcdef', (c) => [
    c.charCodeAt(0),
    ((Number.parseInt(c, 16) & 0x3) | 0x8).toString(16),
  ]),
);

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * RFC 4122 (section 4.3) name-based UUIDs, version 5: SHA-1 of the namespace's 16 bytes followed by the
 * name's UTF-8, with the version and variant bits set. The same namespace and name give the same UUID in
 * every table, process and run, so foreign keys derived this way still match.
 */
export function uuidV5(namespace: string): (name: string) => string {
  const ns = uuidBytes(namespace);
  if (ns.length !== 16) throw new Error(`namespace ${namespace} is not a UUID`);
  let buf = Buffer.allocUnsafe(16 + 256);
  ns.copy(buf, 0);
  return (name) => {
    // One reusable buffer: namespace bytes stay in front, the name is written after them.
    if (16 + name.length * 3 > buf.length) {
      const grown = Buffer.allocUnsafe(16 + name.length * 3);
      ns.copy(grown, 0);
      buf = grown;
    }
    const len = buf.write(name, 16, 'utf8');
    const x = hash('sha1', buf.subarray(0, 16 + len), 'hex');
    // Version 5 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${VARIANT[x.charCodeAt(16)]}${x.slice(17, 20)}-${x.slice(20, 32)}`;
  };
}

/** HMAC-SHA256 of the text's UTF-8 with the salt, as 64 lower-case hex digits (the `mask: hash` value). */
export function hmacHex(salt: string): (text: string) => string {
  return (text) => createHmac('sha256', salt).update(text, 'utf8').digest('hex');
}
