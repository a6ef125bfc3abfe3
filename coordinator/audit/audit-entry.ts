import { createHash } from 'node:crypto';
import { canonicalJson } from '../../checksums/index.js';

/** What one audit entry records: a command starting or finishing, or a step a command took (a rollback). */
export type AuditEvent = 'started' | 'finished' | 'rollback';

/** Row, partition and reject counts a command knew, as decimal text where they may exceed 2^53. */
export interface AuditCounts {
  rows?: string;
  partitions?: number;
  rejects?: string;
}

/** How a command ended. `errorCode` is the FerryError code (never the message: it may quote data values). */
export interface AuditResult {
  status: 'ok' | 'failed';
  exitCode: number;
  errorCode?: string;
}

/** The fields a caller gives; the log adds `seq`, `prev` and `hash`. */
export interface AuditRecord {
  event: AuditEvent;
  /** ISO 8601 UTC time of the append. */
  time: string;
  /** Pairs the `started` and `finished` entries of one command invocation. */
  invocation: string;
  user: string;
  host: string;
  pid: number;
  /** The subcommand, e.g. `run`, `rollback`, `audit`. */
  command: string;
  /** Its arguments with every secret replaced by `***`. */
  args: string[];
  runId?: string;
  tables?: string[];
  counts?: AuditCounts;
  result?: AuditResult;
  durationMs?: number;
  /** Small facts a step adds (e.g. a rollback's per-table outcome); no secrets, no data values. */
  details?: Record<string, string | number | boolean>;
}

/**
 * One line of the audit log. `hash` is the SHA-256 (hex) of the canonical JSON of every other field, `prev`
 * included, so each entry seals the one before it; the first entry's `prev` is {@link AUDIT_GENESIS}.
 */
export interface AuditEntry extends AuditRecord {
  /** Format version. */
  v: 1;
  /** 1-based position in the log. */
  seq: number;
  prev: string;
  hash: string;
  /**
   * Set by the log when, before this append, the log no longer matched its head file (its tail was cut off or
   * replaced, or the head file was gone: then `hash` is empty): the head as it was, kept as evidence in the chain.
   */
  headBefore?: AuditHead;
}

/** The `prev` of the first entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** The hash an entry must carry: SHA-256 over the canonical JSON (sorted keys) of the entry without `hash`. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _ignored, ...rest } = entry as AuditEntry;
  return createHash('sha256')
    .update(canonicalJson(JSON.stringify(rest)), 'utf8')
    .digest('hex');
}

/** Seals a record as entry `seq` after the entry whose hash is `prev`. */
export function sealAuditEntry(
  record: AuditRecord,
  seq: number,
  prev: string,
  headBefore?: AuditHead,
): AuditEntry {
  const entry: Omit<AuditEntry, 'hash'> = {
    v: 1,
    seq,
    prev,
    ...record,
    ...(headBefore ? { headBefore } : {}),
  };
  return { ...entry, hash: auditEntryHash(entry) };
}

/** The head file's content: how many entries the log held after the last append, and the last one's hash. */
export interface AuditHead {
  count: number;
  hash: string;
}
