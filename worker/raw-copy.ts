/**
 * Tables planned for a raw copy (`TablePlan.rawCopy`: same engine, same column types, no transform): the
 * source's rows pass to the target as the source sent them, hashed on the way without being decoded, and the
 * read-back is hashed the same way from the target's own stream (checksums/ `PgBinaryRowChecksum`).
 *
 *   source.readRaw(range) ──chunks──► row checksum ──► writer.writeRaw ──► commit(data + ledger row)
 *   verifier.readRaw(range) ──chunks──► row checksum ──► compare
 *
 * Tables planned for a transcode (`TablePlan.transcode`: the source writes the target's raw format itself, e.g.
 * MySQL rows as PostgreSQL binary COPY) load the same way, but hashed canonically by the source as it reads them
 * (`Source.transcode`); their read-back is the canonical one of any table.
 *
 * Hashing runs on this thread: about 0.1 µs per 100-byte row (profiled at pgbench -s 50: 1.3 s for 14M rows,
 * source and read-back), far less than decoding into Arrow and posting batches to the pool (bench/pg-to-pg.ts measures both paths: FERRY_RAW_COPY=off gives the Arrow path).
 */
import type { RecordBatch } from 'apache-arrow';
import { combineChecksums, PgBinaryRowChecksum, ZERO_CHECKSUM } from '../checksums/index.js';
import {
  type Checksum,
  FerryError,
  isFencedError,
  type PartitionWriter,
  toFerryError,
  type KeyRange,
  type ReadOptions,
  type Source,
  type TablePlan,
  type TableSpec,
  tableName,
} from '../core/index.js';

/** A checksum over one raw stream of a table's format. */
function rowChecksum(table: TablePlan): PgBinaryRowChecksum {
  if (table.rawCopy !== 'pg-binary')
    throw new FerryError('INTERNAL', `raw copy format ${table.rawCopy} is not known to this version of ferry`, {
      table: tableName(table.source),
    });
  return new PgBinaryRowChecksum(table.columns.length);
}

/** Hashes a raw stream while `onChunk` (e.g. the target write) takes each chunk; `rows`: complete rows so far. */
export async function rawChecksumStream(
  table: TablePlan,
  chunks: AsyncIterable<Uint8Array>,
  onChunk?: (chunk: Uint8Array, rows: number) => Promise<void>,
): Promise<{ checksum: Checksum; bytes: number }> {
  const hasher = rowChecksum(table);
  for await (const chunk of chunks) {
    hasher.push(chunk);
    await onChunk?.(chunk, hasher.rowCount);
  }
  return { checksum: hasher.end(), bytes: hasher.bytes };
}

/**
 * Loads a range of a transcoded table (`TablePlan.transcode`): the source writes the target's raw format itself
 * and hashes the rows canonically as it reads them; `onChunk` (the target write) takes each chunk.
 */
export async function transcodeStream(
  source: Source,
  table: TablePlan,
  range: KeyRange,
  options: ReadOptions,
  onChunk: (chunk: Uint8Array, rows: number) => Promise<void>,
): Promise<{ checksum: Checksum; bytes: number }> {
  if (!source.transcode)
    throw new FerryError('INTERNAL', `the plan transcodes ${tableName(table.source)}, but this source cannot`, {
      table: tableName(table.source),
    });
  const rows = source.transcode(table.source, range, options, table.target, table.transcode!);
  let bytes = 0;
  for await (const chunk of rows.chunks) {
    bytes += chunk.length;
    await onChunk(chunk, rows.rows);
  }
  return { checksum: rows.checksum(), bytes };
}

/** Reads a range of a raw-copied table from `source` (the source, or the target's verification reader). */
export function readRawRange(
  source: Source,
  spec: TableSpec,
  range: KeyRange,
  options: ReadOptions,
): AsyncIterable<Uint8Array> {
  if (!source.readRaw)
    throw new FerryError(
      'INTERNAL',
      `the plan copies ${tableName(spec)} raw, but this reader cannot read raw rows`,
      {
        table: tableName(spec),
      },
    );
  return source.readRaw(spec, range, options);
}

/**
 * The whole-table read-back of a raw-copied table (`TablePlan.readBack: 'table'`), in `parts` row-id ranges read
 * side by side when the reader splits tables by a row id (PostgreSQL `ctid`, TID range scans); the ranges'
 * checksums add up to the whole table's. Hashing raw rows costs this thread little, so each range's COPY backend
 * can use a core: the read-back of the last table is the tail of a run, with cores idle beside its index builds.
 * bench/pg-to-pg.ts: the 2M-row mixed table's tail 2.0 → 1.5 s, the run 12.0 → 11.3 s (medians of 3).
 */
export async function rawTableChecksum(
  verifier: Source,
  table: TablePlan,
  options: ReadOptions,
  parts: number,
): Promise<Checksum> {
  const ranges = await readBackRanges(verifier, table.target, parts);
  const sums = await Promise.all(
    ranges.map(
      async (range) =>
        (await rawChecksumStream(table, readRawRange(verifier, table.target, range, options))).checksum,
    ),
  );
  return sums.reduce(combineChecksums, ZERO_CHECKSUM);
}

/** `parts` contiguous row-id ranges covering the table, or the whole table when the reader cannot split it. */
async function readBackRanges(verifier: Source, spec: TableSpec, parts: number): Promise<KeyRange[]> {
  const whole: KeyRange = { columns: [], whole: true };
  const key = verifier.rowIdKey;
  if (!key || parts < 2) return [whole];
  let bounds: KeyRange['lo'][];
  try {
    // Evenly spaced row ids from the table's current size; the first is the table's start.
    bounds = (await verifier.sampleKeys(spec, [key], parts)).samples.slice(1);
  } catch (e) {
    // A server or table that cannot be split this way (PostgreSQL < 14, a partitioned table) is read whole.
    if (toFerryError(e, 'INTERNAL').code === 'CONFIG') return [whole];
    throw e;
  }
  if (bounds.length === 0) return [whole];
  const ranges: KeyRange[] = [];
  let lo: KeyRange['lo'];
  for (const hi of bounds) {
    ranges.push({ columns: [key], ...(lo ? { lo } : {}), hi });
    lo = hi;
  }
  ranges.push({ columns: [key], lo });
  return ranges;
}

/**
 * A raw load the target refused for a value (DATA: a constraint, a check) can say only the line of its COPY
 * stream. This loads the same rows again through Arrow, into a transaction that is always rolled back, so that
 * the error names the table, column, key and value as every other load's does. Anything else (a lost
 * connection, an abort), or a converting load that does not fail, keeps the original error.
 */
export async function diagnoseRawFailure(
  error: unknown,
  again: { open(): Promise<PartitionWriter>; batches(): AsyncIterable<RecordBatch> },
): Promise<unknown> {
  const e = toFerryError(error, 'INTERNAL');
  if (e.code !== 'DATA' || isFencedError(e)) return error;
  let writer: PartitionWriter | undefined;
  try {
    writer = await again.open();
    if (!writer.checkAndAbort) return error;
    for await (const b of again.batches()) await writer.write(b);
    await writer.checkAndAbort();
  } catch (e) {
    const named = toFerryError(e, 'INTERNAL');
    return named.code === 'DATA' ? named : error;
  } finally {
    await writer?.abort().catch(() => {});
  }
  return error;
}
