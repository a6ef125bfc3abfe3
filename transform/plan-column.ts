import { type Column, FerryError, formatLogicalType, type LogicalType } from '../core/index.js';
import type { TargetColumnRule } from './transform-types.js';
import { isUtcName, loadZone } from './tz/zone.js';
import { makeCaster } from './values/cast.js';
import { parseValueText } from './values/value-text.js';

/** The types a target column's value has after each step, derived from the rule and the source columns. */
export interface ColumnPlan {
  rule: TargetColumnRule;
  /** After the value source. */
  valueType: LogicalType;
  /** After the text steps (trim, normalize, case, regex_replace): what `map` sees. */
  textType: LogicalType;
  /** After map and cast: what `timezone` sees. */
  castType: LogicalType;
  /** After timezone and default: the value business rules check (before masking). */
  checkedType: LogicalType;
  /** The target column's type (after masking). */
  type: LogicalType;
  nullable: boolean;
  nativeType: string;
  /** Source columns the value is computed from. */
  inputs: string[];
}

/** A CONFIG error located at `path`. */
export function configError(path: string, message: string, hint?: string): FerryError {
  return new FerryError('CONFIG', `${path}: ${message}`, { configPath: path, ...(hint ? { hint } : {}) });
}

function sourceColumn(source: Map<string, Column>, name: string, path: string): Column {
  const c = source.get(name);
  if (!c) {
    const known = [...source.keys()];
    throw configError(
      path,
      `source column ${name} does not exist`,
      `source columns: ${known.slice(0, 30).join(', ')}${known.length > 30 ? ', …' : ''}`,
    );
  }
  return c;
}

/** Resolves the UUID namespace names RFC 4122 defines; other text must be a UUID. */
export const UUID_NAMESPACES: Record<string, string> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

function zone(name: string, path: string): void {
  try {
    loadZone(name);
  } catch (e) {
    const err = e as FerryError;
    throw configError(path, err.message, err.context?.hint);
  }
}

