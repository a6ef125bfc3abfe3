import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunDirectory } from './run-state.js';

const info = { runId: 'r', source: 'duckdb:a', target: 'duckdb:b', mode: 'create', workers: 2, verify: true, startedAt: '2026-01-01T00:00:00Z' };
const result = (id: string, status: 'done' | 'failed', attempt = 1) => ({
  partitionId: id,
  table: 't',
  attempt,
  status,
  bytes: 1,
  durationMs: 1,
  ...(status === 'done' ? { verified: true } : { error: { code: 'DATA', message: 'bad', retryable: false, context: {} } }),
});

describe('RunDirectory', () => {
  const dirs: string[] = [];
  const make = () => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-state-'));
    dirs.push(d);
    return new RunDirectory(d, 'r');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('folds events into partition states and attempts', () => {
    const dir = make();
    dir.append({ type: 'run_started', info, planHash: 'h' });
    dir.append({ type: 'partition_dispatched', partitionId: 't#0', attempt: 1 }, { type: 'partition_dispatched', partitionId: 't#1', attempt: 1 });
    dir.append({ type: 'partition_result', result: result('t#0', 'done') });
    dir.append({ type: 'partition_result', result: result('t#1', 'failed') });
    dir.append({ type: 'partition_dispatched', partitionId: 't#1', attempt: 2 });
    const s = dir.snapshot();
    expect(s.info).toEqual(info);
    expect(s.partitions.get('t#0')).toMatchObject({ status: 'done', attempts: 1 });
    expect(s.partitions.get('t#1')).toMatchObject({ status: 'dispatched', attempts: 2 });
    expect(s.status).toBe('running');
    dir.append({ type: 'run_finished', status: 'failed' });
    expect(dir.snapshot().status).toBe('failed');
    dir.close();
  });

  it('ignores a torn last line left by a crash mid-write', () => {
    const dir = make();
    dir.append({ type: 'run_started', info, planHash: 'h' });
    dir.close();
    appendFileSync(dir.eventsFile, '{"ts":"x","type":"partition_res');
    expect(dir.readEvents()).toHaveLength(1);
  });

  it('refuses a second live coordinator and takes over a dead one’s lock', () => {
    const dir = make();
    dir.lock();
    const other = new RunDirectory(join(dir.dir, '..'), 'r');
    // Same process: the lock names our pid, so it is taken again (a restart of this very process).
    expect(() => other.lock()).not.toThrow();
    rmSync(join(dir.dir, 'lock'));
    appendFileSync(join(dir.dir, 'lock'), '1');
    // pid 1 is alive (init) and not us: refused with a clear message.
    expect(() => other.lock()).toThrow(/in use by process 1/);
    rmSync(join(dir.dir, 'lock'));
    appendFileSync(join(dir.dir, 'lock'), '999999999');
    expect(() => other.lock()).not.toThrow();
  });
});
