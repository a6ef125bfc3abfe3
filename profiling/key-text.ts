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

/**
 * The 128-bit hashes of every row's key tuple, 16 bytes per row in row order; all zero bytes for a row whose
 * key has a NULL (a real hash is all zero with probability 2^-128).
 */
export function keyHashes(batch: RecordBatch, columns: string[]): Uint8Array {
  const readers = keyReaders(batch, columns);
  const out = new Uint8Array(batch.numRows * KEY_HASH_BYTES);
  for (let row = 0; row < batch.numRows; row++) {
    const parts = keyPartsAt(readers, row);
    if (parts) out.set(keyHash128(keyTupleText(parts)), row * KEY_HASH_BYTES);
  }
  return out;
}
