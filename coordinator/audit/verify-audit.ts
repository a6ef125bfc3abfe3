import { FerryError } from '../../core/index.js';
import { AUDIT_GENESIS, type AuditEntry, type AuditHead, auditEntryHash } from './audit-entry.js';
import { AuditLog } from './audit-log.js';

/** What is wrong with the log (`error`: verification fails) or worth knowing (`warning`). */
export interface AuditProblem {
  severity: 'error' | 'warning';
  kind:
    | 'malformed'
    | 'edited'
    | 'broken-link'
    | 'torn-line'
    | 'head-missing'
    | 'head-invalid'
    | 'truncated'
    | 'head-mismatch'
    | 'beyond-head'
    | 'anchor-missing';
  /** 1-based line of the log the problem is at, when it is at one. */
  line?: number;
  /** The entry's own `seq`, when it could be read. */
  seq?: number;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  file: string;
  /** Entries whose chain verified (all of them when `ok`). */
  entries: number;
  head?: AuditHead;
  /** Hash of the last verified entry: record it elsewhere to anchor the log (`--anchor`). */
  lastHash?: string;
  /** The first error (verification stops there) and any warnings. */
  problems: AuditProblem[];
}

export interface VerifyAuditOptions {
  /** A hash recorded elsewhere earlier (e.g. the `lastHash` of an earlier verify): some entry must have it. */
  anchor?: string;
}

function isEntry(x: unknown): x is AuditEntry {
  const e = x as AuditEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.v === 1 &&
    Number.isSafeInteger(e.seq) &&
    typeof e.prev === 'string' &&
    typeof e.hash === 'string'
  );
}

/**
 * Re-computes the hash chain of an audit log and checks it against its head file. Fails on the first entry
 * that was edited (its hash no longer matches its content), removed, inserted or reordered (its `prev` is not
 * the hash of the line before it), and on a tail cut off or replaced (the head names more entries, or another
 * last hash). Throws NOT_FOUND when there is neither a log nor a head. See docs/audit.md for what a hash chain
 * without a secret can and cannot show.
 */
