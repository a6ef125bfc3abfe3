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
      const spec = await source.describe({ name: table });
      const plan = async () => {
        const stats = await source.sampleKeys(spec, spec.primaryKey, 1000);
        expect(stats).toMatchObject({ rows: total, exact: true, nullKeyRows: 0 });
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
      for (const n of sizes) expect(Math.abs(n - partitionRows)).toBeLessThan(partitionRows * 0.1);
    }, 120_000);
  }
});
