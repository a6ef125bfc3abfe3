import { FerryError } from '../../core/index.js';

/**
 * A MySQL/MariaDB column type as ferry spells it in `Column.nativeType`: information_schema's COLUMN_TYPE
 * (`int(10) unsigned zerofill`, `enum('a','b')`, `decimal(65,30)`), followed for character columns by
 * ` CHARACTER SET cs COLLATE coll`, and `json` for MariaDB's JSON alias (LONGTEXT checked by json_valid).
 * Everything a reader needs to decode a column is in this one string, so a worker reading from a plan does not
 * introspect again.
 */
export interface NativeType {
  /** The data type, lower case: `int`, `varchar`, `enum`, `decimal`, `json`, `point`… */
  base: string;
  /** Numeric arguments in parentheses (`varchar(20)` → [20], `decimal(65,30)` → [65, 30]). */
  args: number[];
  /** ENUM and SET members, unquoted. */
  members: string[];
  unsigned: boolean;
  zerofill: boolean;
  charset?: string;
  collation?: string;
}

const ESCAPES: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', Z: '\x1a', b: '\b' };

/** Reads a quoted member starting at `text[i] === "'"`; returns the member and the index after it. */
function quoted(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      out += ESCAPES[next] ?? next;
      i += 2;
    } else if (c === "'") {
      if (text[i + 1] === "'") {
        out += "'";
        i += 2;
      } else return [out, i + 1];
    } else {
      out += c;
      i++;
    }
  }
  throw new FerryError('TYPE', `unterminated quoted member in MySQL type ${text}`, { value: text });
}

/** Parses a native type string (see {@link NativeType}). Throws TYPE for text it cannot read. */
export function parseNativeType(text: string): NativeType {
  const head = /^\s*(double precision|[a-z][a-z0-9_]*)\s*(\(|$|\s)/i.exec(text);
  if (!head) throw new FerryError('TYPE', `cannot read MySQL column type "${text}"`, { value: text });
  const base = head[1]!.toLowerCase();
  const out: NativeType = { base, args: [], members: [], unsigned: false, zerofill: false };
  let i = head[0].length - (head[2] === '(' ? 1 : 0);
  if (text[i] === '(') {
    i++;
    let arg = '';
    while (i < text.length && text[i] !== ')') {
      const c = text[i]!;
      if (c === "'") {
        const [member, next] = quoted(text, i);
        out.members.push(member);
        i = next;
      } else if (c === ',') {
        if (arg.trim()) out.args.push(Number(arg.trim()));
        arg = '';
        i++;
      } else {
        arg += c;
        i++;
      }
    }
    if (arg.trim()) out.args.push(Number(arg.trim()));
    if (text[i] !== ')')
      throw new FerryError('TYPE', `cannot read MySQL column type "${text}"`, { value: text });
    i++;
  }
  const words = text.slice(i).trim().split(/\s+/).filter(Boolean);
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!.toLowerCase();
    if (word === 'unsigned') out.unsigned = true;
    else if (word === 'zerofill') out.zerofill = true;
    else if (word === 'signed') continue;
    else if (word === 'character' && words[w + 1]?.toLowerCase() === 'set' && words[w + 2]) {
      out.charset = words[w + 2]!.toLowerCase();
      w += 2;
    } else if (word === 'collate' && words[w + 1]) {
      out.collation = words[w + 1]!.toLowerCase();
      w += 1;
    } else throw new FerryError('TYPE', `cannot read MySQL column type "${text}"`, { value: text });
  }
  if (out.args.some((n) => !Number.isInteger(n)))
    throw new FerryError('TYPE', `cannot read MySQL column type "${text}"`, { value: text });
  return out;
}

/** Quotes an ENUM/SET member for DDL. */
function quoteMember(m: string): string {
  return `'${m.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** The DDL spelling of a parsed type (inverse of {@link parseNativeType}, charset and collation included). */
export function formatNativeType(t: NativeType): string {
  let s = t.base;
  if (t.members.length) s += `(${t.members.map(quoteMember).join(',')})`;
  else if (t.args.length) s += `(${t.args.join(',')})`;
  if (t.unsigned) s += ' unsigned';
  if (t.zerofill) s += ' zerofill';
  if (t.charset) s += ` CHARACTER SET ${t.charset}`;
  if (t.collation) s += ` COLLATE ${t.collation}`;
  return s;
}

/** Character sets whose bytes ferry decodes exactly (MariaDB/MySQL `latin1` is cp1252 with C1 controls). */
export const SUPPORTED_CHARSETS = [
  'utf8mb4',
  'utf8mb3',
  'utf8',
  'latin1',
  'ascii',
  'binary',
  'ucs2',
  'utf16',
  'utf16le',
  'utf32',
] as const;

/** Geometry types: read as WKB (EWKB when the value carries an SRID). */
export const GEOMETRY_TYPES = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);