export function verifyAuditLog(log: AuditLog | string, options: VerifyAuditOptions = {}): AuditVerification {
  const audit = typeof log === 'string' ? new AuditLog(log) : log;
  const problems: AuditProblem[] = [];
  const out = (entries: number, lastHash?: string, head?: AuditHead): AuditVerification => ({
    ok: !problems.some((p) => p.severity === 'error'),
    file: audit.path,
    entries,
    ...(head ? { head } : {}),
    ...(lastHash ? { lastHash } : {}),
    problems,
  });
  let head: AuditHead | undefined;
  try {
    head = audit.readHead();
  } catch (e) {
    problems.push({ severity: 'error', kind: 'head-invalid', message: (e as Error).message });
  }
  const read = audit.readLines();
  if (!read) {
    if (!head && !problems.length) {
      throw new FerryError('NOT_FOUND', `there is no audit log at ${audit.path}`, {
        hint: 'ferry writes it at results/audit/audit.log of the working directory, or at FERRY_AUDIT_LOG',
      });
    }
    problems.push({
      severity: 'error',
      kind: 'truncated',
      message: `the audit log ${audit.path} is missing but its head records ${head?.count ?? '?'} entries`,
    });
    return out(0, undefined, head);
  }
  let lines = read.lines;
  if (read.torn) {
    problems.push({
      severity: 'warning',
      kind: 'torn-line',
      line: lines.length,
      message: `line ${lines.length} is incomplete (a crash while appending); the next append removes it`,
    });
    lines = lines.slice(0, -1);
  }
  let prev = AUDIT_GENESIS;
  const hashes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const expected = hashes.length + 1;
    let entry: unknown;
    try {
      entry = JSON.parse(lines[i]!);
    } catch {
      entry = undefined;
    }
    if (!isEntry(entry)) {
      problems.push({
        severity: 'error',
        kind: 'malformed',
        line,
        message: `line ${line} is not an audit entry (edited or corrupted); expected entry ${expected}`,
      });
      return out(hashes.length, hashes.at(-1), head);
    }
    if (auditEntryHash(entry) !== entry.hash) {
      problems.push({
        severity: 'error',
        kind: 'edited',
        line,
        seq: entry.seq,
        message: `entry ${entry.seq} (line ${line}) was edited: its content does not match its hash`,
      });
      return out(hashes.length, hashes.at(-1), head);
    }
    if (entry.prev !== prev || entry.seq !== expected) {
      const missing =
        entry.seq > expected
          ? ` (entries ${expected}${entry.seq - 1 > expected ? `…${entry.seq - 1}` : ''} are missing here)`
          : '';
      problems.push({
        severity: 'error',
        kind: 'broken-link',
        line,
        seq: entry.seq,
        message: `entry ${entry.seq} (line ${line}) does not follow ${expected === 1 ? 'the start of the log' : `entry ${expected - 1}`}: an entry was removed, inserted or reordered before it${missing}`,
      });
      return out(hashes.length, hashes.at(-1), head);
    }
    if (entry.headBefore) {
      const h = entry.headBefore;
      const cut = h.count > entry.seq - 1;
      const why =
        h.hash === ''
          ? 'its head file was missing (deleted to hide a cut-off tail?)'
          : `the log no longer matched its head (${h.count} entries, last ${h.hash.slice(0, 12)}…): ${cut ? `entries ${entry.seq}${h.count > entry.seq ? `…${h.count}` : ''} had been removed from the end` : 'the tail before it had been replaced'}`;
      problems.push({
        severity: 'error',
        kind: h.hash === '' ? 'head-missing' : cut ? 'truncated' : 'head-mismatch',
        line,
        seq: entry.seq,
        message: `when entry ${entry.seq} (line ${line}) was appended, ${why}`,
      });
      return out(hashes.length, hashes.at(-1), head);
    }
    hashes.push(entry.hash);
    prev = entry.hash;
  }
  const n = hashes.length;
  if (!head) {
    if (!problems.some((p) => p.kind === 'head-invalid')) {
      problems.push({
        severity: 'error',
        kind: 'head-missing',
        message: `the head file ${audit.headPath} is missing, so a cut-off tail cannot be ruled out`,
      });
    }
  } else if (head.count > n) {
    problems.push({
      severity: 'error',
      kind: 'truncated',
      line: n + 1,
      message: `the log ends at entry ${n} but its head records ${head.count} entries: entries ${n + 1}${head.count > n + 1 ? `…${head.count}` : ''} were removed from the end`,
    });
  } else if (head.count > 0 && hashes[head.count - 1] !== head.hash) {
    problems.push({
      severity: 'error',
      kind: 'head-mismatch',
      line: head.count,
      seq: head.count,
      message: `entry ${head.count} (line ${head.count}) is not the entry the head recorded: the tail of the log was replaced`,
    });
  } else if (n === head.count + 1) {
    problems.push({
      severity: 'warning',
      kind: 'beyond-head',
      line: n,
      seq: n,
      message: `entry ${n} follows the head's last entry (a crash between an append and its head update)`,
    });
  } else if (n > head.count + 1) {
    problems.push({
      severity: 'error',
      kind: 'beyond-head',
      line: head.count + 1,
      seq: head.count + 1,
      message: `${n - head.count} entries follow the head's last entry ${head.count}: the head was replaced by an older copy, or entries were appended outside ferry`,
    });
  }
  if (options.anchor && !hashes.includes(options.anchor)) {
    problems.push({
      severity: 'error',
      kind: 'anchor-missing',
      message: `no entry has the anchor hash ${options.anchor}: the log was rewritten since it was recorded`,
    });
  }
  return out(n, hashes.at(-1), head);
}
