import { type Column, formatLogicalType } from '../core/index.js';
import type { ColumnState } from './column-state.js';
import { DistinctCounter, HLL_RELATIVE_ERROR } from './distinct.js';
import { EXACT_LENGTH_LIMIT, type LengthState } from './lengths.js';
import { numericSummary } from './numeric-summary.js';
import { PATTERN_LABELS, PATTERN_NAMES } from './patterns.js';
import { detectPii } from './pii.js';
import type { ColumnProfile, HistogramBin, PatternResult } from './report-types.js';
import { displayRaw, domainInfo } from './value-domain.js';

/** Top values listed per column in the report. */
export const REPORT_TOP_VALUES = 10;
const LENGTH_BINS = 20;

/** A percentage with two decimals, from a part and a whole (0 when the whole is 0). */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}

function lengthHistogram(s: LengthState): HistogramBin[] {
  const exact = s.counts.filter(([b]) => b <= EXACT_LENGTH_LIMIT);
  const buckets = s.counts.filter(([b]) => b > EXACT_LENGTH_LIMIT);
  const bins: HistogramBin[] = [];
  if (exact.length) {
    const lo = exact[0]![0];
    const hi = exact[exact.length - 1]![0];
    const width = Math.max(1, Math.ceil((hi - lo + 1) / LENGTH_BINS));
    for (let start = lo; start <= hi; start += width) {
      const end = Math.min(hi, start + width - 1);
      const count = exact.filter(([b]) => b >= start && b <= end).reduce((sum, [, c]) => sum + c, 0);
      bins.push({ lo: String(start), hi: String(end), count });
    }
  }
  for (const [b, c] of buckets) bins.push({ lo: String(b), hi: String(2 * b - 1), count: c });
  return bins;
}

function patternResults(state: ColumnState): PatternResult[] | undefined {
  const p = state.patterns;
  if (!p || p.checked === 0) return undefined;
  return PATTERN_NAMES.map(
    (name): PatternResult => ({
      pattern: name,
      label: PATTERN_LABELS[name],
      matches: p.patterns[name].matches,
      percent: percentOf(p.patterns[name].matches, p.checked),
      examples: p.patterns[name].examples,
      misses: p.patterns[name].misses,
    }),
  )
    .filter((r) => r.matches > 0)
    .sort((a, b) => b.matches - a.matches);
}

/**
 * The report profile of a column from its merged state: display values, percentages, top values,
 * length and numeric summaries, pattern results and the PII flag.
 */
export function summarizeColumn(column: Column, state: ColumnState, required: boolean): ColumnProfile {
  const t = column.type;
  const distinct = DistinctCounter.from(state.distinct);
  const info = domainInfo(t);
  const profile: ColumnProfile = {
    name: column.name,
    nativeType: column.nativeType,
    type: formatLogicalType(t),
    nullable: column.nullable,
    required,
    rows: state.rows,
    nulls: state.nulls,
    nullPercent: percentOf(state.nulls, state.rows),
    // An estimate never exceeds the values there are.
    distinct: distinct.exact
      ? { count: distinct.count(), exact: true }
      : {
          count: Math.min(distinct.count(), state.rows - state.nulls - state.nan),
          exact: false,
          relativeError: HLL_RELATIVE_ERROR,
        },
    topValues: state.top.entries.slice(0, REPORT_TOP_VALUES).map(([raw, count, error]) => {
      const value = displayRaw(t, raw);
      return error > 0 ? { value, count, error } : { value, count };
    }),
    topValuesExact: state.top.missing === 0 && state.top.entries.every(([, , e]) => e === 0),
  };
  if (state.nan > 0) profile.nan = state.nan;
  if (state.min !== undefined) profile.min = displayRaw(t, state.min);
  if (state.max !== undefined) profile.max = displayRaw(t, state.max);
  if (state.lengths && state.lengths.values > 0) {
    const l = state.lengths;
    profile.lengths = {
      unit: info.lengths === 'bytes' ? 'bytes' : 'characters',
      min: l.min,
      max: l.max,
      mean: Math.round((l.total / l.values) * 100) / 100,
      histogram: lengthHistogram(l),
    };
  }
  const patterns = patternResults(state);
  if (patterns) profile.patterns = patterns;
  if (state.quantiles && info.sketch)
    Object.assign(profile, numericSummary(t, state.quantiles, info.sketch.scale));
  const pii = detectPii(column.name, state.patterns);
  if (pii) profile.pii = pii;
  return profile;
}
