import { randomUUID } from 'node:crypto';
import { FerryError, type Logger } from '../../core/index.js';
import { type Conn, destroy, end, isBroken, rows, run } from './connection.js';

/** A reader connection lent to one read. */
export interface Lease {
  conn: Conn;
  /** Cancels a running query without closing the connection (snapshot connections must survive). */
  kill?: (threadId: number) => Promise<void>;
  /** Returns the connection; `finished`: the server completed or cancelled the query, so it can be reused. */
  release(finished: boolean): Promise<void>;
}

function abortError(signal: AbortSignal): FerryError {
  return new FerryError('ABORTED', 'waiting for a source connection was cancelled', { cause: signal.reason });
}

/**
 * One consistent read point shared by parallel readers — the technique mydumper uses:
 *
 *   control: FLUSH TABLES WITH READ LOCK ─► each of N readers: START TRANSACTION WITH CONSISTENT SNAPSHOT
 *            ─► record binlog/GTID position ─► UNLOCK TABLES
 *
 * Writes are blocked only while the N transactions open. Reads borrow one of the N connections; a read
 * abandoned midway is stopped with KILL QUERY, which keeps the transaction (and its snapshot). A connection
 * that dies takes its transaction with it and cannot rejoin the snapshot: reads continue on the others, and
 * when none is left every read fails (CONNECTION, not retryable) rather than read another point in time.
 */
export class SnapshotPool {
  private readonly idle: Conn[];
  private readonly waiters: { resolve: (c: Conn) => void; reject: (e: FerryError) => void }[] = [];
  private live: number;
  private released = false;

  private constructor(
    readonly id: string,
    readonly position: string | undefined,
    conns: Conn[],
    private readonly control: Conn,
    private readonly logger: Logger,
  ) {
    this.idle = [...conns];
    this.live = conns.length;
  }

  /** Opens `size` reader connections in one snapshot. Needs the RELOAD privilege (CONFIG error otherwise). */
  static async open(
    openReader: () => Promise<Conn>,
    control: Conn,
    size: number,
    logger: Logger,
  ): Promise<SnapshotPool> {
    const settled = await Promise.allSettled(Array.from({ length: size }, () => openReader()));
    const conns = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      for (const c of conns) destroy(c);
      throw failed.reason;
    }
    let position: string | undefined;
    try {
      // Bound the wait for FTWRL, which queues behind running statements and then blocks every writer.
      await run(control, 'SET SESSION lock_wait_timeout = 60');
      await run(control, 'FLUSH TABLES WITH READ LOCK', [], {
        hint: 'the consistent snapshot needs the RELOAD privilege (and no statement running for over a minute); or use snapshot=per-partition',
      });
      try {
        await Promise.all(conns.map((c) => run(c, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')));
        position = await binlogPosition(control);
      } finally {
        await run(control, 'UNLOCK TABLES');
      }
    } catch (e) {
      for (const c of conns) destroy(c);
      throw e;
    }
    const id = `mysql-snapshot-${randomUUID()}`;
    logger.info({ snapshot: id, readers: size, position }, 'opened consistent MySQL snapshot');
    return new SnapshotPool(id, position, conns, control, logger);
  }

  /** Borrows a connection of the snapshot, waiting while all are busy. */
  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.released || this.live === 0) return Promise.reject(this.lost());
    signal?.throwIfAborted();
    let conn = this.idle.pop();
    while (conn && isBroken(conn)) {
      // Died while idle (server restart, KILL CONNECTION): its transaction and snapshot are gone with it.
      this.dropConnection(conn);
      if (this.live === 0) return Promise.reject(this.lost());
      conn = this.idle.pop();
    }
    if (conn) return Promise.resolve(this.lease(conn));
    return new Promise<Conn>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal));
        },
        { once: true },
      );
    }).then((c) => this.lease(c));
  }

  private lost(): FerryError {
    return new FerryError(
      'CONNECTION',
      `the consistent MySQL snapshot ${this.id} is gone (its connections closed or it was released)`,
      {
        retryable: false,
        hint: 'a MySQL snapshot cannot be rejoined: re-run the affected tables from a new snapshot, or accept a non-consistent read with snapshot=per-partition',
      },
    );
  }

  private lease(conn: Conn): Lease {
    return {
      conn,
      kill: (threadId) => run(this.control, `KILL QUERY ${Number(threadId)}`).then(() => undefined),
      release: async (finished) => {
        if (!finished || isBroken(conn) || this.released) {
          this.dropConnection(conn);
          return;
        }
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(conn);
        else this.idle.push(conn);
      },
    };
  }

  private dropConnection(conn: Conn): void {
    destroy(conn);
    this.live--;
    if (!this.released)
      this.logger.warn({ snapshot: this.id, left: this.live }, 'a connection of the MySQL snapshot closed');
    if (this.live === 0) for (const w of this.waiters.splice(0)) w.reject(this.lost());
  }

  /** Ends every transaction of the snapshot. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    for (const w of this.waiters.splice(0)) w.reject(this.lost());
    await Promise.all(
      this.idle.splice(0).map((c) =>
        run(c, 'ROLLBACK')
          .catch(() => undefined)
          .then(() => end(c)),
      ),
    );
  }
}

/** Best effort: the binlog position or GTID set of the snapshot (empty when binary logging is off). */
async function binlogPosition(control: Conn): Promise<string | undefined> {
  for (const sql of ['SELECT @@GLOBAL.gtid_binlog_pos AS p', 'SELECT @@GLOBAL.gtid_executed AS p']) {
    try {
      const [row] = await rows<{ p: string | null }>(control, sql);
      if (row?.p) return `gtid ${row.p}`;
    } catch {
      // The other flavour's variable.
    }
  }
  // MySQL 8.4 removed SHOW MASTER STATUS for SHOW BINARY LOG STATUS (8.2+); MariaDB has only the first.
  for (const sql of ['SHOW MASTER STATUS', 'SHOW BINARY LOG STATUS']) {
    try {
      const [row] = await rows<{ File?: string; Position?: string }>(control, sql);
      if (row?.File) return `binlog ${row.File}:${row.Position}`;
      return undefined;
    } catch {
      // The other server's statement, or no privilege to read the position: the snapshot is still consistent.
    }
  }
  return undefined;
}

/**
 * Connections for reads outside a shared snapshot: each read runs in its own consistent-snapshot transaction
 * (the partition is one point in time; the run is not). Idle connections are kept for the next read.
 */
export class ReadConnections {
  private readonly idle: Conn[] = [];
  private closed = false;

  constructor(
    private readonly openReader: () => Promise<Conn>,
    private readonly maxIdle: number,
  ) {}

  async acquire(signal?: AbortSignal): Promise<Lease> {
    signal?.throwIfAborted();
    if (this.closed) throw new FerryError('INTERNAL', 'reading from a closed MySQL source');
    let conn = this.idle.pop();
    while (conn && isBroken(conn)) conn = this.idle.pop();
    conn ??= await this.openReader();
    try {
      await run(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    } catch (e) {
      destroy(conn);
      throw e;
    }
    const c = conn;
    return {
      conn: c,
      release: async (finished) => {
        if (!finished || isBroken(c) || this.closed) {
          destroy(c);
          return;
        }
        try {
          await run(c, 'COMMIT');
        } catch {
          destroy(c);
          return;
        }
        if (this.idle.length < this.maxIdle) this.idle.push(c);
        else await end(c);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((c) => end(c)));
  }
}
