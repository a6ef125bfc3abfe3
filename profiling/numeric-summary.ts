import type { LogicalType } from '../core/index.js';
import { scaledToDecimal } from './decimal.js';
import { QuantileSketch, type QuantileState, type SketchItem } from './quantiles.js';
import type { ColumnProfile, HistogramBin } from './report-types.js';
import { displaySketchItem } from './value-domain.js';

/**
 * Quantiles, IQR outliers and a histogram from a column's quantile sketch. Integer-like domains (integers,
 * dates, times, timestamps, scaled decimals) use exact integer arithmetic: the fences Q1 − 1.5·IQR and
 * Q3 + 1.5·IQR are computed doubled (2·Q1 − 3·IQR) so no half unit is rounded; floats use float arithmetic.
 */

/** Bins of a histogram at most. */
export const HISTOGRAM_BINS = 20;

type Numeric = Pick<ColumnProfile, 'quantiles' | 'outliers' | 'histogram'>;

function toBig(x: SketchItem): bigint {
  return typeof x === 'bigint' ? x : BigInt(x);
}

/** Whether a type's sketch items are integers (all but floats). */
function integral(t: LogicalType): boolean {
  return t.kind !== 'float';
}

/** The display of a doubled fence value (exact: `2·x` is an integer in integral domains). */
function fenceText(t: LogicalType, twice: SketchItem, scale: number, side: 'low' | 'high'): string {
  if (t.kind === 'decimal') return scaledToDecimal(toBig(twice) * 5n, scale + 1);
  if (t.kind === 'int') return scaledToDecimal(toBig(twice) * 5n, 1);
  if (t.kind === 'float') return String(Number(twice) / 2);
  // Dates, times and timestamps print whole units: round the fence outward.
  const v = toBig(twice);
  const half = v / 2n;
  const rounded =
    v % 2n === 0n ? half : side === 'low' ? (v < 0n ? half - 1n : half) : v < 0n ? half : half + 1n;
  return displaySketchItem(t, t.kind === 'date' ? Number(rounded) : rounded, scale);
}

function outliers(t: LogicalType, s: QuantileSketch, scale: number): Numeric['outliers'] {
  const q1 = s.quantile(0.25);
  const q3 = s.quantile(0.75);
  if (q1 === undefined || q3 === undefined || q1 === q3) return undefined;
  let below = 0;
  let above = 0;
  const examples: string[] = [];
  let low: string;
  let high: string;
  if (integral(t)) {
    const a = toBig(q1);
    const b = toBig(q3);
    const iqr = b - a;
    const lo2 = 2n * a - 3n * iqr;
    const hi2 = 2n * b + 3n * iqr;
    for (const [x, w] of s.weighted()) {
      const twice = 2n * toBig(x);
      if (twice < lo2) below += w;
      else if (twice > hi2) above += w;
    }
    low = fenceText(t, lo2, scale, 'low');
    high = fenceText(t, hi2, scale, 'high');
  } else {
    const a = Number(q1);
    const b = Number(q3);
    const lo = a - 1.5 * (b - a);
    const hi = b + 1.5 * (b - a);
    for (const [x, w] of s.weighted()) {
      if (Number(x) < lo) below += w;
      else if (Number(x) > hi) above += w;
    }
    low = String(lo);
    high = String(hi);
  }
  if (below > 0 && s.min !== undefined) examples.push(displaySketchItem(t, s.min, scale));
  if (above > 0 && s.max !== undefined) examples.push(displaySketchItem(t, s.max, scale));
  return { low, high, below, above, exact: s.exact, examples };
}

function histogram(t: LogicalType, s: QuantileSketch, scale: number): HistogramBin[] {
  const min = s.min;
  const max = s.max;
  if (min === undefined || max === undefined) return [];
  const items = s.weighted();
  const show = (x: SketchItem) => displaySketchItem(t, t.kind === 'date' ? Number(x) : x, scale);
  if (integral(t)) {
    const lo = toBig(min);
    const span = toBig(max) - lo + 1n;
    const bins = span < BigInt(HISTOGRAM_BINS) ? Number(span) : HISTOGRAM_BINS;
    const width = (span + BigInt(bins) - 1n) / BigInt(bins);
    const counts = new Array<number>(bins).fill(0);
    for (const [x, w] of items) counts[Number((toBig(x) - lo) / width)]! += w;
    return counts.map((count, i) => {
      const start = lo + BigInt(i) * width;
      const end = i === bins - 1 ? toBig(max) : start + width - 1n;
      return { lo: show(start), hi: show(end), count };
    });
  }
  const a = Number(min);
  const b = Number(max);
  if (a === b) return [{ lo: String(a), hi: String(b), count: s.n }];
  const width = (b - a) / HISTOGRAM_BINS;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const [x, w] of items) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((Number(x) - a) / width))]! += w;
  return counts.map((count, i) => ({
    lo: String(a + i * width),
    hi: String(i === HISTOGRAM_BINS - 1 ? b : a + (i + 1) * width),
    count,
  }));
}

/** Quantiles, outliers and histogram of a column from its sketch state. */
export function numericSummary(t: LogicalType, state: QuantileState, scale: number): Numeric {
  const s = QuantileSketch.from(state);
  if (s.n === 0) return {};
  const show = (q: number) => {
    const x = s.quantile(q)!;
    return displaySketchItem(t, t.kind === 'date' ? Number(x) : x, scale);
  };
  const out: Numeric = {
    quantiles: { q1: show(0.25), median: show(0.5), q3: show(0.75), exact: s.exact },
    histogram: { bins: histogram(t, s, scale), exact: s.exact },
  };
  const o = outliers(t, s, scale);
  if (o) out.outliers = o;
  return out;
}
