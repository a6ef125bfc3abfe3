/**
 * The parent keys of `references` rules, read from the SOURCE parent table once per run (and per `ferry verify`):
 *
 *   rule references(column → table.key) ─► resolve table among source tables ─► read column `key` (whole table,
 *   in the run's snapshot) ─► Set of canonicalKeyText ─► compileTransform(…, { parentKeys })
 *
 * Memory: one JavaScript string per distinct non-NULL parent key, about 50–90 bytes each for short keys
 * (integers, UUIDs), so 1 million keys take about 90 MB in the process that checks the rule. A parent with more
 * than `maxKeys` keys (default 5 000 000, about 450 MB) is refused with a CONFIG error rather than exhausting
 * the heap.
 */
import { FerryError, type Source, type TableRef, tableName } from '../core/index.js';
import { dataReader } from '../formats/index.js';
import { parentKeyId } from './row-rules.js';
import type { TableTransform } from './transform-types.js';
import { canonicalKeyText } from './values/value-text.js';

/** Default bound on the keys loaded for one parent (see the module comment for the memory it means). */
export const MAX_PARENT_KEYS = 5_000_000;

/** One parent key set a transform needs: `id` is `parentKeyId(table, key)` as the rule names it. */
export interface ParentKeyRef {
  id: string;
  table: string;
  key: string;
  /** The rule(s) that need it, for messages. */
  rules: string[];
}

/** The parent key sets a transform's `references` rules need, one per (table, key). */
export function parentKeyRefs(t: TableTransform): ParentKeyRef[] {
  const out = new Map<string, ParentKeyRef>();
  for (const r of t.rules) {
    if (r.kind !== 'references') continue;
    const id = parentKeyId(r.table, r.key);
    const ref = out.get(id) ?? { id, table: r.table, key: r.key, rules: [] };
    ref.rules.push(r.name);
    out.set(id, ref);
  }
  return [...out.values()];
}

/** A parent table name (`t` or `schema.t`) among the source's tables; CONFIG when missing or ambiguous. */
export function resolveParentTable(available: TableRef[], ref: ParentKeyRef): TableRef {
  const exact = available.filter((t) => tableName(t) === ref.table);
  const found = exact.length ? exact : available.filter((t) => t.name === ref.table);
  if (found.length === 1) return found[0]!;
  const rule = ref.rules.join(', ');
  if (found.length > 1)
    throw new FerryError(
      'CONFIG',
      `rule ${rule}: parent table "${ref.table}" is ambiguous: ${found.map(tableName).join(', ')}`,
      {
        hint: 'qualify it as schema.table',
      },
    );
  throw new FerryError('CONFIG', `rule ${rule}: parent table "${ref.table}" does not exist in the source`, {
    table: ref.table,
    hint: 'a references rule checks the parent table as it is in the source',
  });
}

/**
 * Checks, when the plan is made, that every parent table and key column of a transform exists in the source.
 * `path` is the table's place in the config (`tables[0]`), for the error.
 */
export async function checkParentKeys(source: Source, t: TableTransform, path: string): Promise<void> {
  const refs = parentKeyRefs(t);
  if (refs.length === 0) return;
  const available = await source.listTables();
  for (const ref of refs) {
    const spec = await source.describe(resolveParentTable(available, ref));
    if (!spec.columns.some((c) => c.name === ref.key))
      throw new FerryError(
        'CONFIG',
        `rule ${ref.rules.join(', ')}: ${tableName(spec)} has no column ${ref.key}`,
        {
          configPath: `${path}.rules`,
          table: tableName(spec),
          column: ref.key,
          hint: `its columns are ${spec.columns.map((c) => c.name).join(', ')}`,
        },
      );
  }
}

export interface LoadParentKeysOptions {
  batchRows: number;
  /** The run's consistent read point, so parents and children are read at the same time. */
  snapshotId?: string;
  signal?: AbortSignal;
  /** Most keys per parent (default `MAX_PARENT_KEYS`). */
  maxKeys?: number;
}

/**
 * Reads the parent keys a transform's `references` rules need from the source, as the sets
 * `compileTransform` takes (`options.parentKeys`). Empty map when the transform has no such rule.
 */
export async function loadParentKeys(
  source: Source,
  t: TableTransform,
  options: LoadParentKeysOptions,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const refs = parentKeyRefs(t);
  if (refs.length === 0) return out;
  const available = await source.listTables();
  const max = options.maxKeys ?? MAX_PARENT_KEYS;
  for (const ref of refs) {
    const spec = await source.describe(resolveParentTable(available, ref));
    const column = spec.columns.find((c) => c.name === ref.key);
    if (!column)
      throw new FerryError(
        'CONFIG',
        `rule ${ref.rules.join(', ')}: ${tableName(spec)} has no column ${ref.key}`,
        {
          table: tableName(spec),
          column: ref.key,
        },
      );
    const keys = new Set<string>();
    const batches = source.read(
      spec,
      { columns: [], whole: true },
      {
        batchRows: options.batchRows,
        columns: [ref.key],
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.snapshotId ? { snapshotId: options.snapshotId } : {}),
      },
    );
    for await (const batch of batches) {
      const reader = dataReader(batch.data.children[0]!, column.type);
      for (let i = 0; i < batch.numRows; i++) {
        const v = reader.get(i);
        if (v !== null) keys.add(canonicalKeyText(v, column.type));
      }
      if (keys.size > max)
        throw new FerryError(
          'CONFIG',
          `${tableName(spec)}.${ref.key} has more than ${max} keys to check rule ${ref.rules.join(', ')} against`,
          {
            table: tableName(spec),
            column: ref.key,
            hint: 'the parent keys are held in memory (about 90 bytes each); check the relation after the load instead',
          },
        );
    }
    out.set(ref.id, keys);
  }
  return out;
}
