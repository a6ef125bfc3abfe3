import type * as A from 'apache-arrow';
import {
  type Column,
  FerryError,
  type LogicalType,
  type TableSpec,
  quoteBacktick,
} from '../../core/index.js';
import {
  type ColumnReader,
  type JsValue,
  batchReaders,
  formatDate,
  formatTime,
  formatTimestamp,
  keyText,
  parseInterval,
} from '../../formats/index.js';
import { listToJson } from './json-list.js';
import { type NativeType, parseNativeType } from './native-type.js';
import { qualifiedName } from './sql.js';

/**
 * Arrow batches → the text LOAD DATA reads, with `FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED
 * BY '\n'`, in utf8mb4. Escaping is exact: NULL is `\N`; backslash, NUL, tab, newline and CR are escaped
 * (`\\ \0 \t \n \r`), so the literal text `\N` arrives as `\\N`, and bytes of any value pass through unchanged.
 * Hot path: text and bytes are copied from Arrow buffers without decoding.
 */

const CHUNK = 1 << 20;
const ENC = new TextEncoder();

/** A growable byte buffer that hands out chunks of about 1 MiB at row boundaries. */
export class ByteWriter {
  buf = new Uint8Array(CHUNK + 65536);
  pos = 0;
  readonly chunks: Uint8Array[] = [];

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Bytes with LOAD DATA's escapes. */
  escaped(bytes: Uint8Array): void {
    this.ensure(bytes.length * 2);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b > 92 || (b > 13 && b !== 92)) buf[p++] = b;
      else if (b === 92) {
        buf[p++] = 92;
        buf[p++] = 92;
      } else if (b === 0) {
        buf[p++] = 92;
        buf[p++] = 48;
      } else if (b === 9) {
        buf[p++] = 92;
        buf[p++] = 116;
      } else if (b === 10) {
        buf[p++] = 92;
        buf[p++] = 110;
      } else if (b === 13) {
        buf[p++] = 92;
        buf[p++] = 114;
      } else buf[p++] = b;
    }
    this.pos = p;
  }

  /** Ends a row; starts a new chunk when this one is full. */
  endRow(): void {
    this.byte(10);
    if (this.pos >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }
}

type Encode = (i: number, w: ByteWriter) => void;

/** A value that cannot be written; the encoder adds table, column and key. */
class EncodeProblem extends Error {
  constructor(
    message: string,
    readonly value: string,
  ) {
    super(message);
  }
}

function sentinel(micros: bigint): boolean {
  return micros >= 0x7fffffffffffffffn || micros <= -0x7fffffffffffffffn;
}

/**
 * DATE and DATETIME hold the years 1 to 9999: days since 1970 of 0001-01-01 and 9999-12-31, and the microseconds
 * of 0001-01-01 00:00 and 10000-01-01 00:00 (the first one past). PostgreSQL's dates reach from 4713 BC to
 * 5874897 AD, and the server would truncate one outside with only a warning that cannot name the value.
 */
const FIRST_DAY = -719_162;
const LAST_DAY = 2_932_896;
const FIRST_MICROS = -62_135_596_800_000_000n;
const END_MICROS = 253_402_300_800_000_000n;

/** `[-]H:MM:SS.ffffff` of a duration, as TIME takes it. */
function timeText(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const secs = abs / 1_000_000n;
  const f = String(abs % 1_000_000n).padStart(6, '0');
  const h = secs / 3600n;
  const m = String((secs / 60n) % 60n).padStart(2, '0');
  const s = String(secs % 60n).padStart(2, '0');
  return `${neg ? '-' : ''}${h}:${m}:${s}.${f}`;
}

