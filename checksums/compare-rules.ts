import { z } from 'zod';
import { FerryError, formatLogicalType, type LogicalType } from '../core/index.js';

/**
 * How one column is normalised before it is encoded, on both sides alike, where engines legitimately
 * store a value differently. Without a rule every value is compared exactly.
 */
export interface ColumnCompareRule {
  /** Floats (and list elements that are floats): round to this many significant digits (1–17). Default: exact bits. */
  floatDigits?: number;
  /** Timestamps and times: keep only this precision. Default: `us` (exact). */
  timestampPrecision?: 'us' | 'ms' | 's';
  /**
   * How `timestampPrecision` drops digits: `truncate` toward zero (DuckDB casts) or `round` half away from
   * zero (PostgreSQL `timestamp(3)`, MySQL `DATETIME(3)`). Choose what the lower-precision engine does.
   * Default: `truncate`.
   */
  timestampRounding?: 'truncate' | 'round';
  /** Text: drop trailing spaces (CHAR(n) padding). Applied before `emptyIsNull`. Default: false. */
  trimTrailingSpaces?: boolean;
  /** Text, bytes, uuid, json, interval: an empty value counts as NULL (Oracle, some CSV). Default: false. */
  emptyIsNull?: boolean;
}

/** Compare rules by column name (the name in the batches being checksummed). */
export type CompareRules = Record<string, ColumnCompareRule>;

/** Zod schema of one column's {@link ColumnCompareRule}, strict so a misspelt option is an error. */
export const columnCompareRuleSchema = z.strictObject({
  floatDigits: z
    .number()
    .int()
    .min(1)
    .max(17)
    .optional()
    .describe('Round float columns to this many significant digits before comparing. Default: exact bits.'),
  timestampPrecision: z
    .enum(['us', 'ms', 's'])
    .optional()
    .describe('Compare timestamps and times only to this precision. Default: us (exact).'),
  timestampRounding: z
    .enum(['truncate', 'round'])
    .optional()
    .describe(
      'How timestampPrecision drops digits: truncate toward zero or round half away from zero. Default: truncate.',
    ),
  trimTrailingSpaces: z
    .boolean()
    .optional()
    .describe('Ignore trailing spaces in text (CHAR padding). Default: false.'),
  emptyIsNull: z.boolean().optional().describe('Treat an empty text/bytes value as NULL. Default: false.'),
});

/** Zod schema of {@link CompareRules}, for embedding in the config. */
export const compareRulesSchema = z
  .record(z.string(), columnCompareRuleSchema)
  .describe('Per-column comparison rules for verification, by target column name. Default: none (exact).');

/** A rule checked against its column, in the form the encoders use. */
export interface ResolvedRule {
  floatDigits: number;
  /** Microseconds per kept unit: 1 (exact), 1000 or 1000000. */
  timeUnit: number;
  roundTime: boolean;
  trim: boolean;
  emptyIsNull: boolean;
}

/** No normalisation. */
export const EXACT: ResolvedRule = Object.freeze({
  floatDigits: 0,
  timeUnit: 1,
  roundTime: false,
  trim: false,
  emptyIsNull: false,
});

const UNIT = { us: 1, ms: 1000, s: 1_000_000 } as const;

function leafKind(t: LogicalType): LogicalType['kind'] {
  return t.kind === 'list' ? leafKind(t.element) : t.kind;
}

const EMPTY_KINDS = new Set(['text', 'bytes', 'uuid', 'json', 'interval']);

/**
 * Checks a column's rule against its type and resolves it. A rule that cannot apply to the column's type
 * is a CONFIG error rather than silently doing nothing.
 */
export function resolveRule(
  column: string,
  type: LogicalType,
  rule: ColumnCompareRule | undefined,
): ResolvedRule {
  if (!rule) return EXACT;
  const kind = leafKind(type);
  const refuse = (option: string): never => {
    throw new FerryError(
      'CONFIG',
      `compare rule ${option} does not apply to column ${column} of type ${formatLogicalType(type)}`,
      { column, hint: `remove ${option} from the compare rules of ${column}` },
    );
  };
  if (rule.floatDigits !== undefined && kind !== 'float') refuse('floatDigits');
  if (rule.timestampPrecision !== undefined && kind !== 'timestamp' && kind !== 'time')
    refuse('timestampPrecision');
  if (rule.timestampRounding !== undefined && rule.timestampPrecision === undefined)
    refuse('timestampRounding (without timestampPrecision)');
  if (rule.trimTrailingSpaces && kind !== 'text') refuse('trimTrailingSpaces');
  if (rule.emptyIsNull && !EMPTY_KINDS.has(kind)) refuse('emptyIsNull');
  if (
    rule.floatDigits !== undefined &&
    (!Number.isInteger(rule.floatDigits) || rule.floatDigits < 1 || rule.floatDigits > 17)
  )
    refuse(`floatDigits=${rule.floatDigits} (must be 1–17)`);
  return {
    floatDigits: rule.floatDigits ?? 0,
    timeUnit: UNIT[rule.timestampPrecision ?? 'us'],
    roundTime: rule.timestampRounding === 'round',
    trim: rule.trimTrailingSpaces === true,
    emptyIsNull: rule.emptyIsNull === true,
  };
}

/** Every named column must exist: a rule for a misspelt or missing column is a CONFIG error. */
export function checkRuleColumns(rules: CompareRules | undefined, columns: readonly string[]): void {
  if (!rules) return;
  for (const name of Object.keys(rules)) {
    if (!columns.includes(name))
      throw new FerryError('CONFIG', `compare rules name column ${name}, which the table does not have`, {
        column: name,
        hint: `columns are: ${columns.join(', ')}`,
      });
  }
}
