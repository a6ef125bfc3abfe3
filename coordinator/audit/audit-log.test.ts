import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, type AuditRecord, auditEntryHash } from './audit-entry.js';
import { AuditLog, auditHeadPath, auditLogPath } from './audit-log.js';
import { verifyAuditLog } from './verify-audit.js';

let dir: string;
let log: AuditLog;

const record = (command: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  event: 'started',
  time: '2026-01-02T03:04:05.000Z',
  invocation: `inv-${command}`,
  user: 'alice',
  host: 'box',
  pid: 42,
  command,
  args: ['--json'],
  ...extra,
});

async function appendN(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await log.append(record(`cmd${i}`));
}

const lines = () => readFileSync(log.path, 'utf8').split('\n').filter(Boolean);
const writeLines = (ls: string[]) => writeFileSync(log.path, ls.map((l) => `${l}\n`).join(''));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-audit-'));
  log = new AuditLog(join(dir, 'audit', 'audit.log'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('audit log', () => {
  it('chains entries from the genesis value, keeps a head, and creates private files', async () => {
    await appendN(3);
    const entries = log.readEntries();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.prev).toBe(AUDIT_GENESIS);
    expect(entries[1]!.prev).toBe(entries[0]!.hash);
    expect(entries[2]!.prev).toBe(entries[1]!.hash);
    for (const e of entries) expect(auditEntryHash(e)).toBe(e.hash);
    expect(log.readHead()).toEqual({ count: 3, hash: entries[2]!.hash });
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'audit')).mode & 0o777).toBe(0o700);
    const v = verifyAuditLog(log);
    expect(v).toMatchObject({ ok: true, entries: 3, lastHash: entries[2]!.hash, problems: [] });
  });

  it('names the head file after the log and honours FERRY_AUDIT_LOG', () => {
    expect(auditHeadPath('/x/audit.log')).toBe('/x/audit.head');
    expect(auditLogPath({}, '/w')).toBe('/w/results/audit/audit.log');
    expect(auditLogPath({ FERRY_AUDIT_LOG: 'a/b.log' }, '/w')).toBe('/w/a/b.log');
  });

  it('finds an edited entry', async () => {
    await appendN(4);
    const ls = lines();
    ls[1] = ls[1]!.replace('"cmd2"', '"cmdX"');
    writeLines(ls);
    const v = verifyAuditLog(log);
    expect(v.ok).toBe(false);
    expect(v.entries).toBe(1);
    expect(v.problems[0]).toMatchObject({ kind: 'edited', line: 2, seq: 2 });
    expect(v.problems[0]!.message).toContain('entry 2 (line 2) was edited');
  });

  it('finds a removed, an inserted and a reordered entry', async () => {
    await appendN(5);
    const ls = lines();
    writeLines([ls[0]!, ls[1]!, ls[3]!, ls[4]!]);
    let v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'broken-link', line: 3, seq: 4 });
    expect(v.problems[0]!.message).toContain('entries 3 are missing here');

    writeLines([ls[0]!, ls[2]!, ls[1]!, ls[3]!, ls[4]!]);
    v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'broken-link', line: 2, seq: 3 });

    writeLines([ls[0]!, ls[1]!, ls[1]!, ls[2]!, ls[3]!, ls[4]!]);
    v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'broken-link', line: 3, seq: 2 });

    writeLines([ls[0]!, ls[1]!, 'not json', ls[2]!, ls[3]!, ls[4]!]);
    v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'malformed', line: 3 });
  });

  it('detects a cut-off tail through the head, and keeps the evidence across later appends', async () => {
    await appendN(5);
    const ls = lines();
    writeLines(ls.slice(0, 3));
    let v = verifyAuditLog(log);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ kind: 'truncated' });
    expect(v.problems[0]!.message).toContain('entries 4…5 were removed from the end');

    // The next command appends; the head is left as it was and the entry records what it found.
    const appended = await log.append(record('later'));
    expect(appended.headUpdated).toBe(false);
    expect(appended.entry.headBefore).toEqual({ count: 5, hash: JSON.parse(ls[4]!).hash });
    await log.append(record('later2'));
    v = verifyAuditLog(log);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ kind: 'truncated', line: 4, seq: 4 });
    expect(v.problems[0]!.message).toContain('entries 4…5 had been removed from the end');
  });

  it('detects a deleted head file, and a head replaced by an older copy', async () => {
    await appendN(2);
    const older = readFileSync(log.headPath, 'utf8');
    await appendN(2);
    writeFileSync(log.headPath, older);
    let v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'beyond-head', severity: 'error' });

    unlinkSync(log.headPath);
    v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'head-missing' });
    await log.append(record('after'));
    v = verifyAuditLog(log);
    expect(v.problems[0]).toMatchObject({ kind: 'head-missing', seq: 5 });
  });

  it('recovers from a torn last line (crash mid-append) and from a crash before the head update', async () => {
    await appendN(2);
    writeFileSync(log.path, `${readFileSync(log.path, 'utf8')}{"v":1,"seq":3,"pre`);
    let v = verifyAuditLog(log);
    expect(v.ok).toBe(true);
    expect(v.problems[0]).toMatchObject({ kind: 'torn-line', severity: 'warning' });
    await log.append(record('next'));
    expect(lines()).toHaveLength(3);
    expect(verifyAuditLog(log)).toMatchObject({ ok: true, entries: 3, problems: [] });

    // Head one behind the log: accepted (with a warning), and the next append brings it forward.
    const head = readFileSync(log.headPath, 'utf8');
    await log.append(record('more'));
    writeFileSync(log.headPath, head);
    v = verifyAuditLog(log);
    expect(v.ok).toBe(true);
    expect(v.problems[0]).toMatchObject({ kind: 'beyond-head', severity: 'warning' });
    expect((await log.append(record('again'))).headUpdated).toBe(true);
    expect(verifyAuditLog(log)).toMatchObject({ ok: true, entries: 5, problems: [] });
  });

  it('checks an anchor recorded earlier', async () => {
    await appendN(2);
    const anchor = verifyAuditLog(log).lastHash!;
    await appendN(1);
    expect(verifyAuditLog(log, { anchor }).ok).toBe(true);
    expect(verifyAuditLog(log, { anchor: 'f'.repeat(64) }).problems[0]).toMatchObject({
      kind: 'anchor-missing',
    });
  });

  it('serialises concurrent appends into one chain', async () => {
    const other = new AuditLog(log.path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? log : other).append(record(`c${i}`))));
    expect(verifyAuditLog(log)).toMatchObject({ ok: true, entries: 20 });
  });

  it('throws NOT_FOUND when there is no log at all', () => {
    expect(() => verifyAuditLog(join(dir, 'none.log'))).toThrow(/no audit log/);
  });
});
