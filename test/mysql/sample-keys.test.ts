import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import { type Source, type TableSpec, tableName } from '../../core/index.js';
import { planPartitions } from '../../partitioning/index.js';
import { exec, freshDatabase, logger } from './mariadb.js';

/**
 * Key sampling of tables large enough that the server thins the keys before sending them (more than 80,000
 * keys): the partitions planned from the thinned sample still cover every row once and are of about equal size,
 * in the source's order (a case-insensitive collation for the text key), and planning twice gives the same ranges.
 */
const src = await freshDatabase('sample');
let source: Source;

beforeAll(async () => {
  // A heavily skewed key: most rows have small ids, a long thin tail reaches 10^10.
  await exec(src.url, 'CREATE TABLE skewed (id BIGINT PRIMARY KEY, v INT NOT NULL, KEY ix_v (v))');
  await exec(
    src.url,
    'INSERT INTO skewed SELECT IF(seq <= 120000, seq, seq * seq * 100), seq % 97 FROM seq_1_to_150000',
  );
  // A composite text key in a case-insensitive collation: 'b' and 'B' sort together, unlike their bytes.
  await exec(
    src.url,
    `CREATE TABLE named (name VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL,
      PRIMARY KEY (name, n)) DEFAULT CHARSET=utf8mb4`,
  );
  await exec(
    src.url,
    `INSERT INTO named SELECT CONCAT(IF(seq % 2 = 0, UPPER(CHAR(97 + seq % 26)), CHAR(97 + seq % 26)), 'é'),
      seq FROM seq_1_to_100000`,
  );
  source = await mysqlConnector.openSource(src.endpoint(), { logger, readOnly: true });
}, 120_000);

afterAll(async () => {
  await source?.close();
  await src.drop();
});

async function rowsIn(spec: TableSpec, range: Parameters<Source['read']>[1]): Promise<number> {
  let n = 0;
  for await (const b of source.read(spec, range, { batchRows: 20_000, columns: [spec.columns[0]!.name] }))
    n += b.numRows;
  return n;
}

describe('MySQL key sampling of large tables', () => {
  for (const [table, total, partitionRows] of [
    ['skewed', 150_000, 15_000],
    ['named', 100_000, 10_000],
  ] as const) {
    it(`${table}: equal partitions from a thinned sample, covering every row once`, async () => {
      // The statistics' estimate, fixed: InnoDB's own varies from one ANALYZE to the next.
      const spec = { ...(await source.describe({ name: table })), estimatedRows: total };
      const plan = async () => {
        const stats = await source.sampleKeys(spec, spec.primaryKey, 1000);
        // A NOT NULL key of a large table: the statistics' estimate, not a COUNT(*).
        expect(stats).toMatchObject({ rows: total, exact: false, nullKeyRows: 0 });
        expect(stats.samples.length).toBe(1000);
        return planPartitions({
          table: tableName(spec),
          keyColumns: spec.primaryKey,
          keyNullable: false,
          stats,
          partitionRows,
        }).partitions;
      };
      const partitions = await plan();
      expect(partitions).toHaveLength(total / partitionRows);
      expect((await plan()).map((p) => p.range)).toEqual(partitions.map((p) => p.range));
      const sizes: number[] = [];
      for (const p of partitions) sizes.push(await rowsIn(spec, p.range));
      process.stdout.write(`${table}: partition sizes ${sizes.join(', ')}\n`);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      const mean = total / partitions.length;
      for (const n of sizes) expect(Math.abs(n - mean)).toBeLessThan(mean * 0.1);
    }, 120_000);
  }

  it('a stale estimate 9× below the table: the kept keys are halved as they come, partitions stay equal', async () => {
    // 720,000 rows sampled at the rate meant for 81,000: ~178,000 keys come back, more than the 160,000 kept.
    await exec(src.url, [
      'CREATE TABLE stale (id INT PRIMARY KEY)',
      'INSERT INTO stale SELECT seq FROM seq_1_to_720000',
    ]);
    const spec = { ...(await source.describe({ name: 'stale' })), estimatedRows: 81_000 };
    const stats = await source.sampleKeys(spec, spec.primaryKey, 1000);
    expect(stats).toMatchObject({ rows: 81_000, exact: false });
    expect(stats.samples).toHaveLength(1000);
    const partitions = planPartitions({
      table: tableName(spec),
      keyColumns: spec.primaryKey,
      keyNullable: false,
      stats,
      partitionRows: 27_000,
    }).partitions;
    expect(partitions).toHaveLength(3);
    const sizes: number[] = [];
    for (const p of partitions) sizes.push(await rowsIn(spec, p.range));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(720_000);
    for (const n of sizes) expect(Math.abs(n - 240_000)).toBeLessThan(12_000);
  }, 120_000);

  it('a nullable key is counted exactly, NULL keys apart', async () => {
    await exec(src.url, [
      'CREATE TABLE nulls (u INT NULL, v INT NOT NULL, UNIQUE KEY (u))',
      'INSERT INTO nulls SELECT IF(seq % 10 = 0, NULL, seq), seq FROM seq_1_to_100000',
      'ANALYZE TABLE nulls',
    ]);
    const spec = await source.describe({ name: 'nulls' });
    const stats = await source.sampleKeys(spec, ['u'], 1000);
    expect(stats).toMatchObject({ rows: 100_000, exact: true, nullKeyRows: 10_000 });
    expect(stats.samples).toHaveLength(1000);
  });
});
