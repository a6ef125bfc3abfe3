import type { Secret } from '../../core/index.js';

/** How to reach and authenticate to NATS. Secrets are read from files or given as `Secret`s; none is logged. */
export interface NatsConnectOptions {
  /**
   * Server URL(s): `nats://host:port`, `tls://host:port` (TLS required) or `host:port`. A `user:password@` in a
   * URL is taken out of the URL and used as `user`/`password`.
   */
  servers: string | string[];
  user?: string;
  password?: Secret | string;
  token?: Secret | string;
  /** File holding an nkey seed (`SU…`), for nkey authentication. */
  nkeySeedFile?: string;
  /** A `.creds` file (user JWT and nkey seed), for decentralised JWT authentication. */
  credsFile?: string;
  /** TLS: the CA that signed the server's certificate, and a client certificate for mutual TLS. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Client name shown in the server's monitoring pages (default `ferry`). */
  name?: string;
  /**
   * Reconnect attempts per server after a lost connection before giving up (default 600, i.e. about ten
   * minutes at the default wait; -1 retries forever).
   */
  maxReconnectAttempts?: number;
  /** Milliseconds between reconnect attempts (default 1000, plus up to 250 ms jitter). */
  reconnectWaitMs?: number;
  /** Milliseconds for the initial connection handshake and JetStream API requests (default 10 000). */
  timeoutMs?: number;
}

/** Bounded exponential backoff for one kind of operation. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the second attempt, in ms; doubled each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Tuning of the JetStream resources and loops of the NATS transport. Every field has a default. */
export interface NatsTransportOptions {
  /** Time a worker may hold a task without a heartbeat before JetStream redelivers it, ms (default 60 000). */
  ackWaitMs: number;
  /**
   * Deliveries of one task before it is reported as a failed result (a dead letter, default 5). Handler
   * failures come back as results and do not count; crashes, timeouts and hand-backs do.
   */
  maxDeliver: number;
  /** Tasks delivered but not yet acknowledged across all workers of a run (default 1000). */
  maxAckPending: number;
  /** Pull requests that may wait on the shared consumer at once: bounds workers × concurrency (default 512). */
  maxWaiting: number;
  /** Size bound of a run's task stream in bytes; publishing waits when full (`discard: new`, default 256 MiB). */
  taskStreamMaxBytes: number;
  /** Size bound of a run's result stream in bytes (default 1 GiB). */
  resultStreamMaxBytes: number;
  /** Replicas of every stream and of the KV bucket: 1 on a single server, 3 on a cluster (default 1). */
  replicas: number;
  /** Size bound of the `ferry-runs` KV bucket in bytes (default 1 GiB). */
  kvMaxBytes: number;
  /** How long JetStream remembers message ids to drop a re-published task or result, ms (default 6 h). */
  duplicateWindowMs: number;
  /** After the consume signal aborts: how long running tasks may still finish, ms (default 30 000). */
  graceMs: number;
  /** Delay before a handed-back (NAKed) task is delivered again, ms (default 5000). */
  nakDelayMs: number;
  /** How long one pull request waits for a task, ms (default 5000, minimum 1000). */
  pullExpiresMs: number;
  /** How often a worker looks for new runs' task streams, ms (default 2000). */
  discoveryIntervalMs: number;
  /** Minimum spacing of in-progress heartbeats per task, ms (default min(5000, ackWaitMs / 4)). */
  heartbeatIntervalMs?: number;
  /** Task publishes in flight at once (default 256). */
  publishWindow: number;
  /** Publishing a task or result until its PubAck (default 12 attempts, 100 ms doubling to 5 s). */
  publishRetry: RetryPolicy;
  /** Re-creating a consumer, an iterator or a KV read after an error (default 30 attempts, 200 ms to 5 s). */
  recoverRetry: RetryPolicy;
  /** Milliseconds to wait for a PubAck or an API reply (default 10 000). */
  requestTimeoutMs: number;
  /** Restrict a worker to these runs (default: every run it discovers). */
  runIds?: string[];
}

export const DEFAULT_TRANSPORT_OPTIONS: NatsTransportOptions = {
  ackWaitMs: 60_000,
  maxDeliver: 5,
  maxAckPending: 1000,
  maxWaiting: 512,
  taskStreamMaxBytes: 256 * 1024 * 1024,
  resultStreamMaxBytes: 1024 * 1024 * 1024,
  replicas: 1,
  kvMaxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 6 * 60 * 60 * 1000,
  graceMs: 30_000,
  nakDelayMs: 5000,
  pullExpiresMs: 5000,
  discoveryIntervalMs: 2000,
  publishWindow: 256,
  publishRetry: { attempts: 12, baseDelayMs: 100, maxDelayMs: 5000 },
  recoverRetry: { attempts: 30, baseDelayMs: 200, maxDelayMs: 5000 },
  requestTimeoutMs: 10_000,
};

/** Defaults filled in; throws on values JetStream would refuse. */
export function resolveTransportOptions(partial: Partial<NatsTransportOptions> = {}): NatsTransportOptions {
  const o: NatsTransportOptions = { ...DEFAULT_TRANSPORT_OPTIONS, ...partial };
  const positive: (keyof NatsTransportOptions)[] = [
    'ackWaitMs',
    'maxDeliver',
    'maxAckPending',
    'maxWaiting',
    'taskStreamMaxBytes',
    'resultStreamMaxBytes',
    'replicas',
    'kvMaxBytes',
    'duplicateWindowMs',
    'publishWindow',
    'requestTimeoutMs',
  ];
  for (const k of positive) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`NATS transport option ${k} must be a positive number, got ${String(v)}`);
    }
  }
  o.pullExpiresMs = Math.max(1000, o.pullExpiresMs);
  return o;
}

/** Spacing of in-progress heartbeats: often enough that two can be lost within one AckWait. */
export function heartbeatSpacing(o: NatsTransportOptions): number {
  return o.heartbeatIntervalMs ?? Math.min(5000, Math.max(50, Math.floor(o.ackWaitMs / 4)));
}
