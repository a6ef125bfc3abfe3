import { FerryError, type LogicalType } from '../core/index.js';
import type { JsValue } from '../formats/index.js';
import type { Values } from './batch-values.js';
import { type RowFailures, showValue } from './row-failures.js';
import type { BusinessRule, ColumnRef } from './transform-types.js';
import { compareDecimals, parseDecimal } from './values/decimal.js';
import { canonicalKeyText, literalValue, valueText } from './values/value-text.js';

/** Where a rule reads its column: the checked (pre-mask) target values or the source values. */
export interface RuleInputs {
  values(ref: ColumnRef): Values;
  type(ref: ColumnRef): LogicalType;
  /** True when the target column is masked: reasons then do not show its value. */
  masked(ref: ColumnRef): boolean;
}

/** A row-level rule over whole columns; `unique` is not one (it needs the whole partition). */
export type RowRule = (inputs: RuleInputs, failures: RowFailures) => void;

/** The id under which `parentKeys` holds a parent's key set: `table.key`. */
export function parentKeyId(table: string, key: string): string {
  return `${table}.${key}`;
}

/** An exact comparison for the ordered types (`range`, dedupe's `by`). */
export function comparer(type: LogicalType): (a: JsValue, b: JsValue) => number {
  if (type.kind === 'decimal')
    return (a, b) => {
      const pa = parseDecimal(a as string);
      const pb = parseDecimal(b as string);
      if (!pa || !pb) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
      return compareDecimals(pa, pb);
    };
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

function each(rule: BusinessRule & { column: ColumnRef }, test: (v: JsValue) => string | undefined): RowRule {
  return (inputs, failures) => {
    const values = inputs.values(rule.column);
    const type = inputs.type(rule.column);
    const masked = inputs.masked(rule.column);
    for (let r = 0; r < values.length; r++) {
      const v = values[r] ?? null;
      if (v === null || failures.failed[r]) continue;
      const problem = test(v);
      if (problem !== undefined)
        failures.fail(r, rule.name, rule.column.name, showValue(v, type, masked), problem);
    }
  };
}

/**
 * Compiles the row-level rules (not_null, range, regex, allowed, references) in their order. A referential
 * rule needs its parent's keys in `parentKeys`, as canonical key texts (`canonicalKeyText`).
 */
export function compileRowRules(
  rules: BusinessRule[],
  typeOf: (ref: ColumnRef) => LogicalType,
  parentKeys: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): RowRule[] {
  const out: RowRule[] = [];
  for (const rule of rules) {
    switch (rule.kind) {
      case 'not_null':
        out.push((inputs, failures) => {
          for (const ref of rule.columns) {
            const values = inputs.values(ref);
            for (let r = 0; r < values.length; r++)
              if (values[r] === null && !failures.failed[r])
                failures.fail(r, rule.name, ref.name, 'NULL', 'where a value is required');
          }
        });
        break;
      case 'range': {
        const type = typeOf(rule.column);
        const cmp = comparer(type);
        const min = rule.min === undefined ? undefined : literalValue(rule.min, type);
        const max = rule.max === undefined ? undefined : literalValue(rule.max, type);
        out.push(
          each(rule, (v) => {
            if (min !== undefined && cmp(v, min) < 0) return `is below the minimum ${rule.min}`;
            if (max !== undefined && cmp(v, max) > 0) return `is above the maximum ${rule.max}`;
            if (type.kind === 'float' && Number.isNaN(v)) return 'is NaN, which no range holds';
            return undefined;
          }),
        );
        break;
      }
      case 'regex': {
        const re = new RegExp(rule.pattern, rule.flags);
        const type = typeOf(rule.column);
        out.push(
          each(rule, (v) =>
            re.test(typeof v === 'string' ? v : valueText(v, type))
              ? undefined
              : `does not match /${rule.pattern}/${rule.flags}`,
          ),
        );
        break;
      }
      case 'allowed': {
        const allowed = new Set(rule.values);
        const type = typeOf(rule.column);
        const shown =
          rule.values.length > 10 ? `${rule.values.slice(0, 10).join(', ')}, …` : rule.values.join(', ');
        out.push(
          each(rule, (v) =>
            allowed.has(canonicalKeyText(v, type))
              ? undefined
              : `is not one of the allowed values (${shown})`,
          ),
        );
        break;
      }
      case 'references': {
        const id = parentKeyId(rule.table, rule.key);
        const keys = parentKeys?.get(id);
        if (!keys)
          throw new FerryError('CONFIG', `rule ${rule.name} needs the keys of ${id}, which were not loaded`, {
            hint: 'the parent table must be readable when the transform is compiled',
          });
        const type = typeOf(rule.column);
        out.push(
          each(rule, (v) => (keys.has(canonicalKeyText(v, type)) ? undefined : `has no parent row in ${id}`)),
        );
        break;
      }
      case 'unique':
        break;
    }
  }
  return out;
}
