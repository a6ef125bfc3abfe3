import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Partition, type TableSpec, parseEndpoint, silentLogger } from '../../core/index.js';
import { BatchBuilder, type JsValue, batchRows } from '../../formats/index.js';
import { parquetConnector } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-parquet-target-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const logger = silentLogger();

const spec: TableSpec = {
  name: 'events',
  columns: [
    { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
    { name: 'span', type: { kind: 'interval' }, nullable: true, nativeType: 'INTERVAL' },
    {
      name: 'big',
      type: { kind: 'decimal', precision: 40, scale: 2 },
      nullable: true,
      nativeType: 'numeric(40,2)',
    },
  ],
  primaryKey: ['id'],
  estimatedRows: 0,
  estimatedBytes: 0,
};
const partition: Partition = {
  id: 'events#0',
  table: 'events',
  index: 0,
  range: { columns: ['id'] },
  estimatedRows: 2,
};

function batch(rows: (JsValue | null)[][]) {
  const b = new BatchBuilder(spec.columns, 4);
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

async function load(
  target: Awaited<ReturnType<typeof parquetConnector.openTarget>>,
  table: TableSpec,
  runId: string,
  rows: (JsValue | null)[][],
  attempt = 1,
  clearRange = true,
) {
  const w = await target.openPartition({ runId, planHash: 'h', table, partition, attempt, clearRange });
  await w.write(batch(rows));
  await w.commit({
    runId,
    partitionId: partition.id,
    table: 'events',
    planHash: 'h',
    attempt,
    rows: String(rows.length),
    checksum: 'c',
  });
}

async function readAll(target: Awaited<ReturnType<typeof parquetConnector.openTarget>>) {
  const reader = await target.reader();
  const described = await reader.describe({ name: 'events' });
  const rows = [];
  for await (const b of reader.read(described, { columns: [], whole: true }, { batchRows: 100 }))
    rows.push(...batchRows(b));
  await reader.close();
  return { described, rows: rows.sort((a, b) => Number(a[0]) - Number(b[0])) };
}

describe('parquet target', () => {
  it('publishes one part file per partition by rename, then its ledger entry; restores exact types', async () => {
    const dir = join(root, 'a');
    const target = await parquetConnector.openTarget(parseEndpoint(`parquet:${dir}`), { logger });
    const table = target.mapTable(spec, { name: 'events' });
    expect(table.columns.map((c) => c.nativeType)).toEqual(['BIGINT', 'VARCHAR', 'VARCHAR']);
    await target.prepareTable(table, 'create', { runId: 'r1', resuming: false });
    await load(target, table, 'r1', [
      [1n, '1 mon 00:00:00.000001', '12345678901234567890123456789012345678.90'],
      [2n, null, null],
    ]);
    expect(readdirSync(join(dir, 'events'))).toEqual(['part-00000-r1.parquet']);
    expect(existsSync(join(dir, '_ferry_ledger', 'r1', 'events%230.json'))).toBe(true);
    const { described, rows } = await readAll(target);
    expect(described.columns.map((c) => c.type)).toEqual(spec.columns.map((c) => c.type));
    expect(described.primaryKey).toEqual(['id']);
    expect(rows).toEqual([
      [1n, '1 mon 00:00:00.000001', '12345678901234567890123456789012345678.90'],
      [2n, null, null],
    ]);

    // A crash after the data file but before the ledger entry: the re-run overwrites the same file.
    rmSync(join(dir, '_ferry_ledger', 'r1', 'events%230.json'));
    await load(target, table, 'r1', [[1n, null, null]], 2);
    expect(readdirSync(join(dir, 'events'))).toEqual(['part-00000-r1.parquet']);
    expect((await readAll(target)).rows).toEqual([[1n, null, null]]);
    expect((await target.readLedger('r1')).map((e) => e.attempt)).toEqual([2]);
    await target.close();
  });

  it('keeps append runs apart, and clearRange of a later run replaces the partition of an earlier one', async () => {
    const dir = join(root, 'b');
    const target = await parquetConnector.openTarget(parseEndpoint(`parquet:${dir}`), { logger });
    const table = target.mapTable(spec, { name: 'events' });
    await target.prepareTable(table, 'append', { runId: 'r1', resuming: false });
    await load(target, table, 'r1', [[1n, null, null]], 1, false);
    await target.prepareTable(table, 'append', { runId: 'r2', resuming: false });
    await load(target, table, 'r2', [[2n, null, null]], 1, false);
    expect(readdirSync(join(dir, 'events')).sort()).toEqual([
      'part-00000-r1.parquet',
      'part-00000-r2.parquet',
    ]);
    expect((await readAll(target)).rows.map((r) => r[0])).toEqual([1n, 2n]);
    await load(target, table, 'r3', [[3n, null, null]], 1, true);
    expect(readdirSync(join(dir, 'events'))).toEqual(['part-00000-r3.parquet']);
    await target.close();
  });

  it('leaves no temp file behind when a partition is aborted, and refuses unsafe table names', async () => {
    const dir = join(root, 'c');
    const target = await parquetConnector.openTarget(parseEndpoint(`parquet:${dir}`), { logger });
    const table = target.mapTable(spec, { name: 'events' });
    await target.prepareTable(table, 'create', { runId: 'r1', resuming: false });
    const w = await target.openPartition({
      runId: 'r1',
      planHash: 'h',
      table,
      partition,
      attempt: 1,
      clearRange: false,
    });
    await w.write(batch([[1n, null, null]]));
    await w.abort();
    expect(readdirSync(join(dir, 'events'))).toEqual([]);
    expect(() => target.mapTable(spec, { name: '../evil' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    expect(() => target.mapTable(spec, { name: '_hidden' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    await target.close();
  });
});
