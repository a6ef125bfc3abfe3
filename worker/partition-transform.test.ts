import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumAccumulator, combineChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import type { Column, Partition, Plan, Source, TablePlan, TableSpec } from '../core/index.js';
import { BatchBuilder, batchRows, type JsValue } from '../formats/index.js';
import { parseTableMapping, RejectStore, type TableTransform } from '../transform/index.js';
import { loadTransformed, openRejectSink } from './partition-transform.js';
import { BatchPool } from './pool.js';

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  { name: 'parent', type: { kind: 'int', bits: 32 }, nullable: true, nativeType: 'INTEGER' },
];
const spec: TableSpec = { name: 'users', columns, primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 };

function batch(from: number, to: number): RecordBatch {
  const b = new BatchBuilder(columns, to - from);
  for (let i = from; i < to; i++)
    b.appendRow([BigInt(i), i % 10 === 3 ? `bad${i}` : ` User${i}@Example.com`, i % 7] as (JsValue | null)[]);
  return b.finish();
}

async function* batches(n: number, size: number) {
  for (let i = 0; i < n; i++) yield batch(i * size, (i + 1) * size);
}

const mapping = (rules: unknown[]) =>
  parseTableMapping(
    { columns: { id: null, email: { trim: true, case: 'lower' } }, rules },
    'tables[0]',
    columns,
  );

function planOf(t: TableTransform): { plan: Plan; table: TablePlan; partition: Partition } {
  const partition: Partition = {
    id: 'users#0',
    table: 'users',
    index: 0,
    range: { columns: ['id'] },
    estimatedRows: 0,
  };
  const table: TablePlan = {
    source: spec,
    target: { ...spec, columns: columns.slice(0, 2) },
    columns: [{ source: 'id', target: 'id' }],
    keyColumns: ['id'],
    mode: 'create',
    partitioning: { strategy: 'range', reason: 'test' },
    partitions: [partition],
    transform: t,
  };
  const plan: Plan = {
    version: 1,
    hash: 'h'.repeat(64),
    source: { connector: 'test', display: 'test' },
    target: { connector: 'test', display: 'test' },
    mode: 'create',
    options: { partitionRows: 1000, batchRows: 100 },
    tables: [table],
  };
  return { plan, table, partition };
}

/** A source holding only the parent table `parents (pid)` with pids 0..3, for the references rule. */
const parentSource = {
  listTables: async () => [{ name: 'parents' }],
  describe: async () => ({
    name: 'parents',
    columns: [{ name: 'pid', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'INTEGER' }],
    primaryKey: ['pid'],
    estimatedRows: 4,
    estimatedBytes: 0,
  }),
  async *read() {
    const b = new BatchBuilder(
      [{ name: 'pid', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'INTEGER' }],
      4,
    );
    for (const p of [0, 1, 2, 3]) b.appendRow([p]);
    yield b.finish();
  },
} as unknown as Source;

describe('loadTransformed (needs `npm run build`: threads run dist/worker/batch-task.js)', () => {
  const pool = new BatchPool(2);
  const root = mkdtempSync(join(tmpdir(), 'ferry-ptransform-'));
  const store = new RejectStore(root);
  afterAll(async () => {
    await pool.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function run(t: TableTransform, attempt: number) {
    const { plan, table, partition } = planOf(t);
    const deps = { source: parentSource, pool, rejects: store };
    const rejects = openRejectSink(deps, { run: 'r1', table: 'users', partition: partition.id, attempt });
    const written: RecordBatch[] = [];
    const out = await loadTransformed({
      deps,
      plan,
      runId: 'r1',
      table,
      partition,
      batches: batches(5, 200),
      rejects,
      write: async (b) => {
        written.push(b);
        return [];
      },
    });
    return { out, written, counts: await rejects.commit() };
  }

  function checksumOf(bs: RecordBatch[]) {
    return bs.reduce((sum, b) => {
      const acc = new ChecksumAccumulator();
      acc.addBatch(b);
      return combineChecksums(sum, acc.result());
    }, ZERO_CHECKSUM);
  }

  it('transforms in pool threads, writes the rows that pass in order, checksums exactly them', async () => {
    const t = mapping([{ name: 'email_format', regex: { column: 'email', pattern: '^[^@]+@[^@]+$' } }]);
    const { out, written, counts } = await run(t, 1);
    const rows = written.flatMap(batchRows);
    expect(rows).toHaveLength(900);
    expect(rows[0]).toEqual([0n, 'user0@example.com']);
    expect(rows.map((r) => r[0])).toEqual([...Array(1000).keys()].filter((i) => i % 10 !== 3).map(BigInt));
    expect(out.checksum).toEqual(checksumOf(written));
    expect(counts).toEqual({ rows: 100, byRule: { email_format: 100 } });
    const stored = [];
    for await (const r of store.read('r1')) stored.push(r);
    expect(stored).toHaveLength(100);
    // In read order, with the whole source row: the 3rd batch's first reject is id 403.
    expect(stored[40]!.key).toBe('id=403');
    expect(stored[40]!.row).toEqual({ id: '403', email: 'bad403', parent: 403 % 7 });
  });

  it('runs references rules on this thread with the parent keys read from the source', async () => {
    const t = mapping([
      { name: 'has_parent', references: { column: 'parent', table: 'parents', key: 'pid' } },
    ]);
    const { out, written, counts } = await run(t, 2);
    const ids = written.flatMap(batchRows).map((r) => Number(r[0]));
    expect(ids).toEqual([...Array(1000).keys()].filter((i) => i % 7 <= 3));
    expect(out.checksum).toEqual(checksumOf(written));
    expect(ids).toHaveLength(572);
    expect(counts.byRule).toEqual({ has_parent: 1000 - ids.length });
    // Attempt 2 supersedes attempt 1's file: rows are never counted twice.
    const files = await store.list('r1');
    expect(files.map((f) => [f.partition, f.attempt, f.rows])).toEqual([['users#0', 2, 1000 - ids.length]]);
  });

  it('fails the partition rather than drop a rejected row when there is no reject store', async () => {
    const sink = openRejectSink(
      { source: parentSource, pool },
      { run: 'r1', table: 'users', partition: 'users#0', attempt: 1 },
    );
    await expect(sink.write([{ key: 'id=1', rule: 'x', reason: 'y', row: {} }])).rejects.toThrow(
      /rejected 1 row\(s\), and this worker has no reject store/,
    );
    await sink.write([]);
  });
});
