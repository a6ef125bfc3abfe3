import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

/** A crashed run (SIGKILL at a failpoint) finishes with `ferry resume`: exact rows, no duplicates, equal checksums. */
describe('kill -9 and resume', () => {
  const tmp = tempDir('resume');
  const source = join(tmp.path, 'source.duckdb');
  beforeAll(async () => {
    await generateDemoSource(source, 60_000);
  });
  afterAll(() => tmp.cleanup());

  const crashAndResume = async (name: string, failpoint: string) => {
    const target = join(tmp.path, `${name}.duckdb`);
    const state = join(tmp.path, `${name}-runs`);
    const common = ['--state-dir', state, '--reports-dir', join(tmp.path, `${name}-reports`)];
    const crashed = await ferry(
      ['run', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--run-id', name, '--partition-rows', '3000', '--workers', '2', ...common],
      { env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: failpoint } },
    );
    expect(crashed.signal).toBe('SIGKILL');
    const before = (await duckdbQuery(target, `SELECT count(*) FROM _ferry_ledger WHERE run_id = '${name}'`))[0]![0];

    const status = await ferry(['status', name, '--json', ...common.slice(0, 2)]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).status).toBe('running');

    const resumed = await ferry(['resume', name, '--json', ...common]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.report.verified).toBe(true);

    const [[orders, distinct, customers]] = (await duckdbQuery(
      target,
      'SELECT (SELECT count(*) FROM orders), (SELECT count(DISTINCT order_id) FROM orders), (SELECT count(*) FROM customers)',
    )) as [[bigint, bigint, bigint]];
    expect(orders).toBe(60_000n);
    expect(distinct).toBe(60_000n);
    expect(customers).toBe(6_000n);
    // Each partition committed exactly once: the ledger has one entry per partition, none loaded twice.
    const [[entries, partitions]] = (await duckdbQuery(
      target,
      `SELECT count(*), count(DISTINCT partition_id) FROM _ferry_ledger WHERE run_id = '${name}'`,
    )) as [[bigint, bigint]];
    expect(entries).toBe(partitions);
    expect(Number(before)).toBeGreaterThan(0);
    expect(Number(before)).toBeLessThan(Number(entries));

    const verify = await ferry(['verify', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--partition-rows', '5000']);
    expect(verify.stdout).toContain('verified: source and target are equal');
    expect(verify.code).toBe(0);
    expect(existsSync(join(state, name, 'events.ndjson'))).toBe(true);
  };

  it('after a commit (SIGKILL between partitions)', async () => {
    await crashAndResume('after-commit', 'after_commit:5:kill');
  });

  it('in the middle of a partition load (SIGKILL mid-transaction)', async () => {
    await crashAndResume('mid-copy', 'mid_copy:9:kill');
  });
});
