/**
 * The fixed prose of docs/type-mapping.md: what the code does not know (engine limits, why a mapping is or is
 * not exact). Everything the code knows — which native type maps to which logical type and back — comes from
 * the connectors in scripts/gen-type-mapping.ts.
 */
import type { LogicalType } from '../core/index.js';

/** Whether a target holds every value of a logical type as is (`ok`), and the sentence that says so. */
export interface Fact {
  ok: boolean;
  text: string;
}

const yes = (text = 'yes'): Fact => ({ ok: true, text });
const limited = (text: string): Fact => ({ ok: false, text });
const noNul =
  'no U+0000: PostgreSQL text cannot hold a NUL character; the server refuses such a value, naming the row';
const jsonbNormalised =
  'normalised: jsonb drops whitespace and duplicate keys and reorders keys; verifies (checksums compare canonical JSON)';

/** Per-target facts for a logical type whose mapping did not fail. */
export const FACTS: Record<
  'mysql' | 'postgres' | 'duckdb' | 'parquet',
  (t: LogicalType, native: string) => Fact
> = {
  mysql(t, native) {
    switch (t.kind) {
      case 'decimal': {
        const [p = 65, s = 0] = (/\((\d+),(\d+)\)/.exec(native) ?? []).slice(1).map(Number);
        return t.precision === undefined
          ? limited(
              `up to ${p - s} integer and ${s} fraction digits; a longer value is refused, naming the row`,
            )
          : yes();
      }
      case 'date':
      case 'timestamp':
        return limited(
          `within MySQL's supported years 1000–9999${t.kind === 'timestamp' && t.tz ? ', stored as UTC' : ''}; a value it cannot store is refused, naming the row (strict sql_mode)`,
        );
      case 'json':
        return limited(
          'MySQL normalises JSON (binary storage: key order, duplicates, whitespace); MariaDB keeps the text; verifies either way',
        );
      case 'interval':
        return yes('yes: the canonical interval text');
      case 'uuid':
        return yes('yes: lower-case text');
      case 'list':
        return yes('yes: a JSON array');
      default:
        return yes();
    }
  },
  postgres(t) {
    switch (t.kind) {
      case 'text':
        return limited(noNul);
      case 'json':
        return t.binary ? limited(jsonbNormalised) : limited(`json keeps the text as is; ${noNul}`);
      case 'date':
        return limited('within 4713 BC – 5874897 AD; a value outside is refused, naming the row');
      case 'timestamp':
        return limited('within 4713 BC – 294276 AD; a value outside is refused, naming the row');
      case 'int':
        return t.unsigned || t.bits === 8
          ? yes('yes: a wider type, the comment restores the logical type')
          : yes();
      case 'list':
        return t.element.kind === 'text' ? limited(noNul) : yes('yes: a one-dimensional array');
      default:
        return yes();
    }
  },
  duckdb(t) {
    if (t.kind === 'text' && t.maxLength !== undefined)
      return yes('yes: values kept; the length limit (and CHAR padding) is not part of the DuckDB type');
    if (t.kind === 'decimal' && (t.precision === undefined || t.precision > 38))
      return yes('yes: BIGNUM (arbitrary-precision integer); reads back as an unbounded decimal of scale 0');
    if (t.kind === 'json' && t.binary) return yes('yes: the text as is; reads back as json');
    if (t.kind === 'timestamp' && t.tz) return yes('yes: an instant (UTC)');
    return yes();
  },
  parquet(t) {
    if (t.kind === 'interval')
      return yes("yes: the canonical interval text (DuckDB's Parquet writer would keep only milliseconds)");
    if (t.kind === 'decimal' && (t.precision === undefined || t.precision > 38))
      return yes('yes: the exact decimal text (Parquet via DuckDB has no decimal over 38 digits)');
    if (t.kind === 'text' && t.maxLength !== undefined)
      return yes('yes: values kept; the length limit is not');
    if (t.kind === 'timestamp' && t.tz) return yes('yes: an instant adjusted to UTC');
    return yes();
  },
};

