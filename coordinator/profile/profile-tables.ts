import { FerryError, type Source, type TableRef, type TableSpec, tableName } from '../../core/index.js';
import type { ForeignKeyEdge } from '../../profiling/index.js';
import { resolveTables } from '../plan.js';

/** A key the user expects to be unique though the source does not declare it, e.g. `customers: email+full_name`. */
export interface CandidateKey {
  table: string;
  columns: string[];
}

/** A column the business rules require (no NULLs) though the source allows NULL. */
export interface RequiredColumn {
  table: string;
  column: string;
}

/** A relationship the source does not declare (CSV/Parquet files, MyISAM tables), checked for orphans. */
export interface ConfiguredForeignKey {
  table: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
}

/** A table taking part in the profile. */
export interface ProfiledTable {
  name: string;
  spec: TableSpec;
  /** Not selected: read only for the keys that selected tables reference. */
  keysOnly: boolean;
}

/** The tables of a profile and the foreign-key edges among them (and to tables that do not exist). */
export interface ProfileTables {
  tables: ProfiledTable[];
  edges: ForeignKeyEdge[];
  /** Edges whose parent table the source does not have. */
  missingParents: { edge: ForeignKeyEdge; reason: string }[];
}

function columnOf(spec: TableSpec, column: string, what: string): void {
  if (!spec.columns.some((c) => c.name === column)) {
    throw new FerryError('CONFIG', `${what}: column ${column} does not exist in table ${tableName(spec)}`, {
      table: tableName(spec),
      column,
      hint: `its columns are ${spec.columns.map((c) => c.name).join(', ')}`,
    });
  }
}

/**
 * Resolves the selection (all tables when empty), describes each table, adds the parents their foreign keys
 * reference (read for keys only), and checks that configured keys, required columns and relationships name
 * existing tables and columns (CONFIG errors otherwise).
 */
export async function resolveProfileTables(
  source: Source,
  selection: string[] | undefined,
  config: { candidateKeys: CandidateKey[]; required: RequiredColumn[]; foreignKeys: ConfiguredForeignKey[] },
): Promise<ProfileTables> {
  const available = await source.listTables();
  const selected = resolveTables(
    available,
    selection?.map((name) => ({ name })),
  );
  const byName = new Map<string, ProfiledTable>();
  for (const { ref } of selected) {
    const spec = await source.describe(ref);
    byName.set(tableName(spec), { name: tableName(spec), spec, keysOnly: false });
  }
  const find = (name: string, what: string): ProfiledTable => {
    const t = byName.get(name) ?? [...byName.values()].find((x) => x.spec.name === name);
    if (!t) {
      throw new FerryError('CONFIG', `${what}: table ${name} is not among the profiled tables`, {
        table: name,
        hint: `profiled tables: ${[...byName.keys()].join(', ')}`,
      });
    }
    return t;
  };
  for (const k of config.candidateKeys)
    for (const c of k.columns) columnOf(find(k.table, 'candidate key').spec, c, 'candidate key');
  for (const r of config.required)
    columnOf(find(r.table, 'required column').spec, r.column, 'required column');

  const edges: ForeignKeyEdge[] = [];
  const missingParents: ProfileTables['missingParents'] = [];
  const pending: { edge: ForeignKeyEdge; ref: TableRef }[] = [];
  for (const t of [...byName.values()]) {
    for (const fk of t.spec.foreignKeys ?? []) {
      pending.push({
        edge: {
          from: t.name,
          columns: fk.columns,
          to: tableName(fk.references),
          referencedColumns: fk.referencedColumns,
          origin: 'declared',
        },
        ref: fk.references,
      });
    }
  }
  for (const fk of config.foreignKeys) {
    const child = find(fk.table, 'foreign key');
    for (const c of fk.columns) columnOf(child.spec, c, 'foreign key');
    const ref =
      available.find((r) => tableName(r) === fk.references) ??
      available.find((r) => r.name === fk.references);
    pending.push({
      edge: {
        from: child.name,
        columns: fk.columns,
        to: ref ? tableName(ref) : fk.references,
        referencedColumns: fk.referencedColumns,
        origin: 'configured',
      },
      ref: ref ?? { name: fk.references },
    });
  }
  for (const { edge, ref } of pending) {
    let parent = byName.get(edge.to);
    if (!parent) {
      if (!available.some((r) => tableName(r) === edge.to)) {
        missingParents.push({ edge, reason: 'does not exist in the source' });
        continue;
      }
      const spec = await source.describe(ref);
      parent = { name: tableName(spec), spec, keysOnly: true };
      byName.set(parent.name, parent);
    }
    if (edge.referencedColumns.length === 0) edge.referencedColumns = [...parent.spec.primaryKey];
    for (const c of edge.referencedColumns) columnOf(parent.spec, c, `foreign key of ${edge.from}`);
    if (edge.referencedColumns.length !== edge.columns.length) {
      throw new FerryError(
        'CONFIG',
        `foreign key ${edge.from}(${edge.columns.join(', ')}) → ${edge.to}(${edge.referencedColumns.join(', ')}) pairs ${edge.columns.length} columns with ${edge.referencedColumns.length}`,
        {
          table: edge.from,
          hint: 'name as many referenced columns as referencing columns',
        },
      );
    }
    edges.push(edge);
  }
  const tables = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { tables, edges, missingParents };
}
