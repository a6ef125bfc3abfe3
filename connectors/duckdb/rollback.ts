import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  FerryError,
  type KeyRange,
  quoteDouble,
  type TableRef,
  type TableSpec,
  type TargetRollback,
  type UndoRequest,
  tableName,
} from '../../core/index.js';
import {
  connectDuckDB,
  duckdbRangePredicate,
  qualifiedName,
  wrapDuckDBError,
} from '../../formats/duckdb/index.js';
import { LEDGER_TABLE } from './ddl.js';

/**
 * Undo support of a DuckDB target (see `TargetRollback`). Side tables are plain tables beside the table; a full
 * backup also keeps the table's own `CREATE TABLE` and `CREATE INDEX` statements (`duckdb_tables().sql`), so a
 * restore recreates the table exactly (constraints included) before putting the rows back:
 *
 *   undoTable: BEGIN ─► drop | recreate + INSERT backup | DELETE loaded rows (+ NULL-key rows back)
 *              ─► DELETE the run's ledger rows ─► row count check ─► COMMIT   (any failure: ROLLBACK)
 *
 * Each call uses its own connection, so the target's main connection (DDL, ledger reads) is never left inside
 * a transaction.
 */
export class DuckDBRollback implements TargetRollback {
  readonly appendUndo = 'key-snapshot' as const;

  constructor(private readonly instance: DuckDBInstance) {}

  private async withConnection<T>(f: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await connectDuckDB(this.instance);
    try {
      return await f(conn);
    } finally {
      conn.closeSync();
    }
  }

  async saveRows(
    table: TableSpec,
    name: string,
    options: { columns?: string[]; range?: KeyRange } = {},
  ): Promise<{ definition?: string[] }> {
    const context = { table: tableName(table) };
    return this.withConnection(async (conn) => {
      try {
        const cols = options.columns ? options.columns.map(quoteDouble).join(', ') : '*';
        const where = options.range ? duckdbRangePredicate(options.range, table.columns) : undefined;
        await conn.run(
          `CREATE TABLE ${qualifiedName(side(table, name))} AS SELECT ${cols} FROM ${qualifiedName(table)}${where ? ` WHERE ${where.sql}` : ''}`,
          where?.params ?? [],
        );
        if (options.columns || options.range) return {};
        return { definition: await definitionOf(conn, table) };
      } catch (e) {
        throw wrapDuckDBError(e, context);
      }
    });
  }

  async undoTable(request: UndoRequest): Promise<{ deletedRows: string }> {
    const { table, step } = request;
    const context = { table: tableName(table), run: request.runId };
    return this.withConnection(async (conn) => {
      let deleted = 0;
      try {
        await conn.run('BEGIN TRANSACTION');
        const target = qualifiedName(table);
        switch (step.kind) {
          case 'drop':
            await conn.run(`DROP TABLE IF EXISTS ${target}`);
            break;
          case 'restore': {
            const from = qualifiedName(side(table, step.from));
            await conn.run(`DROP TABLE IF EXISTS ${target}`);
            if (!step.definition?.length) {
              await conn.run(`ALTER TABLE ${from} RENAME TO ${quoteDouble(table.name)}`);
              break;
            }
            for (const stmt of step.definition) await conn.run(stmt);
            await conn.run(`INSERT INTO ${target} SELECT * FROM ${from}`);
            break;
          }
          case 'delete-loaded': {
            const keys = qualifiedName(side(table, step.keys));
            for (const range of step.ranges) {
              const p = duckdbRangePredicate(range, table.columns);
              const same = range.columns
                .map((c) => `k.${quoteDouble(c)} = x.${quoteDouble(c)}`)
                .join(' AND ');
              const r = await conn.run(
                `DELETE FROM ${target} AS x WHERE ${p.sql} AND NOT EXISTS (SELECT 1 FROM ${keys} AS k WHERE ${same})`,
                p.params,
              );
              deleted += r.rowsChanged;
            }
            if (step.nullRows && step.nullRange) {
              const p = duckdbRangePredicate(step.nullRange, table.columns);
              deleted += (await conn.run(`DELETE FROM ${target} WHERE ${p.sql}`, p.params)).rowsChanged;
              const back = await conn.run(
                `INSERT INTO ${target} SELECT * FROM ${qualifiedName(side(table, step.nullRows))}`,
              );
              deleted -= back.rowsChanged;
            }
            break;
          }
          case 'ledger-only':
            break;
          case 'delete-run-files':
            throw new FerryError('INTERNAL', 'a DuckDB target has no run files to delete', context);
        }
        await conn.run(`DELETE FROM ${quoteDouble(LEDGER_TABLE)} WHERE run_id = $1 AND table_name = $2`, [
          request.runId,
          request.ledgerTable,
        ]);
        if (request.expectRows !== undefined) {
          const held = String((await conn.runAndReadAll(`SELECT count(*) FROM ${target}`)).getRows()[0]?.[0]);
          if (held !== request.expectRows) {
            throw new FerryError(
              'VERIFY',
              `${tableName(table)} would hold ${held} rows after the undo, it held ${request.expectRows} before the run; nothing was changed`,
              {
                ...context,
                hint: 'the run loaded rows whose keys were already there, or the table changed since the run; restore it from your own backup',
              },
            );
          }
        }
        await conn.run('COMMIT');
        return { deletedRows: String(deleted) };
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw wrapDuckDBError(e, context);
      }
    });
  }

  async dropSideTable(table: TableRef, name: string): Promise<void> {
    await this.withConnection(async (conn) => {
      try {
        await conn.run(`DROP TABLE IF EXISTS ${qualifiedName(side(table, name))}`);
      } catch (e) {
        throw wrapDuckDBError(e, { table: tableName(table) });
      }
    });
  }
}

/** A side table beside `table` (same schema). */
function side(table: TableRef, name: string): TableRef {
  return table.schema ? { schema: table.schema, name } : { name };
}

/** The statements that recreate a table: its `CREATE TABLE` (constraints included) and its indexes. */
async function definitionOf(conn: DuckDBConnection, table: TableRef): Promise<string[]> {
  const params = [table.schema ?? 'main', table.name];
  const where = 'database_name = current_database() AND schema_name = $1 AND table_name = $2';
  const created = (
    await conn.runAndReadAll(`SELECT sql FROM duckdb_tables() WHERE ${where}`, params)
  ).getRows();
  const sql = created[0]?.[0];
  if (typeof sql !== 'string') {
    throw new FerryError('NOT_FOUND', `table ${tableName(table)} does not exist in the DuckDB target`, {
      table: tableName(table),
    });
  }
  const indexes = (
    await conn.runAndReadAll(`SELECT sql FROM duckdb_indexes() WHERE ${where} AND sql IS NOT NULL`, params)
  ).getRows();
  return [sql, ...indexes.map((r) => String(r[0]))];
}
