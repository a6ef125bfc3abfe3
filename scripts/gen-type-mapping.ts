/**
 * Writes docs/type-mapping.md from the connectors' own type-mapping functions. Run:
 *   npx vite-node scripts/gen-type-mapping.ts
 * Every native and logical type in the document is the output of the function a connector calls at plan
 * time (no database connection is needed); only the "why" notes are fixed prose. test/docs/type-mapping.test.ts
 * fails when the committed document differs from `renderTypeMapping()`, so the document cannot drift.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Column, FerryError, formatLogicalType, type LogicalType } from '../core/index.js';
import { duckdbNativeType } from '../connectors/duckdb/types.js';
import { typeComment } from '../connectors/mysql/ddl.js';
import { mysqlParamsSchema } from '../connectors/mysql/options.js';
import { DEFAULT_READ_TYPES, logicalFromNative, mysqlNativeType } from '../connectors/mysql/types.js';
import { parquetNativeType, restoreLogicalType } from '../connectors/parquet/types.js';
import { createTableSql as pgCreateTableSql } from '../connectors/postgres/ddl.js';
import { pgColumnType, pgNativeType } from '../connectors/postgres/types.js';
import { arrowTypeFor } from '../formats/index.js';
import { duckdbTypeName, logicalTypeFromDuckDB } from '../formats/duckdb/index.js';
import {
  FACTS,
  type Fact,
  MATRIX_LEGEND,
  NOTES,
  OPTIONS_PROSE,
  PROSE,
  VERIFY_PROSE,
} from './type-mapping-prose.js';
import {
  DUCKDB_SOURCE,
  LOGICAL_TYPES,
  MYSQL_CONTEXT_ROWS,
  MYSQL_SOURCE,
  PARQUET_RESTORE,
  PG_CONTEXT_ROWS,
  PG_SOURCE,
} from './type-mapping-samples.js';

const where = { table: 't', column: 'c' };

/** A logical type as the document spells it: formatLogicalType plus a scale without precision, a bytes limit. */
export function fmt(t: LogicalType): string {
  if (t.kind === 'decimal' && t.precision === undefined && t.scale !== undefined)
    return `decimal(scale ${t.scale})`;
  if (t.kind === 'bytes' && t.maxLength !== undefined) return `bytes(${t.maxLength})`;
  return formatLogicalType(t);
}

const code = (s: string) => `\`${s.replaceAll('|', '\\|')}\``;

