import { hash } from 'node:crypto';
import type { FerryError, Secret, TablePlan } from '../core/index.js';
import { piiByName } from '../profiling/index.js';
import { hmacHex } from '../transform/index.js';

/**
 * RELIABILITY S05: a partition's error names the row by its key and shows the refused value — unless they are
 * personal data. When a key column of the table, or the error's column, looks like PII by its name (as
 * `ferry plan` flags it: email, phone, national id…), the key or the value is replaced by a short hash, in the
 * context and in the message, before the error reaches a log, a result or a report. The same value always gives
 * the same hash (keyed by the transform salt when one is set), so an operator can still find the row.
 */
export function hidePiiInError(err: FerryError, table: TablePlan, salt?: Secret): FerryError {
  const ctx = err.context;
  // A column by either of its names: errors name the source or the target column.
  const names = (cols: string[]) =>
    cols.flatMap((c) => [
      c,
      ...table.columns.filter((m) => m.source === c || m.target === c).flatMap((m) => [m.source, m.target]),
    ]);
  const personal = (cols: string[]) => names(cols).some((c) => piiByName(c) !== undefined);
  const hide = (field: 'key' | 'value') => {
    const text = ctx[field];
    if (typeof text !== 'string' || text === '' || text.startsWith('hash:')) return;
    const hashed = `hash:${digest(text, salt)}`;
    ctx[field] = hashed;
    err.message = err.message.split(text).join(hashed);
  };
  if (personal(table.keyColumns)) hide('key');
  if (typeof ctx.column === 'string' && personal([ctx.column])) hide('value');
  return err;
}

/** The `mask: hash` digest (HMAC-SHA256 with the salt) when a salt is set, else SHA-256; 16 hex digits. */
function digest(text: string, salt?: Secret): string {
  return (salt ? hmacHex(salt.reveal())(text) : hash('sha256', text, 'hex')).slice(0, 16);
}
