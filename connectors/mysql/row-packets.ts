import { FerryError } from '../../core/index.js';

/**
 * Result rows of the text protocol taken as packets: mysql2's Query command parses every row into an array of
 * Buffers (a view allocated per value, ~0.35 µs per 4-column sysbench row in the profile of bench/mysql-to-pg.ts)
 * before emitting 'result'; the reader instead decodes each value where it lies in the packet.
 *
 * A row packet's payload is one length-encoded string per column: a length (1 byte below 0xfb; 0xfc + 2, 0xfd +
 * 3 or 0xfe + 8 bytes, little-endian) then that many bytes, or 0xfb for NULL.
 */

/** The part of mysql2's Packet this module reads. */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}
type RowState = (this: unknown, packet: RowPacket, connection: unknown) => unknown;

/**
 * Hands each result row of a mysql2 `query` to `onRow` as its payload `buf[start, end)`, in place of mysql2's
 * parse and 'result' event; the end of the result set still goes through mysql2 ('end' as before). Must be
 * called right after `conn.query(…)`, before any packet of the result arrives.
 *
 * It relies on a mysql2 internal — the Query command's `row` state, reached through `this.row` once the column
 * definitions are read — and checks that this mysql2 still has it, failing loudly rather than reading nothing.
 */
export function takeRowPackets(
  query: object,
  onRow: (buf: Buffer, start: number, end: number) => void,
): void {
  const proto = Object.getPrototypeOf(query) as { row?: RowState; fieldsEOF?: RowState };
  const row = proto.row;
  if (typeof row !== 'function' || !String(proto.fieldsEOF).includes('this.row'))
    throw new FerryError('INTERNAL', 'this mysql2 version reads result rows in a way ferry does not know', {
      hint: 'install the mysql2 version of package.json (~3.24)',
    });
  const own: RowState = function rowPacket(packet, connection) {
    if (packet.isEOF()) return row.call(this, packet, connection);
    onRow(packet.buffer, packet.offset, packet.end);
    return own;
  };
  (query as { row: RowState }).row = own;
}

/** The length of the field whose length-encoded header starts at `buf[pos]`; -1 for NULL. */
export function fieldLength(buf: Buffer, pos: number): number {
  const b = buf[pos]!;
  if (b < 0xfb) return b;
  if (b === 0xfb) return -1;
  if (b === 0xfc) return buf[pos + 1]! | (buf[pos + 2]! << 8);
  if (b === 0xfd) return buf[pos + 1]! | (buf[pos + 2]! << 8) | (buf[pos + 3]! << 16);
  return buf.readUInt32LE(pos + 1) + buf.readUInt32LE(pos + 5) * 4294967296;
}

/** Bytes of a length-encoded header whose first byte is `first`. */
export function headerBytes(first: number): number {
  return first < 0xfc ? 1 : first === 0xfc ? 3 : first === 0xfd ? 4 : 9;
}

/** A field running past its packet: the server and the reader disagree on the row's layout. */
export function malformedRow(): FerryError {
  return new FerryError('DATA', 'a result row packet is shorter than its fields say', { retryable: true });
}

/** Every value of a row packet as a Buffer (NULL: null): the slow form, for error messages. */
export function splitRow(buf: Buffer, start: number, end: number): (Buffer | null)[] {
  const values: (Buffer | null)[] = [];
  let pos = start;
  while (pos < end) {
    const len = fieldLength(buf, pos);
    pos += headerBytes(buf[pos]!);
    if (len < 0) values.push(null);
    else {
      if (pos + len > end) throw malformedRow();
      values.push(buf.subarray(pos, pos + len));
      pos += len;
    }
  }
  return values;
}
