import { FerryError, type LogicalType } from '../../core/index.js';
import { type JsValue, formatDate, formatTime, formatTimestamp } from '../../formats/index.js';
import { daysFromCivil } from './temporal.js';

/**
 * Lists travel to MySQL as JSON arrays (MySQL has no array type) and back. Numbers are written and read as
 * their exact text (int64 digits, decimals as JSON strings, floats as shortest round-trip text), never through
 * a JS number wider than it can hold; dates and timestamps as JSON strings in ferry's key-text forms.
 */

function element(v: JsValue | null, t: LogicalType, column: string): string {
  if (v === null) return 'null';
  switch (t.kind) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
      return String(v);
    case 'float': {
      const n = v as number;
      if (!Number.isFinite(n))
        throw new FerryError('DATA', `column ${column}: a JSON array cannot hold the float ${n}`, {
          column,
          value: String(n),
        });
      return Object.is(n, -0) ? '-0.0' : String(n);
    }
    case 'date':
      return JSON.stringify(formatDate(v as number));
    case 'time':
      return JSON.stringify(formatTime(v as bigint));
    case 'timestamp':
      return JSON.stringify(formatTimestamp(v as bigint));
    case 'list':
      return listToJson(v as (JsValue | null)[], t.element, column);
    default:
      // text, uuid, decimal (as a string: a JSON number would be rounded by MySQL 8's binary JSON)
      return JSON.stringify(String(v));
  }
}

/** The JSON array text of a list value. */
export function listToJson(values: (JsValue | null)[], elementType: LogicalType, column = '?'): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    out += element(values[i]!, elementType, column);
  }
  return `${out}]`;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'array'; items: Token[] };

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw new FerryError('DATA', `not a JSON array ferry wrote: ${this.text.slice(0, 80)}`, {
      value: this.text.slice(0, 200),
    });
  }

  ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  value(): Token {
    this.ws();
    const c = this.text[this.pos];
    if (c === '[') return this.array();
    if (c === '"') {
      const m = /"(?:[^"\\]|\\.)*"/y;
      m.lastIndex = this.pos;
      const found = m.exec(this.text) ?? this.fail();
      this.pos = m.lastIndex;
      return { kind: 'string', value: JSON.parse(found[0]) as string };
    }
    const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text) ?? this.fail();
    this.pos = m.lastIndex;
    return /^[tfn]/.test(found[0]) ? { kind: 'literal', text: found[0] } : { kind: 'number', text: found[0] };
  }

  array(): Token {
    this.pos++;
    const items: Token[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') this.fail();
    }
  }
}

function convert(tok: Token, t: LogicalType, p: Parser): JsValue | null {
  if (tok.kind === 'literal' && tok.text === 'null') return null;
  switch (t.kind) {
    case 'bool':
      return tok.kind === 'literal' ? tok.text === 'true' : p.fail();
    case 'int': {
      if (tok.kind !== 'number' || !/^-?\d+$/.test(tok.text)) p.fail();
      const wide = t.bits === 64 || (t.bits === 32 && t.unsigned);
      return wide ? BigInt(tok.text) : Number(tok.text);
    }
    case 'float':
      return tok.kind === 'number' ? Number(tok.text) : p.fail();
    case 'date':
    case 'timestamp':
    case 'time': {
      if (tok.kind !== 'string') p.fail();
      const m =
        /^(-?\d{4,})-(\d\d)-(\d\d)(?: (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?$|^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(
          tok.value,
        ) ?? p.fail();
      if (t.kind === 'time') {
        if (m[8] === undefined) p.fail();
        return (
          BigInt(Number(m[8]) * 3600 + Number(m[9]) * 60 + Number(m[10])) * 1_000_000n +
          BigInt((m[11] ?? '').padEnd(6, '0'))
        );
      }
      if (m[1] === undefined) p.fail();
      const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
      if (t.kind === 'date') return days;
      const secs = days * 86400 + Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
      return BigInt(secs) * 1_000_000n + BigInt((m[7] ?? '').padEnd(6, '0'));
    }
    case 'list': {
      if (tok.kind !== 'array') return p.fail();
      const element = t.element;
      return tok.items.map((x: Token) => convert(x, element, p));
    }
    case 'decimal':
      return tok.kind === 'string' || tok.kind === 'number'
        ? tok.kind === 'string'
          ? tok.value
          : tok.text
        : p.fail();
    default:
      return tok.kind === 'string' ? tok.value : p.fail();
  }
}

/** Parses the JSON array text of a list column back into element values (inverse of {@link listToJson}). */
export function jsonToList(text: string, elementType: LogicalType): (JsValue | null)[] {
  const p = new Parser(text);
  const tok = p.value();
  p.ws();
  if (tok.kind !== 'array' || p.pos !== text.length) return p.fail();
  return tok.items.map((x) => convert(x, elementType, p));
}
