import { type Column, formatLogicalType, type LogicalType } from '../core/index.js';
import { issuesToError } from './config-issues.js';
import {
  type ColumnSpec,
  type RuleSpec,
  TABLE_MAPPING_KEYS,
  type TableMapping,
  tableMappingSchema,
} from './mapping-schema.js';
import { type ColumnPlan, configError, planColumn, UUID_NAMESPACES } from './plan-column.js';
import type {
  BusinessRule,
  ColumnRef,
  DedupeRule,
  Literal,
  TableTransform,
  TargetColumnRule,
  ValueMap,
  ValueSource,
} from './transform-types.js';
import { numberToDecimalText } from './values/decimal.js';
import { parseTypeName } from './values/type-name.js';
import { canonicalKeyText, parseValueText } from './values/value-text.js';

type Scalar = string | number | boolean;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The logical type and canonical text of YAML scalars written without a type (map values, `value:`). */
function inferLiterals(values: (Scalar | null)[], path: string): { type: LogicalType; texts: Literal[] } {
  const present = values.filter((v): v is Scalar => v !== null);
  const kinds = new Set(
    present.map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'dec') : typeof v)),
  );
  if (kinds.has('int') && kinds.has('dec')) kinds.delete('int');
  if (kinds.size > 1)
    throw configError(
      path,
      `the values mix ${[...kinds].join(' and ')}; write them all as one type`,
      'add `cast:` to convert',
    );
  const kind = [...kinds][0] ?? 'string';
  const type: LogicalType =
    kind === 'boolean'
      ? { kind: 'bool' }
      : kind === 'int'
        ? { kind: 'int', bits: 64 }
        : kind === 'dec'
          ? { kind: 'decimal' }
          : { kind: 'text' };
  const texts = values.map((v) =>
    v === null ? null : typeof v === 'number' ? numberToDecimalText(v) : String(v),
  );
  return { type, texts };
}

/** A YAML scalar as the canonical text of a value of `type`, or CONFIG at `path`. */
function literalOf(v: Scalar, type: LogicalType, path: string): string {
  const text = typeof v === 'number' ? numberToDecimalText(v) : String(v);
  const r = parseValueText(text, type);
  if ('error' in r) throw configError(path, `"${text}" ${r.error} (expected ${formatLogicalType(type)})`);
  return canonicalKeyText(r.value, type);
}

function valueSource(name: string, spec: ColumnSpec, at: string): ValueSource {
  if (spec.split) {
    const s = spec.split;
    return {
      kind: 'split',
      column: s.from,
      part: s.part,
      on: s.on,
      oneWord: s.one_word,
      extraWords: s.extra_words,
    };
  }
  if (spec.concat)
    return {
      kind: 'concat',
      columns: spec.concat.from,
      separator: spec.concat.separator,
      nulls: spec.concat.nulls,
    };
  if (spec.uuid_v5) {
    const ns = UUID_NAMESPACES[spec.uuid_v5.namespace.toLowerCase()] ?? spec.uuid_v5.namespace.toLowerCase();
    if (!UUID_TEXT.test(ns))
      throw configError(
        `${at}.uuid_v5.namespace`,
        `"${spec.uuid_v5.namespace}" is not a UUID`,
        'write a UUID, or dns, url, oid, x500',
      );
    const from = spec.uuid_v5.from;
    return { kind: 'uuid_v5', namespace: ns, columns: typeof from === 'string' ? [from] : from };
  }
  if ('value' in spec) {
    const { type, texts } = inferLiterals([spec.value ?? null], `${at}.value`);
    return { kind: 'value', value: texts[0] ?? null, type };
  }
  return { kind: 'from', column: spec.from ?? name };
}

function valueMap(spec: ColumnSpec, inputType: LogicalType, at: string): ValueMap {
  const raw = Object.entries(spec.map ?? {});
  const elseRaw = spec.else;
  const elseKind =
    elseRaw === 'reject' || elseRaw === undefined ? 'reject' : elseRaw === 'keep' ? 'keep' : 'value';
  const literalValues = [
    ...raw.map(([, v]) => v),
    ...(elseKind === 'value' ? [elseRaw as Scalar | null] : []),
  ];
  const { type, texts } = inferLiterals(literalValues, `${at}.map`);
  const entries: [string, Literal][] = raw.map(([k, _], i) => [
    literalOf(k, inputType, `${at}.map.${k}`),
    texts[i]!,
  ]);
  return {
    entries,
    type,
    else: elseKind === 'value' ? { kind: 'value', value: texts[raw.length] ?? null } : { kind: elseKind },
  };
}

