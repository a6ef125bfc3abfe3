/**
 * Planning: introspect → map → split.
 *
 *   source.listTables/describe ──► target.mapTable ──► key choice ──► source.sampleKeys ──► planPartitions
 *                                                                                        └─► Plan (+ hash)
 *
 * With a mapping (`columns`, `rules`, `dedupe` in the config), transform/ checks it against the source table and
 * gives the target columns; they, not the source's, go through `target.mapTable`. The validated mapping is
 * stored in the table plan, so every worker runs exactly that.
 *
 * The plan is deterministic: the same config and source give the same plan and hash.
 */
import { createHash } from 'node:crypto';
import {
  type EndpointInfo,
  type ForeignKey,
  FerryError,
  formatLogicalType,
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
import { planPartitions, rowsPerPartition } from '../partitioning/index.js';
import {
  checkParentKeys,
  parseTableMapping,
  type TableTransform,
  targetColumnsOf,
} from '../transform/index.js';

/** One table the user asked for; `name` is `table` or `schema.table`. */
export interface TableSelection {
  name: string;
  /** Target table name (default: the source table's name). */
  targetName?: string;
  /** Key columns to split by (default: the primary key). */
  key?: string[];
  /** Rows per partition for this table (default: the plan's). */
  partitionRows?: number;
  /** Bytes per partition for this table, instead of rows (default: the plan's when `partitionRows` is unset). */
  partitionBytes?: number;
  /** Write mode for this table (default: the plan's). */
  mode?: WriteMode;
  /** The table's mapping keys as written in the config (`columns`, `unmapped`, `rules`, `dedupe`). */
  mapping?: unknown;
  /** Where the table sits in the config (`tables[2]`), for mapping errors. */
  configPath?: string;
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
  /**
   * Whether the transform salt is set: when false, a mapping with `mask: hash` is refused here, before any data
   * moves. Undefined: not checked (e.g. `ferry plan`, which only shows the plan).
   */
  saltAvailable?: boolean;
  /**
   * Plan raw copies (`TablePlan.rawCopy`, `TablePlan.transcode`) where source and target allow them (default true; `FERRY_RAW_COPY=off`
   * in the CLI turns them off, e.g. to compare with the Arrow path).
   */
  rawCopy?: boolean;
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

/**
 * The target columns copied unchanged from a source column, as target name → source name: no step changes
 * their values or type, so the partitioning key can be renamed onto them.
 */
export function unchangedColumns(t: TableTransform, source: TableSpec): Map<string, string> {
  const targets = targetColumnsOf(t, source.columns);
  const out = new Map<string, string>();
  t.columns.forEach((c, i) => {
    if (c.source.kind !== 'from') return;
    const changed =
      c.trim || c.normalize || c.case || c.regexReplace || c.map || c.cast || c.timezone || c.mask;
    const from = source.columns.find((s) => s.name === (c.source as { column: string }).column);
    if (changed || c.default !== undefined || !from) return;
    if (formatLogicalType(from.type) !== formatLogicalType(targets[i]!.type)) return;
    out.set(c.name, from.name);
  });
  return out;
}

/**
 * The table spec a transform produces: its target columns, and the keys whose columns all reach the target
 * unchanged (renamed). Foreign keys, secondary indexes and checks name source columns and values the mapping
 * may change, so they are not carried over.
 */
function transformedSpec(spec: TableSpec, t: TableTransform, unchanged: Map<string, string>): TableSpec {
  const toTarget = new Map([...unchanged].map(([target, source]) => [source, target]));
  const rename = (cols: string[]) =>
    cols.every((c) => toTarget.has(c)) ? cols.map((c) => toTarget.get(c)!) : undefined;
  const out: TableSpec = {
    ...(spec.schema ? { schema: spec.schema } : {}),
    name: spec.name,
    columns: targetColumnsOf(t, spec.columns),
    primaryKey: rename(spec.primaryKey) ?? [],
    estimatedRows: spec.estimatedRows,
    estimatedBytes: spec.estimatedBytes,
  };
  const unique = (spec.uniqueKeys ?? []).map(rename).filter((u): u is string[] => u !== undefined);
  if (unique.length) out.uniqueKeys = unique;
  return out;
}

function usesHashMask(t: TableTransform): boolean {
  return t.columns.some((c) => c.mask?.kind === 'hash');
}

async function planTable(req: PlanRequest, ref: TableRef, sel: TableSelection): Promise<TablePlan> {
  const spec = await req.source.describe(ref);
  const name = tableName(spec);
  const targetRef: TableRef = { name: sel.targetName ?? spec.name };
  if (req.targetSchema) targetRef.schema = req.targetSchema;
  // As pgloader does: a MySQL database's tables land in a PostgreSQL schema of the database's name.
  else if (req.sourceInfo.connector === 'mysql' && req.targetInfo.connector === 'postgres' && spec.schema)
    targetRef.schema = spec.schema;
  let transform: TableTransform | undefined;
  let unchanged: Map<string, string> | undefined;
  if (sel.mapping !== undefined) {
    const path = sel.configPath ?? `tables[${name}]`;
    transform = parseTableMapping(sel.mapping, path, spec.columns);
    await checkParentKeys(req.source, transform, path);
    if (req.saltAvailable === false && usesHashMask(transform))
      throw new FerryError('CONFIG', `${path}: mask: hash needs the transform salt, which is not set`, {
        table: name,
        configPath: `${path}.columns`,
        hint: 'set FERRY_TRANSFORM_SALT_FILE (a chmod 600 file) or transform_salt_file in the config',
      });
    unchanged = unchangedColumns(transform, spec);
  }
  const target = req.target.mapTable(
    transform ? transformedSpec(spec, transform, unchanged!) : spec,
    targetRef,
  );
  const declared = chooseKey(spec, sel);
  // A keyless table is split by the source's row id when it has one (PostgreSQL ctid), else it is one partition.
  const byRowId = declared.length === 0 && req.source.rowIdKey !== undefined;
  const keyColumns = byRowId ? [req.source.rowIdKey!] : declared;
  const size = rowsPerPartition(
    spec,
    sel.partitionRows ?? req.options.partitionRows,
    sel.partitionBytes ?? (sel.partitionRows === undefined ? req.options.partitionBytes : undefined),
  );
  const partitionRows = size.rows;
  const keyNullable = keyColumns.some((k) => spec.columns.find((c) => c.name === k)?.nullable);
  // Enough samples for ~64 per partition, so quantile boundaries are stable; capped for huge tables.
  const wanted = Math.ceil(Math.max(spec.estimatedRows, 1) / partitionRows);
  const maxSamples = Math.min(100_000, Math.max(1_000, wanted * 64));
  const stats: KeyStats = keyColumns.length
    ? await req.source.sampleKeys(spec, keyColumns, maxSamples, req.signal)
    : { rows: spec.estimatedRows, exact: false, nullKeyRows: 0, samples: [] };
  const planned = planPartitions({ table: name, keyColumns, keyNullable, stats, partitionRows });
  const { partitions } = planned;
  const chosen = byRowId
    ? {
        strategy: 'ctid' as const,
        reason: `no primary key: ${partitions.length} ${keyColumns[0]} block ranges, verified as a whole table`,
      }
    : planned.info;
  const info = size.note ? { ...chosen, reason: `${chosen.reason} (${size.note})` } : chosen;
  const plan: TablePlan = {
    source: spec,
    target,
    columns: unchanged
      ? [...unchanged].map(([t, s]) => ({ source: s, target: t }))
      : spec.columns.map((c, i) => ({ source: c.name, target: target.columns[i]!.name })),
    keyColumns,
    mode: sel.mode ?? req.mode,
    partitioning: info,
    partitions,
  };
  if (!transform && (await rawCopyPossible(req, spec, target, plan.mode)))
    plan.rawCopy = req.source.rawFormat!;
  else if (!transform && (await transcodePossible(req, spec, target, plan.mode)))
    plan.transcode = req.target.rawFormat!;
  // Range read-backs of an unindexed table scan all of it: verify a table ferry fills in one scan instead.
  if (req.target.indexesAfterLoad && plan.mode !== 'append') plan.readBack = 'table';
  if (!byRowId && textKeyOrderMayDiffer(req, spec, target, keyColumns)) {
    plan.verifyBy = 'table';
    plan.partitioning = {
      ...info,
      reason: `${info.reason}; verified as a whole table: the target may sort the text key differently`,
    };
  }
  if (transform) {
    plan.transform = transform;
    const sources = new Set(unchanged!.values());
    // A key the target does not hold unchanged cannot select a partition's rows there: verify the whole table.
    if (keyColumns.length > 0 && !keyColumns.every((k) => sources.has(k))) plan.verifyBy = 'table';
  }
  return plan;
}

/** Engines that compare text by its bytes (DuckDB's VARCHAR: DuckDB, Parquet and CSV endpoints). */
const BYTE_ORDER_CONNECTORS = new Set(['duckdb', 'parquet', 'csv']);

/**
 * Whether the target may order a text key column differently from the source. Partitions are key ranges in the
 * source's order (its collation); on a target that sorts otherwise (MariaDB's case-insensitive utf8mb4_general_ci
 * against PostgreSQL's C collation) a range selects other rows, so reading back or clearing a partition by its
 * range there would compare or DELETE the rows of other partitions. Such tables are verified as a whole table
 * (`verifyBy: 'table'`), which also keeps a retry from clearing its range. Same engine with the same native key
 * type (MySQL's includes the collation): same order; between PostgreSQL databases, ferry assumes the databases'
 * collations agree.
 */
function textKeyOrderMayDiffer(
  req: PlanRequest,
  source: TableSpec,
  target: TableSpec,
  keyColumns: string[],
): boolean {
  const family = (connector: string) => (BYTE_ORDER_CONNECTORS.has(connector) ? 'bytes' : connector);
  const sameEngine = family(req.sourceInfo.connector) === family(req.targetInfo.connector);
  return keyColumns.some((k) => {
    const column = source.columns.find((c) => c.name === k);
    if (column?.type.kind !== 'text') return false;
    if (!sameEngine) return true;
    if (req.targetInfo.connector !== 'mysql') return false;
    return target.columns.find((c) => c.name === k)?.nativeType !== column.nativeType;
  });
}

/**
 * Whether a table can be copied in a raw row format (`TablePlan.rawCopy`): source and target share the format,
 * each column has the same native type on both sides, and so does the target table when one exists and is
 * kept (append, truncate) — otherwise the Arrow path converts values, and names any value the target refuses.
 */
async function rawCopyPossible(
  req: PlanRequest,
  source: TableSpec,
  target: TableSpec,
  mode: WriteMode,
): Promise<boolean> {
  const raw = req.source.rawFormat;
  if (req.rawCopy === false || raw === undefined || raw !== req.target.rawFormat) return false;
  if (!source.columns.every((c, i) => c.nativeType === target.columns[i]?.nativeType)) return false;
  return targetKeepsPlannedTypes(req, target, mode);
}

/**
 * Whether the source can write a table's rows straight in the target's raw format for the planned target
 * types (`TablePlan.transcode`, e.g. MySQL → PostgreSQL binary COPY), the target table kept holding those types.
 */
async function transcodePossible(
  req: PlanRequest,
  source: TableSpec,
  target: TableSpec,
  mode: WriteMode,
): Promise<boolean> {
  const format = req.target.rawFormat;
  if (req.rawCopy === false || format === undefined || !req.source.canTranscode?.(source, target, format))
    return false;
  return targetKeepsPlannedTypes(req, target, mode);
}

/** An existing target table that is kept (append, truncate) has the planned native type in every column. */
async function targetKeepsPlannedTypes(
  req: PlanRequest,
  target: TableSpec,
  mode: WriteMode,
): Promise<boolean> {
  const existing = mode === 'append' || mode === 'truncate' ? await req.target.describe(target) : undefined;
  return (
    !existing ||
    target.columns.every((c) => existing.columns.find((e) => e.name === c.name)?.nativeType === c.nativeType)
  );
}

/** Builds the plan for a migration. Every target type is decided here, so a type that cannot be held fails before any data moves. */
export async function buildPlan(req: PlanRequest): Promise<Plan> {
  const selected = resolveTables(await req.source.listTables(), req.tables);
  const tables: TablePlan[] = [];
  for (const { ref, sel } of selected) tables.push(await planTable(req, ref, sel));
  linkForeignKeys(tables);
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

/**
 * Foreign keys of the target tables point at the target names of the referenced tables; a foreign key to a
 * table outside the migration cannot be created on the target and is left out with a warning in the plan.
 */
function linkForeignKeys(tables: TablePlan[]): void {
  const bySource = new Map(tables.map((t) => [tableName(t.source), t]));
  for (const t of tables) {
    if (!t.target.foreignKeys) continue;
    const kept: ForeignKey[] = [];
    for (const fk of t.target.foreignKeys) {
      const parent =
        bySource.get(tableName(fk.references)) ??
        (fk.references.schema ? undefined : tables.find((p) => p.source.name === fk.references.name));
      if (!parent) {
        t.warnings = t.warnings ?? [];
        t.warnings.push(
          `foreign key (${fk.columns.join(', ')}) → ${tableName(fk.references)} not created: that table is not part of this migration`,
        );
        continue;
      }
      const rename = new Map(parent.columns.map((c) => [c.source, c.target]));
      const references: TableRef = { name: parent.target.name };
      if (parent.target.schema) references.schema = parent.target.schema;
      kept.push({
        ...fk,
        references,
        referencedColumns: fk.referencedColumns.map((c) => rename.get(c) ?? c),
      });
    }
    if (kept.length) t.target.foreignKeys = kept;
    else delete t.target.foreignKeys;
  }
}
