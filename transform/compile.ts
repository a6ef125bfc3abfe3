/**
 * Running a table's transform on Arrow batches, column by column:
 *
 *   source batch ─► for each target column: value source ─► cleansing steps ─► (checked values) ─► mask
 *                 ─► row rules on checked values (not_null, range, regex, allowed, references)
 *                 ─► output batch of the rows that passed + rejects for the others (with the full source row)
 *
 * `apply` is stateless, so batches can go to any pool thread; unique and dedupe need the whole partition and
 * run in a `PartitionStage` (see partition-stage.ts) after it.
 */
import type * as A from 'apache-arrow';
import { type Column, FerryError } from '../core/index.js';
import { columnBuilder, schemaFor } from '../formats/index.js';
import type { Values } from './batch-values.js';
import { type CompiledSteps, compileSteps } from './column-steps.js';
import { openPartitionStage, type PartitionStage } from './partition-stage.js';
import { type ColumnPlan, planColumn } from './plan-column.js';
import { RowFailures, toRejected } from './row-failures.js';
import { compileRowRules, type RuleInputs } from './row-rules.js';
import { makeBatch, takeData } from './take.js';
import type { ColumnRef, TableTransform, TransformContext, TransformResult } from './transform-types.js';
import { BatchSource } from './source-access.js';
import { type SourceStep, sourceStep } from './value-source.js';

export interface CompiledTransform {
  readonly targetColumns: Column[];
  /** True when unique or dedupe rules need every batch of a partition to pass through `openPartition`. */
  readonly hasPartitionRules: boolean;
  /**
   * Transforms one source batch; rows failing a step or rule are not in `batch` but in `rejects`, never
   * dropped silently. Stateless: safe to call from any thread, in any order.
   */
  apply(batch: A.RecordBatch, context: TransformContext): TransformResult;
  /** The stateful stage for unique and dedupe over one partition attempt. */
  openPartition(context: TransformContext): PartitionStage;
}

export interface CompileOptions {
  /** Parent key sets for `references` rules, by `parentKeyId(table, key)`, holding `canonicalKeyText`s. */
  parentKeys?: ReadonlyMap<string, ReadonlySet<string>>;
}

interface Program {
  plan: ColumnPlan;
  column: Column;
  /** Source column copied unchanged (zero-copy when no row is rejected). */
  passthrough?: string;
  source: SourceStep;
  compiled: CompiledSteps;
}

/** The target columns of a transform: names, logical types and nullability (a not_null rule makes NOT NULL). */
export function targetColumnsOf(t: TableTransform, source: Column[]): Column[] {
  const byName = new Map(source.map((c) => [c.name, c]));
  const required = new Set(
    t.rules.flatMap((r) =>
      r.kind === 'not_null' ? r.columns.filter((c) => c.side === 'target').map((c) => c.name) : [],
    ),
  );
  return t.columns.map((rule) => {
    const p = planColumn(rule, byName, `columns.${rule.name}`);
    return {
      name: rule.name,
      type: p.type,
      nullable: p.nullable && !required.has(rule.name),
      nativeType: p.nativeType,
    };
  });
}

/**
 * Compiles a planned transform for the source columns it was planned against. `secrets.salt` is needed
 * by `mask: hash`; `options.parentKeys` by `references` rules. Throws CONFIG when either is missing.
 */
export function compileTransform(
  t: TableTransform,
  source: Column[],
  secrets: { salt?: string },
  options: CompileOptions = {},
): CompiledTransform {
  if (t.version !== 1)
    throw new FerryError('CONFIG', `transform version ${String(t.version)} is not supported`);
  const byName = new Map(source.map((c) => [c.name, c]));
  const targetColumns = targetColumnsOf(t, source);
  const schema = schemaFor(targetColumns);
  const programs: Program[] = t.columns.map((rule, i) => {
    const plan = planColumn(rule, byName, `columns.${rule.name}`);
    const compiled = compileSteps(plan, secrets.salt);
    const p: Program = {
      plan,
      column: targetColumns[i]!,
      source: sourceStep(rule.source, byName, rule.name),
      compiled,
    };
    const same = JSON.stringify(plan.type) === JSON.stringify(plan.valueType);
    if (rule.source.kind === 'from' && compiled.steps.length === 0 && !compiled.mask && same)
      p.passthrough = rule.source.column;
    return p;
  });
  const byTarget = new Map(programs.map((p) => [p.plan.rule.name, p]));
  const typeOf = (ref: ColumnRef) =>
    ref.side === 'target' ? byTarget.get(ref.name)!.plan.checkedType : byName.get(ref.name)!.type;
  const rowRules = compileRowRules(t.rules, typeOf, options.parentKeys);
  const hasPartitionRules = t.dedupe !== undefined || t.rules.some((r) => r.kind === 'unique');

  function apply(batch: A.RecordBatch, context: TransformContext): TransformResult {
    const n = batch.numRows;
    const src = new BatchSource(batch, source);
    const failures = new RowFailures(n);
    const checked = new Map<string, Values>();
    const output: (Values | undefined)[] = [];
    for (const p of programs) {
      if (p.passthrough !== undefined) {
        output.push(undefined);
        continue;
      }
      const values = p.source(src, n, failures);
      for (const step of p.compiled.steps) step(values, failures);
      checked.set(p.plan.rule.name, values);
      const mask = p.compiled.mask;
      output.push(mask ? values.map((v) => (v === null ? null : mask(v))) : values);
    }
    const inputs: RuleInputs = {
      values: (ref) => {
        if (ref.side === 'source') return src.get(ref.name);
        const p = byTarget.get(ref.name)!;
        return p.passthrough !== undefined ? src.get(p.passthrough) : checked.get(ref.name)!;
      },
      type: typeOf,
      masked: (ref) => ref.side === 'target' && byTarget.get(ref.name)!.compiled.mask !== undefined,
    };
    for (const rule of rowRules) rule(inputs, failures);

    let keep: Int32Array;
    if (failures.count === 0) keep = Int32Array.from({ length: n }, (_, i) => i);
    else {
      keep = new Int32Array(n - failures.count);
      for (let r = 0, k = 0; r < n; r++) if (!failures.failed[r]) keep[k++] = r;
    }
    const children = programs.map((p, i) => {
      if (p.passthrough !== undefined) {
        const data = src.data(p.passthrough);
        return failures.count === 0 ? data : takeData(data, p.column.type, keep);
      }
      const values = output[i]!;
      const b = columnBuilder(p.column.type, keep.length);
      for (let k = 0; k < keep.length; k++) b.append(values[keep[k]!]);
      return b.finish();
    });
    const rejects = failures.entries.sort((a, b) => a.row - b.row).map((f) => toRejected(f, src, context));
    return { batch: makeBatch(targetColumns, children, keep.length, schema), rejects, sourceRows: keep };
  }

  return {
    targetColumns,
    hasPartitionRules,
    apply,
    openPartition: (context) => openPartitionStage(t, source, targetColumns, context),
  };
}
