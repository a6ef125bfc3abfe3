import type { LogicalType } from '../../core/index.js';

const SIMPLE: Record<string, LogicalType> = {
  bool: { kind: 'bool' },
  boolean: { kind: 'bool' },
  int8: { kind: 'int', bits: 8 },
  tinyint: { kind: 'int', bits: 8 },
  int16: { kind: 'int', bits: 16 },
  smallint: { kind: 'int', bits: 16 },
  int32: { kind: 'int', bits: 32 },
  int: { kind: 'int', bits: 32 },
  integer: { kind: 'int', bits: 32 },
  int64: { kind: 'int', bits: 64 },
  bigint: { kind: 'int', bits: 64 },
  uint8: { kind: 'int', bits: 8, unsigned: true },
  uint16: { kind: 'int', bits: 16, unsigned: true },
  uint32: { kind: 'int', bits: 32, unsigned: true },
  uint64: { kind: 'int', bits: 64, unsigned: true },
  float32: { kind: 'float', bits: 32 },
  real: { kind: 'float', bits: 32 },
  float64: { kind: 'float', bits: 64 },
  double: { kind: 'float', bits: 64 },
  decimal: { kind: 'decimal' },
  numeric: { kind: 'decimal' },
  text: { kind: 'text' },
  varchar: { kind: 'text' },
  bytes: { kind: 'bytes' },
  bytea: { kind: 'bytes' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  timestamp: { kind: 'timestamp', tz: false },
  timestamptz: { kind: 'timestamp', tz: true },
  interval: { kind: 'interval' },
  uuid: { kind: 'uuid' },
  json: { kind: 'json' },
  jsonb: { kind: 'json', binary: true },
};

const DECIMAL = /^(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;
const TEXT = /^(varchar|char|text)\s*\(\s*(\d+)\s*\)$/;

/** The names `cast:` accepts, for messages. */
export const TYPE_NAMES_HELP =
  'bool, int8/16/32/64, uint8/16/32/64, float32/64, decimal, decimal(p,s), text, varchar(n), char(n), ' +
  'bytes, date, time, timestamp, timestamptz, interval, uuid, json, jsonb';

/**
 * The logical type a config names: ferry's own spellings (as `formatLogicalType` prints them: `int64`,
 * `decimal(12,2)`, `varchar(100)`, `timestamptz`) and the common SQL aliases (`bigint`, `numeric`,
 * `integer`). Returns undefined for an unknown name.
 */
export function parseTypeName(name: string): LogicalType | undefined {
  const s = name.trim().toLowerCase();
  const simple = SIMPLE[s];
  if (simple) return { ...simple };
  const d = DECIMAL.exec(s);
  if (d) {
    const precision = Number(d[1]);
    const scale = d[2] === undefined ? 0 : Number(d[2]);
    if (precision < 1 || scale > precision) return undefined;
    return { kind: 'decimal', precision, scale };
  }
  const t = TEXT.exec(s);
  if (t) {
    const maxLength = Number(t[2]);
    if (maxLength < 1) return undefined;
    return t[1] === 'char' ? { kind: 'text', maxLength, fixed: true } : { kind: 'text', maxLength };
  }
  return undefined;
}
