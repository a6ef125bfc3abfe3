import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RejectedRow, RejectStore } from './index.js';

const reject = (key: string, rule = 'not_null(country)'): RejectedRow => ({
  key,
  rule,
  column: 'country',
  reason: `users.country, key ${key}: value NULL where a value is required [rule ${rule}]`,
  row: { user_id: key.slice(8), country: null, big: '9223372036854775807' },
});

describe('RejectStore', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ferry-rejects-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes under a temporary 0600 name and renames on commit', async () => {
    const store = new RejectStore(root);
    const w = store.open({ run: 'run-1', table: 'public.users', partition: 'public.users#3', attempt: 1 });
    await w.write([reject('user_id=1')]);
    await w.write([reject('user_id=2', 'email_format')]);
    const dir = store.dirFor('run-1');
    expect(readdirSync(dir)).toEqual([w.tempPath.slice(dir.length + 1)]);
    expect(statSync(w.tempPath).mode & 0o777).toBe(0o600);
    expect(await store.list('run-1')).toEqual([]);
    const summary = await w.commit();
    expect(summary).toEqual({
      run: 'run-1',
      table: 'public.users',
      partition: 'public.users#3',
      attempt: 1,
      rows: 2,
      byRule: { 'not_null(country)': 1, email_format: 1 },
      file: join(dir, 'public.users%233.attempt-1.ndjson'),
    });
    expect(readdirSync(dir)).toEqual(['public.users%233.attempt-1.ndjson']);
    expect(statSync(summary.file!).mode & 0o777).toBe(0o600);
    const lines = readFileSync(summary.file!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      run: 'run-1',
      table: 'public.users',
      partition: 'public.users#3',
      attempt: 1,
      ...reject('user_id=1'),
    });
    await expect(w.write([reject('user_id=3')])).rejects.toThrow(/already committed/);
  });

  it('discards a failed attempt, and a later attempt replaces an earlier one', async () => {
    const store = new RejectStore(root);
    const target = { run: 'r', table: 't', partition: 't#0' };
    const a1 = store.open({ ...target, attempt: 1 });
    await a1.write([reject('user_id=1')]);
    await a1.commit();
    const a2 = store.open({ ...target, attempt: 2 });
    await a2.write([reject('user_id=9')]);
    await a2.discard();
    expect(readdirSync(store.dirFor('r'))).toEqual(['t%230.attempt-1.ndjson']);
    const a3 = store.open({ ...target, attempt: 3 });
    await a3.write([reject('user_id=1'), reject('user_id=2')]);
    await a3.commit();
    expect(readdirSync(store.dirFor('r'))).toEqual(['t%230.attempt-3.ndjson']);
    const listed = await store.list('r');
    expect(listed.map((s) => [s.partition, s.attempt, s.rows])).toEqual([['t#0', 3, 2]]);
  });

  it('commits an attempt without rejects as no file, removing older attempts', async () => {
    const store = new RejectStore(root);
    const a1 = store.open({ run: 'r', table: 't', partition: 't#1', attempt: 1 });
    await a1.write([reject('user_id=1')]);
    await a1.commit();
    const a2 = store.open({ run: 'r', table: 't', partition: 't#1', attempt: 2 });
    expect(await a2.commit()).toEqual({
      run: 'r',
      table: 't',
      partition: 't#1',
      attempt: 2,
      rows: 0,
      byRule: {},
    });
    expect(await store.list('r')).toEqual([]);
  });

  it('lists per partition, filters by ledger attempts, and reads rows back', async () => {
    const store = new RejectStore(root);
    for (const [partition, attempt, keys] of [
      ['t#10', 1, ['user_id=10']],
      ['t#2', 1, ['user_id=2', 'user_id=3']],
      ['u#0', 4, ['user_id=7']],
    ] as const) {
      const w = store.open({ run: 'r', table: partition.split('#')[0]!, partition, attempt });
      await w.write(keys.map((k) => reject(k)));
      await w.commit();
    }
    expect((await store.list('r')).map((s) => s.partition)).toEqual(['t#2', 't#10', 'u#0']);
    const only = await store.list('r', {
      attempts: new Map([
        ['t#2', 1],
        ['u#0', 3],
      ]),
    });
    expect(only.map((s) => s.partition)).toEqual(['t#2']);
    const rows = [];
    for await (const r of store.read('r', { table: 't' })) rows.push(r.key);
    expect(rows).toEqual(['user_id=2', 'user_id=3', 'user_id=10']);
    expect(await store.list('other')).toEqual([]);
    expect(() => store.dirFor('../x')).toThrow(/not a run id/);
  });
});
