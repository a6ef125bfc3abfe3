import { formatLogicalType, type SourceSnapshot } from '../../core/index.js';
import {
  type ColumnProfile,
  columnFindings,
  type FkOrder,
  type Finding,
  type ForeignKeyEdge,
  type Inventory,
  inventoryFindings,
  keyFindings,
  maskColumnProfile,
  maskText,
  orphanFindings,
  type OrphanCheckResult,
  type PiiColumn,
  type ProfileReport,
  sortFindings,
  summarizeColumn,
  type TableProfile,
} from '../../profiling/index.js';
import type { ProfileSourceOptions } from './options.js';
import type { TableWork } from './table-work.js';

export interface AssembleInput {
  opts: ProfileSourceOptions;
  works: Map<string, TableWork>;
  order: FkOrder;
  edges: ForeignKeyEdge[];
  missingParents: { edge: ForeignKeyEdge; reason: string }[];
  snapshot: SourceSnapshot | undefined;
  seconds: number;
}

function consistencyOf(snapshot: SourceSnapshot | undefined): ProfileReport['consistency'] {
  if (!snapshot) {
    return {
      consistent: false,
      reason:
        'the source offers no shared snapshot: each partition saw the data as it was when read (a file opened read-only cannot change meanwhile)',
    };
  }
  if (snapshot.consistent === false) {
    return { consistent: false, reason: 'per-partition snapshots: each partition is consistent in itself' };
  }
  return {
    consistent: true,
    reason: `one snapshot (${snapshot.id}) shared by every reader`,
    ...(snapshot.position ? { position: snapshot.position } : {}),
  };
}

function inventoryOf(input: AssembleInput): Inventory {
  const { works, order, edges } = input;
  return {
    tables: order.loadOrder.map((name) => {
      const w = works.get(name)!;
      return {
        name,
        rows: w.rows,
        estimatedRows: w.spec.estimatedRows,
        estimatedBytes: w.spec.estimatedBytes,
        bytesRead: w.bytes,
        columns: w.spec.columns.map((c) => ({
          name: c.name,
          nativeType: c.nativeType,
          type: formatLogicalType(c.type),
          nullable: c.nullable,
        })),
        primaryKey: [...w.spec.primaryKey],
        uniqueKeys: (w.spec.uniqueKeys ?? []).map((k) => [...k]),
        foreignKeys: (w.spec.foreignKeys ?? []).map((f) => ({ ...f })),
        partitions: w.partitions.length,
        keysOnly: w.keysOnly,
      };
    }),
    foreignKeys: [...edges, ...input.missingParents.map((m) => m.edge)],
    loadOrder: order.loadOrder,
    cycles: order.cycles,
    selfReferences: order.selfReferences,
    withoutPrimaryKey: order.loadOrder.filter(
      (n) => !works.get(n)!.keysOnly && works.get(n)!.spec.primaryKey.length === 0,
    ),
  };
}

function isRequired(input: AssembleInput, table: TableWork, column: string, nullable: boolean): boolean {
  if (!nullable) return true;
  return (input.opts.required ?? []).some(
    (r) => (r.table === table.name || r.table === table.spec.name) && r.column === column,
  );
}

/** The profile of one table, masked where PII, and its findings. */
function tableProfile(
  input: AssembleInput,
  w: TableWork,
  findings: Finding[],
  pii: PiiColumn[],
): TableProfile {
  const showPii = input.opts.showPii === true;
  const states = w.columnStates();
  const masked = new Set<string>();
  const columns: ColumnProfile[] = w.columns.map((col, i) => {
    let p = summarizeColumn(col, states[i]!, isRequired(input, w, col.name, col.nullable));
    // A one-column key was counted exactly by its duplicate check: better than the column's estimate.
    const key = w.keyResults.find((k) => k.columns.length === 1 && k.columns[0] === col.name);
    if (key && !p.distinct.exact) p = { ...p, distinct: { count: key.distinct, exact: true } };
    if (p.pii) {
      pii.push({ table: w.name, column: col.name, ...p.pii });
      if (!showPii) {
        p = maskColumnProfile(p);
        masked.add(col.name);
      }
    }
    findings.push(...columnFindings(w.name, col, p));
    return p;
  });
  const maskKey = (cols: string[], examples: string[]) =>
    cols.some((c) => masked.has(c)) ? examples.map(maskText) : examples;
  const keys = w.keyResults.map((k) => ({ ...k, examples: maskKey(k.columns, k.examples) }));
  const foreignKeys: OrphanCheckResult[] = w.orphanResults.map((o) => ({
    ...o,
    examples: maskKey(o.columns, o.examples),
  }));
  for (const m of input.missingParents) {
    if (m.edge.from !== w.name) continue;
    foreignKeys.push({
      columns: m.edge.columns,
      references: m.edge.to,
      referencedColumns: m.edge.referencedColumns,
      origin: m.edge.origin,
      mode: 'unchecked',
      rows: w.rows,
      nullRows: 0,
      orphanRows: 0,
      orphanKeys: 0,
      examples: [],
      reason: m.reason,
    });
  }
  for (const k of keys) findings.push(...keyFindings(w.name, k));
  for (const o of foreignKeys) findings.push(...orphanFindings(w.name, o));
  return {
    name: w.name,
    rows: w.rows,
    partitions: w.partitions.length,
    bytesRead: w.bytes,
    columns,
    keys,
    foreignKeys,
  };
}

/** Builds the report from the finished tables. */
export function assembleReport(input: AssembleInput): ProfileReport {
  const { opts, works, order } = input;
  const inventory = inventoryOf(input);
  const findings: Finding[] = inventoryFindings(inventory);
  const pii: PiiColumn[] = [];
  const tables = order.loadOrder
    .map((n) => works.get(n)!)
    .filter((w) => !w.keysOnly)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((w) => tableProfile(input, w, findings, pii));
  return {
    version: 1,
    name: opts.name ?? 'profile',
    source: opts.sourceDisplay ?? 'source',
    createdAt: new Date().toISOString(),
    durationSeconds: Math.round(input.seconds * 100) / 100,
    options: {
      partitionRows: opts.partitionRows,
      ...(opts.partitionBytes !== undefined ? { partitionBytes: opts.partitionBytes } : {}),
      batchRows: opts.batchRows,
      concurrency: opts.concurrency,
      candidateKeys: (opts.candidateKeys ?? []).map((k) => ({ table: k.table, columns: [...k.columns] })),
      required: (opts.required ?? []).map((r) => ({ ...r })),
      showPii: opts.showPii === true,
    },
    consistency: consistencyOf(input.snapshot),
    inventory,
    tables,
    findings: sortFindings(findings),
    pii,
  };
}
