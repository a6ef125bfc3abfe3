/**
 * Planning: introspect → map → split.
 *
 *   source.listTables/describe ──► target.mapTable ──► key choice ──► source.sampleKeys ──► planPartitions
 *                                                                                        └─► Plan (+ hash)
 *
 * The plan is deterministic: the same config and source give the same plan and hash.
 */
import { createHash } from 'node:crypto';
import {
  type EndpointInfo,
  FerryError,
  type KeyStats,
  type Plan,
  type PlanOptions,
  type Source,
  type TablePlan,
  type TableRef,
  type TableSpec,
  type Target,
  tableName,
  type WriteMode,
} from '../core/index.js';
import { planPartitions } from '../partitioning/index.js';

/** One table the user asked for; `name` is `table` or `schema.table`. */
export interface TableSelection {
  name: string;
  /** Target table name (default: the source table's name). */
  targetName?: string;
  /** Key columns to split by (default: the primary key). */
  key?: string[];
  /** Rows per partition for this table (default: the plan's). */
  partitionRows?: number;
  /** Write mode for this table (default: the plan's). */
  mode?: WriteMode;
}

export interface PlanRequest {
  source: Source;
  target: Target;
  sourceInfo: EndpointInfo;
  targetInfo: EndpointInfo;
  mode: WriteMode;
  options: PlanOptions;
  /** Tables to migrate; all of the source's when empty. */
  tables?: TableSelection[];
  /** Schema for target tables (default: the target's default schema). */
  targetSchema?: string;
  signal?: AbortSignal;
}

/** SHA-256 over the canonical JSON of the plan without its hash. */
export function planHash(plan: Omit<Plan, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Resolves user table names against the source's tables; unknown names are NOT_FOUND with the known ones. */
export function resolveTables(
  available: TableRef[],
  selection: TableSelection[] | undefined,
): { ref: TableRef; sel: TableSelection }[] {
  const sorted = [...available].sort((a, b) => tableName(a).localeCompare(tableName(b)));
  if (!selection || selection.length === 0)
    return sorted.map((ref) => ({ ref, sel: { name: tableName(ref) } }));
  return selection.map((sel) => {
    const exact = sorted.filter((r) => tableName(r) === sel.name);
    const byName = exact.length ? exact : sorted.filter((r) => r.name === sel.name);
    if (byName.length === 1) return { ref: byName[0]!, sel };
    if (byName.length > 1) {
      throw new FerryError(
        'CONFIG',
        `table name "${sel.name}" is ambiguous: ${byName.map(tableName).join(', ')}`,
        {
          hint: 'qualify it as schema.table',
        },
      );
    }
    const known = sorted.map(tableName);
    throw new FerryError('NOT_FOUND', `table "${sel.name}" does not exist in the source`, {
      table: sel.name,
      hint: known.length ? `known tables: ${known.slice(0, 20).join(', ')}` : 'the source has no tables',
    });
  });
}

function chooseKey(spec: TableSpec, sel: TableSelection): string[] {
  const key = sel.key ?? spec.primaryKey;
  for (const k of key) {
    if (!spec.columns.some((c) => c.name === k)) {
      throw new FerryError('CONFIG', `key column "${k}" does not exist in table ${tableName(spec)}`, {
        table: tableName(spec),
        column: k,
      });
    }
  }
  return key;
}

async function planTable(req: PlanRequest, ref: TableRef, sel: TableSelection): Promise<TablePlan> {
  const spec = await req.source.describe(ref);
  const name = tableName(spec);
  const targetRef: TableRef = { name: sel.targetName ?? spec.name };
  if (req.targetSchema) targetRef.schema = req.targetSchema;
  const target = req.target.mapTable(spec, targetRef);
  const declared = chooseKey(spec, sel);
  // A keyless table is split by the source's row id when it has one (PostgreSQL ctid), else it is one partition.
  const byRowId = declared.length === 0 && req.source.rowIdKey !== undefined;
  const keyColumns = byRowId ? [req.source.rowIdKey!] : declared;
  const partitionRows = sel.partitionRows ?? req.options.partitionRows;
  const keyNullable = keyColumns.some((k) => spec.columns.find((c) => c.name === k)?.nullable);
  // Enough samples for ~64 per partition, so quantile boundaries are stable; capped for huge tables.
  const wanted = Math.ceil(Math.max(spec.estimatedRows, 1) / partitionRows);
  const maxSamples = Math.min(100_000, Math.max(1_000, wanted * 64));
  const stats: KeyStats = keyColumns.length
    ? await req.source.sampleKeys(spec, keyColumns, maxSamples, req.signal)
    : { rows: spec.estimatedRows, exact: false, nullKeyRows: 0, samples: [] };
  const planned = planPartitions({ table: name, keyColumns, keyNullable, stats, partitionRows });
  const { partitions } = planned;
  const info = byRowId
    ? {
        strategy: 'ctid' as const,
        reason: `no primary key: ${partitions.length} ${keyColumns[0]} block ranges, verified as a whole table`,
      }
    : planned.info;
  return {
    source: spec,
    target,
    columns: spec.columns.map((c, i) => ({ source: c.name, target: target.columns[i]!.name })),
    keyColumns,
    mode: sel.mode ?? req.mode,
    partitioning: info,
    partitions,
  };
}

/** Builds the plan for a migration. Every target type is decided here, so a type that cannot be held fails before any data moves. */
export async function buildPlan(req: PlanRequest): Promise<Plan> {
  const selected = resolveTables(await req.source.listTables(), req.tables);
  const tables: TablePlan[] = [];
  for (const { ref, sel } of selected) tables.push(await planTable(req, ref, sel));
  const seen = new Map<string, string>();
  for (const t of tables) {
    const key = tableName(t.target).toLowerCase();
    const other = seen.get(key);
    if (other) {
      throw new FerryError(
        'CONFIG',
        `source tables ${other} and ${tableName(t.source)} map to the same target table ${tableName(t.target)}`,
        {
          hint: 'give one of them a different target name',
        },
      );
    }
    seen.set(key, tableName(t.source));
  }
  const body: Omit<Plan, 'hash'> = {
    version: 1,
    source: req.sourceInfo,
    target: req.targetInfo,
    mode: req.mode,
    options: req.options,
    tables,
  };
  return { ...body, hash: planHash(body) };
}

/** Total planned partitions and estimated rows, for progress and summaries. */
export function planTotals(plan: Plan): { tables: number; partitions: number; estimatedRows: number } {
  let partitions = 0;
  let estimatedRows = 0;
  for (const t of plan.tables) {
    partitions += t.partitions.length;
    for (const p of t.partitions) estimatedRows += p.estimatedRows;
  }
  return { tables: plan.tables.length, partitions, estimatedRows };
}
