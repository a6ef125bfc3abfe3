import { FerryError, type Logger } from '../../core/index.js';
import { isFatal, natsError, reasonOf } from './nats-errors.js';
import type { RetryPolicy } from './options.js';

/** Delay before attempt `n + 1` (n ≥ 1): base × 2^(n−1), capped, with up to 20 % jitter so workers spread out. */
export function backoffDelay(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, n - 1));
  return Math.round(raw * (0.8 + 0.2 * random()));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryContext {
  log: Logger;
  /** Stops retrying (the signal's reason is thrown). */
  signal?: AbortSignal;
  /** Errors handed back to the caller as they are, without retrying (e.g. a lost compare-and-set). */
  rethrow?(e: unknown): boolean;
  /** Runs before each retry, e.g. to re-create a consumer; its own failure counts as the attempt's. */
  beforeRetry?(e: unknown): Promise<void> | void;
}

/**
 * Runs `op` until it succeeds, at most `policy.attempts` times with backoff between attempts. Every retry is
 * logged (warn) with what was being done and why it failed; the last error is thrown as a CONNECTION
 * FerryError naming the operation.
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  ctx: RetryContext,
  op: (attempt: number) => Promise<T>,
): Promise<T> {
  let last: unknown;
  let used = 0;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    used = attempt;
    try {
      if (attempt > 1 && ctx.beforeRetry) await ctx.beforeRetry(last);
      return await op(attempt);
    } catch (e) {
      last = e;
      if (ctx.signal?.aborted) throw ctx.signal.reason;
      if (ctx.rethrow?.(e)) throw e;
      // Closed connection, missing permission, non-retryable FerryError: retrying cannot help.
      if (isFatal(e) || attempt === policy.attempts) break;
      const delayMs = backoffDelay(policy, attempt);
      ctx.log.warn(
        { op: what, attempt, of: policy.attempts, delayMs, reason: reasonOf(e) },
        'NATS: retrying',
      );
      await sleep(delayMs, ctx.signal);
    }
  }
  if (last instanceof FerryError) throw last;
  throw natsError(used > 1 ? `${what} (${used} attempts)` : what, last);
}
