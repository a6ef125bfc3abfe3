import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';

/**
 * RELIABILITY S05: a failed partition names its row by key — but when the key is personal data (a column named
 * like an e-mail, phone or national id) the key appears only as a hash, in the error output, the log, the event
 * log and the report. The target's own echo of the row is removed too (connectors/postgres/error-values.ts).
 */
const svc = await requireServices(['pg']);
const MARKER = `pii-${process.pid}@example.com`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('personal data in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pii-errors-'));
  let src: TestDatabase;
  let dst: TestDatabase;
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'piierrsrc');
    dst = await createTestDatabase('pg', svc.urls.pg!, 'piierrdst');
    await sql(
      src.url,
      `CREATE TABLE subscribers (email text PRIMARY KEY, name text);
       INSERT INTO subscribers SELECT 'user' || i || '@example.org', 'name ' || i FROM generate_series(1, 500) i;
       INSERT INTO subscribers VALUES ('${MARKER}', NULL)`,
    );
    await sql(dst.url, 'CREATE TABLE subscribers (email text PRIMARY KEY, name text NOT NULL)');
  });
  afterAll(async () => {
    await dst?.drop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a refused row whose key is an e-mail address is named by a hash, nowhere by its value', async () => {
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'subscribers', '--mode', 'append',
      '--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--run-id', 'piierr',
    ]);
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/key hash:[0-9a-f]{16}/);
    expect(out).toMatch(/column name/);
    expect(out).not.toContain(MARKER);
    for (const f of filesUnder(dir)) {
      const text = readFileSync(f, 'utf8');
      const at = text.indexOf(MARKER);
      expect(at < 0 ? '' : text.slice(Math.max(0, at - 300), at + 100), f).toBe('');
    }
  });
});
