import { describe, expect, it } from 'vitest';
import { TASK_SCHEMA } from '../transport.js';
import { deadLetterResult, parseTask, tableOfPartition } from './dead-letter.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('task messages', () => {
  it('parses a task and nothing else', () => {
    const task = { schema: TASK_SCHEMA, runId: 'r', partitionId: 'public.t#1', attempt: 2 };
    expect(parseTask(enc({ ...task, extra: 1 }))).toEqual(task);
    expect(parseTask(new TextEncoder().encode('{'))).toBeUndefined();
    expect(parseTask(enc({ runId: 'r' }))).toBeUndefined();
    expect(parseTask(enc({ ...task, schema: 99 }))).toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('schema 99'),
    });
  });

  it('builds a non-retryable dead letter naming deliveries, last note and the retry command', () => {
    const r = deadLetterResult(
      { schema: TASK_SCHEMA, runId: 'r1', partitionId: 'public.orders#4', attempt: 3 },
      5,
      {
        attempt: 3,
        delivery: 5,
        message: 'handed back: worker stopped',
        at: '2025-01-01T00:00:00Z',
      },
    );
    expect(r).toMatchObject({
      partitionId: 'public.orders#4',
      table: 'public.orders',
      attempt: 3,
      status: 'failed',
    });
    expect(r.error).toMatchObject({
      code: 'PARTITION_FAILED',
      retryable: false,
      context: { run: 'r1', partition: 'public.orders#4' },
    });
    expect(r.error!.message).toContain('delivered 5 times');
    expect(r.error!.message).toContain('handed back: worker stopped');
    expect(r.error!.context.hint).toContain('ferry retry r1 --partition public.orders#4');
    expect(tableOfPartition('no-hash')).toBe('');
  });
});
