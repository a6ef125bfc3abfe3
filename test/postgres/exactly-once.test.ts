import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import {
  type Column,
  type LoadRequest,
  parseEndpoint,
  silentLogger,
  type Target,
  type TableSpec,
} from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

const svc = await requireServices(['pg']);
const logger = silentLogger();

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint' },
  { name: 'v', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
];

function batch(from: number, n: number, value = (i: number) => `v${i}`): RecordBatch {
  const b = new BatchBuilder(columns, n);
  for (let i = from; i < from + n; i++) b.appendRow([BigInt(i), value(i)]);
  return b.finish();
}

function errorOf(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e) => e as { code: string; message: string; retryable: boolean; context: Record<string, string> },
  );
}

describe('postgres target: exactly-once loads', () => {
  let db: TestDatabase;
  let target: Target;
  let spec: TableSpec;
  const request = (partition: string, attempt: number, extra: Partial<LoadRequest> = {}): LoadRequest => ({
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
    attempt,
    clearRange: false,
    ...extra,
  });
  const entry = (partition: string, attempt: number, rows: number) => ({
    runId: 'run1',
    partitionId: partition,
    table: 'public.t',
    planHash: 'h',
    attempt,
    rows: String(rows),
    checksum: 'c',
  });
  const count = async () => Number((await sql<{ n: string }>(db.url, 'SELECT count(*) n FROM t'))[0]!.n);

  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'once');
    target = await postgresConnector.openTarget(parseEndpoint(db.url), { logger });
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

  it('commits data and ledger row together, and refuses a lower or equal attempt', async () => {
    const w2 = await target.openPartition(request('p1', 2));
    await w2.write(batch(0, 10));
    await w2.commit(entry('p1', 2, 10));
    expect(await count()).toBe(10);
    const e = await errorOf(target.openPartition(request('p1', 1)));
    expect(e.code).toBe('DATA');
    expect(e.message).toMatch(/fenced/);
    expect((await errorOf(target.openPartition(request('p1', 2)))).message).toMatch(/fenced/);
    const ledger = await target.readLedger('run1');
    expect(ledger.map((l) => [l.partitionId, l.attempt, l.rows])).toEqual([['p1', 2, '10']]);
  });

  it('rolls back a stale attempt that reaches commit after a newer one (zombie worker)', async () => {
    const old = await target.openPartition(request('p2', 3));
    const fresh = await target.openPartition(request('p2', 4));
    await old.write(batch(100, 5));
    await fresh.write(batch(200, 5));
    await fresh.commit(entry('p2', 4, 5));
    const e = await errorOf(old.commit(entry('p2', 3, 5)));
    expect(e.message).toMatch(/fenced/);
    expect(await count()).toBe(15);
    expect(
      (await sql<{ n: string }>(db.url, 'SELECT count(*) n FROM t WHERE id >= 100 AND id < 200'))[0]!.n,
    ).toBe('0');
  });

  it('leaves nothing behind after abort', async () => {
    const w = await target.openPartition(request('p3', 1));
    await w.write(batch(300, 50));
    await w.abort();
    expect(await count()).toBe(15);
    expect((await target.readLedger('run1')).map((l) => l.partitionId)).toEqual(['p1', 'p2']);
  });

  it('fails with a retryable error and commits nothing when the backend is terminated mid-COPY', async () => {
    const w = await target.openPartition(request('p4', 1));
    await w.write(batch(400, 1000));
    const killed = await sql<{ n: string }>(
      svc.urls.pg!,
      "SELECT count(pg_terminate_backend(pid))::text n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry target' AND state <> 'idle'",
      [db.name],
    );
    expect(killed[0]!.n).toBe('1');
    const e = await errorOf(
      (async () => {
        for (let i = 0; i < 100; i++) await w.write(batch(2000 + i * 1000, 1000));
        await w.commit(entry('p4', 1, 101_000));
      })(),
    );
    expect(e.code).toBe('CONNECTION');
    expect(e.retryable).toBe(true);
    expect(await count()).toBe(15);
    // The retry (next attempt) loads the partition whole.
    const retry = await target.openPartition(request('p4', 2));
    await retry.write(batch(400, 1000));
    await retry.commit(entry('p4', 2, 1000));
    expect(await count()).toBe(1015);
  });

  it('names table, column, key and value of a value the target cannot hold', async () => {
    await sql(db.url, "CREATE TABLE narrow (id bigint PRIMARY KEY, v varchar(3) CHECK (v <> 'bad'))");
    const narrow = target.mapTable(
      { name: 'narrow', columns, primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 },
      { name: 'narrow' },
    );
    await target.prepareTable(narrow, 'append', { runId: 'run1', resuming: false });
    const req = (p: string) => ({ ...request(p, 1), table: narrow });
    // Checked by ferry before PostgreSQL could truncate: varchar(3) holding 4 characters.
    const w = await target.openPartition(req('n1'));
    const e = await errorOf(w.write(batch(1, 3, (i) => (i === 2 ? 'abcd' : 'ok'))));
    expect(e).toMatchObject({
      code: 'DATA',
      context: { table: 'narrow', column: 'v', key: '2', value: 'abcd', partition: 'n1' },
    });
    // Refused by PostgreSQL (a check, which names no column): its COPY line number maps back to the key.
    const w2 = await target.openPartition(req('n2'));
    await w2.write(batch(10, 5));
    await w2.write(batch(20, 5, (i) => (i === 23 ? 'bad' : 'ok')));
    const e2 = await errorOf(w2.commit(entry('n2', 1, 10)));
    expect(e2).toMatchObject({ code: 'DATA', context: { table: 'narrow', key: '23', serverCode: '23514' } });
    // The server's echo of the row is cut (row values stay out of logs and reports); the key names the row.
    expect(e2.message).toMatch(/Failing row contains \(…\)/);
    expect(e2.message).not.toContain('bad');
    expect((await sql<{ n: string }>(db.url, 'SELECT count(*) n FROM narrow'))[0]!.n).toBe('0');
  });

  it('refuses identifiers longer than 63 bytes instead of truncating them', () => {
    const long = 'é'.repeat(32);
    let err: unknown;
    try {
      target.mapTable(
        { name: long, columns, primaryKey: [], estimatedRows: 0, estimatedBytes: 0 },
        { name: long },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFIG' });
  });

  it('refuses a raw load into a table whose column types are not the planned ones', async () => {
    const planned = { ...spec, columns: [spec.columns[0]!, { ...spec.columns[1]!, nativeType: 'character varying(5)' }] };
    const e = await errorOf(target.openPartition(request('p9', 1, { table: planned, rawFormat: 'pg-binary' })));
    expect(e.code).toBe('SCHEMA_MISMATCH');
    expect(e.message).toMatch(/column v of t is text, the plan copies character varying\(5\) values into it unchanged/);
  });

  it('checkAndAbort has the target check the rows, then rolls back', async () => {
    const before = await count();
    const w = await target.openPartition(request('p10', 1));
    await w.write(batch(5000, 20));
    await w.checkAndAbort!();
    expect(await count()).toBe(before);
    expect((await target.readLedger('run1')).some((l) => l.partitionId === 'p10')).toBe(false);
  });
});
