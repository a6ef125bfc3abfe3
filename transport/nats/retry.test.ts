import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../core/index.js';
import { backoffDelay, sleep, withRetry } from './retry.js';

function capture() {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), records };
}

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe('backoff', () => {
  it('doubles from the base delay up to the cap, with at most 20 % jitter below', () => {
    const p = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(p, 1, () => 0)).toBe(80);
  });

  it('sleep rejects with the signal reason when aborted', async () => {
    const c = new AbortController();
    const s = sleep(10_000, c.signal);
    c.abort(new Error('stop'));
    await expect(s).rejects.toThrow('stop');
  });
});

describe('withRetry', () => {
  it('retries until success and logs each retry with the operation and the reason', async () => {
    const { log, records } = capture();
    let n = 0;
    const v = await withRetry('publishing task x', fast, { log }, async () => {
      if (++n < 3) throw new Error(`timeout ${n}`);
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(records.map((r) => [r.op, r.attempt, r.reason])).toEqual([
      ['publishing task x', 1, 'timeout 1'],
      ['publishing task x', 2, 'timeout 2'],
    ]);
  });

  it('gives up after the bound with a CONNECTION error naming the operation', async () => {
    const { log, records } = capture();
    const p = withRetry('reading results', fast, { log }, async () => {
      throw new Error('no route');
    });
    await expect(p).rejects.toMatchObject({
      code: 'CONNECTION',
      message: 'NATS: reading results (4 attempts) failed: no route',
    });
    expect(records).toHaveLength(3);
  });

  it('stops at once on a closed connection, a non-retryable FerryError, or a rethrown error', async () => {
    const { log } = capture();
    const closed = Object.assign(new Error('closed connection'), { name: 'ClosedConnectionError' });
    let calls = 0;
    await expect(
      withRetry('x', fast, { log }, async () => {
        calls++;
        throw closed;
      }),
    ).rejects.toMatchObject({ code: 'CONNECTION' });
    expect(calls).toBe(1);
    const config = new FerryError('CONFIG', 'bad');
    await expect(withRetry('x', fast, { log }, async () => Promise.reject(config))).rejects.toBe(config);
    const cas = new Error('wrong last sequence');
    await expect(
      withRetry('x', fast, { log, rethrow: (e) => e === cas }, async () => Promise.reject(cas)),
    ).rejects.toBe(cas);
  });

  it('runs beforeRetry between attempts (e.g. to re-create a stream)', async () => {
    const { log } = capture();
    const seen: string[] = [];
    let n = 0;
    await withRetry(
      'x',
      fast,
      { log, beforeRetry: (e) => void seen.push(String((e as Error).message)) },
      async () => {
        if (++n === 1) throw new Error('stream not found');
      },
    );
    expect(seen).toEqual(['stream not found']);
  });
});
