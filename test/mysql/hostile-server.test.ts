import { afterEach, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import { type Column, type TableSpec, parseEndpoint } from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { FakeServer, TYPE, ordinary } from './fake-server.js';
import { logger } from './mariadb.js';

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint(20)' },
  {
    name: 'v',
    type: { kind: 'text' },
    nullable: true,
    nativeType: 'longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  },
];
const spec: TableSpec = {
  schema: 'fake',
  name: 't',
  columns,
  primaryKey: ['id'],
  estimatedRows: 0,
  estimatedBytes: 0,
};
const partition = {
  id: 'fake.t#0',
  table: 'fake.t',
  index: 0,
  range: { columns: ['id'], whole: true },
  estimatedRows: 0,
};

function batch(rows: [bigint, string | null][]) {
  const b = new BatchBuilder(columns, rows.length);
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves `rows` as the result of the table's SELECT and reads it: the row counts of the batches read, and the error. */
async function readServed(
  rows: (Buffer | string | null)[][],
): Promise<{ batches: number[]; error: unknown }> {
  server = await FakeServer.start((sql) => {
    if (/^SELECT `id`, `v` FROM `fake`\.`t`/.test(sql))
      return {
        columns: [
          { name: 'id', type: TYPE.LONG },
          { name: 'v', type: TYPE.VAR_STRING },
        ],
        rows,
      };
    return ordinary(sql) ?? { error: `unexpected ${sql}` };
  });
  const source = await mysqlConnector.openSource(parseEndpoint(`${server.url}?snapshot=per-partition`), {
    logger,
    readOnly: true,
  });
  const batches: number[] = [];
  try {
    for await (const b of source.read(spec, partition.range, { batchRows: 10 })) batches.push(b.numRows);
    return { batches, error: undefined };
  } catch (error) {
    return { batches, error };
  } finally {
    await source.close();
  }
}

describe('mysql connector against a hostile server (LOCAL INFILE)', () => {
  it('a server asking for a local file in reply to any statement receives nothing', async () => {
    server = await FakeServer.start(() => ({ infile: '/etc/passwd' }));
    const endpoint = parseEndpoint(server.url);
    await expect(mysqlConnector.openSource(endpoint, { logger, readOnly: true })).rejects.toMatchObject({
      message: expect.stringContaining('/etc/passwd'),
    });
    await expect(mysqlConnector.openTarget(endpoint, { logger })).rejects.toMatchObject({
      message: expect.stringContaining('/etc/passwd'),
    });
    expect(server.infileReplies).toBe(2);
    expect(server.received.length).toBe(0);
  });

  it('a loader connection asked for another file than its own stream sends nothing and fails', async () => {
    server = await FakeServer.start((sql) => {
      if (/^LOAD DATA/.test(sql)) return { infile: '/etc/passwd' };
      if (/^DELETE/.test(sql)) return { infile: '/etc/hostname' };
      return ordinary(sql) ?? { error: `unexpected ${sql}` };
    });
    const target = await mysqlConnector.openTarget(parseEndpoint(server.url), { logger });
    try {
      const writer = await target.openPartition({
        runId: 'r',
        planHash: 'h',
        table: spec,
        partition,
        attempt: 1,
        clearRange: false,
      });
      await expect(writer.write(batch([[1n, 'secret?']]))).rejects.toMatchObject({
        message: expect.stringContaining(
          'the server asked for local file /etc/passwd, which ferry does not send',
        ),
      });
      await writer.abort();
      // A statement other than ferry's LOAD DATA has no stream at all.
      await expect(
        target.openPartition({
          runId: 'r',
          planHash: 'h',
          table: spec,
          partition,
          attempt: 2,
          clearRange: true,
        }),
      ).rejects.toMatchObject({ message: expect.stringContaining('/etc/hostname') });
      expect(server.received.length).toBe(0);
      expect(server.infileReplies).toBe(2);
    } finally {
      await target.close();
    }
  });

  it('asked for its own file name, the loader sends exactly the escaped rows', async () => {
    server = await FakeServer.start((sql) => {
      const m = /^LOAD DATA LOCAL INFILE '([^']+)'/.exec(sql);
      if (m) return { infile: m[1]! };
      return ordinary(sql) ?? { error: `unexpected ${sql}` };
    });
    const target = await mysqlConnector.openTarget(parseEndpoint(server.url), { logger });
    try {
      const writer = await target.openPartition({
        runId: 'r',
        planHash: 'h',
        table: spec,
        partition,
        attempt: 1,
        clearRange: false,
      });
      // The fake server reports 0 rows loaded, so the write fails after the data was sent.
      await expect(
        writer.write(
          batch([
            [1n, 'a\tb\\c\nd\r\0e'],
            [2n, null],
            [3n, '\\N'],
            [4n, ''],
          ]),
        ),
      ).rejects.toMatchObject({
        code: 'DATA',
      });
      await writer.abort();
      expect(server.received.toString('latin1')).toBe('1\ta\\tb\\\\c\\nd\\r\\0e\n2\t\\N\n3\t\\\\N\n4\t\n');
      const load = server.statements.find((s) => s.startsWith('LOAD DATA'))!;
      expect(load).toMatch(
        /^LOAD DATA LOCAL INFILE 'ferry-[0-9a-f-]+\.tsv' INTO TABLE `fake`\.`t` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' \(`id`, `v`\)$/,
      );
    } finally {
      await target.close();
    }
  });

  it('a row packet with fewer fields than the result has columns fails the read, no value made up', async () => {
    const { batches, error } = await readServed([['1', 'abc'], ['2']]);
    expect(error).toMatchObject({
      code: 'DATA',
      message: expect.stringContaining('shorter than its fields say'),
      context: { table: 'fake.t', column: 'v', key: 'id=2' },
    });
    expect(batches).toEqual([]);
  });

  it('invalid UTF-8 in a utf8mb4 column fails the read, naming the row', async () => {
    const { batches, error } = await readServed([
      ['1', 'abc'],
      ['2', Buffer.from([0x61, 0xff, 0x62])],
    ]);
    expect(error).toMatchObject({
      code: 'DATA',
      message: expect.stringContaining('invalid utf8mb4 bytes 0x61ff62'),
      context: { table: 'fake.t', column: 'v', key: 'id=2', value: '0x61ff62' },
    });
    expect(batches).toEqual([]);
  });
});
