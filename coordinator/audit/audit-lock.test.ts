import type * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from './audit-log.js';
import { verifyAuditLog } from './verify-audit.js';

/** `readFileSync` of the lock file, made to find it gone once: another process released it after our try. */
let vanishOnce: string | undefined;
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    readFileSync: (path: fs.PathOrFileDescriptor, options?: unknown) => {
      if (path === vanishOnce) {
        vanishOnce = undefined;
        real.unlinkSync(path);
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      }
      return real.readFileSync(path, options as never);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-audit-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('audit log lock', () => {
  it('takes the lock when its holder releases it between our attempt and our read of it', async () => {
    const log = new AuditLog(join(dir, 'audit', 'audit.log'));
    mkdirSync(join(dir, 'audit'));
    // Held by a live process that is not us (our parent), then released at the worst moment.
    const lock = `${log.path}.lock`;
    writeFileSync(lock, String(process.ppid));
    vanishOnce = lock;
    await log.append({
      event: 'started',
      time: '2026-01-02T03:04:05.000Z',
      invocation: 'inv',
      user: 'u',
      host: 'h',
      pid: 1,
      command: 'run',
      args: [],
    });
    expect(vanishOnce).toBeUndefined();
    expect(verifyAuditLog(log)).toMatchObject({ ok: true, entries: 1 });
  });
});
