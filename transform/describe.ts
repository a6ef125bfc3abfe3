import { type Column, formatLogicalType } from '../core/index.js';
import { targetColumnsOf } from './compile.js';
import { planColumn } from './plan-column.js';
import type { BusinessRule, ColumnRef, TableTransform, TargetColumnRule } from './transform-types.js';

/** One line of a data-mapping document: where a target column comes from and what is done to it. */
export interface MappingRow {
  target: string;
  targetType: string;
  nullable: boolean;
  sources: { column: string; type: string }[];
  /** The rule in words, e.g. `split on " ": first word; one word: first_name_only; 3+ words: to_last`. */
  rule: string;
}

function lit(v: string | null): string {
  return v === null ? 'NULL' : JSON.stringify(v);
}

function ruleText(r: TargetColumnRule): string {
  const s = r.source;
  const parts: string[] = [];
  switch (s.kind) {
    case 'from':
      if (s.column !== r.name) parts.push(`rename from ${s.column}`);
      break;
    case 'value':
      parts.push(`constant ${lit(s.value)}`);
      break;
    case 'split':
      parts.push(
        `split ${s.column} on ${JSON.stringify(s.on)}: ${s.part} part; one word: ${s.oneWord}; 3+ words: ${s.extraWords}`,
      );
      break;
    case 'concat':
      parts.push(`concat ${s.columns.join(', ')} with ${JSON.stringify(s.separator)}; NULLs: ${s.nulls}`);
      break;
    case 'uuid_v5':
      parts.push(`uuid v5 of ${s.columns.join(', ')} in namespace ${s.namespace}`);
      break;
  }
  if (r.trim) parts.push(r.trim === 'both' ? 'trim' : `trim ${r.trim}`);
  if (r.normalize) parts.push(`normalize ${r.normalize}`);
  if (r.case) parts.push(`${r.case} case`);
  for (const x of r.regexReplace ?? [])
    parts.push(`replace /${x.pattern}/${x.flags} with ${JSON.stringify(x.replacement)}`);
  if (r.map) {
    const entries = r.map.entries.map(([k, v]) => `${JSON.stringify(k)} → ${lit(v)}`).join(', ');
    const otherwise = r.map.else.kind === 'value' ? lit(r.map.else.value) : r.map.else.kind;
    parts.push(`map ${entries}, else ${otherwise}`);
  }
  if (r.cast) parts.push(`cast to ${formatLogicalType(r.cast)}`);
  if (r.timezone)
    parts.push(
      `time zone ${r.timezone.from} → ${r.timezone.to} (gap: ${r.timezone.gap}, overlap: ${r.timezone.overlap})`,
    );
  if (r.default !== undefined) parts.push(`default ${lit(r.default)}`);
  if (r.mask)
    parts.push(
      r.mask.kind === 'hash'
        ? 'mask: HMAC-SHA256 hash'
        : r.mask.kind === 'redact'
          ? `mask: redact as ${JSON.stringify(r.mask.text)}`
          : `mask: keep last ${r.mask.n}`,
    );
  return parts.length ? parts.join('; ') : 'copy';
}

/** The rows of a data-mapping table for one table's transform, in target column order. */
export function describeTransform(t: TableTransform, source: Column[]): MappingRow[] {
  const byName = new Map(source.map((c) => [c.name, c]));
  const targets = targetColumnsOf(t, source);
  return t.columns.map((rule, i) => {
    const plan = planColumn(rule, byName, `columns.${rule.name}`);
    return {
      target: rule.name,
      targetType: formatLogicalType(targets[i]!.type),
      nullable: targets[i]!.nullable,
      sources: plan.inputs.map((c) => ({ column: c, type: formatLogicalType(byName.get(c)!.type) })),
      rule: ruleText(rule),
    };
  });
}

function refs(columns: ColumnRef[]): string {
  return columns.map((c) => (c.side === 'source' ? `source ${c.name}` : c.name)).join(', ');
}

/** One sentence per business rule and dedupe, for the mapping document and reports. */
export function describeRules(t: TableTransform): { name: string; text: string }[] {
  const out = t.rules.map((r: BusinessRule): { name: string; text: string } => {
    switch (r.kind) {
      case 'not_null':
        return { name: r.name, text: `${refs(r.columns)} must not be NULL` };
      case 'unique':
        return {
          name: r.name,
          text: `${refs(r.columns)} must be unique within a partition (all duplicates rejected)`,
        };
      case 'range':
        return {
          name: r.name,
          text: `${refs([r.column])} between ${r.min ?? '−∞'} and ${r.max ?? '+∞'} (inclusive)`,
        };
      case 'regex':
        return { name: r.name, text: `${refs([r.column])} matches /${r.pattern}/${r.flags}` };
      case 'allowed':
        return { name: r.name, text: `${refs([r.column])} is one of ${r.values.join(', ')}` };
      default:
        return { name: r.name, text: `${refs([r.column])} exists in ${r.table}.${r.key}` };
    }
  });
  if (t.dedupe)
    out.push({
      name: t.dedupe.name,
      text: `one row per ${refs(t.dedupe.key)}: keep ${t.dedupe.keep}${t.dedupe.by ? ` by ${refs([t.dedupe.by])}` : ''}`,
    });
  return out;
}
