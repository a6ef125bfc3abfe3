import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumAccumulator, checksumsEqual } from '../../checksums/index.js';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import {
  type Checksum,
  type Partition,
  type Source,
  type TableSpec,
  type Target,
  tableName,
} from '../../core/index.js';
import { planPartitions } from '../../partitioning/index.js';
import { EVERYTHING_DDL, EVERYTHING_ORACLE, EVERYTHING_ROWS } from './fixture.js';
import { exec, freshDatabase, logger } from './mariadb.js';

const src = await freshDatabase('src');
const tgt = await freshDatabase('tgt');
afterAll(async () => {
  await src.drop();
  await tgt.drop();
});

/** 3000 rows whose text and bytes hold every character LOAD DATA escapes, and NULL, '' and the text \N. */
const WIDE_DDL = `CREATE TABLE wide (
  id BIGINT PRIMARY KEY, k VARCHAR(20) CHARACTER SET latin1 NOT NULL, t TEXT, b VARBINARY(64), n DECIMAL(20,5),
  u BIGINT UNSIGNED, f DOUBLE, ts DATETIME(6), UNIQUE KEY uk (k), KEY ix_nu (n, u), KEY ix_t (t(10))
) DEFAULT CHARSET=utf8mb4`;
const WIDE_INSERT = `INSERT INTO wide
  SELECT seq,
    CONCAT('k', LPAD(seq, 5, '0'), IF(seq % 3 = 0, 'é', '')),
    CASE seq % 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN '\\\\N' WHEN 3 THEN 'NULL'
      ELSE CONCAT('row ', seq, ' tab', CHAR(9), 'lf', CHAR(10), 'cr', CHAR(13), 'bs\\\\', 'nul', CHAR(0), ' 🎉 ', CHAR(seq % 32)) END,
    IF(seq % 11 = 0, NULL, UNHEX(SHA2(seq, 512))),
    seq * 1.00001 - 15000,
    18446744073709551615 - seq,
    seq / 7,
    TIMESTAMPADD(MICROSECOND, seq * 1234567, '1999-12-31 23:59:59.999999')
  FROM seq_1_to_3000`;

/** A server-side digest of a table's values (independent of ferry's reading and checksums). */
const WIDE_DIGEST = `SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', id, HEX(CONVERT(k USING utf8mb4)), IFNULL(HEX(t), 'null'),
  IFNULL(HEX(b), 'null'), n, u, HEX(f), CAST(ts AS CHAR)))) AS crc FROM wide`;

async function checksumOf(batches: AsyncIterable<RecordBatch>): Promise<Checksum> {
  const acc = new ChecksumAccumulator();
  for await (const b of batches) acc.addBatch(b);
  return acc.result();
}

/** Loads a table partition by partition (concurrently), returning each partition's written checksum. */
async function migrate(source: Source, target: Target, name: string, partitionRows: number, runId = 'run-1') {
  const spec = await source.describe({ name });
  const tspec = target.mapTable(spec, { name });
  await target.prepareTable(tspec, 'create', { runId, resuming: false });
  const stats = await source.sampleKeys(spec, spec.primaryKey, 200);
  const { partitions } = planPartitions({
    table: tableName(spec),
    keyColumns: spec.primaryKey,
    keyNullable: false,
    stats,
    partitionRows,
  });
  const written = new Map<string, Checksum>();
  await Promise.all(
    partitions.map(async (p) => {
      const writer = await target.openPartition({
        runId,
        planHash: 'h',
        table: tspec,
        partition: p,
        attempt: 1,
        clearRange: false,
      });
      const acc = new ChecksumAccumulator();
      try {
        for await (const batch of source.read(spec, p.range, { batchRows: 97 })) {
          acc.addBatch(batch);
          await writer.write(batch);
        }
        const sum = acc.result();
        await writer.commit({
          runId,
          partitionId: p.id,
          table: tspec.name,
          planHash: 'h',
          attempt: 1,
          rows: sum.rows,
          checksum: sum.sum,
        });
        written.set(p.id, sum);
      } catch (e) {
        await writer.abort();
        throw e;
      }
    }),
  );
  await target.finishTable(tspec);
  return { spec, tspec, partitions, written };
}

