/**
 * The append-only audit log: one JSON line per entry, each sealed by a SHA-256 hash chain, fsynced before
 * `append` returns; beside it a head file (`audit.head`) holding the entry count and last hash, replaced
 * atomically after each append, so a truncated tail shows.
 *
 *   lock (audit.lock, O_EXCL) ─► read the last line (drop a torn one) ─► seal(prev = its hash)
 *     ─► append + fsync ─► head still matched the log? replace head (temp, fsync, rename, fsync dir) ─► unlock
 *
 * A head that does not match the log before the append (a truncated or edited tail) is left as it is, so the
 * evidence survives later appends and `verifyAuditLog` keeps failing until an operator looks.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/index.js';
import {
  AUDIT_GENESIS,
  type AuditEntry,
  type AuditHead,
  type AuditRecord,
  sealAuditEntry,
} from './audit-entry.js';

/** Where the audit log is: `FERRY_AUDIT_LOG`, else `results/audit/audit.log`, relative to `cwd`. */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.FERRY_AUDIT_LOG || join('results', 'audit', 'audit.log'));
}

/** The head file of a log: same directory, same base name, `.head` (`audit.log` → `audit.head`). */
export function auditHeadPath(logPath: string): string {
  const base = basename(logPath, extname(logPath)) || basename(logPath);
  return join(dirname(logPath), `${base}.head`);
}

/** The result of an append. */
export interface AuditAppend {
  entry: AuditEntry;
  /** False when the head did not match the log before this append (see the module comment). */
  headUpdated: boolean;
}

/** The last complete line of the log, parsed when it is an entry. */
interface Tail {
  seq: number;
  hash: string;
  prev?: string;
}

export interface AuditLogOptions {
  /** How long to wait for another process's append (default 10 s). */
  lockTimeoutMs?: number;
}

/** One audit log file and its head. */
export class AuditLog {
  readonly path: string;
  readonly headPath: string;
  private readonly lockTimeoutMs: number;

  constructor(path: string = auditLogPath(), options: AuditLogOptions = {}) {
    this.path = resolve(path);
    this.headPath = auditHeadPath(this.path);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  private get lockPath(): string {
    return join(dirname(this.path), `${basename(this.path)}.lock`);
  }

  /** Appends one entry durably. Throws CONFIG when the log cannot be written (ferry then refuses to work). */
  async append(record: AuditRecord): Promise<AuditAppend> {
    const dir = dirname(this.path);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw this.unwritable(cause);
    }
    await this.lock();
    try {
      let fd: number;
      let created = false;
      try {
        fd = openSync(this.path, 'wx', 0o600);
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw this.unwritable(e);
        fd = openSync(this.path, 'r+');
      }
      try {
        const tail = readTail(fd, this.path);
        const head = this.readHead();
        const headUpdated = headMatches(head, tail);
        const entry = sealAuditEntry(
          record,
          (tail?.seq ?? 0) + 1,
          tail?.hash ?? AUDIT_GENESIS,
          headUpdated ? undefined : (head ?? { count: 0, hash: '' }),
        );
        const end = fstatSync(fd).size;
        writeSync(fd, `${JSON.stringify(entry)}\n`, end);
        fsyncSync(fd);
        if (created) fsyncDir(dir);
        if (headUpdated) this.writeHead({ count: entry.seq, hash: entry.hash });
        return { entry, headUpdated };
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      throw e instanceof FerryError ? e : this.unwritable(e);
    } finally {
      this.unlock();
    }
  }

  /** The head file, or undefined when there is none. Throws DATA when it is not a head. */
  readHead(): AuditHead | undefined {
    let text: string;
    try {
      text = readFileSync(this.headPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const head = JSON.parse(text) as AuditHead;
      if (Number.isSafeInteger(head.count) && typeof head.hash === 'string') return head;
    } catch {
      // Reported below.
    }
    throw new FerryError('DATA', `the audit head file ${this.headPath} is not a ferry audit head`);
  }

  /** The log's lines (without the final newline); `torn` when the last line has no newline (a crash mid-write). */
  readLines(): { lines: string[]; torn: boolean } | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (text === '') return { lines: [], torn: false };
    const torn = !text.endsWith('\n');
    const lines = (torn ? text : text.slice(0, -1)).split('\n');
    return { lines, torn };
  }

  /** Every entry that parses, in file order (for `ferry audit show`; `verifyAuditLog` checks them). */
  readEntries(): AuditEntry[] {
    const read = this.readLines();
    if (!read) return [];
    const out: AuditEntry[] = [];
    const lines = read.torn ? read.lines.slice(0, -1) : read.lines;
    for (const line of lines) {
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A damaged line is verify's to report; show lists what it can read.
      }
    }
    return out;
  }

