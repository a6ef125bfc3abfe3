import { vi } from 'vitest';
import { registerRejectsCommand } from '../../cli/commands/rejects.js';
import { buildProgram } from '../../cli/index.js';
import type { ExpectedCustomer } from './fixture.js';

/** One line of `ferry rejects --json`. */
export interface RejectLine {
  table: string;
  partition: string;
  key: string;
  rule: string;
  column?: string;
  reason: string;
  row: Record<string, unknown>;
}

/**
 * `ferry rejects …` run in this process on the CLI's program (with the command registered if cli/index.ts does
 * not register it yet), its stdout parsed as JSON.
 */
export async function ferryRejects(args: string[]): Promise<{
  total: number;
  tables: { table: string; rows: number; byRule: Record<string, number> }[];
  rejects: RejectLine[];
}> {
  const program = registerRejectsCommand(buildProgram());
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'ferry', 'rejects', ...args, '--json']);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out);
}

/** A customer row as the test reads it back from a target, in the shape of `ExpectedCustomer`. */
export type CustomerRow = ExpectedCustomer;

/** Counts of the values of a map, e.g. rejects per rule. */
export function countBy(values: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
