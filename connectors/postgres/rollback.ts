import type pg from 'pg';
import {
  FerryError,
  type KeyRange,
  type LogicalType,
  type TableRef,
  type TableSpec,
  type TargetRollback,
  type UndoRequest,
  tableName,
} from '../../core/index.js';
import { query, wrapPgError } from './connection.js';
import { ledgerTable } from './ledger.js';
import { ident, qualified, rangeSql } from './sql-text.js';

/** Runs `f` on a pooled client of the target (released after, closed on error). */
export type WithClient = <T>(f: (client: pg.Client) => Promise<T>) => Promise<T>;

/**
 * Undo support of a PostgreSQL target (see `TargetRollback`). Side tables are plain copies
 * (`CREATE TABLE … AS SELECT`, no defaults or sequences, so nothing of the original depends on them) in the
 * table's schema. Every undo is one transaction (PostgreSQL DDL is transactional):
 *
 *   BEGIN ─► drop | restore | DELETE loaded rows (+ NULL-key rows back) ─► DELETE the run's ledger rows
 *         ─► row count check ─► COMMIT        (any failure: ROLLBACK, nothing changed)
 *
 * A restore puts the rows back into the table in place (TRUNCATE + INSERT) when its columns still have the
 * backup's names and types, so the table keeps its constraints, indexes, grants and dependants; otherwise (a
 * replace run changed its shape) the backup itself is renamed into place, without the original's constraints.
 */
export class PostgresRollback implements TargetRollback {
  readonly appendUndo = 'key-snapshot' as const;

  constructor(
    private readonly withClient: WithClient,
    private readonly defaultSchema: string,
    private readonly ledgerSchema: string,
  ) {}

  private side(table: TableRef, name: string): string {
    return qualified({ schema: table.schema ?? this.defaultSchema, name });
  }

  async saveRows(
    table: TableSpec,
    name: string,
    options: { columns?: string[]; range?: KeyRange } = {},
  ): Promise<{ definition?: string[] }> {
    const cols = options.columns ? options.columns.map(ident).join(', ') : '*';
    const where = options.range ? ` WHERE ${rangeSql(options.range, typesOf(table))}` : '';
    await this.withClient((c) =>
      query(
        c,
        `CREATE TABLE ${this.side(table, name)} AS SELECT ${cols} FROM ${qualified(table, this.defaultSchema)}${where}`,
        [],
        `cannot copy ${tableName(table)} into ${name}`,
        { table: tableName(table) },
      ),
    );
    return {};
  }

