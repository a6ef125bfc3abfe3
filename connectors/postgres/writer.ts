import type * as A from 'apache-arrow';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  FerryError,
  type LedgerEntry,
  type LoadRequest,
  loadIsolatingRefused,
  SAVEPOINT_SQL,
  type LogicalType,
  type PartitionWriter,
  type RefusedRow,
  tableName,
} from '../../core/index.js';
import { dataReader, displayValue, logicalTypeOf, type PgCodec, PgCopyEncoder } from '../../formats/index.js';
import { closeClient, query, wrapPgError } from './connection.js';
import { checkFence, type FenceRequest, recordLoad } from './ledger.js';
import { ident, qualified, rangeSql } from './sql-text.js';

/**
 * One partition load = one transaction:
 *
 *   BEGIN → fence check → [DELETE range] → COPY … FROM STDIN (FORMAT binary) ← encoded batches
 *         → end COPY → fence check with the partition's fence and ledger rows locked (FOR UPDATE)
 *         → ledger upsert → COMMIT                                                  abort/error → ROLLBACK
 *
 * PostgreSQL reports a bad row as `COPY t, line N, column c`; the writer keeps each batch's key columns
 * (not the rows) so line N maps back to the row's key, and the last batches whole to show the value. A raw
 * load (the source's binary COPY bytes passed through) has no batches: its errors name the line.
 */

interface SentBatch {
  first: number;
  rows: number;
  batch: A.RecordBatch;
  full: boolean;
}

const KEEP_FULL_BATCHES = 4;

/** The `what` of a refused row's wrapped error: its message is `refused: <the server's message>`. */
const REFUSED = 'refused';

export class PostgresPartitionWriter implements PartitionWriter {
  private stream: ReturnType<typeof copyFrom> | undefined;
  private streamError: unknown;
  private readonly sent: SentBatch[] = [];
  private readonly encoder: PgCopyEncoder;
  private readonly keyIdx: number[];
  private done = false;
  private readonly name: string;
  private readonly onAbort = () => void this.abort();
  private readonly fence: FenceRequest;
  /** The COPY statement (set by `open`). */
  private copySql = '';

