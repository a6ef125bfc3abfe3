import { FerryError } from '../../core/index.js';
import type { JsValue } from '../batch-builder.js';
import { decodeScalar, type PgCodec } from './codec.js';
import { displayValue, writeScalar } from './encode-scalar.js';
import type { ByteWriter } from './writer.js';

/**
 * PostgreSQL arrays in binary COPY form ⇄ (nested) lists.
 *
 * Wire: int32 ndim, int32 flags (1 = has NULLs), int32 element OID, ndim × (int32 length, int32 lower
 * bound), then the elements in row-major order, each int32 length (−1 = NULL) + bytes.
 *
 * A column declared with n dimensions (`int[][]`: pg_attribute.attndims = 2) is a list nested n deep, and
 * an n-dimensional value becomes lists of lists. PostgreSQL does not enforce the declared dimensions, so a
 * value with another number of dimensions, or with a lower bound other than 1 (`'[0:1]={1,2}'`), cannot be
 * held exactly and is a DATA error naming the column — map the column to text to move such data. The empty
 * array (0 dimensions) is the empty list at any depth.
 */
export function decodeArray(codec: PgCodec, b: Uint8Array, dv: DataView, off: number, len: number): JsValue {
  const end = off + len;
  const ndim = dv.getInt32(off);
  if (ndim === 0) return [];
  if (ndim !== codec.dims)
    throw new FerryError(
      'DATA',
      `array value has ${ndim} dimension(s) but the column holds ${codec.dims}: it cannot be moved exactly`,
      { hint: 'declare the column with the right number of dimensions or map it to text' },
    );
  const lengths: number[] = [];
  let p = off + 12;
  for (let d = 0; d < ndim; d++) {
    lengths.push(dv.getInt32(p));
    const lbound = dv.getInt32(p + 4);
    if (lbound !== 1)
      throw new FerryError(
        'DATA',
        `array value has lower bound ${lbound}: only 1-based arrays move exactly`,
        {
          hint: 'map the column to text',
        },
      );
    p += 8;
  }
  const element: PgCodec = { ...codec, dims: 0 };
  const read = (level: number): (JsValue | null)[] => {
    const out: (JsValue | null)[] = [];
    const n = lengths[level]!;
    for (let i = 0; i < n; i++) {
      if (level + 1 < ndim) {
        out.push(read(level + 1));
        continue;
      }
      if (p + 4 > end) throw new FerryError('DATA', 'truncated array value in binary COPY data');
      const elen = dv.getInt32(p);
      p += 4;
      if (elen < 0) out.push(null);
      else {
        out.push(decodeScalar(element, b, dv, p, elen));
        p += elen;
      }
    }
    return out;
  };
  return read(0);
}

/** Writes a (nested) list as a length-prefixed array field; throws DATA for shapes PostgreSQL cannot hold. */
export function writeArray(w: ByteWriter, codec: PgCodec, value: JsValue): void {
  if (codec.elementOid === undefined)
    throw new FerryError('INTERNAL', 'array codec without element type OID');
  if (!Array.isArray(value)) throw new FerryError('DATA', 'expected a list', { value: displayValue(value) });
  const lengths: number[] = [];
  let hasNull = false;
  if (value.length > 0) {
    // Shape: every list at one level must have the same length (PostgreSQL arrays are rectangular).
    let level: (JsValue | null)[] = value;
    for (let d = 0; d < codec.dims; d++) {
      lengths.push(level.length);
      if (d + 1 < codec.dims) {
        const first = level[0];
        if (!Array.isArray(first) || first.length === 0)
          throw new FerryError('DATA', 'a nested list is NULL or empty: PostgreSQL arrays are rectangular', {
            value: displayValue(value),
          });
        level = first;
      }
    }
    const check = (v: JsValue | null, d: number) => {
      if (d === codec.dims) {
        if (v === null) hasNull = true;
        return;
      }
      if (!Array.isArray(v) || v.length !== lengths[d])
        throw new FerryError('DATA', 'nested lists of unequal length: PostgreSQL arrays are rectangular', {
          value: displayValue(value),
        });
      for (const e of v) check(e, d + 1);
    };
    check(value, 0);
  }
  w.int32(0);
  const start = w.pos;
  w.int32(lengths.length);
  w.int32(hasNull ? 1 : 0);
  w.int32(codec.elementOid);
  for (const n of lengths) {
    w.int32(n);
    w.int32(1);
  }
  const element: PgCodec = { ...codec, dims: 0 };
  const emit = (v: JsValue | null, d: number) => {
    if (d === lengths.length) {
      if (v === null) w.int32(-1);
      else writeScalar(w, element, v);
      return;
    }
    for (const e of v as (JsValue | null)[]) emit(e, d + 1);
  };
  if (lengths.length) emit(value, 0);
  w.dv.setInt32(start - 4, w.pos - start);
}
