/**
 * Throughput of the checksum accumulator: 1M generated rows of a mixed 8-column table, in Arrow batches of
 * 64Ki rows, hashed on one thread. Build, then run: `npm run build && node dist/bench/checksums.js [rows]`.
 *
 * ```
 * generate batches (not timed) ─► ChecksumAccumulator.addBatch (timed, 3 passes) ─► rows/s, MB/s
 * ```
 */
import type * as A from 'apache-arrow';
import { ChecksumAccumulator } from '../checksums/index.js';
import type { Column, LogicalType } from '../core/index.js';
import { BatchBuilder } from '../formats/index.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH_ROWS = 65_536;
const PASSES = 3;

const column = (name: string, type: LogicalType): Column => ({ name, type, nullable: true, nativeType: '' });

const COLUMNS: Column[] = [
  column('id', { kind: 'int', bits: 64 }),
  column('customer_id', { kind: 'int', bits: 32 }),
  column('amount', { kind: 'decimal', precision: 12, scale: 2 }),
  column('ratio', { kind: 'float', bits: 64 }),
  column('note', { kind: 'text' }),
  column('paid', { kind: 'bool' }),
  column('created_at', { kind: 'timestamp', tz: true }),
  column('ref', { kind: 'uuid' }),
];

function generate(): A.RecordBatch[] {
  const batches: A.RecordBatch[] = [];
  const builder = new BatchBuilder(COLUMNS, BATCH_ROWS);
  for (let i = 0; i < ROWS; i++) {
    const h = Math.imul(i, 0x9e3779b1) >>> 0;
    builder.appendRow([
      BigInt(i),
      h % 100_000,
      `${h % 1_000_000}.${String(h % 100).padStart(2, '0')}`,
      h / 4294967296,
      i % 10 === 0 ? null : `order note ${h.toString(36)} for customer ${h % 100_000}`,
      (h & 1) === 0,
      1_600_000_000_000_000n + BigInt(i) * 1_000_003n,
      `${h.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    ]);
    if (builder.length === BATCH_ROWS) batches.push(builder.finish());
  }
  if (builder.length > 0) batches.push(builder.finish());
  return batches;
}

/** Bytes of the Arrow buffers (values, offsets, validity) of a batch's columns. */
function arrowBytes(batch: A.RecordBatch): number {
  let n = 0;
  const visit = (d: A.Data): void => {
    for (const b of [d.values, d.valueOffsets, d.nullBitmap]) if (b) n += (b as Uint8Array).byteLength;
    for (const c of d.children) visit(c);
  };
  for (const c of batch.data.children) visit(c);
  return n;
}

const batches = generate();
const inputBytes = batches.reduce((n, b) => n + arrowBytes(b), 0);
console.log(
  `checksum bench: ${ROWS.toLocaleString('en')} rows × ${COLUMNS.length} columns ` +
    `(${COLUMNS.map((c) => c.type.kind).join(', ')}), ${batches.length} batches, ` +
    `${(inputBytes / 1e6).toFixed(1)} MB of Arrow buffers`,
);

let best = Number.POSITIVE_INFINITY;
let result = '';
let encodedBytes = 0;
for (let pass = 1; pass <= PASSES; pass++) {
  const acc = new ChecksumAccumulator();
  const t0 = process.hrtime.bigint();
  for (const b of batches) acc.addBatch(b);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { rows, sum } = acc.result();
  if (result && result !== sum) throw new Error(`checksum differs between passes: ${result} vs ${sum}`);
  result = sum;
  encodedBytes = acc.encodedBytes;
  best = Math.min(best, seconds);
  console.log(
    `  pass ${pass}: ${seconds.toFixed(3)} s  ${Math.round(ROWS / seconds).toLocaleString('en')} rows/s  ` +
      `${(inputBytes / 1e6 / seconds).toFixed(1)} MB/s Arrow  (${rows} rows, sum ${sum})`,
  );
}
console.log(
  `best: ${Math.round(ROWS / best).toLocaleString('en')} rows/s, ` +
    `${(inputBytes / 1e6 / best).toFixed(1)} MB/s of Arrow input, ` +
    `${(encodedBytes / 1e6 / best).toFixed(1)} MB/s of canonical encoding hashed`,
);