  private constructor(
    private readonly client: pg.Client,
    private readonly request: LoadRequest,
    codecs: PgCodec[],
    private readonly ledgerSchema: string,
    private readonly release: (c: pg.Client) => void,
    private readonly signal?: AbortSignal,
  ) {
    const t = request.table;
    this.name = tableName(t);
    this.fence = {
      runId: request.runId,
      partitionId: request.partition.id,
      fence: request.attempt,
      clearRange: request.clearRange,
    };
    this.keyIdx = t.primaryKey.map((k) => t.columns.findIndex((c) => c.name === k)).filter((i) => i >= 0);
    this.encoder = new PgCopyEncoder(codecs, {
      names: t.columns.map((c) => c.name),
      keyColumns: this.keyIdx,
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Opens the transaction, checks the fence, clears the range if asked, and starts the COPY. */
  static async open(
    client: pg.Client,
    request: LoadRequest,
    codecs: PgCodec[],
    options: {
      ledgerSchema: string;
      defaultSchema: string;
      release: (c: pg.Client) => void;
      signal?: AbortSignal;
    },
  ): Promise<PostgresPartitionWriter> {
    const w = new PostgresPartitionWriter(
      client,
      request,
      codecs,
      options.ledgerSchema,
      options.release,
      options.signal,
    );
    const t = request.table;
    const partition = request.partition.id;
    try {
      await query(client, 'BEGIN', [], 'cannot begin the load transaction');
      // Early refusal of a stale delivery, before any row is sent; the binding check is at commit.
      await checkFence(client, options.ledgerSchema, w.fence, { lock: false });
      if (request.clearRange) {
        const range = request.partition.range;
        if (range.columns.includes('ctid') && !range.whole)
          throw new FerryError('CONFIG', `cannot clear a ctid range of ${w.name} on the target`, {
            table: w.name,
            partition,
            hint: 're-run the whole table',
          });
        const types = new Map<string, LogicalType>(t.columns.map((c) => [c.name, c.type]));
        await query(
          client,
          `DELETE FROM ${qualified(t, options.defaultSchema)} WHERE ${rangeSql(range, types)}`,
          [],
          `cannot clear partition ${partition} of ${w.name}`,
          { table: w.name, partition },
        );
      }
      const cols = t.columns.map((c) => ident(c.name)).join(', ');
      w.copySql = `COPY ${qualified(t, options.defaultSchema)} (${cols}) FROM STDIN (FORMAT binary)`;
      // Isolating refused rows: one COPY per batch under a savepoint (writeIsolating), none spanning the load.
      if (request.isolateRefused) return w;
      const stream = client.query(copyFrom(w.copySql));
      stream.on('error', (e) => {
        w.streamError ??= e;
      });
      w.stream = stream;
      // A raw load sends the source's own stream, header and trailer included.
      if (!request.rawFormat) await w.send(w.encoder.header());
      return w;
    } catch (e) {
      await w.fail();
      throw w.wrap(e);
    }
  }

  private async send(bytes: Uint8Array): Promise<void> {
    const stream = this.stream!;
    if (this.streamError) throw this.streamError;
    if (!stream.write(bytes)) {
      await new Promise<void>((resolve, reject) => {
        const done = (e?: unknown) => {
          stream.off('drain', ok);
          stream.off('error', done);
          stream.off('close', ok);
          if (e) reject(e);
          else resolve();
        };
        const ok = () => done();
        stream.once('drain', ok);
        stream.once('error', done);
        stream.once('close', ok);
      });
      if (this.streamError) throw this.streamError;
    }
  }

  async write(batch: A.RecordBatch): Promise<void> {
    if (this.request.isolateRefused)
      throw new FerryError('INTERNAL', 'write on a writer opened with isolateRefused: use writeIsolating');
    if (this.done)
      throw new FerryError('INTERNAL', `write after commit/abort on partition ${this.request.partition.id}`);
    try {
      const first = this.encoder.rowCount;
      const bytes = this.encoder.encode(batch);
      this.sent.push({ first, rows: batch.numRows, batch: batch, full: true });
      // Only the last few batches are kept whole; older ones keep just their key columns.
      const old = this.sent[this.sent.length - 1 - KEEP_FULL_BATCHES];
      if (old?.full) {
        old.batch = old.batch.selectAt(this.keyIdx);
        old.full = false;
      }
      await this.send(bytes);
    } catch (e) {
      await this.fail();
      throw this.wrap(e);
    }
  }

  async writeIsolating(batch: A.RecordBatch): Promise<RefusedRow[]> {
    if (this.done)
      throw new FerryError('INTERNAL', `write after commit/abort on partition ${this.request.partition.id}`);
    if (!this.request.isolateRefused)
      throw new FerryError('INTERNAL', 'writeIsolating on a writer not opened with isolateRefused');
    try {
      return await loadIsolatingRefused(batch.numRows, {
        load: (from, to) => this.copyOnce(batch, from, to),
        savepoint: async (step) => void (await query(this.client, SAVEPOINT_SQL[step])),
        refusal: (e) => {
          const err = wrapPgError(e, REFUSED, { table: this.name });
          if (err.code !== 'DATA') return undefined;
          const column = err.context.column;
          return { message: err.message.slice(REFUSED.length + 2), ...(column ? { column } : {}) };
        },
      });
    } catch (e) {
      await this.fail();
      throw this.wrap(e);
    }
  }

  /** One COPY of rows `[from, to)` of a batch, waited for: the server's verdict on exactly these rows. */
  private async copyOnce(batch: A.RecordBatch, from: number, to: number): Promise<void> {
    // Encoded first: a value ferry cannot encode is refused like one the server refuses, before COPY starts.
    const bytes = this.encoder.encode(batch, from, to);
    const stream = this.client.query(copyFrom(this.copySql));
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('finish', resolve);
      stream.write(this.encoder.header());
      stream.write(bytes);
      stream.end(this.encoder.trailer());
    });
  }

  /** Appends bytes of the source's binary COPY stream unchanged (`LoadRequest.rawFormat` 'pg-binary'). */
  async writeRaw(chunk: Uint8Array): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `write after commit/abort on partition ${this.request.partition.id}`);
    try {
      await this.send(chunk);
    } catch (e) {
      await this.fail();
      throw this.wrap(e);
    }
  }

  async commit(entry: Omit<LedgerEntry, 'committedAt'>): Promise<void> {
    if (this.done)
      throw new FerryError('INTERNAL', `commit after commit/abort on partition ${entry.partitionId}`);
    try {
      await this.endCopy();
      // Locks the partition's fence and ledger rows until COMMIT: a newer delivery that started meanwhile, or
      // committed first, makes this one roll back (a worker paused past its ack deadline cannot commit).
      await checkFence(this.client, this.ledgerSchema, this.fence, { lock: true });
      await recordLoad(this.client, this.ledgerSchema, entry);
      await query(this.client, 'COMMIT', [], `cannot commit partition ${entry.partitionId}`);
      this.finish(true);
    } catch (e) {
      await this.fail();
      throw this.wrap(e);
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    await this.fail();
  }

  async checkAndAbort(): Promise<void> {
    if (this.done) throw new FerryError('INTERNAL', `check after commit/abort on partition ${this.request.partition.id}`);
    try {
      await this.endCopy();
    } catch (e) {
      await this.fail();
      throw this.wrap(e);
    }
    await this.fail();
  }

  /** Ends the COPY (the trailer, unless the raw stream carried its own) and waits for the server's verdict. */
  private endCopy(): Promise<void> {
    const stream = this.stream;
    if (!stream) return Promise.resolve(); // isolating: each batch's COPY has ended already
    return new Promise<void>((resolve, reject) => {
      if (this.streamError) return reject(this.streamError);
      stream.once('finish', resolve);
      stream.once('error', reject);
      if (this.request.rawFormat) stream.end();
      else stream.end(this.encoder.trailer());
    });
  }

  /** Rolls back and discards the connection (a COPY may be half sent). */
  private async fail(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.stream && !this.stream.writableFinished) {
      await closeClient(this.client, true);
      return;
    }
    try {
      await this.client.query('ROLLBACK');
      this.release(this.client);
    } catch {
      await closeClient(this.client, true);
    }
  }

  private finish(ok: boolean): void {
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (ok) this.release(this.client);
  }

  /** Wraps an error once, naming table, partition, column, key and value (from COPY's line number). */
  private wrap(e: unknown): FerryError {
    const partition = this.request.partition.id;
    if (this.signal?.aborted && !(e instanceof FerryError))
      return new FerryError('ABORTED', `loading partition ${partition} of ${this.name} was cancelled`, {
        table: this.name,
        partition,
      });
    const where = (e as { where?: string }).where ?? '';
    const m = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(where);
    const ctx: Record<string, string> = { table: this.name, partition };
    if (m) {
      const row = Number(m[1]) - 1;
      const column = m[2] ?? (e as { column?: string }).column;
      if (column) ctx.column = column;
      const hit = this.sent.find((s) => row >= s.first && row < s.first + s.rows);
      if (hit) {
        const i = row - hit.first;
        const keyOf = (b: A.RecordBatch, k: number) =>
          displayValue(dataReader(b.data.children[k]!, logicalTypeOf(b.schema.fields[k]!)).get(i));
        if (this.keyIdx.length)
          ctx.key = (
            hit.full
              ? this.keyIdx.map((k) => keyOf(hit.batch, k))
              : this.keyIdx.map((_, j) => keyOf(hit.batch, j))
          ).join(', ');
        const c = hit.full && column ? hit.batch.schema.fields.findIndex((f) => f.name === column) : -1;
        if (c >= 0) ctx.value = keyOf(hit.batch, c);
      }
    }
    return wrapPgError(e, `loading partition ${partition} of ${this.name} failed`, ctx, 'CONNECTION');
  }
}
