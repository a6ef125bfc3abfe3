import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnector } from '../../connectors/index.js';
import { profileSource } from '../../coordinator/index.js';
import { parseEndpoint, silentLogger } from '../../core/index.js';
import { type BatchProfile, profileBatch, type ProfileReport } from '../../profiling/index.js';
import { tempDir } from '../cli/cli-harness.js';

/**
 * Relationships and shapes the demo does not have: a table without a primary key, a self-reference, a
 * foreign-key cycle, a relationship to a missing table, and card numbers and IBANs under innocent column
 * names. Batches are profiled in this thread (the profiler takes any `profileBatch`).
 */

const dir = tempDir('profile-graph');
const path = join(dir.path, 'graph.duckdb');
let report: ProfileReport;

beforeAll(async () => {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run(`
    CREATE TABLE emp (id INTEGER PRIMARY KEY, manager INTEGER, name VARCHAR);
    INSERT INTO emp SELECT i, CASE WHEN i = 1 THEN NULL WHEN i % 50 = 0 THEN 10000 + i ELSE i // 2 END, 'E' || i
      FROM range(1, 1001) t(i);
    CREATE TABLE log (msg VARCHAR, logged_at TIMESTAMP);
    INSERT INTO log SELECT 'event ' || i, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND FROM range(0, 300) t(i);
    CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER);
    CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER);
    INSERT INTO a SELECT i, i FROM range(1, 101) t(i);
    INSERT INTO b SELECT i, CASE WHEN i > 95 THEN i + 1000 ELSE i END FROM range(1, 101) t(i);
    CREATE TABLE payments (id INTEGER PRIMARY KEY, ref VARCHAR, acct VARCHAR, amount DECIMAL(10,2));
    INSERT INTO payments VALUES
      (1, '4111 1111 1111 1111', 'GB82 WEST 1234 5698 7654 32', 10.00),
      (2, '5500-0000-0000-0004', 'DE89370400440532013000', 12.50),
      (3, '4012888888881881', 'GB82WEST12345698765432', 9.99),
      (4, '378282246310005', 'DE89 3704 0044 0532 0130 00', 1000000.01);
  `);
  c.closeSync();
  instance.closeSync();
  const source = await (await getConnector('duckdb')).openSource(parseEndpoint(`duckdb:${path}`), {
    logger: silentLogger(),
    readOnly: true,
  });
  try {
    report = await profileSource({
      source,
      sourceDisplay: `duckdb:${path}`,
      partitionRows: 100,
      batchRows: 64,
      concurrency: 3,
      profileBatch: async (batch, spec): Promise<BatchProfile> =>
        JSON.parse(JSON.stringify(profileBatch(batch, spec))),
      foreignKeys: [
        { table: 'emp', columns: ['manager'], references: 'emp', referencedColumns: ['id'] },
        { table: 'a', columns: ['b_id'], references: 'b', referencedColumns: ['id'] },
        { table: 'b', columns: ['a_id'], references: 'a', referencedColumns: ['id'] },
        { table: 'log', columns: ['msg'], references: 'messages', referencedColumns: ['text'] },
      ],
    });
  } finally {
    await source.close();
  }
});
afterAll(() => dir.cleanup());

const orphansOf = (table: string) => report.tables.find((t) => t.name === table)!.foreignKeys[0]!;

describe('profile: keys and relationships beyond the demo', () => {
  it('warns about a table without a primary key and reads it as one partition', () => {
    expect(report.inventory.withoutPrimaryKey).toEqual(['log']);
    expect(report.findings.find((f) => f.code === 'no_primary_key')).toMatchObject({
      table: 'log',
      severity: 'warning',
    });
    expect(report.tables.find((t) => t.name === 'log')).toMatchObject({ rows: 300, partitions: 1 });
  });

  it('checks a self-reference at the end: managers that are no employee are orphans', () => {
    expect(report.inventory.selfReferences).toEqual(['emp']);
    expect(orphansOf('emp')).toMatchObject({
      mode: 'deferred',
      rows: 1000,
      nullRows: 1,
      orphanRows: 20,
      orphanKeys: 20,
    });
    expect(orphansOf('emp').examples).toEqual(['10050', '10100', '10150', '10200', '10250']);
  });

  it('reports a foreign-key cycle and still counts its orphans', () => {
    expect(report.inventory.cycles).toEqual([['a', 'b']]);
    expect(report.findings.find((f) => f.code === 'fk_cycle')?.message).toBe(
      'foreign keys form a cycle: a → b → a — load with constraints deferred, or in two passes',
    );
    expect(orphansOf('a')).toMatchObject({ mode: 'deferred', orphanRows: 0 });
    expect(orphansOf('b')).toMatchObject({
      mode: 'deferred',
      orphanRows: 5,
      examples: ['1096', '1097', '1098', '1099', '1100'],
    });
    // Tables of the cycle load together, after the tables they need and alphabetically.
    expect(report.inventory.loadOrder.indexOf('a') + 1).toBe(report.inventory.loadOrder.indexOf('b'));
  });

  it('reports a relationship to a table the source does not have', () => {
    expect(orphansOf('log')).toMatchObject({ mode: 'unchecked', reason: 'does not exist in the source' });
    expect(report.findings.find((f) => f.code === 'parent_missing')).toMatchObject({
      table: 'log',
      severity: 'error',
    });
  });

  it('flags card numbers (Luhn) and IBANs by content under innocent column names, masked', () => {
    const flags = Object.fromEntries(report.pii.map((p) => [`${p.table}.${p.column}`, p.category]));
    expect(flags['payments.ref']).toBe('card_number');
    expect(flags['payments.acct']).toBe('bank_account');
    const ref = report.tables.find((t) => t.name === 'payments')!.columns.find((c) => c.name === 'ref')!;
    expect(ref.masked).toBe(true);
    expect(JSON.stringify(report)).not.toContain('4111 1111 1111 1111');
  });

  it('finds an outlier in a decimal column with exact fences', () => {
    const amount = report.tables
      .find((t) => t.name === 'payments')!
      .columns.find((c) => c.name === 'amount')!;
    expect(amount.max).toBe('1000000.01');
    expect(amount.quantiles).toEqual({ q1: '9.99', median: '10', q3: '12.5', exact: true });
    expect(amount.outliers).toMatchObject({
      low: '6.225',
      high: '16.265',
      above: 1,
      examples: ['1000000.01'],
    });
  });
});
