import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import { duckdbQuery, ferry, tempDir } from './cli-harness.js';

/** Bad input: a one-line error with the fix, exit 2, and nothing written (no target file, no run state). */
describe('bad input', () => {
  const tmp = tempDir('bad');
  const source = join(tmp.path, 'source.duckdb');
  const target = join(tmp.path, 'target.duckdb');
  const state = join(tmp.path, 'runs');
  beforeAll(async () => {
    await generateDemoSource(source, 2_000);
  });
  afterAll(() => tmp.cleanup());

  const expectRefused = async (args: string[], message: RegExp) => {
    const r = await ferry([...args, '--state-dir', state]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(state) ? readdirSync(state) : []).toEqual([]);
    return lines[0]!;
  };

  it('a missing source file', async () => {
    await expectRefused(['run', '--from', `duckdb:${join(tmp.path, 'nope.duckdb')}`, '--to', `duckdb:${target}`], /nope\.duckdb/);
  });

  it('an unknown URL scheme', async () => {
    const line = await expectRefused(['run', '--from', 'foo:bar', '--to', `duckdb:${target}`], /unknown URL scheme "foo:"/);
    expect(line).toMatch(/known schemes: .*duckdb/);
  });

  it('a table that does not exist', async () => {
    const line = await expectRefused(['run', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--tables', 'ordrs'], /table "ordrs" does not exist/);
    expect(line).toMatch(/known tables: .*orders/);
  });

  it('a misspelt config key', async () => {
    const config = join(tmp.path, 'settings.yaml');
    writeFileSync(config, `source:\n  url: duckdb:${source}\ntarget:\n  url: duckdb:${target}\npartiton_rows: 10\n`);
    await expectRefused(['run', '--config', config], /partiton_rows.*did you mean partition_rows/);
  });

  it('a target table with another shape (append)', async () => {
    const other = join(tmp.path, 'other.duckdb');
    await duckdbQuery(other, 'CREATE TABLE orders (order_id BIGINT PRIMARY KEY, amount DOUBLE)');
    const r = await ferry(['run', '--from', `duckdb:${source}`, '--to', `duckdb:${other}`, '--tables', 'orders', '--mode', 'append', '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/target table orders has another shape: column \S+ /);
    expect(await duckdbQuery(other, 'SELECT count(*) FROM orders')).toEqual([[0n]]);
    expect(existsSync(state) ? readdirSync(state) : []).toEqual([]);
  });

  it('an existing target table in create mode', async () => {
    const other = join(tmp.path, 'exists.duckdb');
    await duckdbQuery(other, 'CREATE TABLE customers (x INTEGER)');
    const r = await ferry(['run', '--from', `duckdb:${source}`, '--to', `duckdb:${other}`, '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists and mode is create.*--mode append/);
  });

  it('a bad flag value is a usage error', async () => {
    const r = await ferry(['run', '--from', `duckdb:${source}`, '--to', `duckdb:${target}`, '--mode', 'overwrite']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/overwrite/);
  });
});