describe('mysql target: MariaDB → MariaDB', () => {
  let source: Source;
  let target: Target;

  beforeAll(async () => {
    await exec(src.url, [
      EVERYTHING_DDL,
      `INSERT INTO everything VALUES ${EVERYTHING_ROWS.join(',\n')}`,
      WIDE_DDL,
      WIDE_INSERT,
    ]);
    source = await mysqlConnector.openSource(src.endpoint(), { logger, readOnly: true });
    target = await mysqlConnector.openTarget(tgt.endpoint(), { logger });
  });

  afterAll(async () => {
    await target?.close();
    await source?.close();
  });

  const verify = async (tspec: TableSpec, partitions: Partition[], written: Map<string, Checksum>) => {
    const reader = await target.reader();
    try {
      const described = await reader.describe({ name: tspec.name });
      for (const p of partitions) {
        const back = await checksumOf(reader.read(described, p.range, { batchRows: 50 }));
        expect({ partition: p.id, back }).toEqual({ partition: p.id, back: written.get(p.id) });
        expect(checksumsEqual(back, written.get(p.id)!)).toBe(true);
      }
    } finally {
      await reader.close();
    }
  };

  it('every type: checksums written = read back, per partition; per-value equal by independent SQL; types kept', async () => {
    const { spec, tspec, partitions, written } = await migrate(source, target, 'everything', 1);
    expect(partitions.length).toBeGreaterThanOrEqual(4);
    await verify(tspec, partitions, written);
    const described = await target.describe({ name: 'everything' });
    expect(described?.columns.map((c) => [c.name, c.type])).toEqual(
      spec.columns.map((c) => [c.name, c.type]),
    );
    const targetOracle = EVERYTHING_ORACLE.replace(
      'HEX(ST_AsWKB(g)) AS g, ST_SRID(g) AS g_srid',
      'HEX(g) AS g',
    );
    const sourceRows = await exec(src.url, EVERYTHING_ORACLE);
    const targetRows = await exec(tgt.url, targetOracle);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ g, g_srid, ...rest }) => rest);
    expect(strip(targetRows)).toEqual(strip(sourceRows));
    // Geometry arrives as the WKB (EWKB with an SRID) ferry read: POINT(1 2) in SRID 3857.
    expect(targetRows[3]!.g).toBe('0101000020110F0000000000000000F03F0000000000000040');
    const ledger = await target.readLedger('run-1');
    expect(ledger.map((e) => e.partitionId).sort()).toEqual(partitions.map((p) => p.id).sort());
    expect(ledger.map((e) => e.checksum).sort()).toEqual([...written.values()].map((c) => c.sum).sort());
  });

  it('3000 rows with every escaped character: exact by checksums and by a server-side digest; unique key and indexes added after', async () => {
    const { tspec, partitions, written } = await migrate(source, target, 'wide', 400);
    expect(partitions.length).toBeGreaterThan(5);
    await verify(tspec, partitions, written);
    expect(await exec(tgt.url, WIDE_DIGEST)).toEqual(await exec(src.url, WIDE_DIGEST));
    const nullsAndEmpties = await exec(
      tgt.url,
      `SELECT id % 7 AS m, t IS NULL AS isnull, HEX(t) AS hex FROM wide WHERE id IN (7, 1, 2, 3) ORDER BY id`,
    );
    expect(nullsAndEmpties).toEqual([
      { m: '1', isnull: 0, hex: '' },
      { m: '2', isnull: 0, hex: '5C4E' },
      { m: '3', isnull: 0, hex: '4E554C4C' },
      { m: '0', isnull: 1, hex: null },
    ]);
    const keys = await exec(
      tgt.url,
      `SELECT INDEX_NAME AS name, NON_UNIQUE AS nu,
              GROUP_CONCAT(COLUMN_NAME, IFNULL(CONCAT('(', SUB_PART, ')'), '') ORDER BY SEQ_IN_INDEX) AS cols
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'wide'
         GROUP BY INDEX_NAME, NON_UNIQUE`,
    );
    expect(keys.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { name: 'ix_nu', nu: '1', cols: 'n,u' },
      { name: 'ix_t', nu: '1', cols: 't(10)' },
      { name: 'PRIMARY', nu: '0', cols: 'id' },
      { name: 'uk_wide_0', nu: '0', cols: 'k' },
    ]);
  });
});
