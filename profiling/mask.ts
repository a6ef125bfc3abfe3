import type { ColumnProfile } from './report-types.js';

/**
 * Masking of personal data in reports. A profile report is shared more widely than the data it describes,
 * so by default values of PII-flagged columns keep only their shape: the first character of each run of
 * letters or digits, every other letter or digit as `*`, punctuation kept — `user97.example.com` →
 * `u*****.e******.c**`, `Ana Smith` → `A** S****`. The shape still shows what is wrong with a malformed
 * value (no `@`, nothing after it) without showing whose it is.
 */

const ALNUM_RUN = /[\p{L}\p{N}]+/gu;

/** The masked form of a value (see module comment). */
export function maskText(value: string): string {
  return value.replace(ALNUM_RUN, (run) => {
    const chars = [...run];
    return chars[0] + '*'.repeat(chars.length - 1);
  });
}

/** A copy of a column profile with every value masked (counts, lengths and types stay). */
export function maskColumnProfile(c: ColumnProfile): ColumnProfile {
  const out: ColumnProfile = {
    ...c,
    topValues: c.topValues.map((v) => ({ ...v, value: maskText(v.value) })),
    masked: true,
  };
  if (c.min !== undefined) out.min = maskText(c.min);
  if (c.max !== undefined) out.max = maskText(c.max);
  if (c.patterns) {
    out.patterns = c.patterns.map((p) => ({
      ...p,
      examples: p.examples.map(maskText),
      misses: p.misses.map(maskText),
    }));
  }
  if (c.quantiles) {
    out.quantiles = {
      ...c.quantiles,
      q1: maskText(c.quantiles.q1),
      median: maskText(c.quantiles.median),
      q3: maskText(c.quantiles.q3),
    };
  }
  if (c.outliers) {
    out.outliers = {
      ...c.outliers,
      low: maskText(c.outliers.low),
      high: maskText(c.outliers.high),
      examples: c.outliers.examples.map(maskText),
    };
  }
  if (c.histogram) {
    out.histogram = {
      ...c.histogram,
      bins: c.histogram.bins.map((b) => ({ ...b, lo: maskText(b.lo), hi: maskText(b.hi) })),
    };
  }
  return out;
}
