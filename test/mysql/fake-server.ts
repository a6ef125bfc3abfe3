import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

/**
 * A minimal MySQL protocol server for tests that need a server to misbehave: it accepts any login, then answers
 * each statement as `handler` says — OK, a result set, an error, or a LOCAL INFILE request for any file name
 * (what a hostile server does to read a client's files). It records every byte of local-file data it receives.
 */

export type Reply =
  | { ok: true; affectedRows?: number; warnings?: number }
  | { error: string; code?: number }
  | { infile: string }
  | { columns: { name: string; type: number }[]; rows: (Buffer | string | null)[][] };

/** MySQL column type codes used by the tests. */
export const TYPE = { LONG: 3, VAR_STRING: 253 } as const;

function packet(seq: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUIntLE(body.length, 0, 3);
  head[3] = seq & 0xff;
  return Buffer.concat([head, body]);
}

function lenenc(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  const b = Buffer.alloc(3);
  b[0] = 0xfc;
  b.writeUInt16LE(n, 1);
  return b;
}

function lenencString(s: Buffer | string): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([lenenc(b.length), b]);
}

const CAPS = 0x1 | 0x2 | 0x4 | 0x8 | 0x80 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000;

function handshake(): Buffer {
  const caps = Buffer.alloc(4);
  caps.writeUInt32LE(CAPS);
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from('10.11.0-fake-MariaDB\0'),
    Buffer.from([1, 0, 0, 0]),
    Buffer.from('abcdefgh'),
    Buffer.from([0]),
    caps.subarray(0, 2),
    Buffer.from([45]),
    Buffer.from([2, 0]),
    caps.subarray(2, 4),
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0'),
    Buffer.from('mysql_native_password\0'),
  ]);
}

const ok = (affected = 0, warnings = 0) =>
  Buffer.concat([
    Buffer.from([0]),
    lenenc(affected),
    lenenc(0),
    Buffer.from([2, 0, warnings & 0xff, warnings >> 8]),
  ]);
const eof = () => Buffer.from([0xfe, 0, 0, 2, 0]);

function columnDefinition(name: string, type: number): Buffer {
  const tail = Buffer.alloc(13);
  tail[0] = 0x0c;
  tail.writeUInt16LE(type === TYPE.LONG ? 63 : 45, 1);
  tail.writeUInt32LE(255, 3);
  tail[7] = type;
  return Buffer.concat([
    lenencString('def'),
    lenencString('fake'),
    lenencString('t'),
    lenencString('t'),
    lenencString(name),
    lenencString(name),
    tail,
  ]);
}

export class FakeServer {
  readonly statements: string[] = [];
  /** Every byte of local-file data clients sent. */
  received = Buffer.alloc(0);
  /** How many LOCAL INFILE requests were answered by a client (with data or an empty packet). */
  infileReplies = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly handler: (sql: string) => Reply) {
    this.server = createServer((socket) => this.serve(socket));
  }

  static async start(handler: (sql: string) => Reply): Promise<FakeServer> {
    const s = new FakeServer(handler);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    return `mysql://u:p@127.0.0.1:${(this.server.address() as AddressInfo).port}/fake`;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    let buffer = Buffer.alloc(0);
    let phase: 'login' | 'command' | 'infile' = 'login';
    let seq = 0;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.write(packet(0, handshake()));
    socket.on('error', () => {});
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      while (buffer.length >= 4) {
        const length = buffer.readUIntLE(0, 3);
        if (buffer.length < 4 + length) return;
        const body = buffer.subarray(4, 4 + length);
        seq = buffer[3]!;
        buffer = buffer.subarray(4 + length);
        if (phase === 'login') {
          socket.write(packet(seq + 1, ok()));
          phase = 'command';
        } else if (phase === 'infile') {
          if (length === 0) {
            this.infileReplies++;
            phase = 'command';
            socket.write(packet(seq + 1, ok(0)));
          } else this.received = Buffer.concat([this.received, body]);
        } else if (body[0] === 0x01) socket.end();
        else if (body[0] === 0x03) {
          const sql = body.subarray(1).toString('utf8');
          this.statements.push(sql);
          phase = this.reply(socket, this.handler(sql)) ? 'infile' : 'command';
        } else socket.write(packet(1, ok()));
      }
    });
  }

  /** Writes the reply; true when it asked for a local file. */
  private reply(socket: Socket, r: Reply): boolean {
    if ('ok' in r) socket.write(packet(1, ok(r.affectedRows, r.warnings)));
    else if ('error' in r) {
      const code = Buffer.alloc(2);
      code.writeUInt16LE(r.code ?? 1105);
      socket.write(
        packet(1, Buffer.concat([Buffer.from([0xff]), code, Buffer.from('#HY000'), Buffer.from(r.error)])),
      );
    } else if ('infile' in r) {
      socket.write(packet(1, Buffer.concat([Buffer.from([0xfb]), Buffer.from(r.infile)])));
      return true;
    } else {
      let s = 1;
      const out = [packet(s++, lenenc(r.columns.length))];
      for (const c of r.columns) out.push(packet(s++, columnDefinition(c.name, c.type)));
      out.push(packet(s++, eof()));
      for (const row of r.rows) {
        out.push(
          packet(s++, Buffer.concat(row.map((v) => (v === null ? Buffer.from([0xfb]) : lenencString(v))))),
        );
      }
      out.push(packet(s++, eof()));
      socket.write(Buffer.concat(out));
    }
    return false;
  }
}

/** Answers like a healthy server to what ferry sends when it opens sources and targets. */
export function ordinary(sql: string): Reply | undefined {
  if (/^SELECT VERSION\(\)/.test(sql))
    return { columns: [{ name: 'v', type: TYPE.VAR_STRING }], rows: [['10.11.0-fake-MariaDB']] };
  if (/@@GLOBAL\.local_infile/.test(sql))
    return { columns: [{ name: 'on', type: TYPE.LONG }], rows: [['1']] };
  if (/^(SET|START|COMMIT|ROLLBACK|CREATE TABLE IF NOT EXISTS)/.test(sql)) return { ok: true };
  if (/^SHOW WARNINGS|^SELECT (started_fence|attempt) AS/.test(sql))
    return { columns: [{ name: 'x', type: TYPE.LONG }], rows: [] };
  return undefined;
}