/** Notes on source rows, keyed `engine:native[:option label]`. */
export const NOTES: Record<string, string> = {
  'mysql:tinyint(1):tinyint1=bool (default)': 'a value other than 0 or 1 is an error naming the row',
  'mysql:tinyint(1):tinyint1=int': 'every value kept',
  'mysql:boolean': 'MySQL spells it tinyint(1): follows `tinyint1`',
  'mysql:mediumint': '24-bit: widened, exact',
  'mysql:mediumint unsigned': '24-bit: widened, exact',
  'mysql:decimal': 'MySQL’s default precision and scale',
  'mysql:float': 'the stored float32, bit for bit',
  'mysql:bit(8)': 'the bits as an integer',
  'mysql:bit(64)': 'all 64 bits as uint64',
  'mysql:year': 'the year number',
  'mysql:date': "zero and invalid dates ('0000-00-00'): `zero_dates`",
  'mysql:datetime(6)': 'no time zone; `zero_dates` applies',
  'mysql:timestamp(6)': 'read in a UTC session: the instant; `zero_dates` applies',
  'mysql:time(6)': 'a duration (−838:59:59…838:59:59), not a time of day',
  'mysql:char(10)': 'MySQL strips trailing spaces on read (PAD SPACE semantics)',
  'mysql:varchar(50) CHARACTER SET latin1': 'decoded as MySQL’s latin1 (cp1252) to UTF-8, exact',
  'mysql:varchar(50) CHARACTER SET big5':
    'only utf8mb4/utf8mb3, latin1, ascii, binary, ucs2, utf16, utf32 are decoded',
  "mysql:enum('a','b')": 'the member text; a MySQL target keeps the ENUM',
  "mysql:set('a','b')": 'the members as a list; a MySQL target keeps the SET',
  'mysql:json': 'MariaDB’s JSON alias (LONGTEXT + json_valid) too',
  'mysql:geometry': 'WKB (EWKB when the value has an SRID); all geometry types',
  'mysql:uuid': 'MariaDB UUID',
  'mysql:inet6': 'MariaDB INET4/INET6, as text',
  'mysql:vector(3)': 'any other type: cast it in a view and migrate the view',
  'pg:oid': 'unsigned 32-bit: int64 holds it',
  'pg:numeric': 'unconstrained: any precision and scale, NaN and ±Infinity',
  'pg:money': 'decimal text; a PostgreSQL target recreates money',
  'pg:character(10)': 'blank-padded as PostgreSQL stores it',
  'pg:citext': 'case-insensitive text: the text as stored',
  'pg:time(3) without time zone': 'precision kept in the codec',
  'pg:time with time zone': 'carried as text; a PostgreSQL target recreates timetz',
  'pg:jsonb': 'the normalised text PostgreSQL returns',
  'pg:xml': 'carried as text; a PostgreSQL target recreates xml',
  'pg:inet': 'carried as text; a PostgreSQL target recreates inet',
  'pg:cidr': 'carried as text; a PostgreSQL target recreates cidr',
  'pg:macaddr': 'carried as text (macaddr8 too); a PostgreSQL target recreates it',
  'pg:bit(8)': "carried as '0'/'1' text; a PostgreSQL target recreates bit(n)",
  'pg:bit varying(16)': 'carried as text; a PostgreSQL target recreates it',
  'pg:an enum type': 'the label; a PostgreSQL target creates text (the enum type is not created)',
  'pg:text[][]': 'arrays of any supported element, any dimensions',
  'pg:point, tsvector, ranges, composites…': 'cast it to text in a view, or exclude the column',
  'duckdb:HUGEINT': '128-bit, as exact decimal text',
  'duckdb:UHUGEINT': '128-bit, as exact decimal text',
  'duckdb:BIGNUM': 'arbitrary precision, as exact decimal text',
  "duckdb:ENUM('a', 'b')": 'the member text',
  'duckdb:TIMESTAMP_S': 'widened to microseconds, exact',
  'duckdb:TIMESTAMP_MS': 'widened to microseconds, exact',
  'duckdb:TIMESTAMP_NS': 'a value with sub-microsecond digits is an error naming it, never rounded',
  'duckdb:TIME WITH TIME ZONE': 'cast it in a view (e.g. to VARCHAR), or exclude the column',
  'duckdb:STRUCT("a" INTEGER)': 'STRUCT, MAP, UNION, ARRAY, BIT, TIME_NS, VARIANT, GEOMETRY likewise',
};

/** Section prose. Keys for targets match the engine names. */
export const PROSE: Record<
  | 'intro'
  | 'sources'
  | 'mysqlSource'
  | 'pgSource'
  | 'parquetSource'
  | 'targets'
  | 'mysqlContext'
  | 'pgContext'
  | 'mysql'
  | 'postgres'
  | 'duckdb'
  | 'parquet',
  string
