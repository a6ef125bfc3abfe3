import { describe, expect, it } from 'vitest';
import {
  checkRunId,
  parseTaskMsgId,
  partitionKey,
  planChunkKey,
  resultMsgId,
  runOfTaskStream,
  stateKey,
  taskMsgId,
  taskStream,
  taskSubject,
} from './names.js';

describe('NATS names', () => {
  it('derives stream, subject and message ids from the run id', () => {
    expect(taskStream('20250301T101500Z-3fa9c1')).toBe('FERRY_TASKS_20250301T101500Z-3fa9c1');
    expect(taskSubject('20250301T101500Z-3fa9c1')).toBe('ferry.20250301T101500Z-3fa9c1.tasks');
    expect(runOfTaskStream('FERRY_TASKS_20250301T101500Z-3fa9c1')).toBe('20250301T101500Z-3fa9c1');
    expect(runOfTaskStream('KV_ferry-runs')).toBeUndefined();
    expect(taskMsgId({ runId: 'r1', partitionId: 'public.orders#7', attempt: 2 })).toBe(
      'r1/public.orders#7/2',
    );
    expect(resultMsgId('r1', 'public.orders#7', 2)).toBe('r1/public.orders#7/2/result');
  });

  it('parses a task message id back, even when the partition id holds slashes', () => {
    expect(parseTaskMsgId('r1/a/b.c#3/12')).toEqual({ runId: 'r1', partitionId: 'a/b.c#3', attempt: 12 });
    expect(parseTaskMsgId('r1/p#1/0')).toBeUndefined();
    expect(parseTaskMsgId('nothing')).toBeUndefined();
  });

  it('refuses run ids that cannot be subject tokens or KV key parts', () => {
    for (const bad of ['a.b', 'a b', 'a*', 'a>', '', 'x'.repeat(121), 'ä']) {
      expect(() => checkRunId(bad)).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
    expect(checkRunId('run_1-A')).toBe('run_1-A');
  });

  it('encodes partition ids (any character) into valid KV keys', () => {
    const key = partitionKey('r1', 'error', 'we"ird sch.tab/le#1');
    expect(key).toMatch(/^[-/_=.a-zA-Z0-9]+$/);
    expect(key.startsWith('r1.error.')).toBe(true);
    expect(Buffer.from(key.slice('r1.error.'.length), 'hex').toString()).toBe('we"ird sch.tab/le#1');
    expect(planChunkKey('r1', 'ab:cd', 3)).toBe('r1.plan.abcd.3');
    expect(() => stateKey('r1', 'a.b')).toThrow();
    expect(stateKey('r1', 'results-read')).toBe('r1.state.results-read');
  });
});
