import type { RecordBatch } from 'apache-arrow';
import { FerryError, type LogicalType } from '../core/index.js';
import {
  type ColumnReader,
  dataReader,
  formatDate,
  formatTime,
  formatTimestamp,
  type JsValue,
  logicalTypeOf,
} from '../formats/index.js';
import { normalizeDecimal } from './decimal.js';
import { keyHash128 } from './hash.js';
import { rawText } from './value-domain.js';

/**
 * Key tuples for duplicate and orphan checks. A key value's canonical text does not depend on the column's
 * width or native type (an int32 child and an int64 parent, `12.50` and `12.5`, upper- and lower-case uuids
 * give the same text), so a foreign key and the key it references hash alike. A tuple with a NULL is no key
 * (SQL: NULLs are never equal, and a NULL foreign key references nothing).
 */

/** The canonical text of one non-NULL key value. */
export function keyPartText(type: LogicalType, v: JsValue): string {
  switch (type.kind) {
    case 'decimal':
      return normalizeDecimal(v as string);
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(v as bigint);
    case 'timestamp':
      return formatTimestamp(v as bigint);
    default:
      return rawText(type, v);
  }
}

/** The unambiguous encoding of a tuple that is hashed: each part prefixed by its length. */
export function keyTupleText(parts: string[]): string {
  let out = '';
  for (const p of parts) out += `${p.length}:${p}`;
  return out;
}

/** How a key prints: `v` for one column, `(a, b)` for several. */
export function displayKey(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`;
}

/** Readers of the named columns of a batch, in the given order; throws INTERNAL naming a missing column. */
export function keyReaders(batch: RecordBatch, columns: string[]): ColumnReader[] {
  return columns.map((name) => {
    const index = batch.schema.fields.findIndex((f) => f.name === name);
    if (index < 0) {
      throw new FerryError('INTERNAL', `key column ${name} is not in the batch`, {
        column: name,
        hint: `the batch has ${batch.schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
    return dataReader(batch.data.children[index]!, logicalTypeOf(batch.schema.fields[index]!));
  });
}

/** The canonical parts of row `row`'s key, or undefined when a part is NULL. */
export function keyPartsAt(readers: ColumnReader[], row: number): string[] | undefined {
  const parts: string[] = [];
  for (const r of readers) {
    const v = r.get(row);
    if (v === null) return undefined;
    parts.push(keyPartText(r.type, v));
  }
  return parts;
}

/** Bytes per key hash. */
export const KEY_HASH_BYTES = 16;

/** Canonical integer text (no sign on 0, no leading zeros) that may be stored as itself. */
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,19})$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
/** Byte 15 of a key stored as itself: never all zero (the NULL marker). */
const INTEGER_TAG = 0x01;

/**
 * Writes an integer key in [−2^63, 2^64) as itself: its low 64 bits, a sign byte, then the tag. Distinct
 * integers give distinct bytes, so integer keys (most primary keys) are compared exactly and without SHA-1
 * (20× faster: SHA-1 of every key was most of the post-run duplicate and orphan checks).
 */
function writeIntegerKey(v: bigint, out: Uint8Array, view: DataView, at: number): void {
  view.setBigUint64(at, BigInt.asUintN(64, v), true);
  out[at + 8] = v < 0n ? 0xff : 0;
  out[at + 15] = INTEGER_TAG;
}

/**
 * The 128-bit identities of every row's key tuple, 16 bytes per row in row order; all zero bytes for a row
 * whose key has a NULL. A one-column key whose canonical text is an integer in [−2^63, 2^64) is stored as
 * itself (exact); any other key is hashed (SHA-1 of its canonical tuple text, truncated: a real hash is all
 * zero, or equal to a stored integer, with probability ~2^-128). Both depend only on the canonical text, so a
 * foreign key and the key it references get the same bytes whatever their column types.
 */
export function keyHashes(batch: RecordBatch, columns: string[]): Uint8Array {
  const readers = keyReaders(batch, columns);
  const out = new Uint8Array(batch.numRows * KEY_HASH_BYTES);
  const view = new DataView(out.buffer);
  const single = readers.length === 1 ? readers[0]! : undefined;
  for (let row = 0; row < batch.numRows; row++) {
    const at = row * KEY_HASH_BYTES;
    if (single) {
      const v = single.get(row);
      if (v === null) continue;
      // An integer column's canonical text is its decimal digits: no need to print and parse it.
      if (single.type.kind === 'int') {
        writeIntegerKey(BigInt(v as number | bigint), out, view, at);
        continue;
      }
      const text = keyPartText(single.type, v);
      if (CANONICAL_INTEGER.test(text)) {
        const n = BigInt(text);
        if (n >= INT64_MIN && n <= UINT64_MAX) {
          writeIntegerKey(n, out, view, at);
          continue;
        }
      }
      out.set(keyHash128(keyTupleText([text])), at);
      continue;
    }
    const parts = keyPartsAt(readers, row);
    if (parts) out.set(keyHash128(keyTupleText(parts)), at);
  }
  return out;
}
