import type { Column } from '../core/index.js';
import type { PatternName } from './patterns.js';
import { piiByName } from './pii.js';
import type {
  ColumnProfile,
  Finding,
  Inventory,
  KeyCheckResult,
  OrphanCheckResult,
  Severity,
} from './report-types.js';
import { percentOf } from './column-summary.js';

/**
 * Findings: the problems (and notable facts) a person should act on before migrating, each with a severity.
 *   error   — the load will fail or lose meaning: NULLs in required columns, duplicate keys, orphans.
 *   warning — the data is suspect: malformed e-mails and phones, candidate-key duplicates, no primary key.
 *   info    — worth knowing for the mapping: codes, enumerations, numbers stored as text, outliers, PII.
 */

const fmt = (n: number) => n.toLocaleString('en-US');

/** A percentage as people read it: one decimal, `<0.1%` for small non-zero values. */
export function formatPercent(p: number): string {
  if (p > 0 && p < 0.1) return '<0.1%';
  return `${(Math.round(p * 10) / 10).toFixed(1)}%`;
}

const quoteList = (values: string[]) => values.map((v) => `'${v}'`).join(', ');
const eg = (examples: string[]) => (examples.length ? `; e.g. ${examples.join(', ')}` : '');

function finding(
  severity: Severity,
  code: Finding['code'],
  table: string,
  column: string | undefined,
  message: string,
  extra: Partial<Pick<Finding, 'count' | 'percent' | 'examples'>> = {},
): Finding {
  const f: Finding = { severity, code, table, message };
  if (column !== undefined) f.column = column;
  return Object.assign(f, extra);
}

function patternShare(c: ColumnProfile, p: PatternName): { matches: number; checked: number } {
  const checked = c.rows - c.nulls;
  return { matches: c.patterns?.find((r) => r.pattern === p)?.matches ?? 0, checked };
}

function misses(c: ColumnProfile, p: PatternName): string[] {
  return c.patterns?.find((r) => r.pattern === p)?.misses ?? [];
}

/** Malformed values in a column that is meant to hold e-mails or phone numbers (by name or by most values). */
function malformed(table: string, c: ColumnProfile, p: 'email' | 'phone'): Finding | undefined {
  const { matches, checked } = patternShare(c, p);
  if (checked === 0 || c.patterns === undefined) return undefined;
  const named = piiByName(c.name)?.category === p;
  if (!named && matches / checked < 0.5) return undefined;
  const bad = checked - matches;
  if (bad === 0) return undefined;
  const percent = percentOf(bad, checked);
  const what = p === 'email' ? 'e-mails' : 'phone numbers';
  const examples = p === 'email' ? misses(c, 'email') : misses(c, 'phone');
  return finding(
    'warning',
    p === 'email' ? 'malformed_email' : 'malformed_phone',
    table,
    c.name,
    `${table}.${c.name}: ${formatPercent(percent)} malformed ${what} (${fmt(bad)} of ${fmt(checked)} values${eg(examples)})`,
    { count: bad, percent, examples },
  );
}

const TEXT_FORMATS: [PatternName, string][] = [
  ['iso_date', 'ISO dates'],
  ['uuid', 'UUIDs'],
  ['numeric', 'numbers'],
];

/** Findings about one column's values. */
export function columnFindings(table: string, column: Column, c: ColumnProfile): Finding[] {
  const out: Finding[] = [];
  const at = `${table}.${c.name}`;
  const values = c.rows - c.nulls;
  if (c.required && c.nulls > 0) {
    const why = column.nullable ? 'configured as required' : 'declared NOT NULL';
    out.push(
      finding(
        'error',
        'null_in_required',
        table,
        c.name,
        `${at}: ${formatPercent(c.nullPercent)} NULL in a required column (${fmt(c.nulls)} of ${fmt(c.rows)} rows; ${why})`,
        {
          count: c.nulls,
          percent: c.nullPercent,
        },
      ),
    );
  }
  if (c.rows > 0 && values === 0) {
    out.push(
      finding('warning', 'all_null', table, c.name, `${at}: every value is NULL (${fmt(c.rows)} rows)`, {
        count: c.rows,
        percent: 100,
      }),
    );
  }
  if (values > 1 && c.distinct.exact && c.distinct.count === 1 && c.nulls === 0) {
    out.push(
      finding(
        'info',
        'constant',
        table,
        c.name,
        `${at}: one value in every row (${quoteList(c.topValues.map((v) => v.value))})`,
      ),
    );
  }
  for (const p of ['email', 'phone'] as const) {
    const f = malformed(table, c, p);
    if (f) out.push(f);
  }
  if (
    c.patterns &&
    values > 0 &&
    !out.some((f) => f.code === 'malformed_email' || f.code === 'malformed_phone')
  ) {
    for (const [p, label] of TEXT_FORMATS) {
      const { matches } = patternShare(c, p);
      const share = matches / values;
      if (share === 1) {
        out.push(
          finding(
            'info',
            'stored_as_text',
            table,
            c.name,
            `${at}: every value is one of the ${label}, stored as ${c.nativeType}`,
          ),
        );
        break;
      }
      if (share >= 0.9) {
        const bad = values - matches;
        const percent = percentOf(bad, values);
        out.push(
          finding(
            'warning',
            'inconsistent_format',
            table,
            c.name,
            `${at}: ${formatPercent(percent)} of values are not ${label} like the rest (${fmt(bad)} values${eg(misses(c, p))})`,
            {
              count: bad,
              percent,
              examples: misses(c, p),
            },
          ),
        );
        break;
      }
    }
  }
  if (
    c.lengths?.unit === 'characters' &&
    c.distinct.exact &&
    c.distinct.count >= 2 &&
    c.distinct.count <= 10 &&
    values >= 20
  ) {
    const codes = c.topValues.map((v) => v.value);
    if (c.lengths.max <= 3) {
      out.push(
        finding(
          'info',
          'code_values',
          table,
          c.name,
          `${at}: ${c.distinct.count} distinct values ${quoteList(codes)} — looks like a code`,
          { examples: codes },
        ),
      );
    } else {
      out.push(
        finding(
          'info',
          'enumeration',
          table,
          c.name,
          `${at}: ${c.distinct.count} distinct values ${quoteList(codes)} — an enumeration`,
          { examples: codes },
        ),
      );
    }
  }
  const o = c.outliers;
  if (o && o.below + o.above > 0) {
    const n = o.below + o.above;
    const percent = percentOf(n, values);
    out.push(
      finding(
        'info',
        'outliers',
        table,
        c.name,
        `${at}: ${o.exact ? '' : '≈'}${fmt(n)} values (${formatPercent(percent)}) outside the IQR fences [${o.low}, ${o.high}]${eg(o.examples)}`,
        {
          count: n,
          percent,
          examples: o.examples,
        },
      ),
    );
  }
  if (c.pii) {
    out.push(
      finding(
        'info',
        'pii',
        table,
        c.name,
        `${at}: likely personal data (${c.pii.category.replace('_', ' ')}, ${c.pii.confidence} confidence): ${c.pii.reasons.join('; ')}`,
      ),
    );
  }
  return out;
}