function sameType(a: LogicalType, b: LogicalType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The step-by-step types of one target column. Throws CONFIG at the offending key under `at` (the column's
 * path, e.g. `tables[0].columns.first_name`) when a step cannot apply to the value it receives.
 */
export function planColumn(rule: TargetColumnRule, source: Map<string, Column>, at: string): ColumnPlan {
  const s = rule.source;
  let type: LogicalType;
  let nullable: boolean;
  let inputs: string[];
  let passthrough = false;
  let native = '';
  switch (s.kind) {
    case 'from': {
      const c = sourceColumn(source, s.column, `${at}.from`);
      type = c.type;
      nullable = c.nullable;
      inputs = [s.column];
      passthrough = true;
      native = c.nativeType;
      break;
    }
    case 'value':
      type = s.type;
      nullable = s.value === null;
      inputs = [];
      break;
    case 'split': {
      const c = sourceColumn(source, s.column, `${at}.split.from`);
      if (c.type.kind !== 'text')
        throw configError(
          `${at}.split.from`,
          `split needs a text column; ${s.column} is ${formatLogicalType(c.type)}`,
        );
      type =
        c.type.maxLength === undefined ? { kind: 'text' } : { kind: 'text', maxLength: c.type.maxLength };
      nullable = true;
      inputs = [s.column];
      break;
    }
    case 'concat': {
      const cols = s.columns.map((n, i) => sourceColumn(source, n, `${at}.concat.from[${i}]`));
      const list = cols.find((c) => c.type.kind === 'list');
      if (list) throw configError(`${at}.concat.from`, `concat cannot join the list column ${list.name}`);
      type = { kind: 'text' };
      nullable =
        s.nulls === 'null'
          ? cols.some((c) => c.nullable)
          : s.nulls === 'skip' && cols.every((c) => c.nullable);
      inputs = [...s.columns];
      break;
    }
    case 'uuid_v5': {
      const cols = s.columns.map((n, i) =>
        sourceColumn(source, n, `${at}.uuid_v5.from${s.columns.length > 1 ? `[${i}]` : ''}`),
      );
      const list = cols.find((c) => c.type.kind === 'list');
      if (list) throw configError(`${at}.uuid_v5.from`, `a list column (${list.name}) cannot name a UUID`);
      type = { kind: 'uuid' };
      nullable = cols.some((c) => c.nullable);
      inputs = [...s.columns];
      break;
    }
  }
  const valueType = type;
  const textSteps = (['trim', 'normalize', 'case', 'regexReplace'] as const).filter(
    (k) => rule[k] !== undefined,
  );
  if (textSteps.length) {
    if (type.kind !== 'text') {
      const key = textSteps[0] === 'regexReplace' ? 'regex_replace' : textSteps[0]!;
      throw configError(
        `${at}.${key}`,
        `${key} needs a text value, but the value is ${formatLogicalType(type)}`,
      );
    }
    for (const [i, r] of (rule.regexReplace ?? []).entries()) {
      try {
        new RegExp(r.pattern, r.flags);
      } catch (e) {
        const where = (rule.regexReplace ?? []).length > 1 ? `[${i}]` : '';
        throw configError(
          `${at}.regex_replace${where}.pattern`,
          `not a valid regular expression: ${(e as Error).message}`,
        );
      }
    }
    if (rule.normalize || rule.case || rule.regexReplace) type = { kind: 'text' };
    passthrough = false;
  }
  const textType = type;
  if (rule.map) {
    if (type.kind === 'list') throw configError(`${at}.map`, 'a list value cannot be mapped');
    if (
      rule.map.else.kind === 'keep' &&
      !sameType(rule.map.type, type) &&
      !(type.kind === 'text' && rule.map.type.kind === 'text')
    )
      throw configError(
        `${at}.else`,
        `else: keep keeps ${formatLogicalType(type)} values, but the map gives ${formatLogicalType(rule.map.type)}`,
        'give an else value of the map’s type, or reject',
      );
    if (
      rule.map.entries.some(([, v]) => v === null) ||
      (rule.map.else.kind === 'value' && rule.map.else.value === null)
    )
      nullable = true;
    type = rule.map.type;
    passthrough = false;
  }
  if (rule.cast) {
    const caster = makeCaster(type, rule.cast);
    if (typeof caster === 'string') throw configError(`${at}.cast`, caster);
    if (!sameType(type, rule.cast)) passthrough = false;
    type = rule.cast;
  }
  const castType = type;
  if (rule.timezone) {
    const tz = rule.timezone;
    if (type.kind !== 'timestamp')
      throw configError(
        `${at}.timezone`,
        `timezone needs a timestamp, but the value is ${formatLogicalType(type)}`,
      );
    zone(tz.from, `${at}.timezone.from`);
    zone(tz.to, `${at}.timezone.to`);
    if (type.tz && !isUtcName(tz.from))
      throw configError(
        `${at}.timezone.from`,
        `the value is already an instant (timestamptz), so it has no wall time in ${tz.from}`,
        'write `from: UTC` to convert the instant to a zone, or add `cast: timestamp` to read its digits as wall time',
      );
    type = { kind: 'timestamp', tz: isUtcName(tz.to) };
    passthrough = false;
  }
  if (rule.default !== undefined && rule.default !== null) {
    const r = parseValueText(rule.default, type);
    if ('error' in r)
      throw configError(
        `${at}.default`,
        `"${rule.default}" ${r.error} (the value is ${formatLogicalType(type)})`,
      );
    nullable = false;
    passthrough = false;
  }
  const checkedType = type;
  if (rule.mask) {
    type = { kind: 'text' };
    passthrough = false;
  }
  return {
    rule,
    valueType,
    textType,
    castType,
    checkedType,
    type,
    nullable,
    nativeType: passthrough ? native : formatLogicalType(type),
    inputs,
  };
}
