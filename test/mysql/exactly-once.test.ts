import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import type { Column, Partition, TableSpec, Target } from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { exec, freshDatabase, logger } from './mariadb.js';

const tgt = await freshDatabase('once');
afterAll(() => tgt.drop());

describe('mysql target: strictness and exactly-once', () => {
  let target: Target;
  const columns: Column[] = [
    { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint' },
    { name: 'v', type: { kind: 'text' }, nullable: true, nativeType: 'longtext' },
  ];
  const batch = (rows: [bigint, string | null][]): RecordBatch => {
    const b = new BatchBuilder(columns, rows.length);
    for (const r of rows) b.appendRow(r);
    return b.finish();
  };
  const partition = (id: string): Partition => ({
    id,
    table: 't',
    index: 0,
    range: { columns: ['id'], whole: true },
    estimatedRows: 0,
  });
  const entry = (p: string, attempt: number, rows: number) => ({
    runId: 'once',
    partitionId: p,
    table: 'narrow',
    planHash: 'h',
    attempt,
    rows: String(rows),
    checksum: 'c',
  });
  const spec: TableSpec = {
    name: 'narrow',
    columns,
    primaryKey: ['id'],
    estimatedRows: 0,
    estimatedBytes: 0,
  };
  const count = async () => Number((await exec(tgt.url, 'SELECT COUNT(*) AS n FROM narrow'))[0]!.n);

  beforeAll(async () => {
    // A table narrower than the batches: LOAD DATA LOCAL would truncate, clamp or skip with warnings only.
    await exec(tgt.url, 'CREATE TABLE narrow (id TINYINT PRIMARY KEY, v VARCHAR(3))');
    target = await mysqlConnector.openTarget(tgt.endpoint(), { logger });
  });
  afterAll(() => target?.close());

  it.each([
    [
      'a value too long for its column',
      [
        [1n, 'ok'],
        [2n, 'too long'],
      ] as [bigint, string | null][],
      'id=2',
      /Warning 1265: Data truncated for column 'v' at row 2/,
    ],
    [
      'an integer out of range',
      [
        [1n, 'a'],
        [300n, 'b'],
      ] as [bigint, string | null][],
      'id=300',
      /Out of range value for column 'id' at row 2/,
    ],
    [
      'a duplicate key',
      [
        [5n, 'a'],
        [5n, 'b'],
      ] as [bigint, string | null][],
      undefined,
      /Duplicate entry '…' for key/,
    ],
  ])(
    '%s: the load rolls back and the error names the warning and the row key',
    async (_, rows, key, message) => {
      const writer = await target.openPartition({
        runId: 'once',
        planHash: 'h',
        table: spec,
        partition: partition('p-strict'),
        attempt: 1,
        clearRange: false,
      });
      const err = await writer.write(batch(rows)).then(
        () => undefined,
        (e) => e,
      );
      await writer.abort();
      expect(err).toMatchObject({ code: 'DATA', message: expect.stringMatching(message) });
      if (key) expect(err.context.key).toBe(key);
      expect(await count()).toBe(0);
      expect(await target.readLedger('once')).toEqual([]);
    },
  );

  it('an unbounded decimal goes to DECIMAL(65,30) and a value that does not fit fails its row', async () => {
    const decCols: Column[] = [
      columns[0]!,
      { name: 'd', type: { kind: 'decimal' }, nullable: true, nativeType: 'numeric' },
    ];
    const dec = target.mapTable(
      { name: 'dec', columns: decCols, primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 },
      { name: 'dec' },
    );
    expect(dec.columns[1]!.nativeType).toBe('decimal(65,30)');
    await target.prepareTable(dec, 'create', { runId: 'once', resuming: false });
    for (const [value, message] of [
      ['0.0000000000000000000000000000001', /Note 1265: Data truncated for column 'd' at row 2/],
      ['123456789012345678901234567890123456', /Out of range value for column 'd' at row 2/],
    ] as const) {
      const b = new BatchBuilder(dec.columns, 2);
      b.appendRow([1n, '-99999999999999999999999999999999999.999999999999999999999999999999']);
      b.appendRow([2n, value]);
      const writer = await target.openPartition({
        runId: 'once',
        planHash: 'h',
        table: dec,
        partition: partition('pd'),
        attempt: 1,
        clearRange: false,
      });
      await expect(writer.write(b.finish())).rejects.toMatchObject({
        code: 'DATA',
        message: expect.stringMatching(message),
        context: { key: 'id=2' },
      });
      await writer.abort();
    }
    expect(Number((await exec(tgt.url, 'SELECT COUNT(*) AS n FROM `dec`'))[0]!.n)).toBe(0);
  });

  it('abort leaves nothing; a lower attempt is refused after a higher one committed', async () => {
    const w1 = await target.openPartition({
      runId: 'once',
      planHash: 'h',
      table: spec,
      partition: partition('p1'),
      attempt: 1,
      clearRange: false,
    });
    await w1.write(batch([[1n, 'a']]));
    await w1.abort();
    expect(await count()).toBe(0);

    const w3 = await target.openPartition({
      runId: 'once',
      planHash: 'h',
      table: spec,
      partition: partition('p1'),
      attempt: 3,
      clearRange: true,
    });
    await w3.write(
      batch([
        [1n, 'a'],
        [2n, 'b'],
      ]),
    );
    await w3.commit(entry('p1', 3, 2));
    const w2 = await target.openPartition({
      runId: 'once',
      planHash: 'h',
      table: spec,
      partition: partition('p1'),
      attempt: 2,
      clearRange: true,
    });
    await w2.write(batch([[1n, 'x']]));
    await expect(w2.commit(entry('p1', 2, 1))).rejects.toMatchObject({
      code: 'DATA',
      message: expect.stringMatching(/fenced/),
    });
    expect(await exec(tgt.url, 'SELECT id, v FROM narrow ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
    expect((await target.readLedger('once')).map((e) => [e.partitionId, e.attempt, e.rows])).toEqual([
      ['p1', 3, '2'],
    ]);
  });

  it('fences by started deliveries: an older delivery cannot commit once a newer one began', async () => {
    const req = (attempt: number, clearRange = true) => ({
      runId: 'once',
      planHash: 'h',
      table: spec,
      partition: partition('p5'),
      attempt,
      clearRange,
    });
    await target.beginAttempt!(req(1001));
    const stale = await target.openPartition(req(1001));
    await stale.write(batch([[50n, 'old']]));
    await target.beginAttempt!(req(1002));
    await expect(target.beginAttempt!(req(1001))).rejects.toMatchObject({
      code: 'DATA',
      message: expect.stringMatching(/fenced: attempt 1002 has started since/),
    });
    await expect(stale.commit(entry('p5', 1001, 1))).rejects.toMatchObject({
      message: expect.stringMatching(/fenced: attempt 1002 has started since/),
    });
    const fresh = await target.openPartition(req(1002, false));
    await fresh.write(batch([[51n, 'new']]));
    await fresh.commit(entry('p5', 1002, 1));
    // An even newer delivery that does not clear the range would load the partition's rows a second time.
    await target.beginAttempt!(req(1003));
    const again = await target.openPartition(req(1003, false));
    await expect(again.commit(entry('p5', 1003, 0))).rejects.toMatchObject({
      message: expect.stringMatching(/would duplicate its rows/),
    });
    expect(await exec(tgt.url, 'SELECT id, v FROM narrow WHERE id >= 50 ORDER BY id')).toEqual([
      { id: 51, v: 'new' },
    ]);
    expect((await target.readLedger('once')).find((e) => e.partitionId === 'p5')?.attempt).toBe(1002);
  });

  it('a cancelled load rolls back and reports ABORTED', async () => {
    const controller = new AbortController();
    const writer = await target.openPartition(
      {
        runId: 'once',
        planHash: 'h',
        table: spec,
        partition: partition('p9'),
        attempt: 1,
        clearRange: false,
      },
      controller.signal,
    );
    await writer.write(batch([[9n, 'z']]));
    controller.abort();
    await expect(writer.write(batch([[10n, 'y']]))).rejects.toMatchObject({ code: 'ABORTED' });
    await writer.abort();
    expect(Number((await exec(tgt.url, 'SELECT COUNT(*) AS n FROM narrow WHERE id IN (9, 10)'))[0]!.n)).toBe(
      0,
    );
  });
});