const KEY_WORDS: Record<KeyCheckResult['kind'], string> = {
  primary: 'the primary key',
  unique: 'unique key',
  candidate: 'candidate key',
};

/** Findings of a duplicate check. */
export function keyFindings(table: string, k: KeyCheckResult): Finding[] {
  const out: Finding[] = [];
  const cols = k.columns.join('+');
  const shown = k.columns.length === 1 ? k.columns[0]! : `(${k.columns.join(', ')})`;
  if (k.kind === 'primary' && k.nullRows > 0) {
    out.push(
      finding(
        'error',
        'null_in_key',
        table,
        cols,
        `${table}: ${fmt(k.nullRows)} rows with a NULL in the primary key ${shown}`,
        { count: k.nullRows, percent: percentOf(k.nullRows, k.rows) },
      ),
    );
  }
  if (k.duplicateRows > 0) {
    const percent = percentOf(k.duplicateRows, k.rows);
    const what = k.kind === 'primary' ? KEY_WORDS.primary : `${KEY_WORDS[k.kind]} ${shown}`;
    const key = k.kind === 'primary' ? ` ${shown}` : '';
    out.push(
      finding(
        k.kind === 'candidate' ? 'warning' : 'error',
        k.kind === 'candidate' ? 'duplicate_candidate_key' : 'duplicate_key',
        table,
        cols,
        `${table}: ${formatPercent(percent)} duplicate rows on ${what}${key} (${fmt(k.duplicateRows)} rows beyond the first, ${fmt(k.duplicateKeys)} keys${eg(k.examples)})`,
        { count: k.duplicateRows, percent, examples: k.examples },
      ),
    );
  }
  return out;
}

/** Findings of an orphan check. */
export function orphanFindings(table: string, fk: OrphanCheckResult): Finding[] {
  const cols = fk.columns.join('+');
  const target = `${fk.references}.${fk.referencedColumns.join('+')}`;
  if (fk.mode === 'unchecked') {
    return [
      finding(
        'error',
        'parent_missing',
        table,
        cols,
        `${table}.${cols}: references ${target}, which ${fk.reason ?? 'cannot be read'}`,
      ),
    ];
  }
  if (fk.orphanRows === 0) return [];
  const percent = percentOf(fk.orphanRows, fk.rows);
  return [
    finding(
      'error',
      'orphans',
      table,
      cols,
      `${table}.${cols}: ${fmt(fk.orphanRows)} orphans (${formatPercent(percent)} of rows, ${fmt(fk.orphanKeys)} keys) — no matching ${target}${eg(fk.examples)}`,
      {
        count: fk.orphanRows,
        percent,
        examples: fk.examples,
      },
    ),
  ];
}

/** Findings about the tables' shape: missing primary keys, foreign-key cycles, self-references. */
export function inventoryFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  for (const t of inv.withoutPrimaryKey) {
    out.push(
      finding(
        'warning',
        'no_primary_key',
        t,
        undefined,
        `${t}: no primary key — it is read as one partition and duplicate rows cannot be ruled out`,
      ),
    );
  }
  for (const cycle of inv.cycles) {
    out.push(
      finding(
        'warning',
        'fk_cycle',
        cycle[0]!,
        undefined,
        `foreign keys form a cycle: ${[...cycle, cycle[0]].join(' → ')} — load with constraints deferred, or in two passes`,
      ),
    );
  }
  for (const t of inv.selfReferences) {
    out.push(
      finding(
        'info',
        'self_reference',
        t,
        undefined,
        `${t}: references itself — parents must load before children (or constraints deferred)`,
      ),
    );
  }
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; by table and column within each (stable otherwise). */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.table.localeCompare(b.table) ||
      (a.column ?? '').localeCompare(b.column ?? ''),
  );
}
