import type pg from 'pg';
import {
  type CheckSpec,
  type Column,
  FerryError,
  type ForeignKey,
  type IndexSpec,
  type LogicalType,
  type TableRef,
  type TableSpec,
  tableName,
} from '../../core/index.js';
import { codecLogicalType, type PgCodec } from '../../formats/index.js';
import { query } from './connection.js';
import { ATTEMPTS_NAME, LEDGER_NAME } from './sql-text.js';
import { type PgTypeInfo, pgColumnType } from './types.js';

/**
 * Introspection from the catalogs: tables, columns (types with typmods, domains resolved, identity,
 * generated), primary/unique/foreign keys, checks, secondary indexes, and size estimates (reltuples,
 * relpages; partitioned tables sum their leaves).
 */

/** A described table with each column's wire codec (not part of the plan: rebuilt from the catalogs). */
export interface PgTable {
  spec: TableSpec;
  oid: number;
  codecs: PgCodec[];
  relpages: number;
}

export async function listTables(client: pg.Client): Promise<TableRef[]> {
  const rows = await query<{ schema: string; name: string }>(
    client,
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema'])
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        AND c.relname <> ALL ($1::text[])
      ORDER BY 1, 2`,
    [[LEDGER_NAME, ATTEMPTS_NAME]],
    'cannot list tables',
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name }));
}

interface TypeRow {
  oid: number;
  typname: string;
  nspname: string;
  typtype: string;
  typbasetype: number;
  typtypmod: number;
  typelem: number;
  typcategory: string;
}

async function loadTypes(client: pg.Client, oids: number[]): Promise<Map<number, TypeRow>> {
  const types = new Map<number, TypeRow>();
  let want = [...new Set(oids)];
  while (want.length) {
    const rows = await query<TypeRow>(
      client,
      `SELECT t.oid::int AS oid, t.typname, n.nspname, t.typtype, t.typbasetype::int AS typbasetype,
              t.typtypmod, t.typelem::int AS typelem, t.typcategory
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ANY($1::oid[])`,
      [want],
      'cannot read types',
    );
    for (const r of rows) types.set(r.oid, r);
    want = rows
      .flatMap((r) => [r.typbasetype, r.typcategory === 'A' ? r.typelem : 0])
      .filter((o) => o !== 0 && !types.has(o));
  }
  return types;
}

function resolve(types: Map<number, TypeRow>, oid: number, typmod: number): { t: TypeRow; typmod: number } {
  let t = types.get(oid)!;
  let m = typmod;
  while (t.typtype === 'd') {
    if (m < 0) m = t.typtypmod;
    t = types.get(t.typbasetype)!;
  }
  return { t, typmod: m };
}

interface ColumnRow {
  attname: string;
  attnotnull: boolean;
  attndims: number;
  atttypid: number;
  atttypmod: number;
  native: string;
  attidentity: string;
  attgenerated: string;
  default_expr: string | null;
  comment: string | null;
}

/** Describes one table; throws NOT_FOUND naming it when it does not exist. */
export async function describeTable(
  client: pg.Client,
  ref: TableRef,
  defaultSchema: string,
): Promise<PgTable> {
  const schema = ref.schema ?? defaultSchema;
  const name = tableName({ schema, name: ref.name });
  const rel = await query<{
    oid: number;
    reltuples: number;
    relpages: number;
    bytes: string;
    relkind: string;
  }>(
    client,
    `SELECT c.oid::int AS oid, c.relkind,
            CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(greatest(l.reltuples, 0)), 0)::float8
                 FROM pg_partition_tree(c.oid) p JOIN pg_class l ON l.oid = p.relid WHERE p.isleaf)
                 ELSE greatest(c.reltuples, 0)::float8 END AS reltuples,
            CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(l.relpages), 0)::int
                 FROM pg_partition_tree(c.oid) p JOIN pg_class l ON l.oid = p.relid WHERE p.isleaf)
                 ELSE c.relpages END AS relpages,
            (CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_table_size(p.relid)), 0)
                 FROM pg_partition_tree(c.oid) p WHERE p.isleaf)
                 ELSE pg_table_size(c.oid) END)::text AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schema, ref.name],
    `cannot describe ${name}`,
    { table: name },
  );
  const r = rel[0];
  if (!r) throw new FerryError('NOT_FOUND', `table ${name} does not exist in the source`, { table: name });
  const cols = await query<ColumnRow>(
    client,
    `SELECT a.attname, a.attnotnull, a.attndims, a.atttypid::int AS atttypid, a.atttypmod,
            format_type(a.atttypid, a.atttypmod) AS native, a.attidentity::text, a.attgenerated::text,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, col_description(a.attrelid, a.attnum) AS comment
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [r.oid],
    `cannot describe ${name}`,
    { table: name },
  );
  const types = await loadTypes(
    client,
    cols.map((c) => c.atttypid),
  );
  const columns: Column[] = [];
  const codecs: PgCodec[] = [];
  for (const c of cols) {
    const { t, typmod } = resolve(types, c.atttypid, c.atttypmod);
    let info: PgTypeInfo;
    if (t.typcategory === 'A' && t.typelem !== 0) {
      const e = resolve(types, t.typelem, typmod);
      info = {
        base:
          e.t.nspname === 'pg_catalog' || e.t.typname === 'citext'
            ? e.t.typname
            : `${e.t.nspname}.${e.t.typname}`,
        typtype: e.t.typtype,
        typmod: e.typmod,
        dims: Math.max(c.attndims, 1),
        elementOid: t.typelem,
      };
    } else {
      info = {
        base: t.nspname === 'pg_catalog' || t.typname === 'citext' ? t.typname : `${t.nspname}.${t.typname}`,
        typtype: t.typtype,
        typmod,
        dims: 0,
      };
    }
    const { codec, type } = withTypeComment(
      pgColumnType(info, { table: name, column: c.attname, native: c.native }),
      c.comment,
    );
    const column: Column = { name: c.attname, type, nullable: !c.attnotnull, nativeType: c.native };
    if (c.attidentity === 'a' || c.attidentity === 'd' || /^nextval\(/.test(c.default_expr ?? ''))
      column.identity = true;
    if (c.attgenerated === 's' && c.default_expr) column.generated = c.default_expr;
    columns.push(column);
    codecs.push(codec);
  }
  const spec: TableSpec = {
    schema,
    name: ref.name,
    columns,
    primaryKey: [],
    estimatedRows: Math.round(r.reltuples),
    estimatedBytes: Number(r.bytes),
  };
  await describeConstraints(client, r.oid, spec);
  return { spec, oid: r.oid, codecs, relpages: r.relpages };
}

/** Column comment recording the logical type of another engine's integer that ferry stored wider. */
export const TYPE_COMMENT_PREFIX = 'ferry:type=';

const NARROWED: Record<string, { wire: string; integer: NonNullable<PgCodec['integer']> }> = {
  '{"kind":"int","bits":8}': { wire: 'int2', integer: 'int8' },
  '{"kind":"int","bits":8,"unsigned":true}': { wire: 'int2', integer: 'uint8' },
  '{"kind":"int","bits":16,"unsigned":true}': { wire: 'int4', integer: 'uint16' },
  '{"kind":"int","bits":32,"unsigned":true}': { wire: 'int8', integer: 'uint32' },
  '{"kind":"int","bits":64,"unsigned":true}': { wire: 'numeric', integer: 'uint64' },
};

/** Applies a `ferry:type=` comment when it names an integer type the column's PostgreSQL type holds. */
function withTypeComment(t: { codec: PgCodec; type: LogicalType }, comment: string | null) {
  if (!comment?.startsWith(TYPE_COMMENT_PREFIX) || t.codec.dims > 0) return t;
  const n = NARROWED[comment.slice(TYPE_COMMENT_PREFIX.length).trim()];
  if (!n || n.wire !== t.codec.wire) return t;
  const codec: PgCodec = { ...t.codec, integer: n.integer };
  return { codec, type: codecLogicalType(codec) };
}

async function describeConstraints(client: pg.Client, oid: number, spec: TableSpec): Promise<void> {
  const name = tableName(spec);
  const cons = await query<{
    conname: string;
    contype: string;
    cols: string[];
    ref_schema: string | null;
    ref_table: string | null;
    ref_cols: string[] | null;
    def: string;
  }>(
    client,
    `SELECT con.conname, con.contype::text,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
            rn.nspname AS ref_schema, rc.relname AS ref_table,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_cols,
            pg_get_constraintdef(con.oid) AS def
       FROM pg_constraint con
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'f', 'c')
      ORDER BY con.contype, con.conname`,
    [oid],
    `cannot read constraints of ${name}`,
    { table: name },
  );
  const unique: string[][] = [];
  const fks: ForeignKey[] = [];
  const checks: CheckSpec[] = [];
  for (const c of cons) {
    if (c.contype === 'p') spec.primaryKey = c.cols;
    else if (c.contype === 'u') unique.push(c.cols);
    else if (c.contype === 'c') checks.push({ name: c.conname, expression: c.def });
    else if (c.contype === 'f' && c.ref_table)
      fks.push({
        name: c.conname,
        columns: c.cols,
        references: { schema: c.ref_schema ?? undefined, name: c.ref_table },
        referencedColumns: c.ref_cols ?? [],
      });
  }
  if (unique.length) spec.uniqueKeys = unique;
  if (fks.length) spec.foreignKeys = fks;
  if (checks.length) spec.checks = checks;
  const idx = await query<{ name: string; unique: boolean; cols: string[]; def: string }>(
    client,
    `SELECT ic.relname AS name, i.indisunique AS unique, pg_get_indexdef(i.indexrelid) AS def,
            array(SELECT coalesce(a.attname::text, '') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                   WHERE o <= i.indnkeyatts ORDER BY k.o) AS cols
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [oid],
    `cannot read indexes of ${name}`,
    { table: name },
  );
  const indexes: IndexSpec[] = idx.map((i) => ({
    name: i.name,
    columns: i.cols.includes('') ? [] : i.cols,
    unique: i.unique,
    definition: i.def,
  }));
  if (indexes.length) spec.indexes = indexes;
}