function columnRule(name: string, spec: ColumnSpec, source: Map<string, Column>, at: string): ColumnPlan {
  const rule: TargetColumnRule = { name, source: valueSource(name, spec, at) };
  if (spec.trim !== undefined && spec.trim !== false) rule.trim = spec.trim === true ? 'both' : spec.trim;
  if (spec.normalize) rule.normalize = spec.normalize;
  if (spec.case) rule.case = spec.case;
  if (spec.regex_replace)
    rule.regexReplace = Array.isArray(spec.regex_replace) ? spec.regex_replace : [spec.regex_replace];
  // The map's keys are read as values of the type it receives, so plan the steps before it first.
  if (spec.map) rule.map = valueMap(spec, planColumn(rule, source, at).textType, at);
  if (spec.cast) rule.cast = parseTypeName(spec.cast)!;
  if (spec.timezone) rule.timezone = { ...spec.timezone };
  if (spec.default !== undefined)
    rule.default = literalOf(spec.default, planColumn(rule, source, at).checkedType, `${at}.default`);
  if (spec.mask) {
    const m = spec.mask;
    rule.mask =
      m === 'hash'
        ? { kind: 'hash' }
        : m === 'redact'
          ? { kind: 'redact', text: '***' }
          : 'redact' in m
            ? { kind: 'redact', text: m.redact }
            : { kind: 'keep_last', n: m.keep_last, char: m.char };
  }
  return planColumn(rule, source, at);
}

function entrySpec(name: string, entry: null | string | ColumnSpec): ColumnSpec {
  if (entry === null) return { from: name };
  if (typeof entry === 'string') return { from: entry };
  return entry;
}

/** Resolves rule column names: a target column first, else a source column. */
class Resolver {
  constructor(
    readonly targets: Map<string, ColumnPlan>,
    readonly source: Map<string, Column>,
  ) {}
  ref(name: string, path: string): ColumnRef {
    if (this.targets.has(name)) return { side: 'target', name };
    if (this.source.has(name)) return { side: 'source', name };
    throw configError(
      path,
      `no column ${name} in the target or the source`,
      `target columns: ${[...this.targets.keys()].join(', ')}`,
    );
  }
  type(ref: ColumnRef): LogicalType {
    return ref.side === 'target' ? this.targets.get(ref.name)!.checkedType : this.source.get(ref.name)!.type;
  }
  refs(names: string | string[], path: string): ColumnRef[] {
    return typeof names === 'string'
      ? [this.ref(names, path)]
      : names.map((n, i) => this.ref(n, `${path}[${i}]`));
  }
  /** A key column for unique/dedupe: masking that loses equality (redact, keep_last) would merge values. */
  keyRef(name: string, path: string): ColumnRef {
    const ref = this.ref(name, path);
    const mask = ref.side === 'target' ? this.targets.get(name)!.rule.mask : undefined;
    if (mask && mask.kind !== 'hash')
      throw configError(
        path,
        `${name} is masked (${mask.kind}), so equal masked values are not equal values`,
        'name the source column instead',
      );
    if (['list', 'json', 'bytes'].includes(this.type(ref).kind))
      throw configError(path, `${name} is ${formatLogicalType(this.type(ref))} and cannot be a key`);
    return ref;
  }
  keyRefs(names: string | string[], path: string): ColumnRef[] {
    return typeof names === 'string'
      ? [this.keyRef(names, path)]
      : names.map((n, i) => this.keyRef(n, `${path}[${i}]`));
  }
}

function label(refs: ColumnRef[]): string {
  return refs.map((r) => r.name).join(', ');
}

function businessRule(spec: RuleSpec, r: Resolver, at: string): BusinessRule {
  if (spec.not_null !== undefined) {
    const columns = r.refs(spec.not_null, `${at}.not_null`);
    return { kind: 'not_null', name: spec.name ?? `not_null(${label(columns)})`, columns };
  }
  if (spec.unique !== undefined) {
    const columns = r.keyRefs(spec.unique, `${at}.unique`);
    return { kind: 'unique', name: spec.name ?? `unique(${label(columns)})`, columns };
  }
  if (spec.range) {
    const column = r.ref(spec.range.column, `${at}.range.column`);
    const type = r.type(column);
    if (!['int', 'float', 'decimal', 'text', 'date', 'time', 'timestamp'].includes(type.kind))
      throw configError(
        `${at}.range.column`,
        `a range needs an ordered type; ${column.name} is ${formatLogicalType(type)}`,
      );
    const out: BusinessRule = { kind: 'range', name: spec.name ?? `range(${column.name})`, column };
    if (spec.range.min !== undefined) out.min = literalOf(spec.range.min, type, `${at}.range.min`);
    if (spec.range.max !== undefined) out.max = literalOf(spec.range.max, type, `${at}.range.max`);
    return out;
  }
  if (spec.regex) {
    const column = r.ref(spec.regex.column, `${at}.regex.column`);
    try {
      new RegExp(spec.regex.pattern, spec.regex.flags);
    } catch (e) {
      throw configError(`${at}.regex.pattern`, `not a valid regular expression: ${(e as Error).message}`);
    }
    return {
      kind: 'regex',
      name: spec.name ?? `regex(${column.name})`,
      column,
      pattern: spec.regex.pattern,
      flags: spec.regex.flags,
    };
  }
  if (spec.allowed) {
    const column = r.ref(spec.allowed.column, `${at}.allowed.column`);
    const type = r.type(column);
    const values = spec.allowed.values.map((v, i) => literalOf(v, type, `${at}.allowed.values[${i}]`));
    return { kind: 'allowed', name: spec.name ?? `allowed(${column.name})`, column, values };
  }
  const ref = spec.references!;
  const column = r.keyRef(ref.column, `${at}.references.column`);
  return {
    kind: 'references',
    name: spec.name ?? `references(${column.name} → ${ref.table}.${ref.key})`,
    column,
    table: ref.table,
    key: ref.key,
  };
}

