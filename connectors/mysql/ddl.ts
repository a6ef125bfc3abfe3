import {
  type Column,
  type ForeignKey,
  type IndexSpec,
  type TableSpec,
  quoteBacktick,
} from '../../core/index.js';
import { qualifiedName } from './sql.js';
import { COMMENT_PREFIX, DEFAULT_READ_TYPES, logicalFromNative, sameType } from './types.js';

/** The ledger table ferry keeps in the target's database: one row per run and partition. */
export const LEDGER_TABLE = '_ferry_ledger';

/** The ledger's DDL (idempotent). `attempt` is the fence: a commit with a lower attempt is refused. */
export const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${quoteBacktick(LEDGER_TABLE)} (
  run_id VARCHAR(191) NOT NULL,
  partition_id VARCHAR(512) NOT NULL,
  table_name VARCHAR(512) NOT NULL,
  plan_hash VARCHAR(128) NOT NULL,
  attempt INT NOT NULL,
  \`rows\` BIGINT UNSIGNED NOT NULL,
  checksum VARCHAR(128) NOT NULL,
  committed_at DATETIME(6) NOT NULL,
  PRIMARY KEY (run_id, partition_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Beside the ledger: the newest fence started per partition (Target.beginAttempt). */
export const ATTEMPTS_TABLE = '_ferry_attempts';

export const ATTEMPTS_DDL = `CREATE TABLE IF NOT EXISTS ${quoteBacktick(ATTEMPTS_TABLE)} (
  run_id VARCHAR(191) NOT NULL,
  partition_id VARCHAR(512) NOT NULL,
  started_fence INT NOT NULL,
  started_at DATETIME(6) NOT NULL,
  PRIMARY KEY (run_id, partition_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The binary, NO PAD collation of target tables: text compares byte for byte and `'a'` differs from `'a '`
 * (a PAD SPACE collation would make them equal keys), whatever the source's collation was.
 */
export function binaryCollation(flavor: 'mariadb' | 'mysql'): string {
  return flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

function sqlString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** The COMMENT recording a column's logical type when its MySQL type would read back as another one. */
export function typeComment(column: Column): string | undefined {
  let natural: unknown;
  try {
    natural = logicalFromNative(column.nativeType, DEFAULT_READ_TYPES, { table: '', column: column.name });
  } catch {
    natural = undefined;
  }
  if (natural && sameType(natural as Column['type'], column.type)) return undefined;
  return `${COMMENT_PREFIX}${JSON.stringify(column.type)}`;
}

/**
 * `CREATE TABLE` for a target table: native types (from `mapTable`), NOT NULL where the spec says so, a ferry
 * comment where needed, and the primary key. InnoDB clusters rows by the primary key, so it is created now
 * (adding it later rebuilds the table); unique keys and foreign keys come in `finishTable`, after the data.
 * An identity column (`mapTable` keeps it only where it leads the primary key) is AUTO_INCREMENT from the start:
 * the loader's explicit values are kept (NO_AUTO_VALUE_ON_ZERO keeps even 0) and move the counter past them.
 */
export function createTableSql(table: TableSpec, flavor: 'mariadb' | 'mysql'): string {
  const cols = table.columns.map((c) => {
    const comment = typeComment(c);
    return `  ${quoteBacktick(c.name)} ${c.nativeType}${c.nullable ? ' NULL' : ' NOT NULL'}${c.identity ? ' AUTO_INCREMENT' : ''}${comment ? ` COMMENT ${sqlString(comment)}` : ''}`;
  });
  if (table.primaryKey.length) cols.push(`  PRIMARY KEY (${table.primaryKey.map(quoteBacktick).join(', ')})`);
  return `CREATE TABLE ${qualifiedName(table)} (\n${cols.join(',\n')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${binaryCollation(flavor)}`;
}

/** `CREATE DATABASE IF NOT EXISTS` for a table in another database than the connection's, or undefined. */
export function createDatabaseSql(table: TableSpec, database: string): string | undefined {
  return table.schema && table.schema !== database
    ? `CREATE DATABASE IF NOT EXISTS ${quoteBacktick(table.schema)} DEFAULT CHARACTER SET utf8mb4`
    : undefined;
}

/** A constraint or index name within MySQL's 64 characters, unique per table and position. */
function constraintName(prefix: string, table: string, i: number): string {
  const name = `${prefix}_${table}_${i}`;
  return name.length <= 64 ? name : `${prefix}_${table.slice(0, 40)}_${i}_${name.length}`;
}

/** `ALTER TABLE … ADD UNIQUE KEY` for the i-th unique key of the spec. */
export function addUniqueKeySql(table: TableSpec, columns: string[], i: number): string {
  return `ALTER TABLE ${qualifiedName(table)} ADD UNIQUE KEY ${quoteBacktick(constraintName('uk', table.name, i))} (${columns.map(quoteBacktick).join(', ')})`;
}

/** `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` (checked against the loaded rows). */
export function addForeignKeySql(table: TableSpec, fk: ForeignKey, i: number): string {
  const name = fk.name ?? constraintName('fk', table.name, i);
  return (
    `ALTER TABLE ${qualifiedName(table)} ADD CONSTRAINT ${quoteBacktick(name)} FOREIGN KEY ` +
    `(${fk.columns.map(quoteBacktick).join(', ')}) REFERENCES ${qualifiedName(fk.references)} ` +
    `(${fk.referencedColumns.map(quoteBacktick).join(', ')})`
  );
}

/**
 * `ALTER TABLE … ADD INDEX` for a secondary index: MySQL's own definition when the source was MySQL (prefix
 * lengths kept), else its columns, with a 255-character prefix on TEXT/BLOB columns (which MySQL cannot index
 * whole). Undefined for an index on expressions, which only its own engine can rebuild.
 */
export function addIndexSql(table: TableSpec, index: IndexSpec): string | undefined {
  if (index.definition && /^KEY `/.test(index.definition))
    return `ALTER TABLE ${qualifiedName(table)} ADD ${index.definition}`;
  if (index.columns.length === 0) return undefined;
  const parts = index.columns.map((name) => {
    const native = table.columns.find((c) => c.name === name)?.nativeType ?? '';
    return /^(tiny|medium|long)?(text|blob)\b/.test(native)
      ? `${quoteBacktick(name)}(255)`
      : quoteBacktick(name);
  });
  return `ALTER TABLE ${qualifiedName(table)} ADD ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteBacktick(index.name.slice(0, 64))} (${parts.join(', ')})`;
}
