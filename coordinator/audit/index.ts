/**
 * coordinator/audit: the tamper-evident audit trail every `ferry` command appends to (see docs/audit.md).
 *
 *   command ─► AuditLog.append(record) ─► audit.log (JSON lines, SHA-256 chain, fsynced) + audit.head
 *   ferry audit verify ─► verifyAuditLog ─► first edited / removed / inserted / reordered entry, or a cut-off tail
 */
export * from './audit-entry.js';
export * from './audit-identity.js';
export * from './audit-log.js';
export * from './redact-args.js';
export * from './verify-audit.js';
