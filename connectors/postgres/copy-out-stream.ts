import { Readable } from 'node:stream';
import type pg from 'pg';

/**
 * `COPY … TO STDOUT` as a Readable of the CopyData payloads, one Buffer per socket chunk.
 *
 * It replaces pg-copy-streams' `to()` on the read path because that parser was ferry's largest single cost:
 * PostgreSQL sends one CopyData message per row, and pg-copy-streams takes each one through a buffer list
 * (a slice, a length read and a concatenation per message). Profiled on `bench/pg-to-pg.ts` (pgbench -s 50 +
 * 2M mixed rows, 14M messages counting the read-back): 3.2 s of the main thread's 8.3 s busy time. Here a
 * chunk's messages are parsed in place and their payloads copied once into one buffer per chunk.
 *
 * The hand-over with node-postgres is pg-copy-streams' (MIT): while the COPY runs, the connection's `data`
 * listener (pg's protocol parser) is detached and the socket is read here; at CopyDone, or at an
 * ErrorResponse, the unread bytes go back to pg's parser, which completes (or fails) the query as usual.
 */

const ERROR_RESPONSE = 0x45;
const COPY_OUT_RESPONSE = 0x48;
const COPY_DATA = 0x64;
/** Messages PostgreSQL may intersperse during COPY OUT; any other one ends it. */
const INTERSPERSED = new Set([COPY_OUT_RESPONSE, COPY_DATA, 0x53 /* S */, 0x4e /* N */, 0x41 /* A */]);

interface PgConnection {
  stream: NodeJS.ReadableStream;
  query(text: string): void;
}

export class CopyOutStream extends Readable {
  /** Rows PostgreSQL reported in CommandComplete. */
  rowCount = 0;
  private connection: PgConnection | undefined;
  private pgDataHandler: ((b: Buffer) => void) | undefined;
  /** Bytes of an incomplete message header carried to the next chunk. */
  private carry: Buffer | undefined;
  /** Code and unread body bytes of the message being read. */
  private code = 0;
  private remaining = 0;
  private drained = false;
  private forwarding = false;
  private readonly onReadable = () => this.forward();

  constructor(private readonly text: string) {
    super();
  }

  /** Called by pg's Client.query when the query is sent (the Submittable protocol). */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const socket = connection.stream;
    const listeners = socket.listeners('data') as ((b: Buffer) => void)[];
    if (listeners.length !== 1) throw new Error('pg connection has an unexpected data listener');
    this.pgDataHandler = listeners[0];
    socket.removeListener('data', this.pgDataHandler!);
    socket.pause();
    this.forward();
    socket.on('readable', this.onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.drained = true;
    this.forward();
  }

  private forward(): void {
    if (this.forwarding || !this.drained || !this.connection) return;
    this.forwarding = true;
    const socket = this.connection.stream;
    while (this.drained && this.connection) {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) break;
      this.drained = this.parse(chunk);
    }
    this.forwarding = false;
  }

  /** Parses one socket chunk; pushes its CopyData payloads; returns whether more may be pushed. */
  private parse(chunk: Buffer): boolean {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    // The payloads are moved to the front of the chunk itself (they only move left: each drops a header), not
    // into a new buffer: a second buffer per 64 KB chunk was as much garbage again as the socket's own chunks.
    let o = 0;
    let p = 0;
    const end = buf.length;
    let done = false;
    while (p < end) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, end - p);
        if (this.code === COPY_DATA) {
          if (o !== p) buf.copyWithin(o, p, p + n);
          o += n;
        }
        p += n;
        this.remaining -= n;
        if (this.remaining === 0 && !INTERSPERSED.has(this.code)) {
          done = true;
          break;
        }
        continue;
      }
      if (buf[p] === ERROR_RESPONSE) {
        // pg's parser reads the error and fails the query (handleError below).
        this.detach(buf.subarray(p));
        return false;
      }
      if (end - p < 5) {
        this.carry = Buffer.from(buf.subarray(p));
        break;
      }
      this.code = buf[p]!;
      this.remaining = buf.readUInt32BE(p + 1) - 4;
      p += 5;
      if (this.remaining === 0 && !INTERSPERSED.has(this.code)) {
        done = true;
        break;
      }
    }
    const drained = o > 0 ? this.push(buf.subarray(0, o)) : true;
    if (done) {
      this.detach(buf.subarray(p));
      this.push(null);
    }
    return drained;
  }

  /** Gives the socket back to pg's parser, starting with the bytes this stream did not consume. */
  private detach(unread: Buffer): void {
    const connection = this.connection!;
    const socket = connection.stream;
    socket.removeListener('readable', this.onReadable);
    socket.addListener('data', this.pgDataHandler!);
    this.connection = undefined;
    this.pgDataHandler!(unread);
    // pg's data handler may pause the socket: resume once it has returned (as pg-copy-streams does).
    process.nextTick(() => socket.resume());
  }

  /** pg calls these on the active query. */
  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg?.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {}
}

/** `client.query(copyOut(sql))`: the stream of a `COPY … TO STDOUT` statement. */
export function copyOut(text: string): CopyOutStream & pg.Submittable {
  return new CopyOutStream(text) as CopyOutStream & pg.Submittable;
}