  async undoTable(request: UndoRequest): Promise<{ deletedRows: string }> {
    const { table, step } = request;
    const name = tableName(table);
    const context = { table: name, run: request.runId };
    const target = qualified(table, this.defaultSchema);
    return this.withClient(async (c) => {
      const run = (sql: string, what: string) => query(c, sql, [], `${what} ${name}`, context);
      let deleted = 0;
      await query(c, 'BEGIN');
      try {
        switch (step.kind) {
          case 'drop':
            await run(`DROP TABLE IF EXISTS ${target}`, 'cannot drop');
            break;
          case 'restore':
            await this.restore(c, table, step.from);
            break;
          case 'delete-loaded': {
            const types = typesOf(table);
            const keys = this.side(table, step.keys);
            for (const range of step.ranges) {
              const same = range.columns.map((k) => `k.${ident(k)} = x.${ident(k)}`).join(' AND ');
              const r = await c
                .query(
                  `DELETE FROM ${target} AS x WHERE ${rangeSql(range, types)} AND NOT EXISTS (SELECT 1 FROM ${keys} AS k WHERE ${same})`,
                )
                .catch((e: unknown) => {
                  throw wrapPgError(e, `cannot delete the run's rows from ${name}`, context);
                });
              deleted += r.rowCount ?? 0;
            }
            if (step.nullRows && step.nullRange) {
              const gone = await c
                .query(`DELETE FROM ${target} WHERE ${rangeSql(step.nullRange, types)}`)
                .catch((e: unknown) => {
                  throw wrapPgError(e, `cannot delete the NULL-key rows of ${name}`, context);
                });
              const cols = (await insertableColumns(c, target)).map(ident).join(', ');
              const back = await c
                .query(
                  `INSERT INTO ${target} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${this.side(table, step.nullRows)}`,
                )
                .catch((e: unknown) => {
                  throw wrapPgError(e, `cannot put back the NULL-key rows of ${name}`, context);
                });
              deleted += (gone.rowCount ?? 0) - (back.rowCount ?? 0);
            }
            break;
          }
          case 'ledger-only':
            break;
          case 'delete-run-files':
            throw new FerryError('INTERNAL', 'a PostgreSQL target has no run files to delete', context);
        }
        const ledger = await query<{ ok: boolean }>(c, 'SELECT to_regclass($1) IS NOT NULL AS ok', [
          ledgerTable(this.ledgerSchema),
        ]);
        if (ledger[0]?.ok) {
          await query(
            c,
            `DELETE FROM ${ledgerTable(this.ledgerSchema)} WHERE run_id = $1 AND table_name = $2`,
            [request.runId, request.ledgerTable],
            'cannot remove the run from the ledger',
            context,
          );
        }
        if (request.expectRows !== undefined) {
          const held = (await query<{ n: string }>(c, `SELECT count(*)::text AS n FROM ${target}`))[0]?.n;
          if (held !== request.expectRows) {
            throw new FerryError(
              'VERIFY',
              `${name} would hold ${held} rows after the undo, it held ${request.expectRows} before the run; nothing was changed`,
              {
                ...context,
                hint: 'the run loaded rows whose keys were already there, or the table changed since the run; restore it from your own backup',
              },
            );
          }
        }
        await query(c, 'COMMIT');
        return { deletedRows: String(deleted) };
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** Puts the backup back: in place when the shapes agree, else by renaming the backup into place. */
  private async restore(c: pg.Client, table: TableRef, from: string): Promise<void> {
    const target = qualified(table, this.defaultSchema);
    const backup = this.side(table, from);
    const name = tableName(table);
    const now = await columnsOf(c, target);
    const saved = await columnsOf(c, backup);
    if (!saved) {
      throw new FerryError('NOT_FOUND', `the backup ${from} of ${name} does not exist`, {
        table: name,
        hint: 'it was dropped by hand or by an earlier rollback; restore the table from your own backup',
      });
    }
    const same =
      now !== undefined &&
      now.length === saved.length &&
      now.every((col, i) => col.name === saved[i]!.name && col.type === saved[i]!.type);
    if (same) {
      const cols = now
        .filter((col) => !col.generated)
        .map((col) => ident(col.name))
        .join(', ');
      await query(c, `TRUNCATE ${target}`, [], `cannot truncate ${name}`, { table: name });
      await query(
        c,
        `INSERT INTO ${target} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${backup}`,
        [],
        `cannot put back the rows of ${name}`,
        { table: name },
      );
      return;
    }
    await query(c, `DROP TABLE IF EXISTS ${target}`, [], `cannot drop ${name}`, { table: name });
    await query(c, `ALTER TABLE ${backup} RENAME TO ${ident(table.name)}`, [], `cannot restore ${name}`, {
      table: name,
    });
  }

  async dropSideTable(table: TableRef, name: string): Promise<void> {
    await this.withClient((c) =>
      query(c, `DROP TABLE IF EXISTS ${this.side(table, name)}`, [], `cannot drop ${name}`, {
        table: tableName(table),
      }),
    );
  }
}

function typesOf(table: TableSpec): Map<string, LogicalType> {
  return new Map(table.columns.map((c) => [c.name, c.type]));
}

interface CatalogColumn {
  name: string;
  type: string;
  generated: boolean;
}

/** A table's columns from the catalog in order, or undefined when it does not exist. */
async function columnsOf(c: pg.Client, qualifiedName: string): Promise<CatalogColumn[] | undefined> {
  const exists = await query<{ ok: boolean }>(c, 'SELECT to_regclass($1) IS NOT NULL AS ok', [qualifiedName]);
  if (!exists[0]?.ok) return undefined;
  const rows = await query<{ name: string; type: string; generated: string }>(
    c,
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attgenerated AS generated
       FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [qualifiedName],
  );
  return rows.map((r) => ({ name: r.name, type: r.type, generated: r.generated !== '' }));
}

/** The columns an INSERT may set (stored generated columns are computed by the server). */
async function insertableColumns(c: pg.Client, qualifiedName: string): Promise<string[]> {
  return ((await columnsOf(c, qualifiedName)) ?? []).filter((col) => !col.generated).map((col) => col.name);
}