function table(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replaceAll('\n', ' ');
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Runs a mapping; a FerryError becomes a refusal cell. */
function attempt<T>(f: () => T): T | FerryError {
  try {
    return f();
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
}

const refused = (e: FerryError) => `✗ refused (${e.code})`;
const note = (key: string) => NOTES[key] ?? '';

// ── Sources ────────────────────────────────────────────────────────────────────────────────────────────

function mysqlSourceRows(): string[][] {
  return MYSQL_SOURCE.map(({ native, options, label }) => {
    const t = attempt(() => logicalFromNative(native, { ...DEFAULT_READ_TYPES, ...options }, where));
    const cell = t instanceof FerryError ? refused(t) : code(fmt(t));
    return [
      code(native) + (label ? ` (${label})` : ''),
      cell,
      note(`mysql:${native}${label ? `:${label}` : ''}`),
    ];
  });
}

function pgSourceRows(): string[][] {
  return PG_SOURCE.map(([native, info]) => {
    const r = attempt(() => pgColumnType(info, { ...where, native }));
    const cell = r instanceof FerryError ? refused(r) : code(fmt(r.type));
    return [code(native), cell, note(`pg:${native}`)];
  });
}

function duckdbSourceRows(): string[][] {
  return DUCKDB_SOURCE.map((t) => {
    const name = duckdbTypeName(t);
    const r = attempt(() => logicalTypeFromDuckDB(t, where));
    return [code(name), r instanceof FerryError ? refused(r) : code(fmt(r)), note(`duckdb:${name}`)];
  });
}

function parquetRestoreRows(): string[][] {
  return PARQUET_RESTORE.map(([duck, recorded]) => {
    const read = logicalTypeFromDuckDB(duck, where);
    const result = restoreLogicalType(read, recorded);
    return [
      code(duckdbTypeName(duck)),
      recorded ? code(fmt(recorded)) : '(none: not a ferry file)',
      code(fmt(result)),
      !recorded
        ? 'no record: the type read'
        : result === recorded
          ? 'recorded type restored'
          : 'the type read: the recorded one travels differently (file rewritten by another tool)',
    ];
  });
}

// ── Targets ────────────────────────────────────────────────────────────────────────────────────────────

/** How each target engine spells a logical type, and what it records so ferry reads the type back. */
export interface TargetMapping {
  /** The DDL type, or the TYPE error a plan gets. */
  native: string | FerryError;
  /** What the engine records beside the DDL type (comment, file metadata), when the DDL type alone reads back differently. */
  recorded?: string;
}

const col = (type: LogicalType, nativeType: string): Column => ({
  name: 'c',
  type,
  nullable: true,
  nativeType,
});

/** The target mappings of a logical type in MySQL, PostgreSQL, DuckDB and Parquet (no source native type). */
export function targetMappings(t: LogicalType): Record<Engine, TargetMapping> {
  const my = attempt(() => mysqlNativeType(t, { ...where, key: false }));
  const pg = pgNativeType(t);
  const duck = attempt(() => duckdbNativeType(t, 't', 'c'));
  const pq = attempt(() => parquetNativeType(t, 't', 'c'));
  const myComment = typeof my === 'string' ? typeComment(col(t, my)) : undefined;
  const pgDdl = pgCreateTableSql(
    { name: 't', columns: [col(t, pg)], primaryKey: [], estimatedRows: 0, estimatedBytes: 0 },
    'public',
  );
  const pgComment = /IS '(.*)'$/.exec(pgDdl[1] ?? '')?.[1]?.replaceAll("''", "'");
  const pqRecorded = pq === 'VARCHAR' && t.kind !== 'text' ? 'ferry.columns' : undefined;
  return {
    mysql: myComment ? { native: my, recorded: `COMMENT '${myComment}'` } : { native: my },
    postgres: pgComment ? { native: pg, recorded: `COMMENT '${pgComment}'` } : { native: pg },
    duckdb: { native: duck },
    parquet: pqRecorded ? { native: pq, recorded: pqRecorded } : { native: pq },
  };
}

export type Engine = 'mysql' | 'postgres' | 'duckdb' | 'parquet';
const ENGINES: [Engine, string][] = [
  ['mysql', 'MySQL / MariaDB'],
  ['postgres', 'PostgreSQL'],
  ['duckdb', 'DuckDB'],
  ['parquet', 'Parquet'],
];

/** Whether a target keeps every value: a refusal's own message, else the engine's known limits. */
function factOf(engine: Engine, t: LogicalType, m: TargetMapping): Fact {
  if (!(m.native instanceof FerryError)) return FACTS[engine](t, m.native);
  const hint = m.native.context.hint ? `; ${m.native.context.hint}` : '';
  return { ok: false, text: `no: ${m.native.message.replace(/^column c of t (is|has) /, '')}${hint}` };
}

function targetRows(engine: Engine): string[][] {
  return LOGICAL_TYPES.map((t) => {
    const m = targetMappings(t)[engine];
    const native = m.native instanceof FerryError ? refused(m.native) : code(m.native);
    return [code(fmt(t)), native, m.recorded ? code(m.recorded) : '—', factOf(engine, t, m).text];
  });
}

function mysqlContextRows(): string[][] {
  return MYSQL_CONTEXT_ROWS.map(([t, src, key]) => [
    code(fmt(t)),
    key ? 'key column' : `source column ${code(src ?? '')}`,
    code(mysqlNativeType(t, { ...where, key, sourceNative: src })),
  ]);
}

function pgContextRows(): string[][] {
  return PG_CONTEXT_ROWS.map(([t, src]) => [
    code(fmt(t)),
    `source column ${code(src)}`,
    code(pgNativeType(t, src)),
  ]);
}

// ── Matrix and options ─────────────────────────────────────────────────────────────────────────────────

function matrixRows(): string[][] {
  return LOGICAL_TYPES.map((t) => {
    const all = targetMappings(t);
    const cells = ENGINES.map(([e]) => {
      const m = all[e];
      if (m.native instanceof FerryError) return '✗';
      return code(m.native) + (m.recorded ? ' †' : '') + (factOf(e, t, m).ok ? '' : ' ‡');
    });
    return [code(fmt(t)), code(String(arrowTypeFor(t))), ...cells];
  });
}

function optionRows(): string[][] {
  const shape = mysqlParamsSchema.shape;
  const defaults = mysqlParamsSchema.parse({});
  return (['tinyint1', 'zero_dates'] as const).map((k) => [
    'MySQL source',
    code(k),
    shape[k].unwrap().options.map(code).join(', '),
    code(String(defaults[k])),
    shape[k].description ?? '',
  ]);
}

/** The whole document. */
export function renderTypeMapping(): string {
  const out = [PROSE.intro];
  out.push('## 1. Reading: native type → logical type\n', PROSE.sources);
  out.push(
    '### MySQL / MariaDB source\n',
    table(['native type', 'logical type', 'notes'], mysqlSourceRows()),
  );
  out.push(PROSE.mysqlSource);
  out.push('### PostgreSQL source\n', table(['native type', 'logical type', 'notes'], pgSourceRows()));
  out.push(PROSE.pgSource);
  out.push('### DuckDB source\n', table(['native type', 'logical type', 'notes'], duckdbSourceRows()));
  out.push('### Parquet source\n', PROSE.parquetSource);
  out.push(table(['DuckDB reads', 'ferry.columns records', 'logical type', 'why'], parquetRestoreRows()));
  out.push('## 2. Writing: logical type → target DDL type\n', PROSE.targets);
  for (const [e, label] of ENGINES) {
    out.push(`### ${label} target\n`);
    out.push(table(['logical type', 'DDL type', 'recorded beside it', 'exact?'], targetRows(e)));
    if (e === 'mysql')
      out.push(PROSE.mysqlContext, table(['logical type', 'when', 'DDL type'], mysqlContextRows()));
    if (e === 'postgres')
      out.push(PROSE.pgContext, table(['logical type', 'when', 'DDL type'], pgContextRows()));
    out.push(PROSE[e]);
  }
  out.push('## 3. Cross-engine matrix\n', MATRIX_LEGEND);
  out.push(table(['logical type', 'in flight (Arrow)', ...ENGINES.map(([, l]) => l)], matrixRows()));
  out.push('## 4. Options\n', table(['engine', 'option', 'values', 'default', 'what it does'], optionRows()));
  out.push(OPTIONS_PROSE, '## 5. How verification compares values across engines\n', VERIFY_PROSE);
  return `${out.map((s) => s.trimEnd()).join('\n\n')}\n`;
}

/** Where the document lives. */
export const TYPE_MAPPING_DOC = fileURLToPath(new URL('../docs/type-mapping.md', import.meta.url));

// Imported by the test (which sets VITEST): render only. Run as a script: write the document.
if (!process.env.VITEST) {
  writeFileSync(TYPE_MAPPING_DOC, renderTypeMapping());
  process.stdout.write(`wrote ${TYPE_MAPPING_DOC}\n`);
}
