/**
 * profiling/: mergeable statistics of columns and exact key checks, for `ferry profile`.
 *
 *   batch ─(pool thread)─► profileBatch ─► column states + key hashes ─(coordinator)─► merge in scan order
 *        ─► summarizeColumn / DuplicateCheck / OrphanCheck ─► findings, PII flags ─► ProfileReport
 *
 * Imports only core/ and formats/. Every state is JSON (bigints as text) so it crosses threads unchanged.
 */
export {
  type BatchProfile,
  type BatchProfileSpec,
  decodeKeyHashes,
  type ProfileTask,
  profileBatch,
  profileTask,
} from './batch-profile.js';
export { ColumnAccumulator, type ColumnState } from './column-state.js';
export { percentOf, REPORT_TOP_VALUES, summarizeColumn } from './column-summary.js';
export { compareDecimal, decimalToScaled, normalizeDecimal, scaledToDecimal } from './decimal.js';
export {
  DistinctCounter,
  type DistinctState,
  EXACT_DISTINCT_LIMIT,
  HLL_PRECISION,
  HLL_RELATIVE_ERROR,
} from './distinct.js';
export {
  columnFindings,
  formatPercent,
  inventoryFindings,
  keyFindings,
  orphanFindings,
  sortFindings,
} from './findings.js';
export { type FkOrder, type GraphEdge, orderByForeignKeys } from './fk-graph.js';
export { bigintHash52, keyHash128, murmur32, numberHash52, valueHash52 } from './hash.js';
export {
  DuplicateCheck,
  type DuplicateCounts,
  KEY_EXAMPLES,
  type KeyTextAt,
  OrphanCheck,
  type OrphanCounts,
  SmallestTexts,
} from './key-checks.js';
export { KeyHashSet, SEEN } from './key-set.js';
export {
  displayKey,
  KEY_HASH_BYTES,
  keyHashes,
  keyPartsAt,
  keyPartText,
  keyReaders,
  keyTupleText,
} from './key-text.js';
export { EXACT_LENGTH_LIMIT, LengthDistribution, type LengthState, utf8Length } from './lengths.js';
export { maskColumnProfile, maskText } from './mask.js';
export { HISTOGRAM_BINS, numericSummary } from './numeric-summary.js';
export {
  ibanValid,
  luhnValid,
  matchesPattern,
  PATTERN_LABELS,
  PATTERN_NAMES,
  PatternCounter,
  type PatternName,
  type PatternState,
} from './patterns.js';
export {
  detectPii,
  nameTokens,
  type PiiCategory,
  type PiiConfidence,
  type PiiFlag,
  piiByName,
} from './pii.js';
export {
  KLL_K,
  QuantileSketch,
  type QuantileState,
  type SketchDomain,
  type SketchItem,
} from './quantiles.js';
export type * from './report-types.js';
export { TOP_VALUES_K, TopValues, type TopValuesState, topValueKey } from './top-values.js';
export {
  compareCodePoints,
  compareRaw,
  DEFAULT_DECIMAL_SCALE,
  displayRaw,
  domainInfo,
  type DomainInfo,
  type OrderKind,
  rawText,
} from './value-domain.js';