  private writeHead(head: AuditHead): void {
    const tmp = `${this.headPath}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(head)}\n`, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.headPath);
    fsyncDir(dirname(this.headPath));
  }

  private async lock(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      try {
        const fd = openSync(this.lockPath, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw this.unwritable(e);
      }
      let holder: number;
      try {
        holder = Number(readFileSync(this.lockPath, 'utf8').trim() || 0);
      } catch (e) {
        // Released between our attempt and this read (processes starting together): try again at once.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw this.unwritable(e);
      }
      // A holder that died mid-append leaves its lock behind; a live one is waited for.
      if (holder && holder !== process.pid && !isAlive(holder)) {
        try {
          unlinkSync(this.lockPath);
        } catch {
          // Another process took it over first.
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new FerryError('CONFIG', `the audit log ${this.path} is locked by process ${holder || '?'}`, {
          hint: `wait for it, or remove ${this.lockPath} if that process is gone`,
        });
      }
      await sleep(wait);
    }
  }

  private unlock(): void {
    try {
      if (Number(readFileSync(this.lockPath, 'utf8')) === process.pid) unlinkSync(this.lockPath);
    } catch {
      // Already gone.
    }
  }

  private unwritable(cause: unknown): FerryError {
    return new FerryError('CONFIG', `cannot write the audit log ${this.path}: ${(cause as Error).message}`, {
      cause,
      hint: 'every ferry command is recorded there: make the directory writable, or set FERRY_AUDIT_LOG',
    });
  }
}

/**
 * True when the head described the log as it was before this append: the last entry is the head's, or one
 * past it (a crash between an append and its head update).
 */
function headMatches(head: AuditHead | undefined, tail: Tail | undefined): boolean {
  if (!tail) return !head || head.count === 0;
  if (!head) return false;
  return (
    (tail.seq === head.count && tail.hash === head.hash) ||
    (tail.seq === head.count + 1 && tail.prev === head.hash)
  );
}

/**
 * The last complete line of the file, reading backwards in chunks. A torn last line (no newline: a crash while
 * appending, never fsynced as an entry) is cut off first, so the new entry starts on its own line.
 */
function readTail(fd: number, path: string): Tail | undefined {
  let size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) {
    const cut = lastNewline(fd, size);
    ftruncateSync(fd, cut + 1);
    fsyncSync(fd);
    size = cut + 1;
    if (size === 0) return undefined;
  }
  const start = lastNewline(fd, size - 1) + 1;
  const line = Buffer.alloc(size - 1 - start);
  readSync(fd, line, 0, line.length, start);
  const text = line.toString('utf8');
  try {
    const e = JSON.parse(text) as Partial<AuditEntry>;
    if (Number.isSafeInteger(e.seq) && typeof e.hash === 'string') {
      return { seq: e.seq!, hash: e.hash, ...(typeof e.prev === 'string' ? { prev: e.prev } : {}) };
    }
  } catch {
    // A damaged last line: chain onto its raw bytes, numbered after every line before it.
  }
  const lines = readFileSync(path).subarray(0, size).toString('utf8').split('\n').length - 1;
  return { seq: lines, hash: createHash('sha256').update(line).digest('hex') };
}

/** Offset of the last `\n` before `end` (exclusive), or -1. */
function lastNewline(fd: number, end: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - chunk.length);
    const n = readSync(fd, chunk, 0, pos - from, from);
    const i = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) return from + i;
    pos = from;
  }
  return -1;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
