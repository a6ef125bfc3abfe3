import { randomBytes } from 'node:crypto';

/**
 * A new run id: the UTC time to the second and 6 random hex digits, e.g. `20250301T101500Z-3fa9c1`.
 * Sorts by start time; safe in file names, NATS subjects and SQL literals.
 */
export function generateRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
