/**
 * A reader of the TZif files of the IANA time zone database (RFC 8536), as installed in `/usr/share/zoneinfo`.
 * Only the data ferry needs: transition instants, the UTC offset after each, the offset before the first, and
 * the footer rule (a POSIX TZ string) for instants after the last transition.
 */

export interface TzifData {
  /** Transition instants, seconds since 1970-01-01 UTC, ascending. */
  times: number[];
  /** UTC offset in seconds (east positive) in effect from each transition on. */
  offsets: number[];
  /** The offset before the first transition (local time type 0). */
  initialOffset: number;
  /** The footer's POSIX TZ string (version 2+), empty when the file has none. */
  footer: string;
}

const HEADER = 44;

interface Counts {
  isut: number;
  isstd: number;
  leap: number;
  time: number;
  type: number;
  char: number;
}

function counts(view: DataView, at: number): Counts {
  return {
    isut: view.getUint32(at + 20),
    isstd: view.getUint32(at + 24),
    leap: view.getUint32(at + 28),
    time: view.getUint32(at + 32),
    type: view.getUint32(at + 36),
    char: view.getUint32(at + 40),
  };
}

function blockLength(c: Counts, timeSize: number): number {
  return c.time * timeSize + c.time + c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
}

/** Parses TZif bytes; throws a plain Error saying what is wrong (the caller adds the zone's name). */
export function parseTzif(bytes: Uint8Array): TzifData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (bytes.length < HEADER || magic !== 'TZif') throw new Error('not a TZif file');
  const version = bytes[4]!;
  let at = 0;
  let c = counts(view, 0);
  let timeSize = 4;
  if (version >= 0x32) {
    // Version 2+: skip the 32-bit block and read the 64-bit one, which covers all instants.
    at = HEADER + blockLength(c, 4);
    if (String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!) !== 'TZif')
      throw new Error('missing the version 2 header');
    c = counts(view, at);
    timeSize = 8;
  }
  if (c.leap !== 0) throw new Error('leap-second ("right/") zones are not supported');
  if (c.type === 0) throw new Error('no local time types');
  let p = at + HEADER;
  const end = p + blockLength(c, timeSize);
  if (end > bytes.length) throw new Error('truncated');
  const times: number[] = [];
  for (let i = 0; i < c.time; i++, p += timeSize)
    times.push(timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p));
  const typeIndex: number[] = [];
  for (let i = 0; i < c.time; i++) typeIndex.push(bytes[p++]!);
  const typeOffsets: number[] = [];
  for (let i = 0; i < c.type; i++, p += 6) typeOffsets.push(view.getInt32(p));
  const offsets = typeIndex.map((i) => {
    const o = typeOffsets[i];
    if (o === undefined) throw new Error(`transition names missing local time type ${i}`);
    return o;
  });
  let footer = '';
  if (version >= 0x32 && bytes[end] === 0x0a) {
    const close = bytes.indexOf(0x0a, end + 1);
    if (close > end) footer = new TextDecoder().decode(bytes.subarray(end + 1, close));
  }
  return { times, offsets, initialOffset: typeOffsets[0]!, footer };
}
