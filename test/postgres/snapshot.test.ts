import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { type KeyRange, parseEndpoint, silentLogger, type Source, type TableSpec } from '../../core/index.js';
import { batchRows } from '../../formats/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

const svc = await requireServices(['pg']);
const logger = silentLogger();

async function collect(it: AsyncIterable<RecordBatch>) {
  const rows = [];
  for await (const b of it) rows.push(...batchRows(b));
  return rows;
}

describe('postgres source: snapshot, key sampling and ranges', () => {
  let db: TestDatabase;
  let source: Source;

  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'snap');
    await sql(
      db.url,
      `CREATE TABLE s (id int PRIMARY KEY, v text);
       INSERT INTO s SELECT g, 'v' || g FROM generate_series(1, 100) g;
       CREATE TABLE keyless (a int, b text);
       INSERT INTO keyless SELECT g % 7, repeat('x', 200) FROM generate_series(1, 20000) g;
       CREATE TABLE "Mixed Case" ("Región" text COLLATE "C", "select" text COLLATE "C", n int, PRIMARY KEY ("Región", "select"));
       INSERT INTO "Mixed Case" SELECT chr(65 + g % 26) || g, 'k' || (g % 3), g FROM generate_series(1, 3000) g;
       INSERT INTO "Mixed Case" VALUES ('it''s', 'quote"d', -1);
       CREATE TABLE skewed (id int, pad text);
       INSERT INTO skewed SELECT CASE WHEN g <= 9000 THEN 1 ELSE g END, 'p' FROM generate_series(1, 10000) g;
       INSERT INTO skewed VALUES (NULL, 'null key');
       ANALYZE;`,
    );
    source = await postgresConnector.openSource(parseEndpoint(db.url), { logger });
  });

  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  it('a reader joined to the exported snapshot does not see rows committed after it', async () => {
    const spec = await source.describe({ name: 's' });
    const snap = await source.beginSnapshot!([{ name: 's' }]);
    await sql(db.url, 'INSERT INTO s SELECT g, $1 FROM generate_series(101, 150) g', ['late']);
    const inSnapshot = await collect(
      source.read(spec, { columns: ['id'], whole: true }, { batchRows: 16, snapshotId: snap.id }),
    );
    const now = await collect(source.read(spec, { columns: ['id'], whole: true }, { batchRows: 16 }));
    expect(inSnapshot).toHaveLength(100);
    expect(now).toHaveLength(150);
    // The holder's ACCESS SHARE lock keeps a TRUNCATE waiting until the snapshot is released.
    const truncate = sql(db.url, "SET lock_timeout = '300ms'; TRUNCATE s");
    await expect(truncate).rejects.toThrow(/lock timeout/);
    await snap.release();
    const e = await collect(
      source.read(spec, { columns: ['id'], whole: true }, { batchRows: 16, snapshotId: snap.id }),
    ).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONNECTION', retryable: false });
    expect(String(e.message)).toMatch(/no longer available/);
  });

  /** Reads the ranges between samples 1…n (sample 0 is ≈ the minimum, as the planner would skip it). */
  async function readRanges(spec: TableSpec, key: string[], all: string[][]) {
    const samples = all.slice(1);
    const ranges: KeyRange[] = [{ columns: key, hi: samples[0] }];
    for (let i = 0; i + 1 < samples.length; i++)
      ranges.push({ columns: key, lo: samples[i], hi: samples[i + 1] });
    ranges.push({ columns: key, lo: samples[samples.length - 1] });
    const sizes: number[] = [];
    for (const r of ranges) sizes.push((await collect(source.read(spec, r, { batchRows: 1000 }))).length);
    return sizes;
  }

  it('splits a keyless table by ctid block ranges covering every row once', async () => {
    const spec = await source.describe({ name: 'keyless' });
    expect(spec.primaryKey).toEqual([]);
    const stats = await source.sampleKeys(spec, ['ctid'], 5);
    expect(stats.samples).toHaveLength(5);
    const sizes = await readRanges(spec, ['ctid'], stats.samples);
    console.log('keyless ctid partition sizes', sizes);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20000);
    expect(Math.min(...sizes)).toBeGreaterThan(2500);
  });

  it('splits a composite, mixed-case, reserved-word text key with quotes in values', async () => {
    const spec = await source.describe({ name: 'Mixed Case' });
    expect(spec.primaryKey).toEqual(['Región', 'select']);
    const stats = await source.sampleKeys(spec, spec.primaryKey, 6);
    expect(stats.exact).toBe(true);
    const sizes = await readRanges(spec, spec.primaryKey, stats.samples);
    console.log('composite text key partition sizes', sizes);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3001);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(100);
  });

  it('an abort or an early stop mid-COPY cancels the read and releases its connection', async () => {
    const spec = await source.describe({ name: 'keyless' });
    const active = async () =>
      Number(
        (
          await sql<{ n: string }>(
            svc.urls.pg!,
            "SELECT count(*) n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry source' AND query LIKE 'COPY%' AND state = 'active'",
            [db.name],
          )
        )[0]!.n,
      );
    const controller = new AbortController();
    let seen = 0;
    const e = await (async () => {
      for await (const b of source.read(
        spec,
        { columns: [], whole: true },
        { batchRows: 100, signal: controller.signal },
      )) {
        seen += b.numRows;
        controller.abort();
      }
    })().catch((x) => x);
    expect(e).toMatchObject({ code: 'ABORTED' });
    expect(seen).toBe(100);
    for await (const _b of source.read(spec, { columns: [], whole: true }, { batchRows: 100 })) break;
    for (let i = 0; i < 50 && (await active()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await active()).toBe(0);
  });

  it('samples a skewed key in order and keeps NULL keys apart', async () => {
    const spec = await source.describe({ name: 'skewed' });
    const stats = await source.sampleKeys(spec, ['id'], 10);
    expect(stats.nullKeyRows).toBe(1);
    const ids = stats.samples.map((s) => Number(s[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.filter((i) => i === 1).length).toBe(9);
    const nulls = await collect(source.read(spec, { columns: ['id'], nullKey: true }, { batchRows: 10 }));
    expect(nulls.map((r) => r[1])).toEqual(['null key']);
  });
});
