import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './harness.js';

/**
 * The audit trail through the CLI: several commands (ok and failing, one with a password canary in a URL flag)
 * append a hash-chained log; `ferry audit verify` passes on it and exits 1 naming the entry after one is
 * edited, removed or reordered, or the tail is cut off; no secret is ever written.
 */
const CANARY = 'Audit-Canary-9d2b71';

describe('the audit trail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-audit-cli-'));
  const log = join(dir, 'audit', 'audit.log');
  const head = join(dir, 'audit', 'audit.head');
  const env = { FERRY_AUDIT_LOG: log };
  const src = join(dir, 'src.duckdb');
  const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const verify = (...extra: string[]) => ferry(['audit', 'verify', ...extra], env);
  /** Runs `tamper` on the log lines, checks what verify says, then puts log and head back. */
  async function tampered(
    tamper: (ls: string[]) => string[],
  ): Promise<{ code: number | null; stdout: string }> {
    const saved = { log: readFileSync(log, 'utf8'), head: readFileSync(head, 'utf8') };
    writeFileSync(
      log,
      tamper(lines())
        .map((l) => `${l}\n`)
        .join(''),
    );
    const r = await verify();
    writeFileSync(log, saved.log);
    writeFileSync(head, saved.head);
    return r;
  }

  beforeAll(async () => {
    const instance = await DuckDBInstance.create(src);
    const c = await instance.connect();
    await c.run(
      'CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR); INSERT INTO t SELECT i, i::VARCHAR FROM range(50) r(i)',
    );
    c.closeSync();
    instance.closeSync();
    expect(
      (
        await ferry(
          ['plan', '--from', `duckdb:${src}`, '--to', `duckdb:${join(dir, 'x.duckdb')}`, '--json'],
          env,
        )
      ).code,
    ).toBe(0);
    const secret = await ferry(
      [
        'plan',
        '--from',
        `postgres://alice:${CANARY}@127.0.0.1:9/nodb`,
        '--to',
        `duckdb:${join(dir, 'x.duckdb')}`,
      ],
      env,
    );
    expect(secret.code).not.toBe(0);
    expect((await ferry(['status', 'no-such-run', '--state-dir', join(dir, 'runs')], env)).code).toBe(2);
    expect((await ferry(['audit', 'show'], env)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records every command with its user, host, redacted arguments and result', async () => {
    const show = await ferry(['audit', 'show', '--json'], env);
    const entries = JSON.parse(show.stdout) as Record<string, unknown>[];
    expect(entries.map((e) => `${e.seq} ${e.event} ${e.command}`)).toEqual([
      '1 started plan',
      '2 finished plan',
      '3 started plan',
      '4 finished plan',
      '5 started status',
      '6 finished status',
      '7 started audit',
      '8 finished audit',
      '9 started audit',
    ]);
    expect(entries[0]).toMatchObject({
      user: expect.any(String),
      host: expect.any(String),
      args: ['--from', `duckdb:${src}`, '--to', `duckdb:${join(dir, 'x.duckdb')}`, '--json'],
    });
    expect(entries[1]).toMatchObject({ result: { status: 'ok', exitCode: 0 } });
    expect(entries[2]!.args).toContain('postgres://alice:***@127.0.0.1:9/nodb');
    expect(entries[3]).toMatchObject({ result: { status: 'failed', exitCode: 1, errorCode: 'CONNECTION' } });
    expect(entries[5]).toMatchObject({
      runId: 'no-such-run',
      result: { status: 'failed', exitCode: 2, errorCode: 'NOT_FOUND' },
    });
    const text = await ferry(['audit', 'show'], env);
    expect(text.stdout).toMatch(/^#1 \S+ \S+@\S+ started plan --from duckdb:/m);
  });

  it('never writes a secret', () => {
    expect(readFileSync(log, 'utf8')).not.toContain(CANARY);
    expect(readFileSync(head, 'utf8')).not.toContain(CANARY);
  });

  it('verifies an untouched log', async () => {
    const r = await verify('--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, problems: [] });
  });

  it('fails naming an edited entry', async () => {
    const r = await tampered((ls) => {
      ls[3] = ls[3]!.replace('"exitCode":1', '"exitCode":0').replace('"status":"failed"', '"status":"ok"');
      return ls;
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('audit log FAILED: entry 4 (line 4) was edited');
  });

  it('fails naming the place of a removed entry', async () => {
    const r = await tampered((ls) => ls.filter((_, i) => i !== 4));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('entry 6 (line 5) does not follow entry 4');
    expect(r.stdout).toContain('entries 5 are missing here');
  });

  it('fails on reordered entries', async () => {
    const r = await tampered((ls) => [ls[0]!, ls[2]!, ls[1]!, ...ls.slice(3)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('entry 3 (line 2) does not follow entry 1');
  });

  it('fails when the tail is cut off, even after later commands appended', async () => {
    const r = await tampered((ls) => ls.slice(0, 6));
    expect(r.code).toBe(1);
    // The verify command itself appended entry 7 after the cut: the entry carries the evidence.
    expect(r.stdout).toMatch(
      /when entry 7 \(line 7\) was appended, the log no longer matched its head \(\d+ entries/,
    );
    expect(r.stdout).toMatch(/had been removed from the end/);
  });

  it('fails when the head file is deleted', async () => {
    const saved = { log: readFileSync(log, 'utf8'), head: readFileSync(head, 'utf8') };
    rmSync(head);
    const r = await verify();
    writeFileSync(log, saved.log);
    writeFileSync(head, saved.head);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('its head file was missing');
  });
});
