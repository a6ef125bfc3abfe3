import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { parseEndpoint, silentLogger, type Source, type TableSpec } from '../../core/index.js';
import { planPartitions } from '../../partitioning/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

/**
 * PostgreSQL key statistics for splitting a large table: an integer key is split at its pg_stats histogram
 * bounds when they describe the table (fresh, no most common values, enough bounds), else keys are sampled
 * with TABLESAMPLE. Either way the partitions cover every row once and are of about equal size.
 */
const svc = await requireServices(['pg']);
const logger = silentLogger();
let db: TestDatabase;
let source: Source;

beforeAll(async () => {
  db = await createTestDatabase('pg', svc.urls.pg!, 'samplekeys');
  await sql(
    db.url,
    `CREATE TABLE uniform (id bigint PRIMARY KEY, v integer);
     INSERT INTO uniform SELECT g * 3, g % 11 FROM generate_series(1, 200000) g;
     -- A skewed integer key: half the rows share one value (a most common value the histogram leaves out).
     CREATE TABLE lumpy (k integer NOT NULL, n integer);
     INSERT INTO lumpy SELECT CASE WHEN g % 2 = 0 THEN 7 ELSE g END, g FROM generate_series(1, 200000) g;`,
  );
  // ANALYZE once the inserts have reached the cumulative statistics, so they do not count as changed since.
  await modifiedAtLeast('uniform', 200_000);
  await sql(db.url, 'ANALYZE uniform; ANALYZE lumpy');
  source = await postgresConnector.openSource(parseEndpoint(db.url), { logger });
}, 120_000);

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

/** Waits until the table's changes since ANALYZE have reached the cumulative statistics (shortly after commit). */
async function modifiedAtLeast(table: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [r] = await sql<{ m: string }>(
      db.url,
      `SELECT n_mod_since_analyze::text m FROM pg_stat_all_tables WHERE relid = '${table}'::regclass`,
    );
    if (Number(r?.m) >= n) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${table}: ${n} changes never reached pg_stat_all_tables`);
}

async function rowsIn(spec: TableSpec, range: Parameters<Source['read']>[1]): Promise<number> {
  let n = 0;
  for await (const b of source.read(spec, range, { batchRows: 50_000, columns: [spec.columns[0]!.name] }))
    n += b.numRows;
  return n;
}

/** Plans `wanted` partitions of `key`, checks they hold every row once; returns their sizes. */
async function split(spec: TableSpec, key: string, partitionRows: number, maxSamples: number) {
  const stats = await source.sampleKeys(spec, [key], maxSamples);
  const plan = planPartitions({
    table: spec.name,
    keyColumns: [key],
    keyNullable: false,
    stats,
    partitionRows,
  });
  const sizes: number[] = [];
  for (const p of plan.partitions) sizes.push(await rowsIn(spec, p.range));
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(200_000);
  return { stats, plan, sizes };
}

describe('PostgreSQL key statistics of large tables', () => {
  it('an analysed integer key: split at its histogram bounds without reading the table', async () => {
    const spec = await source.describe({ name: 'uniform' });
    const bounds = (
      await sql<{ b: string }>(
        db.url,
        "SELECT histogram_bounds::text b FROM pg_stats WHERE tablename = 'uniform' AND attname = 'id'",
      )
    )[0]!.b;
    const { stats, plan, sizes } = await split(spec, 'id', 20_000, 640);
    expect(stats.samplesFrom).toBe('histogram bounds of pg_stats');
    expect(stats.samples.map((s) => s[0])).toEqual(bounds.slice(1, -1).split(','));
    expect(stats).toMatchObject({ rows: 200_000, exact: false, nullKeyRows: 0 });
    expect(plan.info.reason).toMatch(/^10 key ranges on \(id\) from \d+ histogram bounds of pg_stats/);
    console.log(`uniform, split at histogram bounds: ${sizes.join(', ')}`);
    for (const n of sizes) expect(Math.abs(n - 20_000)).toBeLessThan(4_000);
  });

  it('more partitions than the histogram has buckets: keys are sampled', async () => {
    const spec = await source.describe({ name: 'uniform' });
    const { stats, sizes } = await split(spec, 'id', 1_000, 64 * 200);
    expect(stats.samplesFrom).toBeUndefined();
    expect(sizes.length).toBe(200);
  });

  it('a key with most common values: keys are sampled, and the lump is one partition', async () => {
    const spec = await source.describe({ name: 'lumpy' });
    const { stats, sizes } = await split(spec, 'k', 20_000, 640);
    expect(stats.samplesFrom).toBeUndefined();
    console.log(`lumpy, sampled: ${sizes.join(', ')}`);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(100_000);
  });

  it('statistics older than a tenth of the rows: keys are sampled', async () => {
    await sql(db.url, 'INSERT INTO uniform SELECT -g, 0 FROM generate_series(1, 30000) g');
    await modifiedAtLeast('uniform', 30_000);
    const spec = await source.describe({ name: 'uniform' });
    const stats = await source.sampleKeys(spec, ['id'], 640);
    expect(stats.samplesFrom).toBeUndefined();
    await sql(db.url, 'DELETE FROM uniform WHERE id < 0');
  });
});
