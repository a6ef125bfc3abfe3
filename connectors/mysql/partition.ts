import {
  FerryError,
  type KeyStats,
  type KeyTuple,
  type TableSpec,
  quoteBacktick,
  tableName,
} from '../../core/index.js';
import { batchReaders, keyText } from '../../formats/index.js';
import { type Conn, run } from './connection.js';
import { decoderFor } from './decode.js';
import { parseNativeType } from './native-type.js';
import { streamBatches } from './read-batches.js';
import { columnsNamed, keyExpression, qualifiedName } from './sql.js';
import type { ReadTypeOptions } from './types.js';

/**
 * Key statistics of a table for partitioning, on one reader connection inside one snapshot transaction (the
 * counts and the sample agree): an exact row count and NULL-key count, then the non-NULL keys streamed in the
 * source's own key order (`ORDER BY` the key, an index scan for a primary key: no sort on the server), keeping
 * every (n/m)-th: a deterministic systematic sample whose i-th key approximates quantile i/m.
 */
export async function sampleMysqlKeys(
  conn: Conn,
  table: TableSpec,
  keyColumns: string[],
  maxSamples: number,
  options: ReadTypeOptions,
  signal?: AbortSignal,
): Promise<KeyStats> {
  const name = tableName(table);
  const keys = columnsNamed(table, keyColumns);
  if (keys.length === 0)
    throw new FerryError('INTERNAL', `sampling ${name} needs at least one key column`, { table: name });
  const from = qualifiedName(table);
  const anyNull = keys.map((k) => `${quoteBacktick(k.name)} IS NULL`).join(' OR ');
  await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', [], { table: name });
  try {
    const [counts] = await run<[Buffer | null, Buffer | null][]>(
      conn,
      {
        sql: `SELECT COUNT(*), COALESCE(SUM(${anyNull}), 0) FROM ${from}`,
        rowsAsArray: true,
        typeCast: false,
      },
      [],
      { table: name },
    );
    const rows = Number(counts?.[0]?.toString() ?? 0);
    const nullKeyRows = Number(counts?.[1]?.toString() ?? 0);
    const samples: KeyTuple[] = [];
    const n = rows - nullKeyRows;
    const m = Math.min(Math.max(0, Math.floor(maxSamples)), n);
    if (m > 0) {
      const exprs = keys.map(keyExpression);
      const decoders = keys.map((k) => {
        const d = decoderFor(k.type, parseNativeType(k.nativeType), options);
        if (!d)
          throw new FerryError('TYPE', `cannot read key column ${k.name} of ${name}`, {
            table: name,
            column: k.name,
          });
        return d;
      });
      let index = 0;
      let next = 0;
      const position = (i: number) => Math.floor(((i + 0.5) * n) / m);
      let target = position(0);
      const stream = streamBatches(conn, {
        table,
        sql: `SELECT ${exprs.join(', ')} FROM ${from} WHERE NOT (${anyNull}) ORDER BY ${exprs.join(', ')}`,
        params: [],
        columns: keys,
        decoders,
        names: keys.map((k) => k.name),
        keyPositions: keys.map((_, i) => i),
        batchRows: 8192,
        ...(signal ? { signal } : {}),
      });
      for await (const batch of stream) {
        const readers = batchReaders(batch);
        for (let r = 0; r < batch.numRows; r++, index++) {
          if (index !== target || next >= m) continue;
          const values = readers.map((reader) => reader.get(r));
          // A zero date read as NULL (zero_dates=null) sorts before every date: the first range holds it.
          if (values.every((v) => v !== null)) {
            samples.push(values.map((v, i) => keyText(v!, keys[i]!.type, keys[i]!.name)));
          }
          next++;
          target = next < m ? position(next) : -1;
        }
      }
    }
    return { rows, exact: true, nullKeyRows, samples };
  } finally {
    await run(conn, 'COMMIT').catch(() => undefined);
  }
}
