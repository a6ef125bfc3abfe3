import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumAccumulator } from '../../checksums/index.js';
import { type KeyRange, parseEndpoint, type Source, type TableSpec, silentLogger } from '../../core/index.js';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { TYPES_SQL } from './fixture.js';

const svc = await requireServices(['pg']);

/** The columns of the every-type table whose values are hashed from the wire (the rest need decoding). */
const WIRE_COLUMNS = [
  'id',
  'c_int2',
  'c_int4',
  'c_int8',
  'c_num',
  'c_num_p',
  'c_f4',
  'c_f8',
  'c_text',
  'c_vc',
  'c_bpchar',
  'c_name',
  'c_bytea',
  'c_bool',
  'c_date',
  'c_time',
  'c_ts',
  'c_tstz',
  'c_ts3',
  'c_uuid',
  'c_enum',
  'c_domain',
  'c_xml',
];

describe('PostgreSQL checksum hashed from the wire (Source.checksum)', () => {
  let db: TestDatabase;
  let source: Source;
  let spec: TableSpec;

  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'wire_sum');
    await sql(db.url, TYPES_SQL);
    source = await postgresConnector.openSource(parseEndpoint(db.url), { logger: silentLogger() });
    spec = await source.describe({ name: 'everything' });
  });

  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  async function viaArrow(s: TableSpec, range: KeyRange): Promise<{ rows: string; sum: string }> {
    const acc = new ChecksumAccumulator();
    for await (const batch of source.read(s, range, { batchRows: 50 })) acc.addBatch(batch);
    return acc.result();
  }

  it('equals hashing the decoded Arrow batches, for every wire-hashed type, whole table and key ranges', async () => {
    const wire = { ...spec, columns: spec.columns.filter((c) => WIRE_COLUMNS.includes(c.name)) };
    expect(wire.columns).toHaveLength(WIRE_COLUMNS.length);
    const ranges: KeyRange[] = [
      { columns: [], whole: true },
      { columns: ['id'], hi: ['150'] },
      { columns: ['id'], lo: ['150'] },
    ];
    let progress = 0;
    for (const range of ranges) {
      const direct = await source.checksum!(wire, range, {
        batchRows: 50,
        onProgress: () => void progress++,
      });
      expect(direct).toEqual(await viaArrow(wire, range));
    }
    expect((await source.checksum!(wire, ranges[0]!, { batchRows: 50 }))!.rows).toBe('204');
    expect(progress).toBeGreaterThan(0);
  });

  it('leaves a table with a column that needs decoding (json, interval, arrays, inet …) to the Arrow path', async () => {
    expect(await source.checksum!(spec, { columns: [], whole: true }, { batchRows: 50 })).toBeUndefined();
  });
});
