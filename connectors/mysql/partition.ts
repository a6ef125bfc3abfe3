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

/** More keys than this many times the thinned sample's size are thinned on the server before they are sent. */
const FULL_SCAN_FACTOR = 4;
/** A fixed seed: the same data gives the same sample, so planning twice gives the same partitions. */
const SAMPLE_SEED = 20_250_101;
/** Keys a thinned sample aims at, at least: partition boundaries then err by about 1 % of a partition's rows. */
const THINNED_MIN = 20_000;

/**
 * Key statistics of a table for partitioning, on one reader connection inside one snapshot transaction (the
 * counts and the sample agree): a row count and NULL-key count (exact, or the estimate for a large table with a
 * NOT NULL key: see `estimated` below), then the non-NULL keys in the source's own key order (`ORDER BY` the
 * key, so its collation), keeping every (k/m)-th of the k keys read: a deterministic systematic sample whose i-th
 * key approximates quantile i/m.
 *
 * A table of more than `FULL_SCAN_FACTOR` × `THINNED_MIN` keys is first thinned on the server by a seeded
 * `RAND(seed) < p`, a Bernoulli sample of about max(1.25 m, `THINNED_MIN`) keys, the same for the same data:
 * streaming all keys to the client was 1.3 s of the main thread and half the planning time (3.9 s → 1.9 s) for
 * bench/mysql-to-pg.ts's 4 × 1M rows. Smaller tables send all their keys: their partitions are exact quantiles.
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
  const wanted = Math.max(0, Math.floor(maxSamples));
  const aimFor = (keys: number) => Math.max(1.25 * Math.min(wanted, keys), THINNED_MIN);
  // A NOT NULL key of a table the statistics call large is thinned anyway: its estimate (information_schema's
  // TABLE_ROWS) stands in for an exact COUNT(*), which is another scan of the whole table (minutes at 10⁹ rows).
  const estimate = Math.max(0, Math.round(table.estimatedRows));
  const estimated = !keys.some((k) => k.nullable) && estimate > FULL_SCAN_FACTOR * aimFor(estimate);
  await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', [], { table: name });
  try {
    let rows = estimate;
    let nullKeyRows = 0;
    if (!estimated) {
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
      rows = Number(counts?.[0]?.toString() ?? 0);
      nullKeyRows = Number(counts?.[1]?.toString() ?? 0);
    }
    const samples: KeyTuple[] = [];
    const all = rows - nullKeyRows;
    const m = Math.min(wanted, all);
    if (m > 0) {
      const aim = aimFor(all);
      const thin = estimated || all > FULL_SCAN_FACTOR * aim;
      const cols = keys.map((k) => quoteBacktick(k.name)).join(', ');
      // The thinning filter in a derived table the server cannot merge (LIMIT): the scan then uses any covering
      // index, not the key's order (0.1 s instead of 0.36 s for 1M rows), and only the sample is sorted.
      const scanned = thin
        ? `(SELECT ${cols} FROM ${from} WHERE NOT (${anyNull}) AND RAND(${SAMPLE_SEED}) < ${Math.min(1, aim / all)} LIMIT 18446744073709551615) AS s`
        : `${from} WHERE NOT (${anyNull})`;
      // The thinned keys, kept whole to choose m evenly once their number is known; else all n keys, streamed.
      let kept: KeyTuple[] | undefined = thin ? [] : undefined;
      let stride = 1;
      let arrived = 0;
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
      const position = (i: number) => Math.floor(((i + 0.5) * all) / m);
      let target = position(0);
      const stream = streamBatches(conn, {
        table,
        sql: `SELECT ${exprs.join(', ')} FROM ${scanned} ORDER BY ${exprs.join(', ')}`,
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
        // A zero date read as NULL (zero_dates=null) sorts before every date: the first range holds it.
        const keyAt = (r: number): KeyTuple | undefined => {
          const values = readers.map((reader) => reader.get(r));
          if (values.some((v) => v === null)) return undefined;
          return values.map((v, i) => keyText(v!, keys[i]!.type, keys[i]!.name));
        };
        for (let r = 0; r < batch.numRows; r++, index++) {
          if (kept) {
            if (arrived++ % stride !== 0) continue;
            const key = keyAt(r);
            if (key) kept.push(key);
            // An estimate far below the truth thins too little: from here on every other key is kept, and of
            // those kept so far every other one (the keys that arrived at multiples of the doubled stride), so
            // the keys stay evenly spread and their memory a few times the aim.
            if (kept.length >= 8 * aim) {
              kept = kept.filter((_, i) => i % 2 === 0);
              stride *= 2;
            }
            continue;
          }
          if (index !== target || next >= m) continue;
          const key = keyAt(r);
          if (key) samples.push(key);
          next++;
          target = next < m ? position(next) : -1;
        }
      }
      if (kept) {
        const k = Math.min(m, kept.length);
        for (let i = 0; i < k; i++) samples.push(kept[Math.floor(((i + 0.5) * kept.length) / k)]!);
      }
    }
    return { rows, exact: !estimated, nullKeyRows, samples };
  } finally {
    await run(conn, 'COMMIT').catch(() => undefined);
  }
}
