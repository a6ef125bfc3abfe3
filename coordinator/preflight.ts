import {
  type Column,
  FerryError,
  formatLogicalType,
  type TablePlan,
  type TableSpec,
  type Target,
  tableName,
  type WriteMode,
} from '../core/index.js';

/** The first difference between the table a plan expects and the one the target has, or undefined. */
export function shapeDifference(
  expected: TableSpec,
  actual: TableSpec,
): { column?: string; message: string } | undefined {
  const byName = new Map<string, Column>(actual.columns.map((c) => [c.name, c]));
  for (const c of expected.columns) {
    const a = byName.get(c.name);
    if (!a) return { column: c.name, message: `column ${c.name} is missing` };
    if (formatLogicalType(a.type) !== formatLogicalType(c.type)) {
      return {
        column: c.name,
        message: `column ${c.name} is ${a.nativeType} (${formatLogicalType(a.type)}), expected ${c.nativeType} (${formatLogicalType(c.type)})`,
      };
    }
  }
  const extra = actual.columns.find((c) => !expected.columns.some((e) => e.name === c.name));
  if (extra && !extra.nullable)
    return { column: extra.name, message: `extra NOT NULL column ${extra.name} would reject every row` };
  return undefined;
}

/**
 * Checks, before anything is written, that the run can touch this target table under `mode`:
 * create needs it absent; append needs a compatible shape. Truncate and replace rebuild it.
 */
export async function preflightTable(target: Target, table: TablePlan, mode: WriteMode): Promise<void> {
  const existing = await target.describe(table.target);
  if (!existing) return;
  const name = tableName(table.target);
  if (mode === 'create') {
    throw new FerryError('SCHEMA_MISMATCH', `target table ${name} already exists and mode is create`, {
      table: name,
      hint: 'use --mode append to add rows, --mode replace or truncate to overwrite, or drop the table',
    });
  }
  if (mode === 'append') {
    const diff = shapeDifference(table.target, existing);
    if (diff) {
      throw new FerryError('SCHEMA_MISMATCH', `target table ${name} has another shape: ${diff.message}`, {
        table: name,
        ...(diff.column ? { column: diff.column } : {}),
        hint: 'fix the target table, map the columns in the config, or use --mode replace',
      });
    }
  }
}
