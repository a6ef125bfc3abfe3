import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices, sql } from '../helpers/services.js';
import { ChaosCluster, TABLE } from './cluster.js';

/**
 * Chaos 6 (RELIABILITY F18): a poison partition. The target table exists (append mode) with `name NOT NULL`;
 * one source row (id 1234) has a NULL name. Its partition fails with the table, column and key named in
 * `ferry status`, deterministically (DATA: not retried); every other partition completes. After the fix
 * (the constraint dropped), `ferry retry RUN --nats URL` loads it and the run is whole.
 */
const svc = await requireServices(['pg']);

describe('chaos: poison partition', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'poison' });
    await sql(c.src.url, `UPDATE ${TABLE} SET name = NULL WHERE id = 1234`);
    await sql(
      c.dst.url,
      `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, grp integer NOT NULL, name text NOT NULL,
         amount numeric(12,2), created timestamptz)`,
    );
  });
  afterAll(async () => {
    await c?.close();
  });

  it('fails only the poison partition, names the value, and `ferry retry` completes it after the fix', async () => {
    c.workers(3);
    await c.ready();
    const coordinator = c.coordinator('poison', { args: ['--mode', 'append'] });
    const exit = await coordinator.wait(90_000);
    expect(exit.code, coordinator.stderr()).toBe(1);
    const status = await c.status('poison');
    expect(status.status).toBe('failed');
    expect(status.tables[0]).toMatchObject({ failed: 1, done: status.tables[0]!.partitions - 1 });
    expect(status.failures).toHaveLength(1);
    const failure = status.failures[0]!;
    expect(failure.error).toMatch(/DATA: /);
    expect(failure.error).toMatch(/\(table items, partition public\.items#\d+, column name, key 1234\b/);
    // Deterministic: refused once, not retried and not redelivered.
    expect(c.results('poison').filter((r) => r.partitionId === failure.partition)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'failed' }),
    ]);
    expect(await c.ledger('poison')).toHaveLength(status.tables[0]!.partitions - 1);
    // Nothing of the poison partition reached the target: it holds exactly what the ledger says was loaded.
    const loaded = (await c.ledger('poison')).reduce((n, l) => n + Number(l.rows), 0);
    const held = await sql<{ n: string; poison: string }>(
      c.dst.url,
      `SELECT count(*) AS n, count(*) FILTER (WHERE id = 1234) AS poison FROM ${TABLE}`,
    );
    expect(held[0]).toEqual({ n: String(loaded), poison: '0' });
    expect(loaded).toBeLessThan(c.rows);

    await sql(c.dst.url, `ALTER TABLE ${TABLE} ALTER COLUMN name DROP NOT NULL`);
    const retried = await c.cli('retry', ['retry', 'poison', '--nats', c.nats.url, '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout.trim().split('\n').pop()!).report).toMatchObject({
      status: 'succeeded',
      verified: true,
    });
    const o = await c.oracle('poison');
    expect(o.status.failures).toEqual([]);
    expect(o.ledger.find((l) => l.partition_id === failure.partition)!.attempt).toBeGreaterThan(100_000);
  });
});