/** The mapping keys of a `tables:` entry (other keys belong to core's table schema and are ignored here). */
function pickMapping(raw: unknown): unknown {
  // A table entry written as just its name has no mapping.
  if (raw === undefined || raw === null || typeof raw === 'string') return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const entry = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(entry)) {
    if ((TABLE_MAPPING_KEYS as readonly string[]).includes(k) || !('name' in entry)) out[k] = entry[k];
  }
  return out;
}

/**
 * Validates one table's mapping against its source columns and returns the plan form. `raw` is the
 * `tables:` entry (or just its mapping keys: columns, unmapped, rules, dedupe); `path` is where it sits in
 * the config (`tables[0]`), so every error names the exact key, e.g. `tables[0].columns.first_name.split`.
 * Throws FerryError CONFIG with `context.configPath`.
 */
export function parseTableMapping(raw: unknown, path: string, source: Column[]): TableTransform {
  const input = pickMapping(raw);
  const parsed = tableMappingSchema.safeParse(input);
  if (!parsed.success) throw issuesToError(parsed.error.issues, path, tableMappingSchema, input);
  const mapping: TableMapping = parsed.data;
  const sourceMap = new Map(source.map((c) => [c.name, c]));
  const plans = new Map<string, ColumnPlan>();
  if (mapping.columns === undefined) {
    for (const c of source)
      plans.set(
        c.name,
        planColumn({ name: c.name, source: { kind: 'from', column: c.name } }, sourceMap, `${path}.columns`),
      );
  } else {
    for (const [name, entry] of Object.entries(mapping.columns))
      plans.set(name, columnRule(name, entrySpec(name, entry), sourceMap, `${path}.columns.${name}`));
    if (mapping.unmapped === 'keep') {
      const used = new Set([...plans.values()].flatMap((p) => p.inputs));
      for (const c of source) {
        if (used.has(c.name) || plans.has(c.name)) continue;
        plans.set(
          c.name,
          planColumn(
            { name: c.name, source: { kind: 'from', column: c.name } },
            sourceMap,
            `${path}.unmapped`,
          ),
        );
      }
    }
  }
  if (plans.size === 0) throw configError(`${path}.columns`, 'the mapping has no target columns');
  const resolver = new Resolver(plans, sourceMap);
  const rules = mapping.rules.map((r, i) => businessRule(r, resolver, `${path}.rules[${i}]`));
  const out: TableTransform = { version: 1, columns: [...plans.values()].map((p) => p.rule), rules };
  if (mapping.dedupe) {
    const d = mapping.dedupe;
    const key = resolver.keyRefs(d.key, `${path}.dedupe.key`);
    const dedupe: DedupeRule = { name: d.name ?? `dedupe(${label(key)})`, key, keep: d.keep };
    if (d.by !== undefined) {
      dedupe.by = resolver.ref(d.by, `${path}.dedupe.by`);
      const byPlan = dedupe.by.side === 'target' ? plans.get(d.by) : undefined;
      if (byPlan?.rule.mask)
        throw configError(
          `${path}.dedupe.by`,
          `${d.by} is masked, so its order means nothing`,
          'name the source column instead',
        );
      if (['list', 'json', 'bytes', 'bool', 'interval'].includes(resolver.type(dedupe.by).kind))
        throw configError(
          `${path}.dedupe.by`,
          `${d.by} is ${formatLogicalType(resolver.type(dedupe.by))}, which has no order to keep by`,
        );
    }
    out.dedupe = dedupe;
  }
  return out;
}
