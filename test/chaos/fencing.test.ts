import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import {
  type Column,
  fenceOf,
  type LoadRequest,
  parseEndpoint,
  silentLogger,
  type Target,
  type TableSpec,
} from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

/**
 * The per-delivery fence of the PostgreSQL target, as two workers see it (the zombie scenario of chaos 8 in
 * every order): `beginAttempt` records the newest fence started in a short transaction of its own; the commit
 * locks the partition's rows and refuses a stale fence, whichever order the stale worker wakes up in.
 */
const svc = await requireServices(['pg']);

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint' },
  { name: 'v', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
];

function batch(from: number, n: number): RecordBatch {
  const b = new BatchBuilder(columns, n);
  for (let i = from; i < from + n; i++) b.appendRow([BigInt(i), `v${i}`]);
  return b.finish();
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; retryable: boolean };
  }
  throw new Error('expected the fence to refuse');
}

describe('postgres target: per-delivery fencing', () => {
  let db: TestDatabase;
  let target: Target;
  let spec: TableSpec;
  const request = (partition: string, fence: number, clearRange = false): LoadRequest => ({
    runId: 'run1',
    planHash: 'h',
    table: spec,
    partition: {
      id: partition,
      table: 'public.t',
      index: 0,
      range: { columns: ['id'], whole: true },
      estimatedRows: 0,
    },
    attempt: fence,
    clearRange,
  });
  const entry = (partition: string, fence: number, rows: number) => ({
    runId: 'run1',
    partitionId: partition,
    table: 'public.t',
    planHash: 'h',
    attempt: fence,
    rows: String(rows),
    checksum: 'c',
  });
  /** What a worker does: begin, open, write `n` rows from `from`. */
  const start = async (partition: string, fence: number, from: number, n: number) => {
    await target.beginAttempt!(request(partition, fence));
    const w = await target.openPartition(request(partition, fence));
    await w.write(batch(from, n));
    return w;
  };
  const rowsIn = async (lo: number, hi: number) =>
    Number(
      (await sql<{ n: string }>(db.url, 'SELECT count(*) n FROM t WHERE id >= $1 AND id < $2', [lo, hi]))[0]!
        .n,
    );
  const ledger = async (partition: string) =>
    (await target.readLedger('run1')).filter((l) => l.partitionId === partition).map((l) => l.attempt);

  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'fence');
    target = await postgresConnector.openTarget(parseEndpoint(db.url), { logger: silentLogger() });
    spec = target.mapTable(
      { name: 't', columns, primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 },
      { name: 't' },
    );
    await target.prepareTable(spec, 'create', { runId: 'run1', resuming: false });
  });
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  it('fence = attempt × 1000 + deliveries: grows with every redelivery and every new attempt', () => {
    expect(fenceOf(1, 1)).toBe(1001);
    expect(fenceOf(1, 2)).toBe(1002);
    expect(fenceOf(2, 1)).toBeGreaterThan(fenceOf(1, 5));
    expect(fenceOf(101, 1)).toBe(101_001);
  });

  it('stale worker wakes after the newer delivery committed: refused, rolled back', async () => {
    const zombie = await start('p1', 1001, 0, 10);
    const fresh = await start('p1', 1002, 100, 10);
    await fresh.commit(entry('p1', 1002, 10));
    const e = await refusal(zombie.commit(entry('p1', 1001, 10)));
    expect(e).toMatchObject({ code: 'DATA', retryable: false });
    expect(e.message).toMatch(/attempt 1001 is fenced: attempt 1002 has started since/);
    expect(await rowsIn(0, 10)).toBe(0);
    expect(await rowsIn(100, 110)).toBe(10);
    expect(await ledger('p1')).toEqual([1002]);
  });

  it('stale worker wakes while the newer delivery is still loading: refused; the newer one commits', async () => {
    const zombie = await start('p2', 1001, 200, 10);
    const fresh = await start('p2', 1002, 300, 10);
    expect((await refusal(zombie.commit(entry('p2', 1001, 10)))).message).toMatch(/fenced/);
    await fresh.commit(entry('p2', 1002, 10));
    expect(await rowsIn(200, 210)).toBe(0);
    expect(await rowsIn(300, 310)).toBe(10);
    expect(await ledger('p2')).toEqual([1002]);
  });

  it('a stale delivery is refused already when it starts, before it reads or loads anything', async () => {
    await target.beginAttempt!(request('p3', 2001));
    expect((await refusal(target.beginAttempt!(request('p3', 1002)))).message).toMatch(
      /attempt 1002 is fenced: attempt 2001 has started since/,
    );
    expect((await refusal(target.openPartition(request('p3', 1002)))).message).toMatch(/fenced/);
    const started = await sql<{ f: number; by: string }>(
      db.url,
      "SELECT started_fence f, started_by by FROM ferry._ferry_attempts WHERE run_id = 'run1' AND partition_id = 'p3'",
    );
    expect(started).toEqual([{ f: 2001, by: expect.stringMatching(new RegExp(`:${process.pid}$`)) }]);
  });

  it('a committed partition is never loaded a second time without clearing its range', async () => {
    const first = await start('p4', 1001, 400, 10);
    await first.commit(entry('p4', 1001, 10));
    // A newer delivery that somehow got past the ledger check (it is read after beginAttempt, so it cannot).
    const again = await start('p4', 1002, 400, 10).catch((e) => e);
    expect(String((again as Error).message)).toMatch(/already committed it.*duplicate/);
    // A deliberate re-run (ferry owns the table) clears the range in the same transaction: allowed.
    await target.beginAttempt!(request('p4', 2001, true));
    const rerun = await target.openPartition(request('p4', 2001, true));
    await rerun.write(batch(400, 10));
    await rerun.commit(entry('p4', 2001, 10));
    expect(await rowsIn(400, 410)).toBe(10);
    expect(await ledger('p4')).toEqual([2001]);
  });

  it('of two commits racing for one partition, the older fence loses', async () => {
    const older = await start('p5', 1001, 500, 10);
    const newer = await start('p5', 1002, 600, 10);
    const outcomes = await Promise.allSettled([
      older.commit(entry('p5', 1001, 10)),
      newer.commit(entry('p5', 1002, 10)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect((await rowsIn(500, 510)) + (await rowsIn(600, 610))).toBe(10);
    expect(await ledger('p5')).toEqual([1002]);
  });

  it('the attempts table is not a table to migrate', async () => {
    const source = await postgresConnector.openSource(parseEndpoint(db.url), { logger: silentLogger() });
    try {
      const names = (await source.listTables()).map((t) => t.name);
      expect(names).toContain('t');
      expect(names).not.toContain('_ferry_attempts');
      expect(names).not.toContain('_ferry_ledger');
    } finally {
      await source.close();
    }
  });
});