function encoderFor(r: ColumnReader, t: LogicalType, nt: NativeType): Encode {
  const bytes = r.bytes;
  switch (t.kind) {
    case 'bool':
      return (i, w) => w.byte(r.get(i) ? 49 : 48);
    case 'int':
      if (nt.base === 'year') return (i, w) => w.ascii(String(r.get(i)).padStart(4, '0'));
      return (i, w) => w.ascii(String(r.get(i)));
    case 'float':
      return (i, w) => {
        const v = r.get(i) as number;
        if (!Number.isFinite(v)) throw new EncodeProblem(`MySQL cannot store the float ${v}`, String(v));
        w.ascii(Object.is(v, -0) ? '-0' : String(v));
      };
    case 'date':
      return (i, w) => {
        const d = r.get(i) as number;
        if (d >= 0x7fffffff || d <= -0x7fffffff)
          throw new EncodeProblem('MySQL has no infinite date', d > 0 ? 'infinity' : '-infinity');
        if (d < FIRST_DAY || d > LAST_DAY) throw new EncodeProblem('MySQL has no date outside the years 1 to 9999', formatDate(d));
        w.ascii(formatDate(d));
      };
    case 'time':
      return (i, w) => w.ascii(formatTime(r.get(i) as bigint));
    case 'timestamp':
      return (i, w) => {
        const v = r.get(i) as bigint;
        if (sentinel(v)) throw new EncodeProblem('MySQL has no infinite timestamp', formatTimestamp(v));
        if (v < FIRST_MICROS || v >= END_MICROS)
          throw new EncodeProblem('MySQL has no timestamp outside the years 1 to 9999', formatTimestamp(v));
        w.ascii(formatTimestamp(v));
      };
    case 'interval':
      if (nt.base === 'time')
        return (i, w) => {
          const text = r.get(i) as string;
          const p = parseInterval(text);
          if (p.months !== 0 || p.days !== 0)
            throw new EncodeProblem(
              'a TIME column holds hours, minutes and seconds only, not months or days',
              text,
            );
          w.ascii(timeText(p.micros));
        };
      return (i, w) => w.escaped(bytes!(i));
    case 'list':
      if (nt.base === 'set')
        return (i, w) => {
          const items = r.get(i) as (JsValue | null)[];
          for (const item of items) {
            if (item === null || String(item).includes(','))
              throw new EncodeProblem('a SET value cannot hold NULL or a comma', JSON.stringify(items));
          }
          w.escaped(ENC.encode(items.join(',')));
        };
      return (i, w) => w.escaped(ENC.encode(listToJson(r.get(i) as (JsValue | null)[], t.element)));
    default:
      // text, uuid, json, decimal, bytes: the Arrow bytes themselves.
      return (i, w) => w.escaped(bytes!(i));
  }
}

/** How one LOAD DATA statement names its columns: directly, or through a variable and a SET expression. */
function loadTarget(column: Column, index: number): { target: string; set?: string } {
  const q = quoteBacktick(column.name);
  // LOAD DATA reads BIT values as strings (their bytes); the number must be converted explicitly.
  if (parseNativeType(column.nativeType).base === 'bit')
    return { target: `@v${index}`, set: `${q} = CAST(@v${index} AS UNSIGNED)` };
  return { target: q };
}

/** The LOAD DATA statement for a table, reading the local "file" `fileName` (only ferry's stream serves it). */
export function loadDataSql(table: TableSpec, fileName: string): string {
  const targets = table.columns.map(loadTarget);
  const sets = targets.flatMap((t) => (t.set ? [t.set] : []));
  return (
    `LOAD DATA LOCAL INFILE '${fileName}' INTO TABLE ${qualifiedName(table)} CHARACTER SET utf8mb4 ` +
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
    `(${targets.map((t) => t.target).join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}

/** The key of row `i` of a batch for an error message: `id=5` or `a=1, b=x`. */
export function rowKey(readers: ColumnReader[], names: string[], keyColumns: string[], i: number): string {
  return keyColumns
    .map((k) => {
      const c = names.indexOf(k);
      const v = c >= 0 ? readers[c]!.get(i) : undefined;
      if (v === undefined) return `${k}=?`;
      if (v === null) return `${k}=NULL`;
      try {
        return `${k}=${keyText(v, readers[c]!.type, k)}`;
      } catch {
        return `${k}=${String(v)}`;
      }
    })
    .join(', ');
}

/**
 * Encodes a batch (columns = the target table's, in order) as LOAD DATA text chunks. Throws DATA naming table,
 * column, key and value for a value MySQL cannot hold (NaN, infinite dates, a month-long TIME).
 */
export function encodeBatch(
  batch: A.RecordBatch,
  table: TableSpec,
  tableLabel: string,
  keyColumns: string[],
  from = 0,
  to = batch.numRows,
): Uint8Array[] {
  const readers = batchReaders(batch);
  const names = batch.schema.fields.map((f) => f.name);
  if (readers.length !== table.columns.length) {
    throw new FerryError(
      'INTERNAL',
      `batch for ${tableLabel} has ${readers.length} columns, the table ${table.columns.length}`,
      {
        table: tableLabel,
      },
    );
  }
  const encoders = readers.map((r, c) =>
    encoderFor(r, r.type, parseNativeType(table.columns[c]!.nativeType)),
  );
  const w = new ByteWriter();
  const width = readers.length;
  for (let i = from; i < to; i++) {
    for (let c = 0; c < width; c++) {
      if (c > 0) w.byte(9);
      if (readers[c]!.isNull(i)) {
        w.byte(92);
        w.byte(78);
        continue;
      }
      try {
        encoders[c]!(i, w);
      } catch (e) {
        const key = rowKey(readers, names, keyColumns, i);
        const column = names[c]!;
        const problem = e instanceof EncodeProblem ? e : new EncodeProblem((e as Error).message, '?');
        throw new FerryError('DATA', `${tableLabel}: column ${column}, row ${key}: ${problem.message}`, {
          table: tableLabel,
          column,
          key,
          value: problem.value,
          cause: e,
          hint: 'map the column to a type that holds the value (e.g. text), or fix it in the source',
        });
      }
    }
    w.endRow();
  }
  w.flush();
  return w.chunks;
}
