import { isAscii } from 'node:buffer';
import type * as A from 'apache-arrow';
import type { LogicalType } from '../core/index.js';
import { dataReader, type JsValue } from '../formats/index.js';

/** One column's values for a batch, NULL as null (the transform's working form; read once per batch). */
export type Values = (JsValue | null)[];

const TEXTLIKE = new Set(['text', 'decimal', 'uuid', 'json', 'interval']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * All values of one column. Text columns whose bytes are all ASCII (the common case) are decoded with one
 * latin1 pass over the whole buffer and cut by offsets, instead of one UTF-8 decode per value.
 */
export function readValues(data: A.Data, type: LogicalType): Values {
  const n = data.length;
  const reader = dataReader(data, type);
  const out: Values = new Array(n);
  if (TEXTLIKE.has(type.kind)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const start = offsets[0]!;
    const end = offsets[n]!;
    const span = bytes.subarray(start, end);
    const hasNulls = data.nullCount > 0;
    if (isAscii(span)) {
      const all = Buffer.from(span.buffer, span.byteOffset, span.byteLength).toString('latin1');
      for (let i = 0; i < n; i++)
        out[i] =
          hasNulls && reader.isNull(i) ? null : all.slice(offsets[i]! - start, offsets[i + 1]! - start);
    } else {
      for (let i = 0; i < n; i++)
        out[i] =
          hasNulls && reader.isNull(i) ? null : utf8.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = reader.get(i);
  return out;
}