> = {
  intro: `# Type mapping

<!-- Generated by \`npx vite-node scripts/gen-type-mapping.ts\` from the connectors' type functions; do not edit.
     test/docs/type-mapping.test.ts fails when this file differs from what the generator produces. -->

Every connector maps its native types to ferry's engine-independent **logical types** (core/types.ts
\`LogicalType\`) when it reads, and logical types to native DDL types when it creates a target table. A
migration A → B is the composition of A's *reading* table and B's *writing* table. Values are never rounded,
truncated or clamped: a mapping that cannot hold a column's values is refused when the plan is made, and a
single value a target cannot store fails its row with the table, column, key and value named.

Logical type spellings: \`int8\`…\`int64\`, \`uint8\`…\`uint64\`, \`float32\`/\`float64\`, \`decimal(p,s)\`
(\`decimal\` alone is unbounded), \`varchar(n)\`/\`char(n)\`/\`text\`, \`bytes\`, \`date\`, \`time\` (of day),
\`timestamp\`, \`timestamptz\` (an instant), \`interval\` (months, days, microseconds), \`uuid\`,
\`json\`/\`jsonb\`, \`list<T>\`.`,
  sources: `Each row is a native type, the logical type the source reads it as (the output of the connector's
mapping function), and notes. Reading is exact for every type listed that is not refused.`,
  mysqlSource: `A column created by a ferry MySQL target whose COMMENT holds \`ferry:{…}\` reads back as the logical
type recorded there (uuid in CHAR(36), timestamptz in DATETIME(6), interval in VARCHAR, lists in JSON).`,
  pgSource: `A column with a \`ferry:type=…\` comment (written by a ferry PostgreSQL target for int8 and unsigned
integers) reads back as the recorded integer type. Domains are resolved to their base type.`,
  parquetSource: `Parquet files are read through DuckDB's \`read_parquet\`: a column reads as the logical type of the
DuckDB type DuckDB reports for it (the DuckDB source table above). Files written by ferry carry a
\`ferry.columns\` key-value metadata entry with each column's logical type; it is applied when the recorded type
travels in the same Arrow representation as the type read, so ferry's own files round-trip and a file rewritten by
another tool is still read as what it holds:`,
  targets: `Each row is a logical type, the DDL type a ferry target creates for it (the output of the connector's
mapping function, for a column that is not a key and whose source is another engine), what the target records
beside the DDL type so that reading the table back gives the same logical type, and whether every value is kept.`,
  mysqlContext: `A MySQL target keeps a MySQL source's own type where it is exact, and key columns get indexable types:`,
  pgContext: `A PostgreSQL target recreates the text-carried PostgreSQL types from the source column's native type:`,
  mysql: `The MySQL target runs in strict sql_mode (STRICT_ALL_TABLES, NO_ZERO_DATE…) with time_zone '+00:00', so a
value out of a column's range is an error, never a warning and a clamped value. Text columns use utf8mb4 with a
binary collation.`,
  postgres: `Values are loaded with binary COPY and checked against the column's limits (range, length, precision,
scale) before they are sent.`,
  duckdb: `DuckDB holds every logical type natively except a decimal with a fraction and no precision ≤ 38
(PostgreSQL's unconstrained numeric, or a decimal wider than 38 digits with a fraction): map such a column to a
decimal(p,s) with p ≤ 38 in the config — values that do not fit are then refused by name, never rounded.`,
  parquet: `Parquet files are written by DuckDB's Parquet writer, with the types above, one file per partition, and
the \`ferry.columns\` and \`ferry.primary_key\` metadata.`,
};

export const MATRIX_LEGEND = `The DDL type each target creates for a logical type. In flight, between engines, every value travels in
the Arrow type shown (decimals, uuid, json and interval as exact text; 64-bit integers, times and timestamps as
64-bit integers of microseconds).

- plain: every value is kept as is (reading it back may give a wider or less constrained logical type, e.g.
  DuckDB \`VARCHAR\` for \`varchar(255)\`: see the target's table);
- † the target records the logical type beside the DDL type (column comment or Parquet metadata) so ferry reads it
  back as the same logical type;
- ‡ limits: some values are refused (naming the row) or stored in a normalised form — see the target's table;
- ✗ refused when the plan is made (TYPE error): map the column to another type in the config.`;

export const OPTIONS_PROSE = `PostgreSQL, DuckDB and Parquet endpoints have no type options: their mappings are fixed. A different target
type for one column (say text for an unbounded decimal going to DuckDB) is set in the config's column mapping
(docs/transform.md). Endpoint parameters are written in the URL: \`mysql://user@host/db?tinyint1=int&zero_dates=null\`.`;

export const VERIFY_PROSE = `ferry checksums what it wrote and what it reads back from the target, per partition, on the Arrow batches
both sides produce (docs/checksums.md). The canonical encoding makes types that hold the same value in different
ways compare equal, so a mapping across engines still verifies:

- integers and decimals share one form (canonical decimal text): \`uint64\` in \`numeric(20,0)\`, \`int8\` in
  \`smallint\`, \`decimal\` in \`BIGNUM\` all verify against the source value;
- \`uuid\` and \`text\` share one form, so uuid stored as CHAR(36) verifies;
- \`timestamp\` and \`timestamptz\` share one form (microseconds since the epoch, UTC for tz);
- \`json\` and \`jsonb\` compare as canonical JSON (keys sorted, last duplicate wins, minimal escapes), so MySQL
  JSON and PostgreSQL jsonb normalisation verifies;
- \`interval\` compares as its one canonical text.

Where engines legitimately differ (a float64 loaded into \`real\`, a timestamp into MySQL \`DATETIME(3)\`, CHAR
padding), per-column compare rules (\`floatDigits\`, \`timestampPrecision\`, \`trimTrailingSpaces\`, \`emptyIsNull\`)
normalise both sides identically; without a rule every value is compared exactly. See docs/checksums.md,
"Compare rules".`;
