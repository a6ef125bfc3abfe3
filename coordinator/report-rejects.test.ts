import { describe, expect, it } from 'vitest';
import type { PartitionResult, Plan, TablePlan } from '../core/index.js';
import { buildReport, rejectLimitError, reportMarkdown, tableRejects } from './report.js';
import { foldEvents, type RunEvent, type RunInfo } from './run-state.js';

const table: TablePlan = {
  source: { name: 'users', columns: [], primaryKey: ['user_id'], estimatedRows: 0, estimatedBytes: 0 },
  target: { name: 'customers', columns: [], primaryKey: [], estimatedRows: 0, estimatedBytes: 0 },
  columns: [],
  keyColumns: ['user_id'],
  mode: 'create',
  partitioning: { strategy: 'range', reason: 'test' },
  partitions: [0, 1].map((index) => ({
    id: `users#${index}`,
    table: 'users',
    index,
    range: { columns: ['user_id'] },
    estimatedRows: 100,
  })),
  transform: { version: 1 },
  verifyBy: 'table',
};
const plan: Plan = {
  version: 1,
  hash: 'h',
  source: { connector: 't', display: 'src' },
  target: { connector: 't', display: 'dst' },
  mode: 'create',
  options: { partitionRows: 100, batchRows: 10 },
  tables: [table],
};
const info: RunInfo = {
  runId: 'r1',
  source: 'src',
  target: 'dst',
  mode: 'create',
  workers: 1,
  verify: true,
  startedAt: '2025-01-01T00:00:00Z',
};

function result(id: string, rows: string, rejected: PartitionResult['rejected']): PartitionResult {
  return {
    partitionId: id,
    table: 'users',
    attempt: 1,
    status: 'done',
    written: { rows, sum: '0'.repeat(32) },
    bytes: 10,
    durationMs: 1,
    ...(rejected ? { rejected } : {}),
  };
}

const events: RunEvent[] = [
  { type: 'run_started', info, planHash: 'h' },
  {
    type: 'partition_result',
    result: result('users#0', '90', { rows: 10, byRule: { map: 4, 'not_null(country)': 6 } }),
  },
  { type: 'partition_result', result: result('users#1', '95', { rows: 5, byRule: { map: 5 } }) },
  {
    type: 'table_verified',
    table: 'users',
    ok: true,
    expected: { rows: '185', sum: '0'.repeat(32) },
    actual: { rows: '185', sum: '0'.repeat(32) },
  },
  { type: 'run_finished', status: 'succeeded' },
];
const snapshot = foldEvents(events.map((e) => ({ ts: '', ...e })));

describe('reject counts in reports', () => {
  it('adds up a table’s rejects per rule from its partitions’ results', () => {
    expect(tableRejects(table, snapshot)).toEqual({
      rejected: 15,
      byRule: { map: 9, 'not_null(country)': 6 },
      loaded: 185n,
    });
  });

  it('reports source rows as loaded + rejected, target rows from the whole-table verification', () => {
    const r = buildReport(plan, info, snapshot, 1);
    const t = r.tables[0]!;
    expect(t).toMatchObject({
      sourceRows: '200',
      targetRows: '185',
      rejected: 15,
      rejectsByRule: { map: 9, 'not_null(country)': 6 },
      rejectPercent: 7.5,
      verified: true,
      verifiedBy: 'table',
    });
    expect(r.failures).toEqual([]);
    const md = reportMarkdown(r);
    expect(md).toContain('| users | **all rules** | **15** (7.5%) |');
    expect(md).toContain('| users | map | 9 |');
    expect(md).toContain('Verified as whole tables');
  });

  it('lists a table above max_reject_percent among the failures with a clear message', () => {
    const r = buildReport(plan, info, snapshot, 1, { maxRejectPercent: 5 });
    expect(r.maxRejectPercent).toBe(5);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.message).toContain(
      'users: 15 of 200 source rows were rejected (7.50%), above max_reject_percent 5% (map 9, not_null(country) 6)',
    );
    expect(r.failures[0]!.message).toContain('ferry rejects r1 --table users');
    expect(reportMarkdown(r)).toContain('- DATA: users: 15 of 200 source rows were rejected');
    expect(buildReport(plan, info, snapshot, 1, { maxRejectPercent: 7.5 }).failures).toEqual([]);
  });

  it('has no limit error for a table that read no rows', () => {
    expect(rejectLimitError(table, { rejected: 0, byRule: {}, loaded: 0n }, 0, 'r1')).toBeUndefined();
    expect(rejectLimitError(table, { rejected: 1, byRule: { x: 1 }, loaded: 0n }, 0, 'r1')?.code).toBe(
      'DATA',
    );
  });
});
